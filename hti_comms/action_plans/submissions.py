"""What a municipality sends in through its personal link, and staff's review of it.

A contact of the municipality's report-package order proposes a new measure or a change to one (status, words,
link). Nothing of it is public: the proposal waits in `PlanSubmission` until a member of staff approves it, which
writes it into the register (a new measure, or a new version of the old one that names the proposal), or turns it
down with a note. Anyone can forward an email, so the link alone is never enough to publish anything.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..checks import error
from ..extensions import db
from ..inputs import BadInput, check_text
from ..status import transition
from .models import SUBMISSION_TRANSITIONS, Measure, PlanSubmission, SubmissionStatus
from .register import MeasureInput, PlanError, add_measure, check_measure, update_measure

MESSAGE_MAX = 2000
MESSAGE = "Meddelande till SPF Seniorerna"


def submit(year: int, municipality_code: str, contact_id: int | None, data: MeasureInput,
           measure_id: int | None = None, message: str = "") -> PlanSubmission:
    """Store a proposal for review (nothing public changes); commit. PlanError names each wrong field."""
    findings = []
    try:
        clean = check_measure(data)
    except PlanError as problem:
        findings += problem.findings
        clean = None
    measure = None
    if measure_id is not None:
        measure = db.session.get(Measure, measure_id)
        if measure is None or measure.year != year or measure.municipality_code != municipality_code:
            findings.append(error("Vilken åtgärd gäller det?", "Välj en av kommunens åtgärder i listan, eller "
                                                              "”En ny åtgärd”."))
    message = (message or "").strip()
    try:
        check_text(message, "Meddelandet")
    except BadInput as problem:
        findings.append(error(MESSAGE, str(problem)))
    if len(message) > MESSAGE_MAX:
        findings.append(error(MESSAGE, f"Högst {MESSAGE_MAX} tecken; nu är det {len(message)}."))
    if findings:
        raise PlanError(findings)
    submission = PlanSubmission(
        year=year, municipality_code=municipality_code, contact_id=contact_id, measure_id=measure_id,
        area=clean.area, text=clean.text, horizon=clean.horizon, status=clean.status,
        status_since=clean.status_since, source_url=clean.source_url, message=message, submitted_at=clock.now(),
        review_status=SubmissionStatus.PENDING)
    db.session.add(submission)
    db.session.commit()
    return submission


def pending(year: int | None = None, municipality_code: str | None = None) -> list[PlanSubmission]:
    """Return the proposals waiting for review, oldest first."""
    query = select(PlanSubmission).where(PlanSubmission.review_status == SubmissionStatus.PENDING)
    if year is not None:
        query = query.where(PlanSubmission.year == year)
    if municipality_code is not None:
        query = query.where(PlanSubmission.municipality_code == municipality_code)
    return list(db.session.scalars(query.order_by(PlanSubmission.submitted_at, PlanSubmission.id)))


def submissions_of(year: int, municipality_code: str) -> list[PlanSubmission]:
    """Return every proposal of the municipality for the year, newest first."""
    return list(db.session.scalars(select(PlanSubmission).where(
        PlanSubmission.year == year, PlanSubmission.municipality_code == municipality_code)
        .order_by(PlanSubmission.submitted_at.desc(), PlanSubmission.id.desc())))


def _as_input(submission: PlanSubmission) -> MeasureInput:
    # Without a date of its own, a new measure's status dates from the proposal; a changed one's from approval.
    since = submission.status_since
    if since is None and submission.measure is None:
        since = clock.to_stockholm(submission.submitted_at).date()
    return MeasureInput(submission.area, submission.text, submission.horizon, submission.status,
                        submission.source_url, since)


def approve(submission: PlanSubmission, *, actor: str) -> Measure:
    """Write the proposal into the register (public from now on) and mark it approved; commit. PlanError (nothing
    changed) when it no longer fits, e.g. a status the measure has since left."""
    if submission.review_status is not SubmissionStatus.PENDING:
        raise PlanError([error("Förslaget", f"är redan behandlat ({submission.review_status.label.lower()}).")])
    who = f"kommunen via sitt formulär, godkänt av {actor}"
    try:
        if submission.measure is not None:
            measure = submission.measure
            update_measure(measure, _as_input(submission), actor=who, submission=submission)
        else:
            measure = add_measure(submission.year, submission.municipality_code, _as_input(submission), actor=who,
                                  submission=submission)
            submission.measure_id = measure.id
        _review(submission, SubmissionStatus.APPROVED, actor)
        db.session.commit()
    except PlanError:
        db.session.rollback()
        raise
    return measure


def reject(submission: PlanSubmission, *, actor: str, note: str = "") -> None:
    """Turn the proposal down (nothing public changes), with a note for staff; commit."""
    if submission.review_status is not SubmissionStatus.PENDING:
        raise PlanError([error("Förslaget", f"är redan behandlat ({submission.review_status.label.lower()}).")])
    note = (note or "").strip()
    check_text(note, "Anteckningen")
    submission.review_note = note[:MESSAGE_MAX]
    _review(submission, SubmissionStatus.REJECTED, actor)
    db.session.commit()


def _review(submission: PlanSubmission, status: SubmissionStatus, actor: str) -> None:
    transition(submission, status, SUBMISSION_TRANSITIONS, attribute="review_status")
    submission.reviewed_at = clock.now()
    submission.reviewed_by = actor
