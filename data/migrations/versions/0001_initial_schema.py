"""The schema as it stood when migrations began (data/models.py at the first revision).

It also adopts databases built before Alembic by `create_all` (every dev machine's
var/ops.sqlite): tables are created only when missing, and an index is created when missing or
rebuilt when its columns differ (the covering index ix_obs_indicator_time gained columns before
migrations existed). On an empty database it is a plain create.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _table(name: str, *elements: sa.schema.SchemaItem) -> None:
    """Create a table unless a pre-Alembic database already has it."""
    if not sa.inspect(op.get_bind()).has_table(name):
        op.create_table(name, *elements)


def _index(name: str, table: str, columns: list[str], unique: bool = False) -> None:
    """Create an index, or rebuild it when a pre-Alembic database has other columns in it."""
    found = {i["name"]: i for i in sa.inspect(op.get_bind()).get_indexes(table)}
    if name in found:
        if found[name]["column_names"] == columns and bool(found[name]["unique"]) == unique:
            return
        op.drop_index(name, table_name=table)
    op.create_index(name, table, columns, unique=unique)


def upgrade() -> None:
    _table(
        "agency",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("era", sa.String(16), nullable=False),
        sa.Column("region_code", sa.String(2), nullable=True),
        sa.Column("merged_into", sa.String(16), nullable=True),
        sa.Column("area_group", sa.String(120), nullable=True),
        sa.Column("demo_connected", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    _table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    _table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("ix_audit_kind_actor_time", "audit_event", ["kind", "actor", "time"])
    _index("ix_audit_kind_address_time", "audit_event", ["kind", "address", "time"])
    _table(
        "camera",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("dam_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("river", sa.String(200), nullable=False),
        sa.Column("province", sa.String(200), nullable=False),
        sa.Column("province_2025", sa.String(200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("capacity_mw", sa.Float(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "display_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    _table(
        "kpi_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(60), nullable=False),
        sa.Column("system", sa.String(40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("ix_kpi_fact_metric", "kpi_fact", ["metric"])
    _table(
        "meta",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    _table(
        "region",
        sa.Column("code", sa.String(2), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("province_type", sa.String(32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("merged_from", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    _table(
        "agency_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    _index("ix_agency_token_agency_code", "agency_token", ["agency_code"])
    _table(
        "bridge_point",
        sa.Column("id", sa.String(20), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "indicator",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("group_code", sa.String(4), nullable=False),
        sa.Column("group_name_vi", sa.String(120), nullable=False),
        sa.Column("group_name_en", sa.String(120), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("higher_is_better", sa.Boolean(), nullable=True),
        sa.Column("by_province", sa.Boolean(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_note", sa.String(200), nullable=False),
        sa.Column("warn_below", sa.Float(), nullable=True),
        sa.Column("warn_above", sa.Float(), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=False),
        sa.Column("headline", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    _index("ix_indicator_group_code", "indicator", ["group_code"])
    _table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("ix_submission_agency_period", "submission", ["agency_code", "period"])
    _index("ix_submission_period", "submission", ["period", "agency_code", "received_at"])
    _index("ix_submission_sha256", "submission", ["sha256"])
    _table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(32), nullable=False),
        sa.Column("region_code", sa.String(2), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_code"], ["indicator.code"]),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_code", "region_code", "period", "revision"),
    )
    _index("ix_obs_indicator_time", "observation",
           ["indicator_code", "is_latest", "period_start", "region_code", "period", "value"])
    _index("ix_obs_latest", "observation",
           ["indicator_code", "region_code", "is_latest", "period_start"])
    _index("ix_obs_submission", "observation", ["submission_id"])
    _table(
        "rejected_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("ix_rejected_row_submission_id", "rejected_row", ["submission_id"])


def downgrade() -> None:
    for table in ("rejected_row", "observation", "submission", "indicator", "bridge_point",
                  "agency_token", "region", "meta", "kpi_fact", "display_token", "camera",
                  "audit_event", "app_user", "agency"):
        op.drop_table(table)  # dropping a table drops its indexes
