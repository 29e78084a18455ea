"""Pages and emails of the publication domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page


def _latest_year() -> int:
    from sqlalchemy import select

    from hti_comms.extensions import db
    from hti_comms.results.models import ResultSet

    return db.session.scalar(select(ResultSet.year).order_by(ResultSet.year.desc()))


def _open_year(data) -> int:
    """A year after the demo results whose publication is ahead, so the order form takes orders (made once)."""
    def make(_data):
        from datetime import timedelta

        from hti_comms import clock
        from hti_comms.extensions import db
        from hti_comms.publication.moments import set_publication

        year = _latest_year() + 1
        set_publication(year, clock.now() + timedelta(days=40), actor="a11y")
        db.session.commit()
        return year
    return data.get("publication:open-year", make)


def _order(data) -> int:
    """A staff order for the latest demo year with one confirmed contact and one who must confirm; its id."""
    def make(_data):
        from hti_comms.extensions import db
        from hti_comms.publication.models import Order, OrderSource, OrderStatus
        from hti_comms.publication.contacts import add_contact
        from hti_comms import clock

        year = _latest_year()
        order = Order(year=year, municipality_code="0114", received_at=clock.now(), sequence=900,
                      invoice_reference="Ref 12", status=OrderStatus.RECEIVED, source=OrderSource.STAFF)
        db.session.add(order)
        db.session.flush()
        add_contact(order, "kontakt.order@vasby.example.se", "Karin Kommun", confirmed=True, actor="a11y")
        add_contact(order, "ny.order@vasby.example.se", "Nils Ny", confirmed=False, actor="a11y")
        second = Order(year=year, municipality_code="0115", received_at=clock.now(), sequence=901,
                       status=OrderStatus.RECEIVED, source=OrderSource.STAFF)
        db.session.add(second)
        # From the public form, nobody approved yet: listed apart, without a place in the queue.
        pending = Order(year=year, municipality_code="0117", received_at=clock.now(), sequence=902,
                        invoice_reference="Från formuläret", status=OrderStatus.PENDING, source=OrderSource.FORM)
        db.session.add(pending)
        db.session.flush()
        add_contact(pending, "vantar.order@osteraker.example.se", "Vera Väntar", confirmed=False, actor="a11y")
        db.session.commit()
        return order.id
    return data.get("publication:order", make)


def _contact(data, confirmed: bool):
    from hti_comms.extensions import db
    from hti_comms.publication.models import Order

    order = db.session.get(Order, _order(data))
    return next(oc for oc in order.contacts if (oc.confirmed_at is not None) is confirmed)


def _summary_args(data):
    from hti_comms.publication.links import summary_token

    contact = _contact(data, True)
    return {"token": summary_token(contact.key, contact.order.year, "0114")}


def _confirm_args(data):
    from hti_comms.publication.contacts import confirmation_token

    return {"token": confirmation_token(_contact(data, False))}


def _year_args(data):
    _order(data)
    return {"year": _latest_year()}


def _deliver_args(data):
    # The second order: out of turn, so the page asks for a reason.
    from sqlalchemy import select

    from hti_comms.extensions import db
    from hti_comms.publication.models import Order

    _order(data)
    second = db.session.scalar(select(Order).where(Order.municipality_code == "0115", Order.sequence == 901))
    return {"year": second.year, "order_id": second.id}


def _order_received(data):
    from sqlalchemy import select

    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db
    from hti_comms.publication.emails import queue_order_received
    from hti_comms.publication.models import Order

    order = db.session.get(Order, _order(data))
    queue_order_received(order, 1)
    db.session.commit()
    return db.session.scalar(select(Send).where(Send.reference == f"report-order:{order.id}:received"))


def _summary_email(data):
    from hti_comms.delivery.outbox import Recipient
    from hti_comms.publication.links import summary_url
    from hti_comms.publication.summaries import summary_spec

    contact = _contact(data, True)
    return summary_spec(contact.order.year, "0114"), Recipient(
        contact.contact.email, contact.contact.name, fields={"summary_url": summary_url(contact.key, contact.order.year,
                                                                                         "0114")})


def _access_email(data):
    from hti_comms.delivery.outbox import Recipient
    from hti_comms.extensions import db
    from hti_comms.geo.models import Municipality
    from hti_comms.publication.access import access_spec

    return access_spec(_latest_year(), db.session.get(Municipality, "0114")), \
        Recipient("kontakt.order@vasby.example.se", "Karin Kommun",
                  fields={"action_plan_url": "http://127.0.0.1/atgardsplan/personlig-lank"})


def _submit_empty(page_):
    page_.get_by_role("button", name="Skicka beställningen").click()


page("publication.order", args=lambda data: _open_year(data) and {})
page("publication.order", state="fel", args=lambda data: _open_year(data) and {}, then=_submit_empty)
page("publication.thanks")
page("publication.confirm", args=_confirm_args)
page("publication.summary", args=_summary_args)

page("publication_admin.index", args=lambda data: _year_args(data) and {})
page("publication_admin.year", args=_year_args)
page("publication_admin.deliver", args=_deliver_args)
page("publication_admin.timeline_page", args=_year_args)
page("publication_admin.log", args=_year_args)
not_a_page("publication_admin.open_year", "a GET form that redirects to the year's page")
not_a_page("publication_admin.set_moments", "a POST that redirects (errors render the year's page)")
not_a_page("publication_admin.new_order", "a POST that redirects (errors render the year's page)")
not_a_page("publication_admin.cancel", "a POST that redirects")
not_a_page("publication_admin.approve", "a POST that redirects to the year's page")
not_a_page("publication_admin.log_csv", "the audit log as a CSV file for Excel")

email("publication/order_received", build=_order_received)
email("publication/embargo_summary", build=_summary_email)
email("publication/access", build=_access_email)



def _moved_email(data):
    """The change notice to the ordering municipalities' contacts, as a postponement sends it."""
    from datetime import timedelta

    from sqlalchemy import select

    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db
    from hti_comms.publication.moments import moments
    from hti_comms.publication.moved import notify_contacts

    _order(data)
    year = _latest_year()
    before = moments(year).published_at
    notify_contacts(year, before, before + timedelta(days=7))
    db.session.commit()
    return db.session.scalar(select(Send).where(Send.kind == "publication_moved").order_by(Send.id.desc()))


not_a_page("publication_admin.create_event", "a POST that creates the publication event and redirects")
not_a_page("publication_admin.link_event", "a POST that links an event to the moment and redirects")
email("publication/moved", build=_moved_email)
