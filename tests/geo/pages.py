"""Staff pages of the geo domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def first_district_id(data) -> int:
    from sqlalchemy import select

    from hti_comms.extensions import db
    from hti_comms.geo.models import District

    return db.session.scalar(select(District.id).order_by(District.name).limit(1))


page("geo_admin.districts")
page("geo_admin.district", args=lambda data: {"district_id": first_district_id(data)})
not_a_page("geo_admin.move", "POST that moves a municipality and redirects")
