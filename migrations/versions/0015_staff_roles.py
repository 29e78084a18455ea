"""staff roles, two-factor login, recovery codes, invitations, the staff log (the embargo log moves into it) and
approval requests (a second pair of eyes)

Every existing staff member gets the role administrator: what every staff login could do before roles existed.
The rows of publication_audit become rows of staff_log with kind "publication.<action>".

Revision ID: 0015_staff_roles
Revises: 0014_process_clock
Create Date: 2026-12-06 18:00:00

"""
from alembic import op
import sqlalchemy as sa

import hti_comms.dbtypes


# revision identifiers, used by Alembic.
revision = '0015_staff_roles'
down_revision = '0014_process_clock'
branch_labels = None
depends_on = None

ROLES = ('redaktor', 'utskick', 'publicering', 'administrator')
#: The embargo log's actions and their labels as they were when the rows moved (publication.models.AuditAction).
AUDIT_LABELS = {
    'order_created': 'Beställning mottagen', 'order_placed': 'Beställningen fick sin plats i kön',
    'order_delivered': 'Analys levererad', 'order_cancelled': 'Beställning makulerad',
    'contact_added': 'Kontaktperson tillagd', 'contact_confirmed': 'Kontaktperson bekräftad',
    'contact_approved': 'Kontaktperson godkänd av personal', 'contact_removed': 'Kontaktperson borttagen',
    'publication_set': 'Publiceringstid satt', 'publication_postponed': 'Publiceringen flyttad',
    'orders_close_set': 'Sista beställningsdag satt', 'summaries_released': 'Sammanfattningar under embargo skickade',
    'summary_withheld': 'Sammanfattning stoppad: siffrorna stämmer inte', 'summary_opened': 'Sammanfattning öppnad',
    'access_sent': 'Tillgångsbrev skickade',
}


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))

    op.create_table('staff_role',
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum(*ROLES, name='staff_role_name', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_role_staff_user_id_staff_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_user_id', 'role', name=op.f('pk_staff_role'))
    )
    op.execute("INSERT INTO staff_role (staff_user_id, role) SELECT id, 'administrator' FROM staff_user")

    op.create_table('staff_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'],
                            name=op.f('fk_staff_recovery_code_staff_user_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_code'))
    )
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_recovery_code_staff_user_id'), ['staff_user_id'], unique=False)

    op.create_table('staff_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=200), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('municipality_code', sa.String(length=4), nullable=True),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_log_staff_user_id_staff_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_log'))
    )
    with op.batch_alter_table('staff_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_log_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_log_staff_user_id'), ['staff_user_id'], unique=False)
        batch_op.create_index('ix_staff_log_year_at', ['year', 'at'], unique=False)
    labels = sa.case(*((sa.column('action') == value, label) for value, label in AUDIT_LABELS.items()),
                     else_=sa.column('action'))
    audit = sa.table('publication_audit', sa.column('id'), sa.column('year'), sa.column('at'), sa.column('action'),
                     sa.column('municipality_code'), sa.column('actor'), sa.column('detail'))
    log = sa.table('staff_log', sa.column('at'), sa.column('actor'), sa.column('kind'), sa.column('action'),
                   sa.column('target'), sa.column('detail'), sa.column('year'), sa.column('municipality_code'))
    op.execute(log.insert().from_select(
        ['at', 'actor', 'kind', 'action', 'target', 'detail', 'year', 'municipality_code'],
        sa.select(audit.c.at, audit.c.actor, sa.literal('publication.') + audit.c.action, labels, sa.literal(''),
                  audit.c.detail, audit.c.year, audit.c.municipality_code).order_by(audit.c.id)))
    with op.batch_alter_table('publication_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_audit_year_at')
    op.drop_table('publication_audit')

    op.create_table('approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('role', sa.Enum(*ROLES, name='approval_role', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'approved', 'withdrawn', name='approval_status', native_enum=False,
                                length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('send_id', sa.Integer(), nullable=True),
    sa.Column('newsletter_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('order_contact_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=True),
    sa.Column('due_at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff_user.id'],
                            name=op.f('fk_approval_request_requested_by_id_staff_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'],
                            name=op.f('fk_approval_request_decided_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request'))
    )
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.create_index('ix_approval_request_status_kind', ['status', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_send_id'), ['send_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_newsletter_id'), ['newsletter_id'], unique=False)


def downgrade():
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_request_newsletter_id'))
        batch_op.drop_index(batch_op.f('ix_approval_request_send_id'))
        batch_op.drop_index('ix_approval_request_status_kind')
    op.drop_table('approval_request')
    op.create_table('publication_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('at', hti_comms.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=True),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_audit'))
    )
    with op.batch_alter_table('publication_audit', schema=None) as batch_op:
        batch_op.create_index('ix_publication_audit_year_at', ['year', 'at'], unique=False)
    op.execute("INSERT INTO publication_audit (year, at, action, municipality_code, actor, detail) "
               "SELECT year, at, substr(kind, 13), municipality_code, actor, detail FROM staff_log "
               "WHERE kind LIKE 'publication.%' AND year IS NOT NULL ORDER BY id")
    with op.batch_alter_table('staff_log', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_log_year_at')
        batch_op.drop_index(batch_op.f('ix_staff_log_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_log_kind'))
        batch_op.drop_index(batch_op.f('ix_staff_log_at'))
    op.drop_table('staff_log')
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_recovery_code_staff_user_id'))
    op.drop_table('staff_recovery_code')
    op.drop_table('staff_role')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('invited_at')
