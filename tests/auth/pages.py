"""Pages and emails of staff accounts, the second factor and invitations for the accessibility checks (see
tests/a11y/registry.py). The auth domain's login and password pages are declared in tests/public/pages.py."""
from tests.a11y.registry import email, not_a_page, page

NEW_ADMINISTRATOR = "ny.utskick@spf.example"


def _staff_id(data) -> dict:
    from hti_comms.auth.services import find_staff

    return {"user_id": find_staff(data.staff_user).id}


def _person_without_a_factor(data):
    """An utskick person who has a password but no second factor yet (their first login sets it up)."""
    def make(_data):
        from hti_comms.auth.roles import Role
        from tests.helpers import make_staff

        return make_staff(NEW_ADMINISTRATOR, roles=[Role.UTSKICK], second_factor=False).email
    return data.get("without_factor", make)


def _password_step(email_of):
    def then(page_):
        from tests.conftest import TEST_PASSWORD

        page_.goto(page_.url.split("/logga-in")[0] + "/logga-in")
        page_.get_by_label("E-postadress").fill(email_of(page_))
        page_.get_by_label("Lösenord").fill(TEST_PASSWORD)
        page_.get_by_role("button", name="Logga in").click()
        page_.wait_for_load_state("load")
    return then


def _invitation(data) -> dict:
    def make(data_):
        from hti_comms.auth.invitations import invitation_url
        from hti_comms.auth.roles import Role
        from hti_comms.auth.services import new_staff
        from hti_comms.extensions import db

        user = new_staff("inbjuden@spf.example", "Inbjuden Person", [Role.REDAKTOR])
        db.session.commit()
        return invitation_url(user).rsplit("/", 1)[1]
    return {"token": data.get("invitation", make)}


def _invitation_email(data):
    from hti_comms.auth.invitations import invite
    from hti_comms.auth.roles import Role
    from hti_comms.auth.services import find_staff, new_staff
    from hti_comms.extensions import db

    user = new_staff("inbjuden.brev@spf.example", "Ida Inbjuden", [Role.REDAKTOR, Role.UTSKICK])
    invite(user, invited_by=find_staff(data.staff_user))
    db.session.commit()
    return _latest("auth/invitation")


def _new_factor_email(data):
    from hti_comms.auth.notices import tell_new_second_factor
    from hti_comms.auth.services import find_staff
    from hti_comms.extensions import db

    tell_new_second_factor(find_staff(data.staff_user))
    db.session.commit()
    return _latest("auth/new_second_factor")


def _latest(template: str):
    from sqlalchemy import select

    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    return db.session.scalars(select(Send).where(Send.template == template).order_by(Send.id.desc())).first()


# The steps of a login after the password: the code, or setting up the second factor.
page("auth.second_step", then=_password_step(lambda _page: "personal@spf.example"))
page("auth.enrol", args=lambda data: _person_without_a_factor(data) and {},
     then=_password_step(lambda _page: NEW_ADMINISTRATOR))
page("auth.invitation", args=_invitation)
page("auth.invitation", state="ogiltig-länk", args={"token": "förfalskad"})
page("account.second_factor_page")
email("auth/invitation", build=_invitation_email)
email("auth/new_second_factor", build=_new_factor_email)

# Staff accounts (administrators).
page("staff_admin.index")
page("settings_admin.index")
page("staff_admin.index", state="fel", then=lambda page_: page_.get_by_role("button", name="Skicka inbjudan").click())
page("staff_admin.account", args=_staff_id)
not_a_page("staff_admin.reset_factor", "POST that resets a second factor and redirects")
not_a_page("staff_admin.invite_again", "POST that emails a new invitation and redirects")
