"""The /tasks page's URL state: agency, period, theme, key, status, document and page."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from pagestate import first, search_string

STATUSES = ("done_on_time", "done_late", "open_in_time", "open_overdue", "no_deadline")
ALIASES = {"overdue": "open_overdue", "open": "open_in_time", "done": "done_on_time",
           "late": "done_late"}


@dataclass(frozen=True)
class TasksState:
    """What /tasks shows; every field is a URL parameter (empty: the default)."""

    agency: str = ""
    start: str = ""  # YYYY-MM-DD; empty: 1 January of this year
    stop: str = ""  # YYYY-MM-DD; empty: today
    theme: str = ""
    key: str = ""  # "" | "1" | "0"
    status: str = ""
    document: str = ""
    page: int = 1

    def window(self, today: date) -> tuple[str, str]:
        start = self.start or date(today.year, 1, 1).isoformat()
        stop = self.stop or today.isoformat()
        return (start, stop) if start <= stop else (stop, start)

    def search(self) -> str:
        return search_string({"agency": self.agency, "from": self.start, "to": self.stop,
                              "theme": self.theme, "key": self.key, "status": self.status,
                              "document": self.document,
                              "page": self.page if self.page > 1 else ""})

    def with_(self, **changes: Any) -> TasksState:
        return replace(self, **changes)


def _iso(text: str) -> str:
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return ""


def parse(query: dict[str, Any]) -> TasksState:
    """The state of a URL; anything malformed falls back to its default."""
    status = first(query.get("status")).strip().lower()
    status = ALIASES.get(status, status)
    page = first(query.get("page")).strip()
    key = first(query.get("key")).strip()
    return TasksState(
        agency=first(query.get("agency")).strip().upper()[:16],
        start=_iso(first(query.get("from")).strip()), stop=_iso(first(query.get("to")).strip()),
        theme=first(query.get("theme")).strip()[:120],
        key=key if key in ("0", "1") else "",
        status=status if status in STATUSES else "",
        document=first(query.get("document")).strip().upper().replace(" ", "")[:60],
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1)
