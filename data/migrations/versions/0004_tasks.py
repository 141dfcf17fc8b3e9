"""Task tracking (Chỉ đạo): assigning documents, tasks, their revisions, imports, refused rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('task_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('assigned_by', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('task_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('revised', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_import_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_import_sha256'), ['sha256'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('task_no', sa.Integer(), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('lead_agency', sa.String(length=16), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('meeting', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['task_document.id'], ),
    sa.ForeignKeyConstraint(['lead_agency'], ['agency.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'task_no', name='uq_task_document_no')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_agency_window', ['lead_agency', 'document_date', 'deadline', 'completed_on'], unique=False)
        batch_op.create_index('ix_task_open_deadline', ['completed_on', 'deadline'], unique=False)
        batch_op.create_index('ix_task_theme_window', ['theme', 'document_date', 'deadline', 'completed_on'], unique=False)
        batch_op.create_index('ix_task_window', ['document_date', 'lead_agency', 'deadline', 'completed_on'], unique=False)

    op.create_table('task_rejected_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('reason_vi', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['task_import.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_rejected_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_rejected_row_import_id'), ['import_id'], unique=False)

    op.create_table('task_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('lead_agency', sa.String(length=16), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('meeting', sa.Boolean(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('report_document', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['task_import.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'revision', name='uq_task_revision')
    )
    with op.batch_alter_table('task_revision', schema=None) as batch_op:
        batch_op.create_index('ix_task_revision_import', ['import_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_task_revision_import')

    op.drop_table('task_revision')
    with op.batch_alter_table('task_rejected_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_rejected_row_import_id'))

    op.drop_table('task_rejected_row')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_window')
        batch_op.drop_index('ix_task_theme_window')
        batch_op.drop_index('ix_task_open_deadline')
        batch_op.drop_index('ix_task_agency_window')

    op.drop_table('task')
    with op.batch_alter_table('task_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_import_sha256'))
        batch_op.drop_index(batch_op.f('ix_task_import_received_at'))

    op.drop_table('task_import')
    op.drop_table('task_document')
