"""The staff start page."""
from flask import render_template

from ..results.ranking import available_years
from . import staff_blueprint

bp = staff_blueprint("admin", __name__)


@bp.route("/")
def dashboard():
    return render_template("web/admin/dashboard.html", years=available_years())
