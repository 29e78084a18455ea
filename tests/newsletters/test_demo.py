"""The demo data of `make run`: a sent newsletter in the archive and a draft circular, both marked as demo."""
from hti_comms.newsletters.demo import load
from hti_comms.newsletters.models import Newsletter, NewsletterKind, NewsletterStatus


def test_demo_newsletter_is_in_the_archive_and_the_circular_is_a_draft(app, db, client, staff_login, lists):
    assert "nyhetsbrev #13" in load()
    sent, circular = db.session.query(Newsletter).order_by(Newsletter.id).all()
    assert sent.status is NewsletterStatus.SENT and sent.is_demo and sent.number == 13
    assert circular.kind is NewsletterKind.CIRCULAR and circular.status is NewsletterStatus.DRAFT and circular.is_demo
    page = client.get(f"/nyhetsbrev/{sent.id}").get_data(as_text=True)
    assert "Hemtjänstindex nyhetsbrev #13" in page and "Demo:" in page
    assert "Demo" in client.get("/nyhetsbrev").get_data(as_text=True)
    # A sent newsletter has no "recipients now": it went to those it went to.
    staff_page = staff_login.get(f"/admin/nyhetsbrev/{sent.id}").get_data(as_text=True)
    assert "Mottagare just nu" not in staff_page and "Se vem som får brevet" not in staff_page
    assert client.get(f"/nyhetsbrev/{circular.id}").status_code == 404  # drafts are not public
    preview = staff_login.get(f"/admin/nyhetsbrev/{circular.id}/forhandsgranska/brev.html").get_data(as_text=True)
    assert "Demo: det här är ett påhittat cirkulär" in preview and "Eva Exempel" in preview
