"""Every email template as its reader gets it, in Debian's chromium at 360 px (a phone) and 640 px.

Per email and width: no serious or critical axe violation, no sideways scrolling, no text under 18 px, plain
Swedish in the HTML and the text part, a preheader, a sentence saying why the reader gets it and a contact
footer. The brief's chart keeps its text at 14 px or more on a phone.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest

from tests.a11y import checks
from tests.a11y.conftest import email_params
from tests.a11y.language import internal_codes, leaks

pytestmark = pytest.mark.browser

WIDTHS = (360, 640)
MIN_CHART_TEXT_PX = 14.0


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    #: (content type, bytes) of each inline image, by content id.
    images: dict


def render_email(site, example) -> RenderedEmail:
    """Build the email as its declaration says and render it for its first recipient, as the worker does."""
    def make(data):
        from sqlalchemy import select

        from hti_comms.delivery.models import OutboxMessage, Send
        from hti_comms.delivery.outbox import EmailSpec
        from hti_comms.delivery.render import render_preview
        from hti_comms.extensions import db

        built = example.build(data)
        if isinstance(built, Send):
            row = db.session.scalar(
                select(OutboxMessage).where(OutboxMessage.send_id == built.id).order_by(OutboxMessage.id).limit(1))
            template, context, subject, list_key = built.template, built.context or {}, built.subject, built.list_key
            email, name, fields = row.email, row.name, row.fields or {}
            images = {a.content_id: (a.content_type, a.data) for a in built.attachments if a.content_id}
        else:
            spec, recipient = built
            assert isinstance(spec, EmailSpec)
            template, context, subject, list_key = spec.template, spec.context, spec.subject, spec.list_key
            email, name, fields = recipient.email, recipient.name, recipient.fields
            images = {a.content_id: (a.content_type, a.data) for a in spec.attachments if a.content_id}
        assert template == example.template, f"{example.name} built a {template} email"
        html, text = render_preview(template, context, subject=subject, list_key=list_key, email=email, name=name,
                                    fields=fields)
        return RenderedEmail(subject, html, text, images)

    with site.app.app_context():
        return site.data.get(f"email:{example.name}", make)


def with_inline_images(rendered: RenderedEmail) -> str:
    """Return the HTML with cid: images as data URIs, as a mail client shows the related parts."""
    html = rendered.html
    for content_id, (content_type, data) in rendered.images.items():
        html = html.replace(f"cid:{content_id}", f"data:{content_type};base64," + base64.b64encode(data).decode())
    return html


@pytest.fixture(scope="session")
def email_page(chromium):
    context = chromium.new_context(locale="sv-SE", viewport={"width": 640, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def show(page, rendered: RenderedEmail, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_content(with_inline_images(rendered), wait_until="load")
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("example", email_params())
def test_email(example, width, a11y_site, email_page):
    rendered = render_email(a11y_site, example)
    page = show(email_page, rendered, width)
    checks.screenshot(page, f"email.{example.name}.{width}", full_page=True)
    findings: dict[str, list[str]] = {}

    result = checks.run_axe(page)
    if result.other:
        print(f"\n{example.name} at {width} px: axe violations below serious (not failing):\n{result.describe('other')}")
    findings["axe"] = [result.describe()] if result.blocking else []
    findings["sideways scrolling"] = checks.horizontal_overflow(page)
    findings["text under 18 px"] = checks.small_text(page)
    findings["colour alone"] = checks.links_told_apart_by_colour_only(page)
    codes = internal_codes(a11y_site.app)
    findings["plain Swedish (HTML)"] = leaks(checks.visible_text(page) + "\n" + rendered.subject, codes)
    findings["plain Swedish (text part)"] = leaks(rendered.text, codes)

    parts = page.evaluate("""() => ({
        preheader: (document.querySelector('.preheader') || {}).textContent || '',
        reason: (document.querySelector('.footer .reason') || {}).textContent || '',
        contact: (document.querySelector('.footer .contact') || {}).textContent || '',
    })""")
    findings["preheader"] = [] if parts["preheader"].strip() else ["no preheader ({% block preheader %})"]
    findings["why the reader gets it"] = [] if parts["reason"].strip() else [
        "no sentence saying why the reader gets the email ({% block reason %})"]
    contact = a11y_site.app.jinja_env.globals["site_contact"].email
    findings["contact footer"] = [] if contact in parts["contact"] and contact in rendered.text else [
        f"the footer does not give {contact} in both parts"]

    failed = {check: found for check, found in findings.items() if found}
    assert not failed, f"{example.name} at {width} px:\n" + "\n".join(
        f"- {check}:\n    " + "\n    ".join(found) for check, found in failed.items())


def _example(name):
    return next(p.values[0] for p in email_params() if p.values[0].name == name)


def test_long_fallback_link_wraps_and_stays_a_link(a11y_site, email_page):
    rendered = render_email(a11y_site, _example("subscribers/confirm"))
    page = show(email_page, rendered, 360)
    link = page.locator("a.fallback-link")
    href = link.get_attribute("href")
    assert href.startswith(a11y_site.base_url + "/bekrafta/") and link.inner_text() == href
    box = link.bounding_box()
    assert box["x"] + box["width"] <= 360, "the confirmation link is wider than the phone"
    assert box["height"] > 40, "a link this long must wrap onto several lines"


def test_brief_chart_text_is_at_least_14_px_on_a_phone(a11y_site, email_page):
    from matplotlib.text import Text

    from hti_comms.briefs.charts import chart_figure
    from tests.briefs.pages import brief_points

    with a11y_site.app.app_context():
        points = brief_points(a11y_site.data)
        figure = chart_figure(points.sub_indices, points.municipality.short_name)
    texts = [t for t in figure.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert len(texts) >= 12  # four names, eight values, axis numbers and the legend
    smallest_png_px = min(t.get_fontsize() for t in texts) * figure.dpi / 72
    png_width = figure.get_figwidth() * figure.dpi

    page = show(email_page, render_email(a11y_site, _example("briefs/local_brief")), 360)
    shown = page.evaluate("() => { const img = document.querySelector('p.chart img');"
                          " return {shown: img.getBoundingClientRect().width, natural: img.naturalWidth}; }")
    assert shown["natural"] == round(png_width)
    smallest_on_screen = smallest_png_px * shown["shown"] / shown["natural"]
    assert smallest_on_screen >= MIN_CHART_TEXT_PX, (
        f"the chart's smallest text is {smallest_on_screen:.1f} px on a 360 px phone")


def test_figure_tables_stack_on_a_phone_and_name_each_value(a11y_site, email_page):
    page = show(email_page, render_email(a11y_site, _example("briefs/local_brief")), 360)
    row = page.locator("table.figures tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert "Genomsnitt: " in row.inner_text() and "Skillnad: " in row.inner_text()
    page = show(email_page, render_email(a11y_site, _example("briefs/local_brief")), 640)
    row = page.locator("table.figures tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert "Genomsnitt: " not in row.inner_text()
