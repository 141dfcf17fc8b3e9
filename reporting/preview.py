"""A dry run's answer: each row of a submission classed new, revised (old -> new), unchanged or
refused, as the real ingest would class it (reporting.ingest.dry_run makes it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from reporting.rows import Candidate, Rejection

STATUSES = ("new", "revised", "unchanged", "refused")


@dataclass(frozen=True)
class PreviewRow:
    """One row of the preview; a refused row has one entry per reason (field, reason)."""

    row: int
    status: str  # one of STATUSES
    indicator: str = ""
    region: str = ""
    period: str = ""
    value: float | None = None
    old: float | None = None  # the stored latest value a revision replaces
    field: str = ""
    reason: str = ""  # a core.bilingual.Bilingual for refusals
    raw: str = ""  # the refused row as it arrived


@dataclass
class Preview:
    """What storing the file would do; nothing of it is stored."""

    sha256: str
    rows: list[PreviewRow] = field(default_factory=list)
    rows_total: int = 0
    file_error: str = ""  # a Bilingual: the whole file is refused
    too_large: bool = False

    def count(self, status: str) -> int:
        """Rows of a status (a refused row counts once, whatever its number of reasons)."""
        if status == "refused":
            return len({r.row for r in self.rows if r.status == "refused"})
        return sum(1 for r in self.rows if r.status == status)

    @property
    def storable(self) -> bool:
        """Whether confirming would store at least one valid row."""
        return not self.file_error and any(r.status != "refused" for r in self.rows)


def classify(sha256: str, rows_total: int, candidates: list[Candidate],
             rejected: list[Rejection], latest: dict[tuple[str, str, str], float],
             raw_of: dict[int, str]) -> Preview:
    """Rows in file order: a key without a latest value is new, a different value revises it,
    the same value leaves it unchanged (the rule reporting.ingest._store_rows applies)."""
    out = [PreviewRow(r.row, "refused", field=r.field, reason=r.reason, raw=raw_of.get(r.row, ""))
           for r in rejected]
    for c in candidates:
        old = latest.get(c.key)
        status = "new" if old is None else "unchanged" if old == c.value else "revised"
        out.append(PreviewRow(c.number, status, c.indicator, c.region, c.period.label, c.value,
                              old if status == "revised" else None))
    out.sort(key=lambda r: r.row)  # stable: a refused row's reasons keep their order
    return Preview(sha256, out, rows_total)
