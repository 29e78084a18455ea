"""The product as production runs it: HTI_ENV=production, an https BASE_URL, gunicorn behind Debian's nginx
terminating TLS, TRUSTED_PROXIES=1, Redis, PostgreSQL and a send worker, driven by Debian's chromium.

Every form on a page reached from an email link is pressed here with the link taken from the real email, and
the staff login too. Pages whose URL carries a token send `Referrer-Policy: no-referrer`, so the browser posts
from them without a Referer (and with `Origin: null`): each such press is checked to have sent no Referer.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from hti_comms.auth.reset import RESET_PATH
from hti_comms.events.links import CANCEL_PATH
from hti_comms.links import DATA_EXPORT_PATH, PREFERENCES_PATH, UNSUBSCRIBE_PATH
from hti_comms.publication.links import CONFIRM_PATH as ORDER_CONFIRM_PATH
from hti_comms.subscribers.confirmation import CONFIRM_PATH
from tests.production import START_TIMEOUT, production_stack, run_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PASSWORD = "ett-långt-lösenord-för-personal"
NEW_PASSWORD = "ett-nytt-lösenord-efter-länken"


def last_number(output: str) -> int:
    return int(re.findall(r"\d+", output.strip().splitlines()[-1])[-1])


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with production_stack(tmp_path_factory.mktemp("production")) as running:
        yield running


@pytest.fixture
def page(stack, chromium, request):
    """A fresh browser context that accepts the proxy's self-signed certificate (nothing else is relaxed)."""
    context = chromium.new_context(locale="sv-SE", ignore_https_errors=True)
    # Two cores shared with other test runs: a page may take a while, and every wait is for a state, not a time.
    context.set_default_timeout(START_TIMEOUT * 1000)
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page
        assert not blocked, f"the browser blocked something under the Content-Security-Policy: {blocked}"
    finally:
        try:
            from tests.a11y.checks import screenshot

            if page.url != "about:blank":
                screenshot(page, f"test_production_shape.{request.node.name}", folder="browser")
        except Exception:  # a closed or crashed page has no last step to show
            pass
        context.close()


def press(page, button: str) -> dict:
    """Press the button as a person would and wait for the answer's page (after any redirect) to load; return
    the headers the browser sent with the form's POST."""
    with page.expect_navigation(), page.expect_request(lambda request: request.method == "POST") as posted:
        page.get_by_role("button", name=button).click()
    return posted.value.all_headers()


def press_on_token_page(page, button: str) -> None:
    """Press a button on a page whose URL carries a token: the browser sends no Referer from there."""
    headers = press(page, button)
    assert "referer" not in headers, headers


def heading(page):
    return page.get_by_role("heading", level=1)


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    press(page, "Logga in")


def test_staff_log_in_and_out_through_the_proxy(stack, page):
    email = "personal@spf.example"
    # A redaktör logs in with the password alone (the roles that send or publish also need the code from an app).
    run_command(["hti", "create-staff", email, "--role", "redaktor", "--password-stdin"], stack.env,
                stdin=PASSWORD + "\n")
    log_in(page, stack.base_url, email, PASSWORD)
    expect(page.get_by_role("navigation", name="Personalmeny")).to_be_visible()
    assert page.url.startswith(stack.base_url + "/")  # redirects stay on https behind the proxy
    [session] = [c for c in page.context.cookies() if c["name"] == "session"]
    assert (session["secure"], session["httpOnly"], session["sameSite"]) == (True, True, "Lax")

    # The login's limits are counted in Redis, shared by both gunicorn workers (under this run's own prefix).
    assert any(b"logga-in" in key or b"login" in key for key in stack.rate_limit_keys()), stack.rate_limit_keys()

    press(page, "Logga ut")
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    # gunicorn listens on 127.0.0.1 only, so the warning about trusted proxy headers stays away.
    assert "TRUSTED_PROXIES" not in stack.processes["web"].output


def test_password_reset_from_the_emailed_link(stack, page):
    email = "glomsk@spf.example"
    # A redaktör logs in with the password alone (the roles that send or publish also need the code from an app).
    run_command(["hti", "create-staff", email, "--role", "redaktor", "--password-stdin"], stack.env,
                stdin=PASSWORD + "\n")
    page.goto(f"{stack.base_url}/logga-in/glomt-losenord")
    page.get_by_label("E-postadress").fill(email)
    press(page, "Skicka länken")

    link = stack.link_in(stack.mail_to(email, "Nytt lösenord"), RESET_PATH)
    page.goto(link)
    expect(heading(page)).to_have_text("Välj ett nytt lösenord")
    page.get_by_label("Nytt lösenord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Upprepa det nya lösenordet").fill(NEW_PASSWORD)
    press_on_token_page(page, "Spara det nya lösenordet")
    expect(page.get_by_text("Lösenordet är bytt.")).to_be_visible()

    log_in(page, stack.base_url, email, NEW_PASSWORD)
    expect(page.get_by_role("navigation", name="Personalmeny")).to_be_visible()


NEWSLETTER = """Hej!

## Nytt om Hemtjänstindex

Här kommer det senaste om hemtjänstens kvalitet i landets kommuner.
"""


def test_subscription_confirmation_preferences_data_and_unsubscribe(stack, page, tmp_path):
    email = "greta.gran@exempel.se"
    page.goto(f"{stack.base_url}/prenumerera")
    page.get_by_label("Ditt namn").fill("Greta Gran")
    page.get_by_label("Din e-postadress").fill(email)
    page.get_by_label("Ditt uppdrag").select_option(label="Ledamot i kommunens seniorråd")
    page.get_by_label("Din kommun").fill("Habo")
    page.get_by_label("Jag har läst texten ovan").check()
    press(page, "Anmäl mig")
    expect(heading(page)).to_have_text("Tack! Titta nu i din e-post")

    page.goto(stack.link_in(stack.mail_to(email, "Bekräfta din anmälan"), CONFIRM_PATH))
    press_on_token_page(page, "Bekräfta")
    expect(heading(page)).to_have_text("Tack, nu är du anmäld!")

    # Staff send a newsletter; its footer carries the preference and unsubscribe links.
    source = tmp_path / "brev.md"
    source.write_text(NEWSLETTER, encoding="utf-8")
    created = run_command(["hti", "newsletter", "create", "--subject", "Nytt om Hemtjänstindex",
                           "--markdown", str(source), "--audience", "nyhetsbrev"], stack.env)
    run_command(["hti", "newsletter", "send", str(last_number(created)), "--accept-warnings"], stack.env)
    newsletter = stack.mail_to(email, "Nytt om Hemtjänstindex")

    page.goto(stack.link_in(newsletter, PREFERENCES_PATH))
    page.get_by_label("Ditt namn").fill("Greta Gran-Ek")
    press_on_token_page(page, "Spara mina val")
    expect(page.get_by_text("Dina val är sparade.")).to_be_visible()

    press_on_token_page(page, "Skicka mina uppgifter till min e-post")
    expect(page.get_by_text("Vi har skickat en länk till din e-postadress.")).to_be_visible()
    page.goto(stack.link_in(stack.mail_to(email, "Dina sparade uppgifter"), DATA_EXPORT_PATH))
    expect(heading(page)).to_have_text("Dina uppgifter hos Hemtjänstindex")
    expect(page.locator("main")).to_contain_text("Greta Gran-Ek")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner uppgifterna som fil (JSON)").click()
    assert email in json.dumps(json.loads(Path(download.value.path()).read_text(encoding="utf-8")),
                               ensure_ascii=False)

    page.goto(stack.link_in(newsletter, UNSUBSCRIBE_PATH))
    press_on_token_page(page, re.compile("^Avsluta"))
    expect(heading(page)).to_have_text("Klart – du är avregistrerad")
    press_on_token_page(page, "Skicka en länk för att ändra mina val")
    stack.mail_to(email, "Din länk för att ändra dina val")


def test_event_registration_cancelled_from_the_emailed_link(stack, page):
    start = (datetime.now(STOCKHOLM) + timedelta(days=14)).replace(hour=10, minute=0)
    created = run_command(["hti", "event", "create", "--kind", "kurs", "--title", "Grundkurs i produktion",
                           "--start", start.strftime("%Y-%m-%d %H:%M"),
                           "--end", (start + timedelta(hours=1, minutes=30)).strftime("%Y-%m-%d %H:%M"),
                           "--registration", "here", "--capacity", "20"], stack.env)
    email = "karl.kurs@exempel.se"
    page.goto(f"{stack.base_url}/evenemang/{last_number(created)}")
    page.get_by_label("Ditt namn").fill("Karl Kurs")
    page.get_by_label("Din e-postadress").fill(email)
    page.get_by_label("Ditt uppdrag").select_option(label="Ledamot i kommunens pensionärsråd")
    page.get_by_label("Kommun eller förening").fill("Habo")
    press(page, "Anmäl mig")
    expect(heading(page)).to_have_text("Tack för din anmälan!")

    page.goto(stack.link_in(stack.mail_to(email, "Grundkurs i produktion"), CANCEL_PATH))
    press_on_token_page(page, "Avboka min plats")
    expect(heading(page)).to_have_text("Din plats är avbokad")


def test_order_contact_confirms_from_the_emailed_link(stack, page):
    year = datetime.now(STOCKHOLM).year + 1
    run_command(["hti", "publication", "set", "--year", str(year), "--at", f"{year}-12-03 07:00"], stack.env)
    email = "kontakt@habo.example.se"
    page.goto(f"{stack.base_url}/bestall")
    page.get_by_label("Kommun", exact=True).select_option(label="Habo")
    page.get_by_label("Kontaktpersonens namn").fill("Kim Kontakt")
    page.get_by_label("Kontaktpersonens e-postadress").fill(email)
    page.get_by_label("Fakturareferens").fill("HABO-123")
    press(page, "Skicka beställningen")

    page.goto(stack.link_in(stack.mail_to(email, "rapportpaketet"), ORDER_CONFIRM_PATH))
    expect(heading(page)).to_have_text("Bekräfta att du är kontaktperson")
    press_on_token_page(page, "Bekräfta")
    expect(heading(page)).to_have_text("Tack, du är bekräftad")
