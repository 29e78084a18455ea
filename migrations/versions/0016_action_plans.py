"""action plans: measures per municipality and index year with their history, the municipalities' own proposals
awaiting review, the yearly reminder, and audiences of municipalities without a registered plan

Revision ID: 0016_action_plans
Revises: 0015_staff_roles
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0016_action_plans'
down_revision = '0015_staff_roles'
branch_labels = None
depends_on = None

AREAS = ('information', 'bistandshandlaggning', 'utforande', 'stod_och_utveckling', 'index')
HORIZONS = ('kort', 'lang')
STATUSES = ('planerad', 'pagar', 'genomford')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    op.create_table('action_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('area', _enum(AREAS, 'action_measure_area'), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('horizon', _enum(HORIZONS, 'action_measure_horizon'), nullable=False),
    sa.Column('status', _enum(STATUSES, 'action_measure_status'), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=False),
    sa.Column('source_url', sa.String(length=2000), nullable=False),
    sa.Column('created_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'],
                            name=op.f('fk_action_measure_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_measure'))
    )
    with op.batch_alter_table('action_measure', schema=None) as batch_op:
        batch_op.create_index('ix_action_measure_year_municipality', ['year', 'municipality_code'], unique=False)

    op.create_table('action_plan_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('area', _enum(AREAS, 'action_plan_submission_area'), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('horizon', _enum(HORIZONS, 'action_plan_submission_horizon'), nullable=False),
    sa.Column('status', _enum(STATUSES, 'action_plan_submission_measure_status'), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=2000), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('submitted_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('review_status', _enum(('pending', 'approved', 'rejected'), 'action_plan_submission_status'),
              nullable=False),
    sa.Column('reviewed_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=255), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='SET NULL',
                            name=op.f('fk_action_plan_submission_contact_id_contact')),
    sa.ForeignKeyConstraint(['measure_id'], ['action_measure.id'], ondelete='SET NULL',
                            name=op.f('fk_action_plan_submission_measure_id_action_measure')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'],
                            name=op.f('fk_action_plan_submission_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plan_submission'))
    )
    with op.batch_alter_table('action_plan_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plan_submission_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_action_plan_submission_year_municipality', ['year', 'municipality_code'],
                              unique=False)

    op.create_table('action_measure_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('changed_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=255), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['action_measure.id'], ondelete='CASCADE',
                            name=op.f('fk_action_measure_version_measure_id_action_measure')),
    sa.ForeignKeyConstraint(['submission_id'], ['action_plan_submission.id'], ondelete='SET NULL',
                            name=op.f('fk_action_measure_version_submission_id_action_plan_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_measure_version'))
    )
    with op.batch_alter_table('action_measure_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_measure_version_measure_id'), ['measure_id'], unique=False)

    op.create_table('action_plan_reminder',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sent_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_action_plan_reminder'))
    )

    with op.batch_alter_table('audience', schema=None) as batch_op:
        batch_op.add_column(sa.Column('without_action_plan_year', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('audience', schema=None) as batch_op:
        batch_op.drop_column('without_action_plan_year')
    op.drop_table('action_plan_reminder')
    with op.batch_alter_table('action_measure_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_measure_version_measure_id'))
    op.drop_table('action_measure_version')
    with op.batch_alter_table('action_plan_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_action_plan_submission_year_municipality')
        batch_op.drop_index(batch_op.f('ix_action_plan_submission_contact_id'))
    op.drop_table('action_plan_submission')
    with op.batch_alter_table('action_measure', schema=None) as batch_op:
        batch_op.drop_index('ix_action_measure_year_municipality')
    op.drop_table('action_measure')
