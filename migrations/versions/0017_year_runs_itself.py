"""the year runs itself: briefs sent at publication (per year), "Min kommun kl. 07.00" alerts (subscribers, their
municipalities, one round per publication), a publication event linked to its year's moment, a day planned for a newsletter draft, named test addresses
confirmed by their owners, and results files kept for their preview until staff save them

Revision ID: 0017_year_runs_itself
Revises: 0016_action_plans
Create Date: 2026-12-06 17:37:06.766328

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0017_year_runs_itself'
down_revision = '0016_action_plans'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_round',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('started_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('held', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_alert_round'))
    )
    op.create_table('alert_subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('link_key', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', name='alert_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmation_sent_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriber')),
    sa.UniqueConstraint('email', name=op.f('uq_alert_subscriber_email')),
    sa.UniqueConstraint('link_key', name=op.f('uq_alert_subscriber_link_key'))
    )
    op.create_table('brief_at_publication',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('send_local', sa.Boolean(), nullable=False),
    sa.Column('send_district', sa.Boolean(), nullable=False),
    sa.Column('chosen_by', sa.String(length=255), nullable=False),
    sa.Column('chosen_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('held', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_brief_at_publication'))
    )
    op.create_table('newsletter_trial_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('added_by', sa.String(length=255), nullable=False),
    sa.Column('added_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmation_sent_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletter_trial_address')),
    sa.UniqueConstraint('email', name=op.f('uq_newsletter_trial_address_email')),
    sa.UniqueConstraint('key', name=op.f('uq_newsletter_trial_address_key'))
    )
    op.create_table('result_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('replace', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=255), nullable=True),
    sa.Column('uploaded_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_upload'))
    )
    op.create_table('alert_municipality',
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('created_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_alert_municipality_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['subscriber_id'], ['alert_subscriber.id'], name=op.f('fk_alert_municipality_subscriber_id_alert_subscriber'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscriber_id', 'municipality_code', name=op.f('pk_alert_municipality'))
    )
    with op.batch_alter_table('alert_municipality', schema=None) as batch_op:
        batch_op.create_index('ix_alert_municipality_code_confirmed', ['municipality_code', 'confirmed_at'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_year', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_publication_year'), ['publication_year'], unique=False)

    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_on', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.drop_column('planned_on')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_publication_year'))
        batch_op.drop_column('publication_year')

    with op.batch_alter_table('alert_municipality', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_municipality_code_confirmed')

    op.drop_table('alert_municipality')
    op.drop_table('result_upload')
    op.drop_table('newsletter_trial_address')
    op.drop_table('brief_at_publication')
    op.drop_table('alert_subscriber')
    op.drop_table('alert_round')
