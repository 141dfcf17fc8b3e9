"""Briefings: the PDFs made, their progress, and the daily run's claim on its date.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('briefing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('daily_key', sa.String(length=32), nullable=True),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('pages', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=True),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('daily_key')
    )
    op.create_index(op.f('ix_briefing_day'), 'briefing', ['day'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_briefing_day'), table_name='briefing')
    op.drop_table('briefing')
