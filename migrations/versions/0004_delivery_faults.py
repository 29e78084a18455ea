"""delivery under faults: why the engine paused a send; leaner outbox indexes

Revision ID: 0004
Revises: 0008
Create Date: 2026-11-24 07:15:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0008'
branch_labels = None
depends_on = None

#: Only rows in flight or waiting for a staff decision are looked up by status alone; an index limited to
#: them is not written at all when a row becomes sent, which is most of the cost of recording an outcome.
IN_FLIGHT_OR_UNDECIDED = sa.text("status IN ('sending', 'unknown')")


def upgrade():
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pause_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('paused_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        # Every index is written again each time a row changes status on PostgreSQL (twice per message), so
        # the outbox keeps only those something searches by. Claimed rows are found by id (UPDATE …
        # RETURNING); the token is only compared. Nothing looks rows up by contact (people by address).
        batch_op.drop_index('ix_outbox_message_claim_token')
        batch_op.drop_index('ix_outbox_message_contact_id')
        batch_op.drop_index('ix_outbox_message_status')
        batch_op.create_index('ix_outbox_message_status', ['status'], unique=False,
                              postgresql_where=IN_FLIGHT_OR_UNDECIDED, sqlite_where=IN_FLIGHT_OR_UNDECIDED)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status')
        batch_op.create_index('ix_outbox_message_status', ['status'], unique=False)
        batch_op.create_index('ix_outbox_message_claim_token', ['claim_token'], unique=False)
        batch_op.create_index('ix_outbox_message_contact_id', ['contact_id'], unique=False)

    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.drop_column('paused_at')
        batch_op.drop_column('pause_reason')
