"""Agency tokens get a scope: "submissions" (every token so far) or "tasks" (the task tracking
system's own token), and a name for the latter.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agency_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), nullable=False,
                                      server_default='submissions'))
        batch_op.add_column(sa.Column('name', sa.String(length=64), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('agency_token', schema=None) as batch_op:
        batch_op.drop_column('name')
        batch_op.drop_column('scope')
