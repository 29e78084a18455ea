"""One declaration per domain: what a package brings to the application.

Every domain package (`hti_comms/<domain>/__init__.py`) defines `DOMAIN = Domain(...)` naming its tables,
blueprints, staff menu entries, CLI commands, scheduler sweeps, kinds of email with their Swedish labels and
its share of a person's data. `create_app` walks `hti_comms.DOMAINS` and calls `init_app` on each, so adding a
domain is one package plus one line in that tuple. Names of modules and objects are written as strings
relative to the domain's package (".admin:bp"), imported when the app is built (tables and pages) or when first
used (commands, sweeps, the functions other domains call), so that a package's `__init__` stays free of import
cycles and a process imports only what it uses.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class MenuEntry:
    """A link in the staff menu: the endpoint and its Swedish label."""

    endpoint: str
    label: str
    #: A config key: the entry shows only when that setting is true (e.g. Testpost only with the local mail sink).
    setting: str | None = None


@dataclass(frozen=True)
class SendReference:
    """What a send is about (`EmailSpec.reference`), in words staff read, and the staff page about it."""

    label: str
    url: str | None = None


@dataclass(frozen=True)
class PersonalData:
    """A domain's part of what is stored about a person: exported on request, erased on request.

    `export` names a function `(Person) -> list | dict | None` whose result is shown under `label` (Swedish);
    `erase` names a function `(Person) -> int` that removes or anonymises the rows and returns how many.
    `privacy` says in plain Swedish what is kept, why and for how long; the public privacy page
    (/integritet) lists it, so it must stay true to what the code keeps. `{SETTING}` is replaced by the
    configured value (e.g. `{SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS}`).
    `tables` names the tables whose rows hold this data about a person; the whole-app test
    (tests/test_personal_data.py) fails when a person's address or name is found in a table no declaration names.
    """

    label: str
    export: str | None = None
    erase: str | None = None
    privacy: str = ""
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class OverviewPart:
    """One block of the staff overview (`/admin/`): the group it goes under, its template and what it shows.

    Groups, in the order the page shows them: "next" (the countdown), "waiting" (what waits for someone),
    "coming" (the next sends and events) and "results". Within a group, parts are shown by `order`.
    """

    group: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 50


#: The groups of the staff overview, in order, with their headings.
OVERVIEW_GROUPS = {"next": "Nästa steg", "waiting": "Väntar på någon", "coming": "Kommande utskick och evenemang",
                   "results": "Senaste resultaten"}


@dataclass(frozen=True)
class Domain:
    """What one package brings to the application (see the module docstring)."""

    #: The package, e.g. "hti_comms.events"; relative names below are resolved against it.
    package: str
    #: Modules whose import defines the domain's tables (SQLAlchemy metadata, hence Alembic, sees them).
    models: tuple[str, ...] = ()
    #: "module:attribute" of each blueprint, registered in this order.
    blueprints: tuple[str, ...] = ()
    #: Modules whose import adds pages to one of those blueprints (a staff blueprint split along its pages);
    #: imported before the blueprints are registered, so the blueprint's own module need not import them.
    routes: tuple[str, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    #: Modules whose import adds commands to the `hti` command group.
    commands: tuple[str, ...] = ()
    #: Modules whose `@sweep` functions the scheduler process runs (collected into the app's registry).
    sweeps: tuple[str, ...] = ()
    #: "module:attribute"s naming the domain's newsletter section kinds (`newsletters.sections.SectionKind`).
    section_kinds: tuple[str, ...] = ()
    #: Kinds of email the domain sends (`EmailSpec.kind`) with the words staff see for them.
    send_kinds: Mapping[str, str] = field(default_factory=dict)
    #: "module:function" `(Owner) -> SendReference | None`: how the domain describes the owner of a send it made
    #: (`delivery.owner.Owner`, whose `domain` is this domain's name) to staff, with a link to its page.
    describe_owner: str | None = None
    #: "module:function" `(Owner) -> release.CarriedResults | None`: which index year's results (and whose) a send
    #: of this owner carries; the release guards hold it until it may go out. None: the domain sends no results.
    owner_results: str | None = None
    personal_data: tuple[PersonalData, ...] = ()
    #: "module:function"s `(Content) -> list[Finding]` run on authored content before it is sent or published
    #: (`hti_comms.release.check_content`); the publication domain refuses unpublished figures here.
    content_checks: tuple[str, ...] = ()
    #: "module:function"s `(SendView) -> Hold | None` (the send's owner, id and kind) the delivery worker asks before sending a send's messages
    #: (`hti_comms.release.send_hold`); a hold keeps the rows waiting instead of sending them.
    release_guards: tuple[str, ...] = ()
    #: "module:function"s `() -> Iterable[str]` giving the addresses the domain has already sent out (links of
    #: sent newsletters, of events that took place): the lookalike-link check (`hti_comms.linkcheck`) compares
    #: new links with their hosts too.
    link_history: tuple[str, ...] = ()
    #: "module:function"s `(SendView, Sequence[Addressee]) -> {Addressee: reason}` the worker asks for the rows it has
    #: just claimed (`hti_comms.release.refused_recipients`); a refused recipient's message is cancelled with the
    #: reason instead of sent (someone no longer entitled to what the send carries).
    recipient_guards: tuple[str, ...] = ()
    #: "module:function"s `(Send, added: int) -> None` that `delivery.outbox.enqueue` calls after writing a send's
    #: new rows, in the caller's transaction (the approvals domain holds a large send a staff member started).
    send_hooks: tuple[str, ...] = ()
    #: "module:function"s `() -> OverviewPart | None`: the domain's blocks on the staff overview (`/admin/`).
    overview: tuple[str, ...] = ()
    #: "module:function"s `(year) -> list[steps.Step]`: the domain's steps of a year's cycle, shown on the
    #: publication timeline and the year plan (briefs and alerts at publication, events, newsletters).
    year_steps: tuple[str, ...] = ()
    #: {list key: path}: the domain's own one-click unsubscribe page for list mail it sends on a list of its own
    #: (not a subscribers list); `links.unsubscribe_url` sends the recipient there.
    unsubscribe_paths: Mapping[str, str] = field(default_factory=dict)
    #: "module:function" run by every `hti init-db` (idempotent); returns a Swedish line to print, or None.
    initial_data: str | None = None
    #: "module:function" run by `hti init-db --demo` on a database nobody uses yet; returns a line or None.
    demo_data: str | None = None
    #: "module:function" called with the app last, for what fits nowhere above (context processors, hooks).
    setup: str | None = None

    @property
    def name(self) -> str:
        return self.package.rsplit(".", 1)[-1]

    def resolve(self, reference: str) -> Any:
        """Return the object named "module:attribute" (or the module named "module") relative to the package."""
        module_name, _, attribute = reference.partition(":")
        module = importlib.import_module(module_name, self.package)
        return getattr(module, attribute) if attribute else module

    def init_app(self, app: Flask) -> None:
        """Register everything the domain declares on `app`.

        Its commands, sweeps and the functions other domains call (checks, guards, hooks, overview parts, year
        steps, owners) are imported when first used: by `hti`, the scheduler, or the page or send that asks.
        """
        # Refused declarations (a second copy, a kind another domain has) stop before anything is registered.
        app.extensions.setdefault("hti_domains", DomainRegistry()).add(self)
        for module in (*self.models, *self.routes):
            self.resolve(module)
        for blueprint in self.blueprints:
            app.register_blueprint(self.resolve(blueprint))
        if self.setup:
            self.resolve(self.setup)(app)


def _declared_functions(declaration: str) -> cached_property:
    """A registry attribute: the functions every domain names in `declaration`, in order, imported on first use."""
    return cached_property(lambda registry: [domain.resolve(name) for domain in registry.domains
                                             for name in getattr(domain, declaration)])


class DomainRegistry:
    """What the domains of one app declared, in their order: menu, send kinds, personal data.

    The functions the domains name ("module:function") are imported on first use of each attribute, not when the
    app is built: every process builds the app, and most use few of them (a web worker no sweep, the scheduler
    no overview part). Adding a domain later forgets what was imported, so the next use sees its functions too.
    """

    #: Attributes made on first use from the domains' declarations.
    LAZY = ("sweeps", "describe_owner", "owner_results", "content_checks", "release_guards", "link_history",
            "recipient_guards", "send_hooks", "overview", "year_steps")

    def __init__(self) -> None:
        self.domains: list[Domain] = []
        self.menu: list[MenuEntry] = []
        self.send_kinds: dict[str, str] = {}
        self.personal_data: list[tuple[Domain, PersonalData]] = []
        self.unsubscribe_paths: dict[str, str] = {}
        #: key -> newsletters.sections.SectionKind.
        self.section_kinds: dict = {}

    def add(self, domain: Domain) -> None:
        if any(d.package == domain.package for d in self.domains):
            raise ValueError(f"the domain {domain.package} is declared twice")
        if any(d.name == domain.name for d in self.domains):
            # A send's owner names its domain by this name: two domains may not share it.
            raise ValueError(f"two domains are named {domain.name!r}")
        for kind in domain.send_kinds:
            if kind in self.send_kinds:
                raise ValueError(f"two domains declare the send kind {kind!r}")
        for list_key in domain.unsubscribe_paths:
            if list_key in self.unsubscribe_paths:
                raise ValueError(f"two domains declare the unsubscribe page of the list {list_key!r}")
        kinds = [domain.resolve(name) for name in domain.section_kinds]
        for kind in kinds:
            if kind.key in self.section_kinds:
                raise ValueError(f"two section kinds are called {kind.key!r}")
        self.domains.append(domain)
        for name in self.LAZY:
            self.__dict__.pop(name, None)
        self.section_kinds.update((kind.key, kind) for kind in kinds)
        self.menu.extend(domain.menu)
        self.send_kinds.update(domain.send_kinds)
        self.personal_data.extend((domain, item) for item in domain.personal_data)
        self.unsubscribe_paths.update(domain.unsubscribe_paths)

    @cached_property
    def sweeps(self) -> dict:
        """name -> scheduling.sweeps.Sweep, in the order the domains declare them; a name used twice is refused."""
        from .scheduling.sweeps import sweeps_in

        found = {}
        for domain in self.domains:
            for module in domain.sweeps:
                for item in sweeps_in(domain.resolve(module)):
                    if item.name in found:
                        raise ValueError(f"two sweeps are called {item.name!r}")
                    found[item.name] = item
        return found

    @cached_property
    def describe_owner(self) -> dict[str, Callable]:
        return {d.name: d.resolve(d.describe_owner) for d in self.domains if d.describe_owner}

    @cached_property
    def owner_results(self) -> dict[str, Callable]:
        return {d.name: d.resolve(d.owner_results) for d in self.domains if d.owner_results}

    content_checks = _declared_functions("content_checks")
    release_guards = _declared_functions("release_guards")
    link_history = _declared_functions("link_history")
    recipient_guards = _declared_functions("recipient_guards")
    send_hooks = _declared_functions("send_hooks")
    overview = _declared_functions("overview")
    year_steps = _declared_functions("year_steps")

    def import_commands(self) -> None:
        """Import the modules that add the domains' commands to the `hti` group (done when `hti` is used)."""
        for domain in self.domains:
            for module in domain.commands:
                domain.resolve(module)

    def handlers(self, which: str) -> list[tuple[str, Callable]]:
        """Return (label, function) of every personal-data exporter or eraser (`which` = "export"/"erase")."""
        found = []
        for domain, item in self.personal_data:
            reference = getattr(item, which)
            if reference:
                found.append((item.label, domain.resolve(reference)))
        return found


def load_domains(app: Flask, packages: tuple[str, ...]) -> DomainRegistry:
    """Import each package's DOMAIN and initialise it on `app`, in order; return the registry."""
    for package in packages:
        domain = importlib.import_module(package).DOMAIN
        if domain.package != package:
            raise ValueError(f"{package}.DOMAIN says it is {domain.package}")
        domain.init_app(app)
    return registry(app)


def registry(app: Flask | None = None) -> DomainRegistry:
    """Return the registry of `app` (default: the current app)."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["hti_domains"]


def send_kind_label(kind: str) -> str:
    """Return the Swedish words for a kind of email, for staff pages."""
    return registry().send_kinds.get(kind, "Annat utskick")


def describe_owner(owner) -> SendReference | None:
    """Return what a send's owner is, as the domain that made it describes it (None when it does not)."""
    if owner is None:
        return None
    describe = registry().describe_owner.get(owner.domain)
    return describe(owner) if describe is not None else None
