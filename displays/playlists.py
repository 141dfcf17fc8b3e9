"""Display modes and playlists as values: the items, their one-line form and every check on them."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

MODES = ("follow", "playlist", "page")
WALL = "wall"
WALL_NAME = ("Màn hình lớn của Trung tâm", "The centre's wall")
DEFAULT_PLAYLIST = "default"
MAX_ITEMS = 50
MAX_URL = 500
# Paths a screen may not be sent to: sign-in/out, admin, raw API and streams, the display links.
FORBIDDEN_PREFIXES = ("/display/", "/admin", "/logout", "/login", "/api/", "/streams/", "/_dash")
PARAM_RE = re.compile(r"^[a-z_]{1,20}$")


class DisplayError(ValueError):
    """A display or playlist operation that cannot be done; the text names field and reason."""


@dataclass(frozen=True)
class PlaylistItem:
    """One page of a playlist; with provinces it cycles that page through them in turn."""

    url: str
    seconds: float  # how long the page shows; per province when provinces are given
    provinces: tuple[str, ...] | str = ()  # () | "all" | ("01", "04", ...)
    param: str = "region"  # the query parameter that carries the province

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "seconds": self.seconds}
        if self.provinces:
            out["provinces"] = self.provinces if isinstance(self.provinces, str) \
                else list(self.provinces)
            out["param"] = self.param
        return out

    def line(self) -> str:
        """The item as one line of the admin page's editor (see parse_lines)."""
        text = f"{self.url} {self.seconds:g}"
        if self.provinces:
            provinces = self.provinces if isinstance(self.provinces, str) \
                else ",".join(self.provinces)
            text += f" provinces={provinces}"
            if self.param != "region":
                text += f" param={self.param}"
        return text


# The playlist that ships: the four wall pages, then one indicator through all 34 provinces.
DEFAULT_ITEMS: tuple[PlaylistItem, ...] = (
    PlaylistItem("/", 30),
    PlaylistItem("/savings", 20),
    PlaylistItem("/reporting", 20),
    PlaylistItem("/cameras", 30),
    PlaylistItem("/indicators/GDP_GROWTH", 8, "all"),
)



def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or not all(ch.isalnum() or ch in "-_. " for ch in name):
        raise DisplayError("name: 1-64 letters, digits, space, - _ .")
    return name


def check_mode(mode: str) -> str:
    mode = (mode or "").strip().lower()
    if mode not in MODES:
        raise DisplayError(f"mode: '{mode}' is not one of {', '.join(MODES)}")
    return mode


def check_url(url: str, what: str = "page") -> str:
    """A same-site page path with its query (a drill-down state), or DisplayError."""
    url = (url or "").strip()
    if not url:
        raise DisplayError(f"{what}: empty")
    if len(url) > MAX_URL:
        raise DisplayError(f"{what}: longer than {MAX_URL} characters")
    if not url.startswith("/") or url.startswith("//") or any(
            ch in url for ch in "\\\r\n\t\x00 "):
        raise DisplayError(f"{what}: '{url[:80]}' must be a path of this site, like /indicators/GDP_GROWTH?region=01")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.fragment:
        raise DisplayError(f"{what}: '{url[:80]}' must be a path of this site")
    if parts.path.startswith(FORBIDDEN_PREFIXES) or parts.path in ("/login", "/logout"):
        raise DisplayError(f"{what}: '{parts.path}' is not a page a screen can show")
    # Kiosk is the screen's mode, not part of the state: drop the flag from stored URLs.
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "kiosk"]
    return parts.path + ("?" + urlencode(query) if query else "")


def _seconds(raw: Any, where: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise DisplayError(f"{where}, seconds: '{raw}' is not a number") from None
    if not 2 <= value <= 3600:
        raise DisplayError(f"{where}, seconds: {value:g} is outside 2..3600")
    return value


def _provinces(raw: Any, known: set[str] | None, where: str) -> tuple[str, ...] | str:
    if raw in (None, "", [], ()):
        return ()
    if isinstance(raw, str) and raw.strip().lower() == "all":
        return "all"
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise DisplayError(f"{where}, provinces: give 'all' or a list of province codes")
    codes = tuple(str(c).strip() for c in items if str(c).strip())
    unknown = [c for c in codes if known is not None and c not in known]
    if unknown:
        raise DisplayError(f"{where}, provinces: unknown code(s) {', '.join(unknown[:5])}")
    if not codes:
        raise DisplayError(f"{where}, provinces: empty list")
    return codes


def check_items(raw: list[Any], known_provinces: set[str] | None = None) -> list[PlaylistItem]:
    """Validate playlist items given as dicts (JSON); errors name the item and field."""
    if not isinstance(raw, list) or not raw:
        raise DisplayError("items: a playlist needs at least one item")
    if len(raw) > MAX_ITEMS:
        raise DisplayError(f"items: at most {MAX_ITEMS}")
    out = []
    for n, item in enumerate(raw, start=1):
        where = f"item {n}"
        if not isinstance(item, dict):
            raise DisplayError(f"{where}: must be an object with url and seconds")
        extra = set(item) - {"url", "seconds", "provinces", "param"}
        if extra:
            raise DisplayError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        url = check_url(str(item.get("url", "")), f"{where}, url")
        param = str(item.get("param") or "region")
        if not PARAM_RE.match(param):
            raise DisplayError(f"{where}, param: '{param}' is not a query parameter name")
        out.append(PlaylistItem(url, _seconds(item.get("seconds"), where),
                                _provinces(item.get("provinces"), known_provinces, where), param))
    return out


def parse_lines(text: str, known_provinces: set[str] | None = None) -> list[PlaylistItem]:
    """The admin editor's format, one item a line: `URL SECONDS [provinces=all|01,04] [param=P]`.

    Blank lines and lines starting with # are skipped; errors name the line.
    """
    raw: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) < 2:
            raise DisplayError(f"line {number}: give a URL and its seconds, e.g. '/savings 20'")
        item: dict[str, Any] = {"url": words[0], "seconds": words[1]}
        for word in words[2:]:
            key, sep, value = word.partition("=")
            if not sep or key not in ("provinces", "param"):
                raise DisplayError(f"line {number}: '{word}' is not provinces=... or param=...")
            item[key] = value
        raw.append(item)
        lines.append(number)
    try:
        return check_items(raw, known_provinces)
    except DisplayError as exc:
        text = str(exc)
        match = re.match(r"item (\d+)", text)
        if match:  # speak of the editor's line, not the item's position
            text = f"line {lines[int(match.group(1)) - 1]}" + text[match.end():]
        raise DisplayError(text) from None


def items_from_json(text: str) -> list[PlaylistItem]:
    """Stored items (already validated when saved); a damaged row yields the default items."""
    try:
        return check_items(json.loads(text))
    except (ValueError, TypeError):
        return list(DEFAULT_ITEMS)
