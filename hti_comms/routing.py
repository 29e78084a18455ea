"""Route rules whose URL builders are made when first used, once per process.

Werkzeug turns every rule into two small Python functions (the URL builders) when the rule is added: it builds a
syntax tree and compiles it, about a millisecond a rule. With two hundred rules that was most of `create_app`'s
own time, paid by every process at start-up (most never build most URLs) and by every test, each of which builds
a new app. Here a rule's builders are made on its first `url_for`, and a builder made once is shared by every rule
with the same shape in the process (the builders are pure functions of the rule's parts: the rule object and its
converters are their first argument)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from werkzeug.routing import Rule

_BUILDERS: dict[tuple, Callable] = {}
_LOCK = threading.Lock()


class LazyRule(Rule):
    """A werkzeug `Rule` whose builders are compiled on first use and shared between alike rules."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable:
        attribute = "_build_unknown" if append_unknown else "_build"

        # Positional-only: the values are the URL's, and a route argument or query argument may be called `rule`
        # (werkzeug's own builders name their first argument ".self", which no keyword can be).
        def build_on_first_use(rule: LazyRule, /, **values):
            builder = rule._shared_builder(append_unknown)
            setattr(rule, attribute, builder.__get__(rule, None))
            return builder(rule, **values)

        return build_on_first_use

    def _shared_builder(self, append_unknown: bool) -> Callable:
        defaults = self.defaults or {}
        # What the compiled function depends on: the parts of the rule (static text and argument names), the
        # defaults' names in order, and the URL text of a default that fills a part of the rule.
        key = (self.rule, tuple(self._trace), append_unknown,
               tuple((name, self._converters[name].to_url(value) if name in self._converters else None)
                     for name, value in defaults.items()))
        builder = _BUILDERS.get(key)
        if builder is None:
            with _LOCK:
                builder = _BUILDERS.get(key)
                if builder is None:
                    builder = _BUILDERS[key] = Rule._compile_builder(self, append_unknown)
        return builder
