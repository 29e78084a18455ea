"""Staff pages and emails of the briefs domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page
from tests.geo.pages import first_district_id
from tests.results.pages import latest_year

MUNICIPALITY = "0114"  # Upplands Väsby: every demo year has it


def brief_points(data):
    from hti_comms.briefs.talking_points import build_talking_points
    from hti_comms.extensions import db
    from hti_comms.geo.models import Municipality

    return build_talking_points(db.session.get(Municipality, MUNICIPALITY), latest_year(data))


def _enqueued(spec):
    """Put an email in the outbox to one example reader and return its send, as the staff buttons do."""
    from hti_comms.delivery.outbox import Recipient, enqueue
    from hti_comms.extensions import db

    send = enqueue(spec, [Recipient("ledamot@example.se", "Karl Ledamot")])
    db.session.commit()
    return send


def _local_brief(data, *, embargoed_audience=False):
    from hti_comms.briefs.emails import local_brief_spec

    return _enqueued(local_brief_spec(brief_points(data), embargoed_audience=embargoed_audience))


def _district_digest(data):
    from hti_comms.briefs.emails import district_digest_spec
    from hti_comms.extensions import db
    from hti_comms.geo.models import District

    return _enqueued(district_digest_spec(db.session.get(District, first_district_id(data)), latest_year(data)))


page("briefs_admin.index")
page("briefs_admin.municipality", args=lambda data: {"year": latest_year(data), "code": MUNICIPALITY})
page("briefs_admin.national", args=lambda data: {"year": latest_year(data)})
page("briefs_admin.district", args=lambda data: {"year": latest_year(data), "district_id": first_district_id(data)})
not_a_page("briefs_admin.municipality_pdf", "the A4 PDF (tagged PDF/UA; tests/briefs/test_admin_and_pdf.py)")


def _brief_readers(data):
    """Give the council of the municipality and the first district a confirmed reader on "Lokala resultat", so
    the send buttons (the demo years are published) lead to their confirmation step (made once)."""
    def make(data_):
        from hti_comms.extensions import db
        from hti_comms.geo.models import District
        from hti_comms.subscribers.directory import ContactDetails, add_contact
        from hti_comms.subscribers.forms import place_from_choice
        from hti_comms.subscribers.models import LegalBasis

        district = db.session.get(District, first_district_id(data_))
        add_contact(ContactDetails("radsledamot@example.se", "Rut Rådsledamot", "", ["lokala-resultat"]),
                    LegalBasis.CONSENT_GIVEN, place_from_choice("council_member:pensionarsrad", "Upplands Väsby"),
                    actor="personal@spf.example")
        add_contact(ContactDetails("distriktsordforande@example.se", "Dan Distrikt", "", ["lokala-resultat"]),
                    LegalBasis.CONSENT_GIVEN, place_from_choice("district_chair", "", district_id=district.id),
                    actor="personal@spf.example")
        db.session.commit()
        return True
    return data.get("brief-readers", make)


page("briefs_admin.send_municipality",
     args=lambda data: _brief_readers(data) and {"year": latest_year(data), "code": MUNICIPALITY})
page("briefs_admin.send_district",
     args=lambda data: _brief_readers(data) and {"year": latest_year(data), "district_id": first_district_id(data)})

email("briefs/local_brief", build=_local_brief)
email("briefs/local_brief", state="embargo", build=lambda data: _local_brief(data, embargoed_audience=True))
email("briefs/district_digest", build=_district_digest)

not_a_page("briefs_admin.municipality_email", "the brief email shown in the page's frame (checked as an email)")
not_a_page("briefs_admin.district_email", "the digest email shown in the page's frame (checked as an email)")


def _at_publication_args(data):
    """The year after the demo results, publication ahead, with the briefs chosen for its moment (made once)."""
    from tests.publication.pages import _open_year

    def make(_data):
        from hti_comms.briefs.at_publication import schedule

        year = _open_year(data)
        schedule(year, "both", actor="a11y")
        return year
    return {"year": data.get("briefs:at-publication", make)}


page("briefs_admin.at_publication", args=_at_publication_args)
not_a_page("briefs_admin.undo_at_publication", "a POST that redirects to the page of sending at publication")
