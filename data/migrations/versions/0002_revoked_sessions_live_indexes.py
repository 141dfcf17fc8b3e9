"""Revoked sessions (server-side logout) and the submission indexes the live roll-up reads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('revoked_session',
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sid')
    )
    with op.batch_alter_table('revoked_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_session_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_agency_received', ['agency_code', 'received_at'], unique=False)
        batch_op.create_index('ix_submission_received', ['received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_received')
        batch_op.drop_index('ix_submission_agency_received')

    with op.batch_alter_table('revoked_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_session_expires_at'))

    op.drop_table('revoked_session')
