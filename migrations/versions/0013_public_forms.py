"""public forms: one live order per municipality and year (pending and cancelled orders block nobody); when the
last confirmation email went to an event registration and to a contact (no second one within the hour)

Revision ID: 0013_public_forms
Revises: 0012
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0013_public_forms'
down_revision = '0012'
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('received', 'delivered')")


def upgrade():
    with op.batch_alter_table('report_order', schema=None) as batch_op:
        batch_op.drop_constraint('uq_report_order_year_municipality', type_='unique')
    # Outside the batch: a partial index is made as it is on both databases (no table copy on SQLite).
    op.create_index('uq_report_order_year_municipality', 'report_order', ['year', 'municipality_code'], unique=True,
                    postgresql_where=LIVE, sqlite_where=LIVE)
    with op.batch_alter_table('event_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_sent_at', hti_comms.dbtypes.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_sent_at', hti_comms.dbtypes.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('confirmation_sent_at')
    with op.batch_alter_table('event_registration', schema=None) as batch_op:
        batch_op.drop_column('confirmation_sent_at')
    op.drop_index('uq_report_order_year_municipality', table_name='report_order')
    # Pending orders never held a place; the old status list has no word for them. A municipality with more than
    # one order in a year (a cancelled one and a new one) stops the downgrade here rather than losing an order.
    op.execute("UPDATE report_order SET status = 'cancelled' WHERE status = 'pending'")
    with op.batch_alter_table('report_order', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_report_order_year_municipality', ['year', 'municipality_code'])
