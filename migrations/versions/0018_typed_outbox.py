"""the typed outbox: every send names its owner (the domain, the kind of thing, its key) in indexed columns, and
the publication domain's columns (results_year, municipality_code) leave the send

Revision ID: 0018_typed_outbox
Revises: 0017_year_runs_itself
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_typed_outbox'
down_revision = '0017_year_runs_itself'
branch_labels = None
depends_on = None

#: The start of the references sends had before owners -> (domain, owner kind).
PREFIXES = {
    "newsletter": ("newsletters", "newsletter"),
    "embargo-summary": ("publication", "embargo-summary"),
    "report-access": ("publication", "report-access"),
    "report-order": ("publication", "report-order"),
    "publication-moved": ("publication", "publication-moved"),
    "district-digest": ("briefs", "district-digest"),
    "action-plan-reminder": ("action_plans", "reminder"),
    "alert": ("alerts", "result"),
    "login-warning": ("auth", "login-warning"),
}

#: Kinds of email (Send.kind) -> domain, for sends that had no reference.
KIND_DOMAINS = {
    "test": "delivery", "password_reset": "auth", "login_warning": "auth", "new_second_factor": "auth",
    "staff_invitation": "auth", "confirmation": "subscribers", "welcome": "subscribers",
    "already_subscribed": "subscribers", "preferences_link": "subscribers", "data_export_link": "subscribers",
    "approval_request": "approvals", "alert_confirmation": "alerts", "newsletter_test": "newsletters",
    "circular_test": "newsletters", "trial_address_confirmation": "newsletters",
}


def owner_of(send_id, reference, kind):
    """Return (domain, kind, key) for a send made before owners, read once from its reference."""
    if reference:
        prefix, _, rest = reference.partition(":")
        if prefix == "brief":
            parts = rest.split(":")
            embargoed = parts[2:] == ["embargo"]
            return "briefs", "brief-embargoed" if embargoed else "brief", ":".join(parts[:2])
        if prefix == "event":
            parts = rest.split(":")  # event:<id>:v<sequence>:<what> or event:<id>:reminder:… / :message:…
            what = parts[2] if len(parts) > 2 and parts[1].startswith("v") else (parts[1] if len(parts) > 1 else "")
            if what == "message" and reference.endswith(":waiting"):
                what = "message-waiting-list"
            return "events", what or "event", parts[0]
        if prefix in PREFIXES:
            domain, owner_kind = PREFIXES[prefix]
            if prefix == "alert":
                rest = ":".join(rest.split(":")[:2])
            return domain, owner_kind, rest[:100]
    return KIND_DOMAINS.get(kind, "delivery"), (kind or "send").replace("_", "-")[:50], str(send_id)


def upgrade():
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_domain', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('owner_kind', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('owner_key', sa.String(length=100), nullable=True))
    connection = op.get_bind()
    send = sa.table('send', sa.column('id', sa.Integer), sa.column('reference', sa.String),
                    sa.column('kind', sa.String), sa.column('owner_domain', sa.String),
                    sa.column('owner_kind', sa.String), sa.column('owner_key', sa.String))
    rows = connection.execute(sa.select(send.c.id, send.c.reference, send.c.kind)).all()
    for send_id, reference, kind in rows:
        domain, owner_kind, key = owner_of(send_id, reference, kind)
        connection.execute(send.update().where(send.c.id == send_id).values(
            owner_domain=domain, owner_kind=owner_kind, owner_key=key))
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.alter_column('owner_domain', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('owner_kind', existing_type=sa.String(length=50), nullable=False)
        batch_op.alter_column('owner_key', existing_type=sa.String(length=100), nullable=False)
        batch_op.create_index('ix_send_owner', ['owner_domain', 'owner_kind', 'owner_key'], unique=False)
        batch_op.drop_column('results_year')
        batch_op.drop_column('municipality_code')


def downgrade():
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_code', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('results_year', sa.Integer(), nullable=True))
        batch_op.drop_index('ix_send_owner')
        batch_op.drop_column('owner_key')
        batch_op.drop_column('owner_kind')
        batch_op.drop_column('owner_domain')
