"""letters: a contact's postal address and channel (e-post or brev, no email needed for brev), print batches and
their letters

Revision ID: 0019_letters
Revises: 0017_year_runs_itself
Create Date: 2026-12-06 22:30:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0019_letters'
down_revision = '0021_after_course'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('print_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('owner_domain', sa.String(length=40), nullable=False),
    sa.Column('owner_kind', sa.String(length=50), nullable=False),
    sa.Column('owner_key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'printed', name='print_batch_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('letter_count', sa.Integer(), nullable=False),
    sa.Column('without_address', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_made_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('printed_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('printed_by', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_batch'))
    )
    with op.batch_alter_table('print_batch', schema=None) as batch_op:
        batch_op.create_index('ix_print_batch_owner', ['owner_domain', 'owner_kind', 'owner_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_batch_send_id'), ['send_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_batch_status'), ['status'], unique=False)

    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('street_address', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=6), nullable=False),
    sa.Column('town', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['print_batch.id'], name=op.f('fk_letter_batch_id_print_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter'))
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_contact_id'), ['contact_id'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('e-post', 'brev', name='channel', native_enum=False, length=32), server_default='e-post', nullable=False))
        batch_op.add_column(sa.Column('postal_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('street_address', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('postcode', sa.String(length=6), server_default='', nullable=False))
        batch_op.add_column(sa.Column('town', sa.String(length=80), server_default='', nullable=False))
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)


def downgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_column('town')
        batch_op.drop_column('postcode')
        batch_op.drop_column('street_address')
        batch_op.drop_column('postal_name')
        batch_op.drop_column('channel')

    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_contact_id'))
        batch_op.drop_index(batch_op.f('ix_letter_batch_id'))
    op.drop_table('letter')

    with op.batch_alter_table('print_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_batch_status'))
        batch_op.drop_index(batch_op.f('ix_print_batch_send_id'))
        batch_op.drop_index('ix_print_batch_owner')
    op.drop_table('print_batch')
