"""contact import: the preview stored once (report and lines)

Revision ID: 0005
Revises: 0007
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=False, server_default='{}'))
    op.create_table('contact_import_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('create', 'update', 'merge', 'skip', 'invalid', name='lineaction', native_enum=False, length=32), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['contact_import.id'], name=op.f('fk_contact_import_line_import_id_contact_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_import_line'))
    )
    with op.batch_alter_table('contact_import_line', schema=None) as batch_op:
        batch_op.create_index('ix_contact_import_line_import_action_line', ['import_id', 'action', 'line'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_import_line_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('contact_import_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_import_line_email'))
        batch_op.drop_index('ix_contact_import_line_import_action_line')
    op.drop_table('contact_import_line')
    with op.batch_alter_table('contact_import', schema=None) as batch_op:
        batch_op.drop_column('report')
