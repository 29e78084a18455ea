"""identity: opaque link keys for contacts and outbox rows, session versions for staff

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-30 09:00:00

Every contact gets a random link key (the links we email name it instead of the address). Mail still waiting in
the outbox gets its recipient's key, so that it goes out with the new links.
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

#: Outbox statuses of rows not sent yet (their links are made when they are sent).
WAITING = ('queued', 'deferred', 'sending')


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_key', sa.String(length=32), nullable=True))
    contact = sa.table('contact', sa.column('id', sa.Integer()), sa.column('link_key', sa.String()))
    connection = op.get_bind()
    ids = [row.id for row in connection.execute(sa.select(contact.c.id))]
    if ids:
        connection.execute(contact.update().where(contact.c.id == sa.bindparam('b_id'))
                           .values(link_key=sa.bindparam('b_key')),
                           [{'b_id': id_, 'b_key': secrets.token_urlsafe(16)} for id_ in ids])
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.alter_column('link_key', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_contact_link_key'), ['link_key'])

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_key', sa.String(length=32), nullable=True))
    outbox = sa.table('outbox_message', sa.column('email', sa.String()), sa.column('status', sa.String()),
                      sa.column('link_key', sa.String()))
    contact_by_email = sa.table('contact', sa.column('email', sa.String()), sa.column('link_key', sa.String()))
    connection.execute(outbox.update().where(outbox.c.status.in_(WAITING)).values(
        link_key=sa.select(contact_by_email.c.link_key)
        .where(contact_by_email.c.email == outbox.c.email).scalar_subquery()))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('link_key')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_contact_link_key'), type_='unique')
        batch_op.drop_column('link_key')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
