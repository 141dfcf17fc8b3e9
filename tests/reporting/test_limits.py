"""Files bounded before they are parsed: hostile workbooks, bombs and long files are refused
fast, with one file-level error, recorded with their raw payload, within a fixed memory bound."""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from core.db import Database
from reporting import files, ingest
from reporting.models import RejectedRow, Submission

MIB = 2**20


def small_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator", "region", "period", "value"])
    sheet.append(["IIP", "VN", "2026-09", 7.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(payload: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """A copy of a workbook with its first sheet's XML edited."""
    source = zipfile.ZipFile(io.BytesIO(payload))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def declared_full_width() -> bytes:
    """The 1,655-byte attack: a tiny workbook whose sheet declares A1:XFD3000."""
    def edit(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ref=\"") + len(b"<dimension ref=\"")
        end = xml.index(b"\"", start)
        return xml[:start] + b"A1:XFD3000" + xml[end:]
    return rewrite_sheet(small_workbook(), edit)


def streamed_member(name: str, chunks: int, chunk: bytes, head: bytes = b"",
                    tail: bytes = b"") -> bytes:
    """A workbook (taken from a real one) whose `name` member is written in chunks, so the
    test never holds the inflated bytes."""
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(name, "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(chunks):
                member.write(chunk)
            member.write(tail)
    return out.getvalue()


def whitespace_workbook() -> bytes:
    """~263 KB of zip holding a sheet padded with a quarter of a gigabyte of whitespace."""
    xml = zipfile.ZipFile(io.BytesIO(small_workbook())).read("xl/worksheets/sheet1.xml")
    cut = xml.index(b"<sheetData>")
    return streamed_member("xl/worksheets/sheet1.xml", 250, b" " * MIB, xml[:cut], xml[cut:])


def zip_bomb() -> bytes:
    """A workbook with a part that unzips to 1.1 GB (zeros deflate ~1000:1)."""
    return streamed_member("xl/media/image1.bin", 1100, b"\0" * MIB)


def long_csv() -> bytes:
    """100,000 short rows."""
    return b"indicator,region,period,value\n" + b"IIP,VN,2026-09,1\n" * 100_000


def measured(database: Database, payload: bytes, **kw: str) -> tuple[ingest.IngestResult,
                                                                       float, float]:
    """Ingest under tracemalloc: (result, peak MiB of Python allocations, seconds)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = ingest.ingest_bytes(database, payload, agency="BTC", channel="api",
                                     max_bytes=5 * MIB, **kw)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()
    return result, peak, seconds


def recorded(database: Database, result: ingest.IngestResult, payload: bytes) -> None:
    """The refusal is stored: rejected submission, its raw bytes, one file-level reason."""
    with database.sessions() as s:
        sub = s.get(Submission, result.submission_id)
        assert sub is not None and sub.status == "rejected"
        assert sub.payload == payload
        rows = list(s.scalars(select(RejectedRow).where(
            RejectedRow.submission_id == result.submission_id)))
    assert [(r.row_number, r.field) for r in rows] == [(0, "file")]


@pytest.mark.parametrize("make, filename, expected", [
    (declared_full_width, "report.xlsx", None),  # readable once the claim is ignored
    (whitespace_workbook, "report.xlsx", "unzips to"),
    (zip_bomb, "report.xlsx", "unzips to"),
    (long_csv, "report.csv", "more than 10000 rows"),
])
def test_hostile_files_stay_within_the_memory_bound(database: Database, make: Callable[[], bytes],
                                                    filename: str, expected: str | None) -> None:
    payload = make()
    assert len(payload) < 5 * MIB
    result, peak, seconds = measured(database, payload, filename=filename)
    assert peak < files.MEMORY_BOUND_MIB, f"{peak:.0f} MiB"
    assert seconds < 30
    if expected is None:
        assert result.status == "accepted" and result.accepted == 1
    else:
        assert expected in result.file_error
        recorded(database, result, payload)


def test_too_many_columns_and_long_cells_are_file_errors(database: Database) -> None:
    wide = ",".join(["indicator", "region", "period", "value"] + [f"x{i}" for i in range(20)])
    result, _, _ = measured(database, (wide + "\n").encode(), filename="a.csv")
    assert "columns" in result.file_error
    # In both languages, Vietnamese first, each half with the format named.
    assert result.file_error == "CSV: dòng 1 có 24 cột; chỉ đọc tối đa 16 / " \
                                "CSV: row 1 has 24 columns; at most 16 are read"
    long_note = "indicator,region,period,value,note\nIIP,VN,2026-09,1," + "n" * 5000 + "\n"
    result, _, _ = measured(database, long_note.encode(), filename="b.csv")
    assert "5000 characters" in result.file_error
    recorded(database, result, long_note.encode())


def test_json_bounded_while_parsing(database: Database) -> None:
    many = ("[" + ",".join(["1.5"] * (files.MAX_JSON_VALUES + 10)) + "]").encode()
    result, peak, _ = measured(database, many, filename="a.json")
    assert "more than" in result.file_error
    assert peak < files.MEMORY_BOUND_MIB


def test_a_workbook_sent_as_csv_is_read_as_a_workbook(database: Database) -> None:
    result, _, _ = measured(database, small_workbook(), filename="report.csv",
                            content_type="text/csv")
    assert result.status == "accepted", result.to_dict()


def test_a_full_size_legitimate_file_is_read(database: Database) -> None:
    rows = "".join(f"IIP,VN,{year}-{month:02d},{month}.5\n" for year in range(2000, 2026)
                   for month in range(1, 13))
    result, _, seconds = measured(database, ("indicator,region,period,value\n" + rows).encode(),
                                  filename="history.csv")
    assert result.status == "accepted" and result.accepted == 26 * 12


def test_many_copies_of_one_row_are_refused_in_linear_time(database: Database) -> None:
    """9,000 identical rows: each is refused naming a few of the others, not all 8,999."""
    body = b"indicator,region,period,value\n" + b"IIP,VN,2026-09,1\n" * 9000
    result, peak, seconds = measured(database, body, filename="copies.csv")
    assert result.rows_rejected == 9000 and result.accepted == 0
    assert result.rejected[0].reason.endswith("and 8994 more: both refused")
    assert peak < files.MEMORY_BOUND_MIB
