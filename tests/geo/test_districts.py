from sqlalchemy import func, select

from hti_comms.geo.models import County, District, Municipality
from hti_comms.geo.services import find_municipality, load_reference_data
from tests.helpers import form_csrf_token


def test_reference_data_is_complete_and_idempotent(db):
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 290
    assert db.session.scalar(select(func.count()).select_from(County)) == 21
    assert db.session.scalar(select(func.count()).select_from(District)) == 21
    assert not load_reference_data().changed
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 290


def test_every_municipality_starts_in_its_county_district(db):
    stockholm = db.session.get(Municipality, "0180")
    assert stockholm.short_name == "Stockholm"
    assert stockholm.district.county_code == stockholm.county_code == "01"
    assert stockholm.district.name == "SPF Seniorerna Stockholm"


def test_find_municipality_by_code_or_name(db):
    assert find_municipality("114").code == "0114"
    assert find_municipality("Håbo").code == "0305"
    assert find_municipality("habo").code == "0643"  # Habo is not Håbo
    assert find_municipality("Göteborgs stad").code == "1480"
    assert find_municipality("Ingenstans") is None


def test_staff_rename_and_move_survive_reloading_reference_data(staff_login, db):
    district = db.session.scalar(select(District).where(District.county_code == "03"))
    token = form_csrf_token(staff_login, f"/admin/distrikt/{district.id}")
    response = staff_login.post(f"/admin/distrikt/{district.id}", data={"csrf_token": token,
                                                                      "name": "SPF Uppsaladistriktet"},
                                follow_redirects=True)
    assert "Namnet är ändrat." in response.get_data(as_text=True)

    token = form_csrf_token(staff_login, "/admin/distrikt/")
    response = staff_login.post("/admin/distrikt/", data={"csrf_token": token, "name": "SPF Norra Roslagen"},
                                follow_redirects=True)
    assert "Distriktet ”SPF Norra Roslagen” är skapat." in response.get_data(as_text=True)
    new = db.session.scalar(select(District).where(District.name == "SPF Norra Roslagen"))

    token = form_csrf_token(staff_login, f"/admin/distrikt/{district.id}")
    response = staff_login.post("/admin/distrikt/kommun/0305", data={"csrf_token": token, "district_id": new.id},
                                follow_redirects=True)
    assert "Håbo hör nu till SPF Norra Roslagen." in response.get_data(as_text=True)

    load_reference_data()
    db.session.expire_all()
    assert db.session.get(Municipality, "0305").district.name == "SPF Norra Roslagen"
    assert db.session.get(District, district.id).name == "SPF Uppsaladistriktet"


def test_district_names_must_be_unique(staff_login, db):
    token = form_csrf_token(staff_login, "/admin/distrikt/")
    response = staff_login.post("/admin/distrikt/", data={"csrf_token": token, "name": "SPF Seniorerna Stockholm"})
    assert "Det finns redan ett distrikt som heter ”SPF Seniorerna Stockholm”." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(District)) == 21


def test_reset_puts_every_municipality_back_and_removes_staff_districts(db):
    """What the tests' clean-up relies on after every test: districts as the reference data made them."""
    from hti_comms.geo.services import create_district, move_municipality, rename_district, reset_districts_to_default

    def state():
        return (sorted(db.session.execute(select(Municipality.code, Municipality.district_id)).all()),
                sorted(db.session.execute(select(District.id, District.name, District.county_code)).all()))

    before = state()
    staff_made = create_district("Distrikt Norr (prov)").id
    move_municipality(db.session.get(Municipality, "0114"), staff_made)
    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    move_municipality(db.session.get(Municipality, "0180"), db.session.scalar(
        select(District.id).where(District.county_code == "03")))
    rename_district(stockholm, "Nytt namn på Stockholms distrikt")
    assert state() != before
    reset_districts_to_default()
    db.session.expire_all()
    assert state() == before
    assert db.session.get(District, staff_made) is None
