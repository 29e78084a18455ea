"""The staff start page."""
from flask import render_template
from sqlalchemy import func, select

from ..extensions import db
from ..results.models import IndexResult, ResultSet
from . import staff_blueprint

bp = staff_blueprint("admin", __name__)


@bp.route("/")
def dashboard():
    result_sets = db.session.scalars(select(ResultSet).order_by(ResultSet.year.desc())).all()
    counts = dict(db.session.execute(select(IndexResult.year, func.count()).group_by(IndexResult.year)).all())
    return render_template("web/admin/dashboard.html", result_sets=result_sets, counts=counts)
