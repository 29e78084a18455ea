"""Testpost (the local mail sink's inbox) shows only where the local sink receives the mail (MAIL_SINK)."""
import pytest

from hti_comms.config import build_config
from tests.helpers import form_csrf_token


@pytest.mark.parametrize(("env", "expected"), [
    ({"HTI_ENV": "development"}, True),
    ({"HTI_ENV": "development", "SMTP_HOST": "localhost"}, True),
    ({"HTI_ENV": "development", "SMTP_HOST": "smtp.spfseniorerna.se"}, False),
    ({"HTI_ENV": "development", "MAIL_SINK": "0"}, False),
    ({"HTI_ENV": "development", "SMTP_HOST": "smtp.spfseniorerna.se", "MAIL_SINK": "1"}, True),
])
def test_the_setting_follows_where_mail_goes(env, expected):
    assert build_config(env)["MAIL_SINK"] is expected


def test_production_never_shows_testpost_unless_told(tmp_path):
    env = {"HTI_ENV": "production", "SECRET_KEY": "x" * 40, "RATELIMIT_ENABLED": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'hti.db'}", "SMTP_HOST": "127.0.0.1"}
    assert build_config(env)["MAIL_SINK"] is False


def test_menu_entry_and_pages_only_with_the_local_sink(app, staff_login):
    app.config["MAIL_SINK"] = True
    outbox = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert '<a href="/admin/testpost/"' in outbox and ">Testpost</a>" in outbox
    assert staff_login.get("/admin/testpost/").status_code == 200

    app.config["MAIL_SINK"] = False
    outbox = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "/admin/testpost/" not in outbox and "Testpost" not in outbox
    assert "Testpost" not in staff_login.get("/admin/utkorg/provbrev").get_data(as_text=True)
    assert staff_login.get("/admin/testpost/").status_code == 404
    assert staff_login.get("/admin/testpost/1").status_code == 404
    token = form_csrf_token(staff_login, "/admin/utkorg/provbrev")
    assert staff_login.post("/admin/testpost/tom", data={"csrf_token": token}).status_code == 404
