"""bounces and complaints that arrive after sending: the reports and the suppressions staff lifted

Revision ID: 0020_bounces
Revises: 0017_year_runs_itself
Create Date: 2026-12-06 22:40:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0020_bounces'
down_revision = '0019_letters'
branch_labels = None
depends_on = None

KINDS = ('hard_bounce', 'soft_bounce', 'complaint', 'notice', 'auto_reply', 'not_understood', 'forged',
         'unknown_recipient', 'no_token')


def upgrade():
    op.create_table('bounce_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='bounce_kind', native_enum=False, length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('send_id', sa.Integer(), nullable=True),
    sa.Column('list_key', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('reported_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bounce_report')),
    sa.UniqueConstraint('digest', name=op.f('uq_bounce_report_digest'))
    )
    with op.batch_alter_table('bounce_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bounce_report_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_bounce_report_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_bounce_report_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bounce_report_send_id'), ['send_id'], unique=False)
    op.create_table('suppression_lift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('previous_reason', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lifted_by', sa.String(length=255), nullable=False),
    sa.Column('lifted_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppression_lift'))
    )
    with op.batch_alter_table('suppression_lift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppression_lift_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('suppression_lift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppression_lift_email'))
    op.drop_table('suppression_lift')
    with op.batch_alter_table('bounce_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bounce_report_send_id'))
        batch_op.drop_index(batch_op.f('ix_bounce_report_received_at'))
        batch_op.drop_index(batch_op.f('ix_bounce_report_kind'))
        batch_op.drop_index(batch_op.f('ix_bounce_report_email'))
    op.drop_table('bounce_report')
