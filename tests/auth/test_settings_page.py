"""The settings page: administrators read the installation's settings in Swedish; secrets are never shown."""
from hti_comms.auth.settings import GROUPS, SECRETS


def test_an_administrator_reads_the_settings_in_swedish_without_secrets(app, staff_login):
    app.config.update(SMTP_PASSWORD="hemligt-lösenord-123", SMTP_SECURITY="starttls",
                      LOGIN_RATE_LIMIT="10 per minute;50 per hour", SUBSCRIBERS_CONFIRM_DAYS=1,
                      MAIL_REPLY_TO="kansliet@spf.example")
    response = staff_login.get("/admin/installningar/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "hemligt-lösenord-123" not in page and app.config["SECRET_KEY"] not in page
    assert "Satt (visas inte)" in page
    assert "STARTTLS" in page
    assert "10 i minuten, 50 i timmen" in page
    assert "1 dag" in page and "1 dagar" not in page
    assert "kansliet@spf.example" in page
    assert "Provkörning" in page


def test_every_secret_setting_is_shown_only_as_set_or_not(app, staff_login):
    names = {setting.name for _title, settings in GROUPS for setting in settings}
    assert SECRETS <= names, "every secret the page knows is on it, so its masking is tested"
    for name in SECRETS:
        app.config[name] = f"värde-som-inte-får-synas-{name.lower()}"
    page = staff_login.get("/admin/installningar/").get_data(as_text=True)
    for name in SECRETS:
        assert f"värde-som-inte-får-synas-{name.lower()}" not in page


def test_the_database_is_named_without_its_password(app, staff_login):
    app.config["DATABASE_URL"] = "postgresql+psycopg://hti:topphemligt@db.example:5432/hti"
    page = staff_login.get("/admin/installningar/").get_data(as_text=True)
    assert "topphemligt" not in page and "PostgreSQL på db.example:5432, databasen hti" in page
