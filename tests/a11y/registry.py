"""Which pages and emails the accessibility checks visit: one declaration per page, next to its domain's tests.

Every domain's `tests/<domain>/pages.py` declares its pages and emails with one line each:

    page("events.register", args=lambda data: {"slug": data.get("event", make_event).slug})
    page("events.register", state="fel", then=submit_empty_form)     # a second state of the same page
    not_a_page("events.ics", "a calendar file, not a page")
    email("events/invitation", build=lambda data: (spec, recipient))

`tests/a11y/test_coverage.py` compares these with the app's URL map and with `templates/emails/`, so a route
or an email template without a declaration fails the suite with a message naming the line to add. `args`
and `build` run inside the shared a11y app (tests/a11y/conftest.py) with `data`, a `PageData` that keeps what
a declaration creates (a contact, a send) for the others to reuse.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageExample:
    """One page (or one state of a page) that the accessibility checks visit."""

    endpoint: str | None
    #: URL arguments for `url_for(endpoint, **args)`: a mapping or a function of the shared `PageData`.
    args: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None = None
    #: A literal path instead of an endpoint (error pages have no endpoint of their own).
    path: str | None = None
    #: Names a second state of a page ("fel" = the form with errors); part of the test id.
    state: str = ""
    #: Drives the browser page to that state after it loaded: `then(page)`.
    then: Callable[[Any], None] | None = None
    #: Why this page is known to fail the checks today; the test is xfail(strict=True) until it is fixed.
    known_failure: str | None = None
    #: The module that declared it, for messages.
    declared_in: str = ""

    @property
    def name(self) -> str:
        base = self.endpoint or self.path or "?"
        return f"{base}:{self.state}" if self.state else base

    def url_args(self, data) -> dict[str, Any]:
        if callable(self.args):
            return dict(self.args(data))
        return dict(self.args or {})


@dataclass(frozen=True)
class NotAPage:
    """An endpoint that renders no page of its own (a POST that redirects, JSON, a file), and why."""

    endpoint: str
    reason: str
    declared_in: str = ""


@dataclass(frozen=True)
class EmailExample:
    """One email template with the context it is sent with: `build(data) -> (EmailSpec, Recipient)`."""

    template: str
    build: Callable[[Any], tuple[Any, Any]]
    state: str = ""
    known_failure: str | None = None
    declared_in: str = ""

    @property
    def name(self) -> str:
        return f"{self.template}:{self.state}" if self.state else self.template


PAGES: list[PageExample] = []
NOT_PAGES: list[NotAPage] = []
EMAILS: list[EmailExample] = []


def _caller_module() -> str:
    """Return the module that called page(), not_a_page() or email()."""
    import sys

    return sys._getframe(2).f_globals.get("__name__", "?")


def page(endpoint: str | None = None, *, args=None, path: str | None = None, state: str = "", then=None,
         known_failure: str | None = None) -> PageExample:
    """Declare a page (or one state of it) for the accessibility checks."""
    if (endpoint is None) == (path is None):
        raise ValueError("give either an endpoint or a path")
    example = PageExample(endpoint, args, path, state, then, known_failure, _caller_module())
    if any(p.name == example.name for p in PAGES):
        raise ValueError(f"the page {example.name} is declared twice; give the second one a state=")
    PAGES.append(example)
    return example


def not_a_page(endpoint: str, reason: str) -> NotAPage:
    """Declare an endpoint that renders no page (say why, in a few words)."""
    item = NotAPage(endpoint, reason, _caller_module())
    NOT_PAGES.append(item)
    return item


def email(template: str, build, *, state: str = "", known_failure: str | None = None) -> EmailExample:
    """Declare an email template (templates/emails/<template>.html) with how to build one as it is sent."""
    example = EmailExample(template, build, state, known_failure, _caller_module())
    if any(e.name == example.name for e in EMAILS):
        raise ValueError(f"the email {example.name} is declared twice; give the second one a state=")
    EMAILS.append(example)
    return example


def load_declarations() -> None:
    """Import every `tests/<domain>/pages.py` once, which fills PAGES, NOT_PAGES and EMAILS."""
    for path in sorted(TESTS_DIR.glob("*/pages.py")):
        importlib.import_module(f"tests.{path.parent.name}.pages")


class PageData:
    """What the declarations create inside the shared a11y app, made once and then reused by name."""

    def __init__(self, app, staff_user):
        self.app = app
        self.staff_user = staff_user
        self._made: dict[str, Any] = {}

    def get(self, key: str, make: Callable[["PageData"], Any]) -> Any:
        """Return the thing stored under `key`, making it with `make(data)` the first time."""
        if key not in self._made:
            self._made[key] = make(self)
        return self._made[key]
