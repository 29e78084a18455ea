"""The staff start page: the year's dashboard, made of the blocks every domain declares (`Domain.overview`).

Groups, in order: the next step (a countdown), what waits for someone, the next sends and events, the latest
results. A domain adds a block with one line in its `Domain` (an `OverviewPart` under one of the groups), so a
new part (approvals waiting, a clock warning) needs no change here.
"""
from flask import render_template
from markupsafe import Markup
from sqlalchemy import func, select

from ..domain import OVERVIEW_GROUPS, OverviewPart, registry
from ..extensions import db
from ..staff import staff_blueprint
from .models import IndexResult, ResultSet

bp = staff_blueprint("overview", __name__)


def latest_results() -> OverviewPart:
    """The results block: every year imported, with its size and when."""
    result_sets = db.session.scalars(select(ResultSet).order_by(ResultSet.year.desc())).all()
    counts = dict(db.session.execute(select(IndexResult.year, func.count()).group_by(IndexResult.year)).all())
    return OverviewPart("results", "web/results/_overview.html", {"result_sets": result_sets, "counts": counts})


@bp.route("/")
def dashboard():
    parts = [part for part in (make() for make in registry().overview) if part is not None]
    groups = [(key, heading, [Markup(render_template(p.template, **p.context))
                              for p in sorted((p for p in parts if p.group == key), key=lambda p: p.order)])
              for key, heading in OVERVIEW_GROUPS.items()]
    return render_template("web/results/dashboard.html", groups=groups)
