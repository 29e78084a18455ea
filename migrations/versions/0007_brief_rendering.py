"""briefs: renderings (chart, email, PDF) kept per year, municipality and data version

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('brief_rendering',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('data_version', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', 'municipality_code', name=op.f('pk_brief_rendering'))
    )


def downgrade():
    op.drop_table('brief_rendering')
