"""Builders shared by the publication tests: a year with results, a publication moment, orders, mail read back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.publication import audit
from hti_comms.publication.models import OrderSource
from hti_comms.publication.moments import parse_wall_clock, set_publication
from hti_comms.publication.orders import ContactInput, OrderInput, create_order
from tests.briefs.factories import store_year

#: Thursday 4 December 2025, 07.00 Stockholm (06.00 UTC).
PUBLISHED_AT = datetime(2025, 12, 4, 6, 0, tzinfo=timezone.utc)
RELEASE_AT = PUBLISHED_AT - timedelta(hours=24)
EMBARGO = "EMBARGO: får inte publiceras före torsdag 4 december kl. 07.00"


def results_for_2025() -> None:
    """2024 and 2025 with known figures; 2025 publishes Thursday 4 December 07.00; the clock a month before."""
    clock.set_now(PUBLISHED_AT - timedelta(days=30))
    store_year(2024, {"0114": "60.0", "0115": "70.0", "0117": "65.0", "0305": "55.0"})
    store_year(2025, {"0114": ["72.5", "70.0", "75.0", "71.0", "74.0"], "0115": ["68.3", "66.0", "69.0", "67.0", "70.0"],
                      "0117": "65.0", "0305": "80.0"})
    set_publication(2025, parse_wall_clock("2025-12-04 07:00"), actor="test")
    db.session.commit()


def staff_order(code: str, *emails: str, year: int = 2025):
    """Place a staff order (contacts confirmed at once); return (order, position)."""
    return create_order(OrderInput(year=year, municipality=code, contacts=tuple(ContactInput(e, e.split("@")[0].title())
                                                                                for e in emails),
                                   source=OrderSource.STAFF, actor=audit.COMMAND_LINE))


def form_order(code: str, email: str, year: int = 2025):
    return create_order(OrderInput(year=year, municipality=code, contacts=(ContactInput(email, "Form Person"),),
                                   source=OrderSource.FORM, actor=audit.FORM))


def to_of(message) -> str:
    return message["To"].addresses[0].addr_spec


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
