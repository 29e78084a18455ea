
from hti_comms.delivery.owner import Owner
"""Approval requests for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page


def _request(data):
    """A colleague asks for approval of a send to three people (the a11y staff member may approve it)."""
    def make(data_):
        from flask import current_app
        from flask_login import login_user
        from sqlalchemy import select

        from hti_comms.approvals.models import ApprovalRequest
        from hti_comms.auth.roles import Role
        from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
        from hti_comms.extensions import db
        from tests.helpers import make_staff

        colleague = make_staff("kollega.utskick@spf.example", roles=[Role.UTSKICK], name="Kim Kollega")
        with current_app.test_request_context():
            login_user(colleague)
            send = enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Inbjudan till webbinariet", context={},
                                     kind="test_email"),
                           [Recipient(f"person{n}@exempel.se", f"Person {n}") for n in range(60)])
            db.session.commit()
        return db.session.scalar(select(ApprovalRequest.id).where(ApprovalRequest.send_id == send.id))
    return data.get("approval_request", make)


def _request_email(data):
    from sqlalchemy import select

    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    _request(data)
    return db.session.scalars(select(Send).where(Send.template == "approvals/request").order_by(Send.id.desc())).first()


page("approvals_admin.index", args=lambda data: _request(data) and {})
page("approvals_admin.detail", args=lambda data: {"request_id": _request(data)})
not_a_page("approvals_admin.approve_send", "POST that approves a send and redirects")
not_a_page("approvals_admin.approve_publication", "POST that approves a change of the publication and redirects")
not_a_page("approvals_admin.withdraw", "POST that takes a request back and redirects")
email("approvals/request", build=_request_email)
