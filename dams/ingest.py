"""Readings from the reservoirs' gateways (JSON) and files (CSV): bounded, checked, stored, raw kept.

Rules decided here:
- The payload is bounded before it is parsed (MAX_BYTES, then MAX_ROWS and MAX_CELL while rows
  are read). Over a limit: one file-level refusal; the bytes of an oversized payload are not kept
  (its size and sha256 are), every other payload is kept whole in dam_batch, whatever happens.
- A row names its dam by id (HOA_BINH) or camera id (hoa-binh). An agency token may send only
  for the dams its agency operates (dam.operator); staff send for any dam.
- Times: ISO 8601; without an offset they are Viet Nam time. Stored as naive UTC. More than
  FUTURE_SKEW ahead of the receiving clock is refused (a gateway clock set wrong).
- Refused: unknown dam, level missing, below the riverbed or above the crest by more than
  CREST_MARGIN_M, negative or non-finite flows, gates open below 0 or above the dam's gates,
  two rows of one payload for the same dam and time. A good row for a dam and time already
  stored replaces it (a gateway's correction); both payloads stay in dam_batch.
- Every refusal has a code and its text in Vietnamese and English.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from core.clock import VN_TZ, utc_now
from core.db import Database, transaction
from dams.models import Dam, DamBatch, DamReading
from dams.reference import dam_id_of

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5_000  # 32 dams x a reading a minute for over two hours
MAX_CELL = 100  # characters of one value
FUTURE_SKEW = timedelta(minutes=5)
CREST_MARGIN_M = 2.0  # a level this far above the crest is a sensor fault, not a flood
CHANNELS = ("api", "cli", "simulator")
FLOWS = ("inflow_m3s", "turbine_m3s", "spillway_m3s")
COLUMNS = ("dam", "time", "level_m", *FLOWS, "gates_open")

# code -> (Vietnamese, English); {placeholders} from the refusal's params.
REASONS: dict[str, tuple[str, str]] = {
    "too_large": ("Dữ liệu quá lớn ({size} byte; tối đa {limit})",
                  "Payload too large ({size} bytes; at most {limit})"),
    "empty": ("Không có số liệu nào", "No readings in the payload"),
    "malformed": ("Không đọc được dữ liệu: {detail}", "Cannot read the payload: {detail}"),
    "too_many_rows": ("Quá nhiều dòng (tối đa {limit})", "Too many rows (at most {limit})"),
    "missing_column": ("Thiếu cột {column}", "Missing column {column}"),
    "unknown_dam": ("Không có hồ chứa '{dam}'", "Unknown dam '{dam}'"),
    "not_operator": ("Đơn vị {agency} không vận hành hồ {dam}",
                     "Agency {agency} does not operate dam {dam}"),
    "bad_time": ("Thời gian không hợp lệ: '{value}'", "Invalid time: '{value}'"),
    "future_time": ("Thời gian ở tương lai ({value}), quá {skew} phút so với đồng hồ trung tâm",
                    "Time in the future ({value}), beyond {skew} min of the centre's clock"),
    "missing": ("Thiếu giá trị {field}", "Missing value {field}"),
    "not_number": ("{field} không phải là số: '{value}'", "{field} is not a number: '{value}'"),
    "too_long": ("{field} quá dài", "{field} is too long"),
    "below_riverbed": ("Mực nước {value} m thấp hơn đáy sông ({limit} m)",
                       "Level {value} m is below the riverbed ({limit} m)"),
    "above_crest": ("Mực nước {value} m cao hơn đỉnh đập ({limit} m)",
                    "Level {value} m is above the dam crest ({limit} m)"),
    "negative_flow": ("Lưu lượng {field} âm: {value}", "Negative flow {field}: {value}"),
    "bad_gates": ("Số cửa xả mở {value} ngoài khoảng 0–{limit}",
                  "Gates open {value} outside 0–{limit}"),
    "duplicate": ("Trùng hồ và thời gian với dòng {other}",
                  "Same dam and time as row {other}"),
}


@dataclass(frozen=True)
class Refusal:
    """One reason a row (row 0: the whole payload) was refused."""

    row: int
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "vi") -> str:
        vi, en = REASONS[self.code]
        return (vi if lang == "vi" else en).format(**self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code,
                "vi": self.text("vi"), "en": self.text("en")}


@dataclass
class IngestResult:
    """What happened to one payload of readings."""

    batch_id: int
    status: str  # accepted | partial | rejected
    rows_total: int = 0
    accepted: int = 0
    replaced: int = 0
    refused: list[Refusal] = field(default_factory=list)
    file_error: bool = False
    too_large: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "status": self.status, "rows_total": self.rows_total,
                "accepted": self.accepted, "replaced": self.replaced,
                "rejected": [r.to_dict() for r in self.refused]}


@dataclass(frozen=True)
class Reading:
    """A checked row, ready to store."""

    dam_id: str
    at: datetime  # naive UTC
    level_m: float
    inflow_m3s: float | None
    turbine_m3s: float | None
    spillway_m3s: float | None
    gates_open: int | None


class _FileError(ValueError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def _rows(payload: bytes, content_type: str, filename: str) -> list[dict[str, Any]]:
    """The payload's rows as dicts (JSON list / {"readings": [...]} or CSV with a header)."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _FileError(Refusal(0, "", "malformed", {"detail": "not UTF-8"})) from None
    is_json = "json" in content_type or filename.lower().endswith(".json") or \
        text.lstrip()[:1] in ("[", "{")
    if is_json:
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _FileError(Refusal(0, "", "malformed", {"detail": str(exc)[:120]})) from None
        rows = doc.get("readings") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise _FileError(Refusal(0, "", "malformed",
                                     {"detail": "expected a list or {\"readings\": [...]}"}))
        if len(rows) > MAX_ROWS:
            raise _FileError(Refusal(0, "", "too_many_rows", {"limit": MAX_ROWS}))
        return [r if isinstance(r, dict) else {"_bad": r} for r in rows]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    for column in ("dam", "time", "level_m"):
        if column not in header:
            raise _FileError(Refusal(0, column, "missing_column", {"column": column}))
    reader.fieldnames = header
    out = []
    for row in reader:
        if len(out) >= MAX_ROWS:
            raise _FileError(Refusal(0, "", "too_many_rows", {"limit": MAX_ROWS}))
        out.append({k: v for k, v in row.items() if k is not None})
    return out


def _number(row: int, name: str, value: Any, refusals: list[Refusal],
            required: bool = False) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            refusals.append(Refusal(row, name, "missing", {"field": name}))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        refusals.append(Refusal(row, name, "not_number", {"field": name, "value": str(value)[:40]}))
        return None
    if isinstance(value, str) and len(value) > MAX_CELL:
        refusals.append(Refusal(row, name, "too_long", {"field": name}))
        return None
    try:
        number = float(value)
    except ValueError:
        refusals.append(Refusal(row, name, "not_number", {"field": name, "value": str(value)[:40]}))
        return None
    if not math.isfinite(number):
        refusals.append(Refusal(row, name, "not_number", {"field": name, "value": str(value)[:40]}))
        return None
    return number


def _time(row: int, value: Any, now: datetime, refusals: list[Refusal]) -> datetime | None:
    """An ISO time as naive UTC (Viet Nam time when it has no offset)."""
    text = str(value or "").strip()
    if not text:
        refusals.append(Refusal(row, "time", "missing", {"field": "time"}))
        return None
    try:
        if len(text) > MAX_CELL:
            raise ValueError
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        refusals.append(Refusal(row, "time", "bad_time", {"value": text[:40]}))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    at = moment.astimezone(VN_TZ).replace(tzinfo=None) - timedelta(hours=7)
    if at > now + FUTURE_SKEW:
        refusals.append(Refusal(row, "time", "future_time",
                                {"value": text[:40], "skew": int(FUTURE_SKEW.total_seconds() // 60)}))
        return None
    return at


def check_row(number: int, cells: dict[str, Any], dams: dict[str, Dam], agency: str | None,
              now: datetime) -> tuple[Reading | None, list[Refusal]]:
    """One row checked against its dam: the reading, or why not (every reason found)."""
    refusals: list[Refusal] = []
    if "_bad" in cells:
        return None, [Refusal(number, "", "malformed", {"detail": "a row must be an object"})]
    name = str(cells.get("dam") or "").strip()[:MAX_CELL]
    dam = dams.get(dam_id_of(name)) if name else None
    if dam is None:
        refusals.append(Refusal(number, "dam", "unknown_dam", {"dam": name[:40]}))
    elif agency is not None and dam.operator != agency:
        refusals.append(Refusal(number, "dam", "not_operator", {"agency": agency, "dam": dam.id}))
    at = _time(number, cells.get("time"), now, refusals)
    level = _number(number, "level_m", cells.get("level_m"), refusals, required=True)
    flows = {f: _number(number, f, cells.get(f), refusals) for f in FLOWS}
    gates = _number(number, "gates_open", cells.get("gates_open"), refusals)
    for name_, value in flows.items():
        if value is not None and value < 0:
            refusals.append(Refusal(number, name_, "negative_flow", {"field": name_, "value": value}))
    if dam is not None and level is not None:
        if level < dam.riverbed_m:
            refusals.append(Refusal(number, "level_m", "below_riverbed",
                                    {"value": level, "limit": dam.riverbed_m}))
        elif level > dam.crest_m + CREST_MARGIN_M:
            refusals.append(Refusal(number, "level_m", "above_crest",
                                    {"value": level, "limit": dam.crest_m}))
    if gates is not None and dam is not None and not (0 <= gates <= dam.spill_gates
                                                      and gates == int(gates)):
        refusals.append(Refusal(number, "gates_open", "bad_gates",
                                {"value": gates, "limit": dam.spill_gates}))
    if refusals or dam is None or at is None or level is None:
        return None, refusals
    return Reading(dam.id, at, level, flows["inflow_m3s"], flows["turbine_m3s"],
                   flows["spillway_m3s"], int(gates) if gates is not None else None), []


def ingest(database: Database, payload: bytes, *, agency: str, channel: str,
           operator_only: bool = True, filename: str = "", content_type: str = "",
           source: str | None = None, now: datetime | None = None) -> IngestResult:
    """Check and store one payload; the batch (with its raw bytes) is recorded in every case.

    operator_only: the sender is an agency token, limited to the dams its agency operates.
    """
    now = now or utc_now()
    source = source or channel
    too_large = len(payload) > MAX_BYTES
    refusals: list[Refusal] = []
    readings: list[Reading] = []
    rows_total = 0
    if too_large:
        refusals.append(Refusal(0, "", "too_large", {"size": len(payload), "limit": MAX_BYTES}))
    else:
        try:
            rows = _rows(payload, content_type, filename)
        except _FileError as exc:
            rows = []
            refusals.append(exc.refusal)
        if not rows and not refusals:
            refusals.append(Refusal(0, "", "empty"))
        rows_total = len(rows)
        if rows:
            with database.sessions() as s:
                dams = {d.id: d for d in s.scalars(select(Dam))}
                for d in dams.values():
                    s.expunge(d)
            checked = [(i, *check_row(i, r, dams, agency if operator_only else None, now))
                       for i, r in enumerate(rows, start=1 if payload.lstrip()[:1] in b"[{" else 2)]
            positions: dict[tuple[str, datetime], list[int]] = defaultdict(list)
            for i, reading, _found in checked:
                if reading is not None:
                    positions[(reading.dam_id, reading.at)].append(i)
            for i, reading, found in checked:
                refusals.extend(found)
                if reading is None:
                    continue
                same = positions[(reading.dam_id, reading.at)]
                if len(same) > 1:  # which of them did the sender mean? none is stored
                    others = ", ".join(str(n) for n in same if n != i)
                    refusals.append(Refusal(i, "time", "duplicate", {"other": others}))
                    continue
                readings.append(reading)
    rejected_rows = len({r.row for r in refusals if r.row})
    status = ("rejected" if not readings else "partial" if refusals else "accepted")
    with transaction(database.sessions) as s:
        batch = DamBatch(agency_code=agency, channel=channel, filename=filename[:255],
                         content_type=content_type[:100],
                         sha256=hashlib.sha256(payload).hexdigest(),
                         payload=b"" if too_large else payload, status=status,
                         rows_total=rows_total, rows_accepted=len(readings),
                         rows_rejected=rejected_rows,
                         error=json.dumps([r.to_dict() for r in refusals], ensure_ascii=False))
        s.add(batch)
        s.flush()
        replaced = 0
        for reading in readings:
            replaced += s.execute(delete(DamReading).where(
                DamReading.dam_id == reading.dam_id, DamReading.at == reading.at,
                DamReading.source != "rollup")).rowcount or 0
        s.add_all(DamReading(dam_id=r.dam_id, at=r.at, level_m=r.level_m, inflow_m3s=r.inflow_m3s,
                             turbine_m3s=r.turbine_m3s, spillway_m3s=r.spillway_m3s,
                             gates_open=r.gates_open, source=source, batch_id=batch.id,
                             received_at=now) for r in readings)
        batch_id = batch.id
    return IngestResult(batch_id, status, rows_total, len(readings), replaced, refusals,
                        file_error=any(r.row == 0 for r in refusals), too_large=too_large)
