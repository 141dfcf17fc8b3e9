"""Typed models of the national reporting database: catalogue, submissions, observations, reference data."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, code32, name, utcnow


class Agency(Base):
    """A data provider: ministry, other agency, or province (former 63 or current 34)."""

    __tablename__ = "agency"
    code: Mapped[code16] = mapped_column(primary_key=True)
    name_vi: Mapped[name]
    name_en: Mapped[name]
    kind: Mapped[code16]  # ministry | agency | province
    era: Mapped[code16]  # pre2025 | post2025 | both
    region_code: Mapped[str | None] = mapped_column(String(2))  # provinces: the GSO code
    merged_into: Mapped[str | None] = mapped_column(String(16))  # former provinces: T34_xx
    area_group: Mapped[str | None] = mapped_column(String(120))
    demo_connected: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class Region(Base):
    """Where an observation applies: 'VN' (national) or one of the 34 provinces."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_vi: Mapped[name]
    name_en: Mapped[name]
    kind: Mapped[code16]  # national | province
    province_type: Mapped[str] = mapped_column(String(32), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    merged_from: Mapped[str] = mapped_column(Text, default="")


class Indicator(Base):
    """One catalogue indicator (Decision 293/QĐ-TTg names 200 in nine groups)."""

    __tablename__ = "indicator"
    code: Mapped[code32] = mapped_column(primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(40))
    frequency: Mapped[code16]  # hourly | daily | monthly | quarterly | yearly
    group_code: Mapped[str] = mapped_column(String(4), index=True)
    group_name_vi: Mapped[str] = mapped_column(String(120))
    group_name_en: Mapped[str] = mapped_column(String(120))
    agency_code: Mapped[code16] = mapped_column(ForeignKey("agency.code"))
    higher_is_better: Mapped[bool | None] = mapped_column(Boolean)  # None: neutral
    by_province: Mapped[bool] = mapped_column(Boolean, default=False)
    target: Mapped[float | None] = mapped_column(Float)
    target_note: Mapped[str] = mapped_column(String(200), default="")
    warn_below: Mapped[float | None] = mapped_column(Float)
    warn_above: Mapped[float | None] = mapped_column(Float)
    min_value: Mapped[float] = mapped_column(Float)  # plausible range for ingest validation
    max_value: Mapped[float] = mapped_column(Float)
    headline: Mapped[int | None] = mapped_column(Integer)  # order on the wall, None = not shown
    note: Mapped[str] = mapped_column(Text, default="")


# Submissions the simulator made (its live feeds, the seeded history), never an agency.
SIMULATED_CHANNELS = ("seed", "simulator")


class Submission(Base):
    """One file or API payload sent by an agency; the raw bytes are kept whatever happens."""

    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[code16] = mapped_column(ForeignKey("agency.code"))
    channel: Mapped[code16]  # cli | api | web | simulator | seed
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    period: Mapped[str] = mapped_column(String(32), default="")  # reporting period, if one
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[code16]  # accepted | partial | rejected | duplicate
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_submission_agency_period", "agency_code", "period"),
        # The compliance matrix: every agency's first receipt for a set of periods.
        Index("ix_submission_period", "period", "agency_code", "received_at"),
        # Recent submissions of an agency (coverage, the reporting page), by time.
        Index("ix_submission_agency_received", "agency_code", "received_at"),
        Index("ix_submission_received", "received_at"),
    )


class Observation(Base):
    """A value of an indicator for a region and period; revisions are rows, never updates."""

    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[code32] = mapped_column(ForeignKey("indicator.code"))
    region_code: Mapped[str] = mapped_column(String(2), ForeignKey("region.code"))
    period: Mapped[code32]  # 2026-10 | 2026-Q3 | 2026 | 2026-11-22 | 2026-11-22T10:00
    period_start: Mapped[datetime] = mapped_column(DateTime)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[code16]  # official | simulated | submitted
    revision: Mapped[int] = mapped_column(Integer, default=1)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("indicator_code", "region_code", "period", "revision"),
        # The wall's reads: latest revisions of one indicator and region, by time.
        Index("ix_obs_latest", "indicator_code", "region_code", "is_latest", "period_start"),
        # One indicator across all provinces over a time range (comparison, map): covering, so
        # thousands of rows come from the index alone without a table lookup each.
        Index("ix_obs_indicator_time", "indicator_code", "is_latest", "period_start",
              "region_code", "period", "value"),
        Index("ix_obs_submission", "submission_id"),
    )


class RejectedRow(Base):
    """A quarantined row: what arrived, where, and why it was refused."""

    __tablename__ = "rejected_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # 0: the whole file
    field: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text, default="")


class KpiFact(Base):
    """A dated, sourced figure about an e-government system."""

    __tablename__ = "kpi_fact"
    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), index=True)
    system: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))  # as the source is transcribed: English
    unit_vi: Mapped[str] = mapped_column(String(40), default="", server_default="")
    as_of: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")  # English; its "more than" is the qualifier
    note_vi: Mapped[str] = mapped_column(Text, default="", server_default="")


class Camera(Base):
    """A dam camera site; the default 32 are a demonstration choice, not an official list."""

    __tablename__ = "camera"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # slug, e.g. hoa-binh
    dam_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[name]
    river: Mapped[name]
    province: Mapped[name]
    province_2025: Mapped[name]
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    capacity_mw: Mapped[float] = mapped_column(Float)
    demo: Mapped[bool] = mapped_column(Boolean, default=True)


class BridgePoint(Base):
    """A video-conference bridge point at a ministry or province (demonstration set)."""

    __tablename__ = "bridge_point"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_vi: Mapped[name]
    name_en: Mapped[name]
    agency_code: Mapped[code16] = mapped_column(ForeignKey("agency.code"))
    demo: Mapped[bool] = mapped_column(Boolean, default=True)
