"""clocks: every running process's offset to the database server's clock, for the staff pages' warning

Revision ID: 0014_process_clock
Revises: 0013_public_forms
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes

# revision identifiers, used by Alembic.
revision = '0014_process_clock'
down_revision = '0013_public_forms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_clock',
    sa.Column('process', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('offset_seconds', sa.Float(), nullable=False),
    sa.Column('measured_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('process', name=op.f('pk_process_clock'))
    )
    with op.batch_alter_table('process_clock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_clock_measured_at'), ['measured_at'], unique=False)


def downgrade():
    with op.batch_alter_table('process_clock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_clock_measured_at'))
    op.drop_table('process_clock')
