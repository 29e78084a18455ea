"""The staff start page: an overview of the result years."""
from flask import render_template
from sqlalchemy import func, select

from ..extensions import db
from ..staff import staff_blueprint
from .models import IndexResult, ResultSet

bp = staff_blueprint("overview", __name__)


@bp.route("/")
def dashboard():
    result_sets = db.session.scalars(select(ResultSet).order_by(ResultSet.year.desc())).all()
    counts = dict(db.session.execute(select(IndexResult.year, func.count()).group_by(IndexResult.year)).all())
    return render_template("web/results/dashboard.html", result_sets=result_sets, counts=counts)
