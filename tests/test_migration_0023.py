"""Upgrading a database in use to one home for the publication moment: each year's moment moves into
publication_moment (the results' copy where both are set, the planned one for a year without results), and a
downgrade puts both copies back."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from hti_comms import create_app
from hti_comms.extensions import db

NOW = "2026-11-01 10:00:00"


def test_upgrade_moves_every_years_moment_into_its_one_home(empty_database_url):
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade(revision="0022_operations")
        for statement in (
            "INSERT INTO result_set (year, is_demo, imported_at, source, published_at, data_version) VALUES "
            f"(2024, false, '{NOW}', 'a.csv', '2024-12-03 06:00:00', 'a'), "
            f"(2025, false, '{NOW}', 'b.csv', NULL, 'b')",
            "INSERT INTO publication (year, planned_published_at, updated_at) VALUES "
            f"(2024, '2024-12-03 06:00:00', '{NOW}'), (2026, '2026-12-03 06:00:00', '{NOW}')",
        ):
            db.session.execute(text(statement))
        db.session.commit()

        upgrade()

        rows = db.session.execute(text("SELECT year, published_at FROM publication_moment ORDER BY year")).all()
        assert [(year, str(moment)[:16]) for year, moment in rows] == [
            (2024, "2024-12-03 06:00"), (2026, "2026-12-03 06:00")]
        db.session.commit()

        downgrade(revision="0022_operations")
        assert [(year, str(moment)[:16] if moment else None) for year, moment in db.session.execute(text(
            "SELECT year, published_at FROM result_set ORDER BY year"))] == [(2024, "2024-12-03 06:00"), (2025, None)]
        assert [(year, str(moment)[:16]) for year, moment in db.session.execute(text(
            "SELECT year, planned_published_at FROM publication WHERE planned_published_at IS NOT NULL "
            "ORDER BY year"))] == [(2024, "2024-12-03 06:00"), (2026, "2026-12-03 06:00")]
        db.session.remove()
        db.engine.dispose()
