"""Pages of the bounces domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def _kept_report(data):
    def make(_data):
        from hti_comms.bounces.services import process

        process(b"From: Britt <britt@example.se>\r\nSubject: Autosvar: semester\r\nAuto-Submitted: auto-replied\r\n"
                b"\r\nJag har semester.\r\n", source="fil")
        from sqlalchemy import select

        from hti_comms.bounces.models import BounceReport
        from hti_comms.extensions import db

        return db.session.scalar(select(BounceReport.id))
    return {"report_id": data.get("bounces:report", make)}


page("bounces_admin.index")
page("bounces_admin.report", args=_kept_report)
not_a_page("bounces_admin.lift", "a POST that lifts a suppression and redirects to the contact page")
