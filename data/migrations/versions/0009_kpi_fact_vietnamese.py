"""The sourced KPI figures carry their unit and note in Vietnamese too (the source table's
Vietnamese screen); the English ones stay as transcribed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi_fact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_vi', sa.String(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('note_vi', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('kpi_fact', schema=None) as batch_op:
        batch_op.drop_column('note_vi')
        batch_op.drop_column('unit_vi')
