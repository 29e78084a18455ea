"""The course certificate: a one-page PDF with the name, the course, its date and length, for those who attended
at least the set share of the course, read back with pypdf; linked from the thank-you email."""
from __future__ import annotations

import io

from pypdf import PdfReader

from hti_comms.events import attendance
from hti_comms.events.afterlinks import CERTIFICATE_PATH, CERTIFICATE_PURPOSE, FEEDBACK_PURPOSE
from hti_comms.events.models import Registration
from hti_comms.tokens import make_personal_token

from .test_attendance import course  # noqa: F401 - the fixture


def _link(registration, purpose=CERTIFICATE_PURPOSE) -> str:
    return CERTIFICATE_PATH + make_personal_token(purpose, registration.key, None)


def test_the_certificate_names_the_person_course_date_and_length(app, db, client, course):  # noqa: F811
    rows = "E-post;Minuter\nanna@example.se;80\ncecilia@example.se;30\n"
    attendance.import_attendance(course, rows.encode(), "narvaro.csv")
    db.session.commit()
    anna = db.session.query(Registration).filter_by(email="anna@example.se").one()
    cecilia = db.session.query(Registration).filter_by(email="cecilia@example.se").one()
    bertil = db.session.query(Registration).filter_by(email="bertil@kommun.example").one()

    response = client.get(_link(anna))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Intyg" in text and "Anna Andersson" in text and "Grundkurs om Hemtjänstindex" in text
    assert "torsdag 6 november 2025" in text and "10.00–11.30" in text and "1 timme och 30 minuter" in text
    assert reader.metadata.title == "Intyg: Grundkurs om Hemtjänstindex"

    # 30 of 90 minutes is less than the share needed; someone absent, and a feedback link, get nothing.
    short = client.get(_link(cecilia))
    assert short.status_code == 403 and "minst 68 minuter" in short.get_data(True)
    assert client.get(_link(bertil)).status_code == 404
    assert client.get(_link(anna, FEEDBACK_PURPOSE)).status_code == 404
