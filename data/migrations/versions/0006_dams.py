"""Dams behind the cameras: reference levels, reading batches and readings.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dam',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('camera', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('normal_level_m', sa.Float(), nullable=False),
    sa.Column('dead_level_m', sa.Float(), nullable=False),
    sa.Column('flood_limit_m', sa.Float(), nullable=False),
    sa.Column('riverbed_m', sa.Float(), nullable=False),
    sa.Column('crest_m', sa.Float(), nullable=False),
    sa.Column('volume_normal_mm3', sa.Float(), nullable=False),
    sa.Column('spill_gates', sa.Integer(), nullable=False),
    sa.Column('turbine_max_m3s', sa.Float(), nullable=False),
    sa.Column('mean_inflow_m3s', sa.Float(), nullable=False),
    sa.Column('operator', sa.String(length=16), nullable=False),
    sa.Column('curve', sa.Text(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('camera')
    )
    op.create_table('dam_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_code', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dam_batch', schema=None) as batch_op:
        batch_op.create_index('ix_dam_batch_received', ['received_at'], unique=False)

    op.create_table('dam_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dam_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('level_m', sa.Float(), nullable=False),
    sa.Column('inflow_m3s', sa.Float(), nullable=True),
    sa.Column('turbine_m3s', sa.Float(), nullable=True),
    sa.Column('spillway_m3s', sa.Float(), nullable=True),
    sa.Column('gates_open', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['dam_batch.id'], ),
    sa.ForeignKeyConstraint(['dam_id'], ['dam.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dam_reading', schema=None) as batch_op:
        batch_op.create_index('ix_dam_reading_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_dam_reading_dam_at', ['dam_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dam_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_dam_reading_dam_at')
        batch_op.drop_index('ix_dam_reading_batch')

    op.drop_table('dam_reading')
    with op.batch_alter_table('dam_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_dam_batch_received')

    op.drop_table('dam_batch')
    op.drop_table('dam')
