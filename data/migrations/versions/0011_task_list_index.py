"""The /tasks list in its order from an index: ix_task_list (document date, document, task
number descending, deadline, completion).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_list', ['document_date', 'document_id',
                              sa.text('task_no DESC'), 'deadline', 'completed_on'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_list')
