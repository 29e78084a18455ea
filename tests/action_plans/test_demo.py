"""The demo plans of `make run`: marked as demo data, followed up in the latest demo year's talking points, and no
reminder for the demo's past years."""
from sqlalchemy import select

from hti_comms.action_plans.demo import load
from hti_comms.action_plans.models import Measure, PlanReminder
from hti_comms.briefs.figures import check_talking_points
from hti_comms.briefs.talking_points import build_talking_points, resolve_municipality
from hti_comms.results.services import load_demo_results


def test_demo_plans_are_marked_followed_up_and_never_reminded(app, db):
    latest = load_demo_results()[-1]
    assert load().startswith("DEMODATA: 14 åtgärder")
    assert load() is None  # once
    measures = db.session.scalars(select(Measure)).all()
    assert all(m.is_demo for m in measures) and {m.year for m in measures} == {latest - 1, latest}
    assert {r.year for r in db.session.scalars(select(PlanReminder))} == {latest - 1, latest}
    points = build_talking_points(resolve_municipality("Karlsborg"), latest)
    assert len(points.texts("plan")) == 4 and points.texts("plan")[0].startswith(f"Inför {latest} planerade Karlsborg")
    check_talking_points(points)
