"""Task counts at scale: task_tally (settled counts per month and year), the open tasks' and the
deadlines' covering indexes; the tally filled from the tasks already there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COUNTS = ('assigned', 'with_deadline', 'done_on_time', 'done_late')


def _fill() -> None:
    """The tally of the tasks already stored (as tasks.tally.rebuild computes it)."""
    task = sa.table('task', sa.column('document_date', sa.Date()),
                    sa.column('lead_agency', sa.String()), sa.column('theme', sa.String()),
                    sa.column('is_key', sa.Boolean()), sa.column('deadline', sa.Date()),
                    sa.column('completed_on', sa.Date()))
    tally = sa.table('task_tally', *(sa.column(c) for c in (
        'grain', 'period', 'lead_agency', 'theme', 'is_key', *COUNTS)))
    year = sa.cast(sa.extract('year', task.c.document_date), sa.Integer)
    month = sa.cast(sa.extract('month', task.c.document_date), sa.Integer)
    done = sa.and_(task.c.completed_on.is_not(None), task.c.deadline.is_not(None))
    for grain, period in (('M', year * 100 + month), ('Y', year)):
        query = sa.select(
            sa.literal(grain), period, task.c.lead_agency, task.c.theme, task.c.is_key,
            sa.func.count(), sa.func.count(task.c.deadline),
            sa.func.sum(sa.case((sa.and_(done, task.c.completed_on <= task.c.deadline), 1),
                                else_=0)),
            sa.func.sum(sa.case((sa.and_(done, task.c.completed_on > task.c.deadline), 1),
                                else_=0)),
        ).group_by(period, task.c.lead_agency, task.c.theme, task.c.is_key)
        op.execute(tally.insert().from_select(
            ['grain', 'period', 'lead_agency', 'theme', 'is_key', *COUNTS], query))


def upgrade() -> None:
    op.create_table('task_tally',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('lead_agency', sa.String(length=16), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('assigned', sa.Integer(), nullable=False),
    sa.Column('with_deadline', sa.Integer(), nullable=False),
    sa.Column('done_on_time', sa.Integer(), nullable=False),
    sa.Column('done_late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('grain', 'period', 'lead_agency', 'theme', 'is_key')
    )
    with op.batch_alter_table('task_tally', schema=None) as batch_op:
        batch_op.create_index('ix_task_tally_agency', ['lead_agency', 'grain', 'period'],
                              unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_deadline')
        batch_op.create_index('ix_task_open_deadline', ['completed_on', 'deadline',
                              'document_date', 'lead_agency', 'theme', 'is_key'], unique=False)
        batch_op.create_index('ix_task_deadline_window', ['deadline', 'document_date',
                              'lead_agency', 'theme', 'is_key'], unique=False)
    _fill()


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_deadline_window')
        batch_op.drop_index('ix_task_open_deadline')
        batch_op.create_index('ix_task_open_deadline', ['completed_on', 'deadline'], unique=False)
    with op.batch_alter_table('task_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_task_tally_agency')
    op.drop_table('task_tally')
