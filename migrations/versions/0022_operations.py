"""operations: the nightly backups the scheduler made (one row per night), how long each sweep last took, and the public content version
(raised by every change to follow-up links and action plans)

Revision ID: 0022_operations
Revises: 0017_year_runs_itself
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0022_operations'
down_revision = '0020_bounces'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nightly_backup',
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('started_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('night', name=op.f('pk_nightly_backup'))
    )
    op.create_table('public_content_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_content_version'))
    )
    with op.batch_alter_table('scheduler_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sweep_seconds', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('scheduler_state', schema=None) as batch_op:
        batch_op.drop_column('sweep_seconds')
    op.drop_table('public_content_version')
    op.drop_table('nightly_backup')
