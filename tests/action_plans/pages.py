"""Pages and emails of the action-plan domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page


def _years():
    from hti_comms.results.ranking import available_years

    years = available_years()
    return years[0], years[1]


def _plan(data) -> dict:
    """Measures for Stockholm in the two latest demo years (one changed since), a proposal from Upplands Väsby's
    report-package contact waiting for review; made once. Returns their ids and the contact's form token."""
    def make(_data):
        from hti_comms.action_plans.links import plan_form_token
        from hti_comms.action_plans.register import MeasureInput, add_measure, update_measure
        from hti_comms.action_plans.submissions import submit
        from hti_comms.extensions import db
        from tests.publication.pages import _contact

        latest, earlier = _years()
        first = add_measure(earlier, "0180", MeasureInput("information", "skriva broschyren om hemtjänst på "
                                                          "lättläst svenska", "kort", "pagar",
                                                          "https://www.example.se/stockholm/broschyr"), actor="a11y")
        add_measure(earlier, "0180", MeasureInput("utforande", "ge varje person en fast kontaktperson"),
                    actor="a11y")
        update_measure(first, MeasureInput("information", first.text, "kort", "genomford", first.source_url),
                       actor="a11y")
        add_measure(latest, "0180", MeasureInput("index", "följa upp resultatet i pensionärsrådet under hösten"),
                    actor="a11y")
        db.session.commit()
        contact = _contact(_data, True)
        proposal = submit(contact.order.year, "0114", contact.contact_id,
                          MeasureInput("information", "ta fram en tydligare webbplats med klarspråk", "kort",
                                       "pagar"), message="Vi har börjat med webbplatsen.")
        return {"measure_id": first.id, "submission_id": proposal.id, "earlier": earlier, "latest": latest,
                "token": plan_form_token(contact.key, contact.order.year, "0114")}
    return data.get("action_plans:plan", make)


def _submit_empty(page_):
    page_.get_by_role("button", name="Skicka till SPF Seniorerna").click()


def _reminder(data):
    from sqlalchemy import select

    from hti_comms.action_plans.reminders import send_reminders
    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    plan = _plan(data)
    send_reminders(plan["latest"])
    db.session.commit()
    return db.session.scalar(select(Send).where(Send.template == "action_plans/reminder").order_by(Send.id.desc()))


def _new_section_args(data):
    from tests.newsletters.pages import draft_circular

    _plan(data)
    return {"newsletter_id": draft_circular(data), "kind_key": "action_plans"}


page("action_plans.plan_form", args=lambda data: {"token": _plan(data)["token"]})
page("action_plans.plan_form", state="fel", args=lambda data: {"token": _plan(data)["token"]}, then=_submit_empty)
not_a_page("action_plans_admin.index", "redirects to the newest year")
page("action_plans_admin.year", args=lambda data: {"year": _plan(data)["earlier"]})
page("action_plans_admin.municipality", args=lambda data: {"year": _plan(data)["earlier"], "code": "0180"})
page("action_plans_admin.measure", args=lambda data: {"measure_id": _plan(data)["measure_id"]})
page("action_plans_admin.submission", args=lambda data: {"submission_id": _plan(data)["submission_id"]})
not_a_page("action_plans_admin.approve_submission", "a POST that redirects to the municipality's plan")
not_a_page("action_plans_admin.reject_submission", "a POST that redirects (errors render the proposal's page)")
not_a_page("action_plans_admin.audience", "a POST that saves an audience and redirects to it")
page("newsletters_admin.section", state="sa-jobbar-kommunerna", args=_new_section_args)
email("action_plans/reminder", build=_reminder)
