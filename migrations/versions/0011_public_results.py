"""public results: follow-up links per municipality and year; a data version per result set

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_up_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('added_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'],
                            name=op.f('fk_follow_up_link_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_link'))
    )
    with op.batch_alter_table('follow_up_link', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_link_year_municipality', ['year', 'municipality_code'], unique=False)
    with op.batch_alter_table('result_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.String(length=32), server_default='initial', nullable=False))


def downgrade():
    with op.batch_alter_table('result_set', schema=None) as batch_op:
        batch_op.drop_column('data_version')
    with op.batch_alter_table('follow_up_link', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_link_year_municipality')
    op.drop_table('follow_up_link')
