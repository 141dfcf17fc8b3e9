"""Tables of the dams domain: the reference per dam, readings, and the batches they came in."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, name, utcnow


class Dam(Base):
    """One dam with a camera: its reference levels (m a.s.l.) and volume curve."""

    __tablename__ = "dam"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # dams.csv id, e.g. HOA_BINH
    camera: Mapped[str] = mapped_column(String(40), unique=True)  # camera slug, e.g. hoa-binh
    name: Mapped[name]
    normal_level_m: Mapped[float] = mapped_column(Float)
    dead_level_m: Mapped[float] = mapped_column(Float)
    flood_limit_m: Mapped[float] = mapped_column(Float)
    riverbed_m: Mapped[float] = mapped_column(Float)
    crest_m: Mapped[float] = mapped_column(Float)
    volume_normal_mm3: Mapped[float] = mapped_column(Float)
    spill_gates: Mapped[int] = mapped_column(Integer)
    turbine_max_m3s: Mapped[float] = mapped_column(Float)
    mean_inflow_m3s: Mapped[float] = mapped_column(Float)
    operator: Mapped[code16]  # the agency whose tokens may send this dam's readings
    curve: Mapped[str] = mapped_column(Text)  # JSON [[level_m, volume_mm3], ...], levels rising
    demo: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text, default="")


class DamBatch(Base):
    """One payload of readings (API body or CSV file) as received: kept whatever happens."""

    __tablename__ = "dam_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[code16]
    channel: Mapped[code16]  # api | cli | simulator
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[code16]  # accepted | partial | rejected
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")  # JSON list of the refusals

    __table_args__ = (Index("ix_dam_batch_received", "received_at"),)


class DamReading(Base):
    """One reading of a dam at a time (naive UTC); an hourly mean once rolled up (source 'rollup')."""

    __tablename__ = "dam_reading"
    id: Mapped[int] = mapped_column(primary_key=True)
    dam_id: Mapped[str] = mapped_column(String(40), ForeignKey("dam.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    level_m: Mapped[float] = mapped_column(Float)
    inflow_m3s: Mapped[float | None] = mapped_column(Float)
    turbine_m3s: Mapped[float | None] = mapped_column(Float)
    spillway_m3s: Mapped[float | None] = mapped_column(Float)
    gates_open: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[code16]  # api | cli | simulated | rollup
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("dam_batch.id"))
    samples: Mapped[int] = mapped_column(Integer, default=1)  # readings an hourly row stands for
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_dam_reading_dam_at", "dam_id", "at"),
        Index("ix_dam_reading_batch", "batch_id"),
    )
