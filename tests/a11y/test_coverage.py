"""Every route and every email template has a declaration for the accessibility checks (no browser needed)."""
from pathlib import Path

import pytest

from hti_comms import create_app
from tests.a11y.registry import EMAILS, NOT_PAGES, PAGES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"


@pytest.fixture(scope="module")
def app():
    """The app's URL map is all these tests need: no database is opened."""
    return create_app({"HTI_ENV": "test", "DATABASE_URL": "sqlite://"})


def _suggestion(endpoint: str, rule: str) -> str:
    domain = endpoint.split(".")[0].removesuffix("_admin")
    arguments = ", ".join(f'"{name}": …' for name in sorted(_arguments(rule)))
    args = f", args=lambda data: {{{arguments}}}" if arguments else ""
    return (f"  {endpoint} ({rule}): add to tests/{domain}/pages.py\n"
            f"      page(\"{endpoint}\"{args})\n"
            f"    or, if it renders no page of its own (a POST that redirects, JSON, a file):\n"
            f"      not_a_page(\"{endpoint}\", \"why, in a few words\")")


def _arguments(rule: str) -> list[str]:
    import re

    return re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)


def undeclared_routes(app) -> dict[str, str]:
    """Return endpoint -> rule of every route with neither a page declaration nor a not_a_page one."""
    declared = {p.endpoint for p in PAGES if p.endpoint} | {n.endpoint for n in NOT_PAGES}
    missing: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in declared:
            missing.setdefault(rule.endpoint, rule.rule)
    return missing


def test_every_route_is_checked_or_declared_as_no_page(app):
    missing = undeclared_routes(app)
    assert not missing, ("Pages without an accessibility check (tests/a11y/registry.py explains the lines):\n"
                         + "\n".join(_suggestion(e, r) for e, r in sorted(missing.items())))


def test_every_declaration_names_a_real_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(({p.endpoint for p in PAGES if p.endpoint} | {n.endpoint for n in NOT_PAGES}) - endpoints)
    assert not stale, f"Declared for the accessibility checks but no longer routes: {stale}; remove the lines."
    both = sorted({p.endpoint for p in PAGES} & {n.endpoint for n in NOT_PAGES})
    assert not both, f"Declared both as a page and as no page: {both}"


def test_every_email_template_is_checked():
    templates = {str(path.relative_to(TEMPLATES).with_suffix("")) for path in TEMPLATES.rglob("*.html")
                 if not path.name.startswith("_") and path.parent != TEMPLATES}
    declared = {e.template for e in EMAILS}
    missing = sorted(templates - declared)
    assert not missing, ("Email templates without an accessibility check; add to tests/<domain>/pages.py:\n"
                         + "\n".join(f'  email("{t}", build=lambda data: <the Send, or (EmailSpec, Recipient)>)'
                                     for t in missing))
    assert not declared - templates, f"Declared emails with no template: {sorted(declared - templates)}"


def test_a_new_route_without_a_declaration_is_caught():
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": "sqlite://"})
    app.add_url_rule("/evenemang/<slug>/anmalan", "events.register", lambda slug: "")
    assert undeclared_routes(app) == {"events.register": "/evenemang/<slug>/anmalan"}
    message = _suggestion("events.register", "/evenemang/<slug>/anmalan")
    assert "tests/events/pages.py" in message and 'page("events.register", args=lambda data: {"slug": …})' in message
