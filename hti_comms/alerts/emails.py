"""The alerts' emails: the confirmation link, and at the publication each municipality's short result.

The result says the municipality's index and place in the talking points' own sentence, and the change since
last year in their trend sentence (whose words belong to `briefs.wording.IndexChange`): one owner of each
sentence, never a second copy. It is rendered once per municipality and sent to every follower of it.
"""
from __future__ import annotations

from ..delivery.api import EmailSpec, Recipient, enqueue
from .owners import confirmation_owner, result_owner
from ..formatting import genitive
from ..links import absolute
from .links import ALERT_LIST_KEY, confirmation_url
from .models import AlertSubscriber

RESULT_KIND = "municipality_alert"
CONFIRM_KIND = "alert_confirmation"


def queue_confirmation(subscriber: AlertSubscriber) -> None:
    """Queue the email with the confirmation link (transactional: it goes although nothing is confirmed yet)."""
    from .services import waiting_municipalities

    names = [m.short_name for m in waiting_municipalities(subscriber)]
    spec = EmailSpec(template="alerts/confirm", subject="Bekräfta: resultatet för din kommun med e-post",
                     context={"municipalities": _names(names)}, kind=CONFIRM_KIND,
                     owner=confirmation_owner(subscriber.id))
    enqueue(spec, [Recipient(subscriber.email, "", fields={"confirm_url": confirmation_url(subscriber.link_key)},
                             link_key=subscriber.link_key)])


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def result_reference(year: int, code: str) -> str:
    return f"alert:{year}:{code}"


def result_spec(points) -> EmailSpec:
    """Return the short result email of a municipality (its talking points for the year), one send per municipality."""
    municipality, year = points.municipality, points.year
    name = municipality.short_name
    return EmailSpec(
        template="alerts/result",
        subject=f"{name} i Hemtjänstindex {year}",
        context={"year": year, "municipality_name": name, "demo": points.texts("demo"),
                 "index_sentence": " ".join(points.texts("index", "missing")),
                 "change_sentence": " ".join(points.texts("trend")),
                 "results_url": absolute(f"/resultat/{year}/{municipality.code}"),
                 "link_text": f"Se {genitive(name)} resultat"},
        kind=RESULT_KIND, list_key=ALERT_LIST_KEY, reference=result_reference(year, municipality.code),
        owner=result_owner(year, municipality.code))
