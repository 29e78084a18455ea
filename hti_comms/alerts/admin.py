"""Staff page: how many follow which municipality, and what each publication's alerts did."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from ..extensions import db
from ..geo.services import municipalities_by_code
from ..staff import staff_blueprint
from .models import AlertRound, AlertStatus, AlertSubscriber
from .publication import counts, held_sentences
from .services import follower_counts

bp = staff_blueprint("alerts_admin", __name__, "/min-kommun")


@bp.route("/")
def index():
    by_status = dict(db.session.execute(select(AlertSubscriber.status, func.count()).group_by(
        AlertSubscriber.status)).all())
    names = {code: m.short_name for code, m in municipalities_by_code().items()}
    followed = sorted(((names.get(code, code), number) for code, number in follower_counts().items()),
                      key=lambda item: (-item[1], item[0]))
    rounds = [(round_, counts(round_.year), held_sentences(round_.year)) for round_ in db.session.scalars(
        select(AlertRound).order_by(AlertRound.year.desc()))]
    return render_template("web/alerts/admin/index.html", confirmed=by_status.get(AlertStatus.CONFIRMED, 0),
                           pending=by_status.get(AlertStatus.PENDING, 0), followed=followed, rounds=rounds)
