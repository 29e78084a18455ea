"""Upgrading a database in use to staff roles: every existing staff member becomes an administrator (what every
login could do before roles), and the embargo log's rows move into the staff log with their words."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from hti_comms import create_app
from hti_comms.extensions import db

NOW = "2026-11-01 10:00:00"


def test_upgrade_makes_existing_staff_administrators_and_moves_the_embargo_log(empty_database_url):
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade(revision="0014_process_clock")
        for statement in (
            "INSERT INTO staff_user (id, email, name, password_hash, is_enabled, created_at, session_version) "
            f"VALUES (1, 'karin@spf.example', 'Karin', 'x', true, '{NOW}', 1), "
            f"(2, 'olle@spf.example', 'Olle', 'x', false, '{NOW}', 1)",
            "INSERT INTO publication_audit (id, year, at, action, municipality_code, actor, detail) VALUES "
            f"(1, 2025, '{NOW}', 'order_created', '0114', 'formuläret', 'Beställning från formuläret.'), "
            f"(2, 2025, '{NOW}', 'contact_approved', '0114', 'karin@spf.example', 'eva@vasby.example.se')",
        ):
            db.session.execute(text(statement))
        db.session.commit()

        upgrade()

        assert db.session.execute(text("SELECT staff_user_id, role FROM staff_role ORDER BY staff_user_id")).all() \
            == [(1, "administrator"), (2, "administrator")]
        rows = db.session.execute(text("SELECT kind, action, actor, detail, year, municipality_code FROM staff_log "
                                       "ORDER BY id")).all()
        assert rows == [
            ("publication.order_created", "Beställning mottagen", "formuläret", "Beställning från formuläret.", 2025,
             "0114"),
            ("publication.contact_approved", "Kontaktperson godkänd av personal", "karin@spf.example",
             "eva@vasby.example.se", 2025, "0114")]
        db.session.commit()

        downgrade(revision="0014_process_clock")
        assert db.session.scalar(text("SELECT count(*) FROM publication_audit")) == 2
        db.session.remove()
        db.engine.dispose()
