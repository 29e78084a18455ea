"""Pages of the public and auth domains for the accessibility checks (see tests/a11y/registry.py)."""
from hti_comms.delivery.owner import Owner
from tests.a11y.registry import email, not_a_page, page


def _submit_empty(page_):
    page_.get_by_role("button", name="Logga in").click()


page("public.home")
page(path="/sidan-finns-inte")  # the 404 page every mistyped address shows
page("auth.login")
page("auth.login", state="fel", then=_submit_empty)
not_a_page("auth.logout", "POST that logs out and redirects to the login page")
not_a_page("static", "files (CSS, JavaScript, images)")
page("public.privacy")
not_a_page("public.favicon", "the site icon")

page("account.password")
page("account.password", state="fel", then=lambda page_: page_.get_by_role("button", name="Byt lösenord").click())


# "Glömt lösenordet?"
def _reset_token(data):
    from hti_comms.auth.reset import reset_token
    from hti_comms.auth.services import find_staff

    return {"token": reset_token(find_staff(data.staff_user))}


def _password_reset_email(data):
    from sqlalchemy import select

    from hti_comms.auth.reset import send_reset_link
    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    send_reset_link(data.staff_user)
    return db.session.scalars(select(Send).where(Send.template == "auth/password_reset").order_by(Send.id.desc())).first()


def _ask_for_link(page_):
    page_.get_by_label("E-postadress").fill("ingen.alls@example.se")
    page_.get_by_role("button", name="Skicka länken").click()


page("auth.forgotten_password")
page("auth.forgotten_password", state="fel", then=lambda page_: page_.get_by_role("button", name="Skicka länken").click())
page("auth.forgotten_password", state="skickad", then=_ask_for_link)
page("auth.reset_password", args=_reset_token)
page("auth.reset_password", state="fel", args=_reset_token,
     then=lambda page_: page_.get_by_role("button", name="Spara det nya lösenordet").click())
page("auth.reset_password", state="ogiltig-länk", args={"token": "förfalskad"})
email("auth/password_reset", build=_password_reset_email)


def _login_warning_email(data):
    from sqlalchemy import select

    from hti_comms.auth.services import find_staff
    from hti_comms.delivery.models import Send
    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
    from hti_comms.extensions import db

    user = find_staff(data.staff_user)
    enqueue(EmailSpec(owner=Owner("tests", "sample"), template="auth/login_warning", subject="Många försök att logga in på ditt konto",
                      context={"at": "tisdag 1 december 2026 kl. 03.12"}, kind="login_warning"),
            [Recipient(user.email, user.name)])
    db.session.commit()
    return db.session.scalars(select(Send).where(Send.template == "auth/login_warning").order_by(Send.id.desc())).first()


email("auth/login_warning", build=_login_warning_email)

# The public results (tests/public/test_results_*.py); the a11y app's demo years are all public.
def _latest_year(data) -> int:
    from hti_comms.results.publication import public_years

    return public_years()[0]


def _with_link(data) -> dict:
    """The newest year's page of Stockholm, with a follow-up link a member of staff added."""
    def make(data_):
        from hti_comms.public.services import add_link

        link, _findings = add_link(_latest_year(data_), "0180", "Stockholms handlingsplan för hemtjänsten",
                                   "https://www.example.se/handlingsplan", added_by=data_.staff_user)
        return link
    link = data.get("follow_up_link", make)
    return {"year": link.year, "code": link.municipality_code}


page("public_results.archive")
page("public_results.ranking", args=lambda data: {"year": _latest_year(data)})
page("public_results.ranking", state="sorterad-och-filtrerad",
     args=lambda data: {"year": _latest_year(data), "sortera": "utforande", "ordning": "fallande", "lan": "12"})
page("public_results.ranking", state="ingen-traff", args=lambda data: {"year": _latest_year(data), "sok": "Xyz"})
page("public_results.municipality", args=_with_link)
not_a_page("public_results.ranking_csv", "the ranking as a CSV file for Excel")
not_a_page("public_results.ranking_json", "the ranking as JSON")
not_a_page("public_results.feed", "the Atom feed of published years")
not_a_page("public_results.sitemap", "the sitemap (XML)")
not_a_page("public_admin.index", "redirects to the newest year's links")
page("public_admin.links", args=lambda data: _with_link(data) and {"year": _latest_year(data)})
page("public_admin.links", state="fel", args=lambda data: {"year": _latest_year(data)},
     then=lambda page_: page_.get_by_role("button", name="Lägg till länken").click())
not_a_page("public_admin.remove", "POST that removes a link and redirects to the list")
