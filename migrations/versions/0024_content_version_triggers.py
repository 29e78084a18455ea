"""the public content version raised by the database itself (PostgreSQL): a trigger on every table whose rows
public results pages show, so that any write, through the app or not, raises it in its own transaction

Revision ID: 0024_content_version_triggers
Revises: 0023_one_state
Create Date: 2026-12-07 10:55:00

On PostgreSQL the publication reader of every public request reads only the version while it is unchanged
(hti_comms/results/publication.py); it trusts the version only where these triggers are in place. SQLite reads
the whole state on every request and gets no triggers (its batch migrations rebuild tables without them).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024_content_version_triggers'
down_revision = '0023_one_state'
branch_labels = None
depends_on = None

#: The tables of hti_comms.public.content_version.WATCHED, as they are at this revision.
TABLES = ('result_set', 'publication_moment', 'follow_up_link', 'action_measure')
FUNCTION = 'hti_raise_public_content_version'
TRIGGER = 'hti_public_content_version'


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO public_content_version (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = public_content_version.version + 1;
            RETURN NULL;
        END
        $$""")
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
