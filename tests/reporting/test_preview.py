"""The dry run (reporting.ingest.dry_run): each row classed as the real ingest would store it,
and nothing written, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Database
from reporting import ingest
from reporting.models import Observation, RejectedRow, Submission

HEADER = "indicator,region,period,value,note\n"
FIRST = HEADER + "IIP,VN,2026-09,7.5,\nIIP,01,2026-09,8.1,\n"
# Row 2 unchanged, row 3 revised (8.1 -> 8.4), row 4 new, row 5 refused on two fields.
SECOND = (HEADER + "IIP,VN,2026-09,7.5,\nIIP,01,2026-09,8.4,\nGDP_GROWTH,VN,2026-Q3,6.9,\n"
          "NOPE,99,2026-09,1,\n")


def counts(database: Database) -> tuple[int, int, int]:
    with database.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (Submission, Observation, RejectedRow))


def run(database: Database, text: str, **kw: object) -> ingest.Preview:
    return ingest.dry_run(database, text.encode(), filename="f.csv", agency="BTC",
                          **kw)  # type: ignore[arg-type]


def test_rows_classed_new_revised_unchanged_refused(database: Database) -> None:
    ingest.ingest_bytes(database, FIRST.encode(), filename="f.csv", agency="BTC", channel="cli")
    before = counts(database)
    preview = run(database, SECOND)
    assert counts(database) == before  # nothing written
    by_row = {}
    for r in preview.rows:
        by_row.setdefault(r.row, []).append(r)
    assert [r.status for r in by_row[2]] == ["unchanged"]
    [revised] = by_row[3]
    assert (revised.status, revised.old, revised.value) == ("revised", 8.1, 8.4)
    assert (by_row[4][0].status, by_row[4][0].old) == ("new", None)
    refused = {(r.field, r.reason.en) for r in by_row[5]}
    assert refused >= {("indicator", "unknown indicator 'NOPE'")}
    assert all(r.status == "refused" and r.reason.vi and r.raw == "NOPE,99,2026-09,1,"
               for r in by_row[5])
    assert [preview.count(s) for s in ("new", "revised", "unchanged", "refused")] == [1, 1, 1, 1]
    assert preview.storable and preview.rows_total == 4 and not preview.file_error

    # The real ingest of the same file does exactly what the preview said.
    result = ingest.ingest_bytes(database, SECOND.encode(), filename="f.csv", agency="BTC",
                                 channel="web")
    assert (result.created, result.revised, result.unchanged, result.rows_rejected) == \
        (preview.count("new"), preview.count("revised"), preview.count("unchanged"),
         preview.count("refused"))
    assert result.status == "partial"
    again = run(database, SECOND)
    assert [again.count(s) for s in ("new", "revised", "unchanged")] == [0, 0, 3]


def test_file_errors_write_nothing(database: Database) -> None:
    before = counts(database)
    for text, words in (("", "empty"), ("a,b\n1,2\n", "missing required column"),
                        (HEADER, "no data rows")):
        preview = run(database, text)
        assert words in preview.file_error.en and preview.file_error.vi, text
        assert not preview.storable and preview.rows == []
    too_big = run(database, FIRST, max_bytes=10)
    assert too_big.too_large and "exceeds the upload limit of 10 bytes" in too_big.file_error
    assert counts(database) == before


def test_unknown_agency_raises(database: Database) -> None:
    with pytest.raises(ingest.UnknownAgency):
        ingest.dry_run(database, FIRST.encode(), filename="f.csv", agency="NOPE")
    with pytest.raises(ingest.UnknownAgency):
        ingest.dry_run(database, b"", filename="f.csv", agency="NOPE")
