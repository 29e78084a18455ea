"""one state per thing: the publication moment has one home, publication_moment (results domain); the copies in
result_set.published_at and publication.planned_published_at are moved there and dropped

Revision ID: 0023_one_state
Revises: 0022_operations
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0023_one_state'
down_revision = '0022_operations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication_moment',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('published_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_publication_moment'))
    )
    # The results' moment wins where both are set (the sweep copied the plan there; staff set both together).
    op.execute("INSERT INTO publication_moment (year, published_at) "
               "SELECT year, published_at FROM result_set WHERE published_at IS NOT NULL")
    op.execute("INSERT INTO publication_moment (year, published_at) "
               "SELECT year, planned_published_at FROM publication WHERE planned_published_at IS NOT NULL "
               "AND year NOT IN (SELECT year FROM publication_moment)")
    with op.batch_alter_table('result_set', schema=None) as batch_op:
        batch_op.drop_column('published_at')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_column('planned_published_at')


def downgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_published_at', hti_comms.dbtypes.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('result_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE result_set SET published_at = (SELECT published_at FROM publication_moment "
               "WHERE publication_moment.year = result_set.year)")
    op.execute("UPDATE publication SET planned_published_at = (SELECT published_at FROM publication_moment "
               "WHERE publication_moment.year = publication.year)")
    op.drop_table('publication_moment')
