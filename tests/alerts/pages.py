"""Pages and emails of "Min kommun kl. 07.00" for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, page

FOLLOWER = "foljer.habo@example.se"


def _subscriber(data, confirmed: bool):
    """A follower of Habo and Mullsjö: one confirmed, one still to confirm (made once each)."""
    def make(_data):
        from hti_comms.alerts.services import Request, add_confirmed, find_subscriber, request_alerts

        if confirmed:
            add_confirmed(FOLLOWER, "Habo")
            add_confirmed(FOLLOWER, "Mullsjö")
        else:
            request_alerts(Request("ny.foljare@example.se", "Habo, Mullsjö"))
        return find_subscriber(FOLLOWER if confirmed else "ny.foljare@example.se").link_key
    return data.get(f"alerts:{'confirmed' if confirmed else 'pending'}", make)


def _confirm_args(data):
    from hti_comms.alerts.links import CONFIRM_PURPOSE
    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(CONFIRM_PURPOSE, _subscriber(data, False), None)}


def _leave_args(data):
    from hti_comms.links import UNSUBSCRIBE_PURPOSE
    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(UNSUBSCRIBE_PURPOSE, _subscriber(data, True), None, l="min-kommun")}


def _submit_with_a_wrong_name(page_):
    page_.get_by_label("Din e-postadress").fill("eva@")
    page_.get_by_label("Kommun").fill("Stockholmm")
    page_.get_by_role("button", name="Skicka resultatet till mig").click()


def _result_email(data):
    from hti_comms.alerts.emails import result_spec
    from hti_comms.briefs.talking_points import build_talking_points
    from hti_comms.delivery.outbox import Recipient
    from hti_comms.extensions import db
    from hti_comms.geo.models import Municipality
    from tests.results.pages import latest_year

    points = build_talking_points(db.session.get(Municipality, "0643"), latest_year(data))
    return result_spec(points), Recipient(FOLLOWER, "", link_key=_subscriber(data, True))


def _confirm_email(data):
    from hti_comms.alerts.services import Request, request_alerts
    from sqlalchemy import select

    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    request_alerts(Request("bekrafta.mig@example.se", "Habo, Mullsjö"))
    return db.session.scalar(select(Send).where(Send.kind == "alert_confirmation").order_by(Send.id.desc()))


page("alerts.signup")
page("alerts.signup", state="kommun", args={"kommun": "0643"})
page("alerts.signup", state="fel", then=_submit_with_a_wrong_name)
page("alerts.thanks")
page("alerts.confirm_page", args=_confirm_args)
page("alerts.leave_page", args=_leave_args)
page("alerts_admin.index", args=lambda data: _subscriber(data, True) and {})

email("alerts/result", build=_result_email)
email("alerts/confirm", build=_confirm_email)
