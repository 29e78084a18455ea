"""Staff page: decide for all of a send's unknown messages at once (count them as sent, or send them again)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..auth.roles import Role
from ..extensions import db
from ..formatting import format_integer
from ..staff import needs
from .admin import bp, _send_or_404
from .confirm import SHOWN, is_confirmed, people_text, preview_recipients
from .forms import ActionForm
from .models import SendStatus
from .services import DeliveryError
from .unknowns import Decision, resolve_unknowns, unknown_count, unknown_messages

#: What each decision about unknown messages does, said plainly before staff confirm it.
DECISION_TEXTS = {
    Decision.COUNT_AS_SENT: {
        "title": "Räkna {letters} som {sent}?",
        "what": "Breven räknas som skickade och skickas inte igen. Den som inte fick sitt brev får inget.",
        "button": "Ja, räkna {letters} som {sent}",
        "done": "{count} brev räknas som skickade.",
    },
    Decision.SEND_AGAIN: {
        "title": "Skicka brevet igen till {people}?",
        "what": "Brevet skickas en gång till till var och en av dem. Den som redan fick det första får det två "
                "gånger: servern kan ha tagit emot breven innan förbindelsen bröts, och det går inte att ta reda på "
                "vilka.",
        "button": "Ja, skicka igen till {people}",
        "done": "{count} brev skickas igen.",
    },
}


@bp.route("/<int:send_id>/okant-utfall/<decision>", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Bestämde om brev med okänt utfall", get=True)
def resolve_unknown(send_id: int, decision: str):
    """Decide for all of a send's unknown messages at once: ask first (who, how many, what happens), then act."""
    send = _send_or_404(send_id)
    if decision not in Decision.ALL:
        abort(404)
    texts = DECISION_TEXTS[decision]
    if is_confirmed():
        if not ActionForm().validate_on_submit():
            abort(400)
        expected = request.form.get("antal", type=int)
        try:
            count = resolve_unknowns(send_id, decision, expected=expected)
        except DeliveryError as exc:
            flash(str(exc), "error")
        else:
            flash(texts["done"].format(count=format_integer(count)), "success")
        return redirect(url_for(".send_detail", send_id=send_id))
    total = unknown_count(send_id)
    if not total:
        flash("Utskicket har inga brev med okänt utfall.", "error")
        return redirect(url_for(".send_detail", send_id=send_id))
    words = {"people": people_text(total), "letters": f"{format_integer(total)} brev",
             "sent": "skickat" if total == 1 else "skickade"}
    note = None
    if decision == Decision.SEND_AGAIN and send.status is SendStatus.PAUSED:
        note = "Utskicket är pausat: breven går när du trycker Fortsätt på utskickets sida."
    return render_template("web/delivery/unknown_confirm.html", send=send,
                           preview=preview_recipients(db.session.scalars(unknown_messages(send_id).limit(SHOWN)),
                                                      total),
                           title=texts["title"].format(**words), what=texts["what"],
                           note=note, button=texts["button"].format(**words),
                           back_url=url_for(".send_detail", send_id=send_id), total=total)
