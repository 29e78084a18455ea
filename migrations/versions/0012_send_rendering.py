"""delivery: the rendering a sender checked, kept on the send for the worker to send as it is

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rendered_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('rendered_text', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.drop_column('rendered_text')
        batch_op.drop_column('rendered_html')
