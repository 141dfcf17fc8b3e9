"""The outbox carries the daily briefing too: a row without an alert, with a PDF attached.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.alter_column('alert_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.alter_column('alert_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('attachment')
