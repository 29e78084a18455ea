"""Upgrading a database in use: every contact gets a link key, mail still waiting gets its recipient's key,
staff sessions get version 1."""
from flask_migrate import upgrade
from sqlalchemy import text

from hti_comms import create_app
from hti_comms.extensions import db

NOW = "2026-11-01 10:00:00"


def test_upgrade_gives_link_keys_to_contacts_and_waiting_mail(empty_database_url):
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade(revision="0003")
        for statement in (
            "INSERT INTO contact (id, email, name, phone, language, status, created_at, status_changed_at) VALUES "
            f"(1, 'eva@exempel.se', 'Eva', '', 'sv', 'confirmed', '{NOW}', '{NOW}'), "
            f"(2, 'olle@exempel.se', 'Olle', '', 'sv', 'confirmed', '{NOW}', '{NOW}')",
            "INSERT INTO send (id, kind, template, subject, context, status, scheduled_at, created_at) VALUES "
            f"(1, 'newsletter', 'delivery/test', 'Nr 13', '{{}}', 'sending', '{NOW}', '{NOW}')",
            "INSERT INTO outbox_message (id, send_id, email, name, fields, status, attempts, created_at) VALUES "
            f"(1, 1, 'eva@exempel.se', 'Eva', '{{}}', 'queued', 0, '{NOW}'), "
            f"(2, 1, 'olle@exempel.se', 'Olle', '{{}}', 'sent', 1, '{NOW}'), "
            f"(3, 1, 'ingen@exempel.se', '', '{{}}', 'deferred', 1, '{NOW}')",
            "INSERT INTO staff_user (id, email, name, password_hash, is_enabled, created_at) VALUES "
            f"(1, 'personal@spf.example', '', 'x', true, '{NOW}')",
        ):
            db.session.execute(text(statement))
        db.session.commit()

        upgrade()

        keys = dict(db.session.execute(text("SELECT email, link_key FROM contact")).all())
        assert len(set(keys.values())) == 2 and all(len(key) == 22 for key in keys.values())
        outbox = dict(db.session.execute(text("SELECT id, link_key FROM outbox_message")).all())
        # Waiting mail goes out with the new links; what was sent is history; no contact, no key.
        assert outbox == {1: keys["eva@exempel.se"], 2: None, 3: None}
        assert db.session.scalar(text("SELECT session_version FROM staff_user")) == 1
        db.session.remove()
        db.engine.dispose()
