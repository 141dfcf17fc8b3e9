"""Alerts (instances, history, outbox, evaluator lease); people get a full name and a unit.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('active_key', sa.String(length=120), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('agency', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_comment', sa.Text(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolved_reason', sa.Text(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('opened_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('active_key')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_key'), ['key'], unique=False)
        batch_op.create_index('ix_alert_kind_state_id', ['kind', 'state', 'id'], unique=False)
        batch_op.create_index('ix_alert_resolved_at', ['resolved_at'], unique=False)
        batch_op.create_index('ix_alert_state_id', ['state', 'id'], unique=False)

    op.create_table('alert_lease',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=80), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_event_alert_id'), ['alert_id'], unique=False)

    op.create_table('alert_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('dedupe', sa.String(length=60), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claim_token', sa.String(length=40), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe')
    )
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_outbox_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_outbox_state_next', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('unit', sa.String(length=200), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('unit')
        batch_op.drop_column('full_name')

    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_outbox_state_next')
        batch_op.drop_index(batch_op.f('ix_alert_outbox_alert_id'))

    op.drop_table('alert_outbox')
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_event_alert_id'))

    op.drop_table('alert_event')
    op.drop_table('alert_lease')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_state_id')
        batch_op.drop_index('ix_alert_resolved_at')
        batch_op.drop_index('ix_alert_kind_state_id')
        batch_op.drop_index(batch_op.f('ix_alert_key'))

    op.drop_table('alert')
