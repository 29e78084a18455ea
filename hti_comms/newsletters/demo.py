"""Demo content for `make run`: one sent newsletter (with its archive page) and one draft circular."""
from __future__ import annotations

from datetime import timedelta

from .. import clock
from ..extensions import db
from ..status import transition
from .models import NEWSLETTER_TRANSITIONS, NewsletterKind, NewsletterStatus
from .render import render_newsletter
from .services import NewsletterFields, SectionFields, create_newsletter

DEMO_NOTE = "(Demo) "


def load() -> str:
    """Create the demo newsletter #13 (sent a week ago, in the archive) and a draft circular."""
    sent_at = clock.now() - timedelta(days=7)
    newsletter = create_newsletter(
        NewsletterKind.NEWSLETTER, DEMO_NOTE + "Ny rapport, rapportpaketet och hur Habo arbetar med sitt resultat",
        created_by="demo", is_demo=True, fields=NewsletterFields(number=13),
        sections=[
            SectionFields(title="Ny nationell rapport om hemtjänsten", body=(
                "Socialstyrelsen har publicerat en ny rapport om **kontinuiteten i hemtjänsten**: hur många olika "
                "personer en äldre träffar under två veckor.\n\nRapporten visar stora skillnader mellan kommunerna."),
                link_url="https://spfseniorerna.se/hemtjanstindex/rapport",
                link_text="Läs sammanfattningen av rapporten"),
            SectionFields(title="Förbeställ rapportpaketet nu", body=(
                "Kommuner som förbeställer rapportpaketet får\n\n"
                "- en sammanfattning av sitt eget resultat 24 timmar före publiceringen,\n"
                "- tillgång till analysverktyget med de nya siffrorna när listan publiceras,\n"
                "- sin skriftliga analys i den ordning beställningarna kom in."),
                link_url="https://spfseniorerna.se/hemtjanstindex/rapportpaket",
                link_text="Beställ rapportpaketet för din kommun"),
            SectionFields(title="Så arbetar Habo med sitt resultat", body=(
                "Habo analyserade de fyra delindexen och tog fram en handlingsplan för information och "
                "biståndshandläggning tillsammans med pensionärsrådet.")),
        ])
    newsletter.archive = render_newsletter(newsletter, purpose="archive", now=sent_at).context
    for status in (NewsletterStatus.SCHEDULED, NewsletterStatus.SENDING, NewsletterStatus.SENT):
        transition(newsletter, status, NEWSLETTER_TRANSITIONS)
    newsletter.scheduled_at = newsletter.started_at = sent_at
    newsletter.finished_at = sent_at + timedelta(minutes=3)
    newsletter.recipient_count = 0

    create_newsletter(
        NewsletterKind.CIRCULAR, DEMO_NOTE + "Kurser och webbinarier om Hemtjänstindex i höst",
        created_by="demo", is_demo=True,
        fields=NewsletterFields(heading="Hemtjänstindex i höst: kurser, webbinarium och publicering",
                                signature_name="Eva Exempel", signature_title="projektledare för Hemtjänstindex",
                                intro="Här är höstens tillfällen att lära sig mer om Hemtjänstindex."),
        sections=[
            SectionFields(title="Grundkurs om Hemtjänstindex", body=(
                "En digital grundkurs för dig med uppdrag i pensionärsråd eller seniorråd, **torsdag kl. "
                "10.00–11.30**. Förbundsordföranden och den vetenskapliga ledaren medverkar."),
                link_url="https://spfseniorerna.se/hemtjanstindex/grundkurs",
                link_text="Anmäl dig till grundkursen"),
            SectionFields(title="Publiceringen", body=(
                "Hemtjänstindex publiceras i början av december kl. 07.00 på webbplatsen. Det blir inget "
                "webbinarium den dagen.")),
        ])
    db.session.commit()
    return "Demo: nyhetsbrev #13 (skickat, i arkivet på /nyhetsbrev) och ett utkast till cirkulär."
