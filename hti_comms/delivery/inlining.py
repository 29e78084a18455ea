"""CSS inlining for email HTML with premailer, sharing each stylesheet's parsed rules between sends.

Imported only by `render.inline_css` when something is rendered: premailer brings cssutils, lxml and requests,
about a tenth of a second of start-up that the processes which never render (the mail sink, most commands) skip.

premailer is pinned to one exact version in pyproject.toml because `SharedRulesPremailer` overrides its private
`_parse_style_rules`. tests/delivery/test_render.py fails if that hook stops being called (a renamed or
restructured method after an upgrade), so an upgrade cannot silently lose the sharing.
"""
from __future__ import annotations

import logging
import re
from collections import Counter

from lxml import html as lxml_html
from premailer import Premailer

_CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
DOCTYPE = "<!DOCTYPE html>\n"


class SharedRulesPremailer(Premailer):
    """Premailer that turns each distinct stylesheet into rules once per process.

    Every send shares the base layout's stylesheet; premailer would re-serialise all its properties for every
    send, which is more than half the cost of rendering one (measured in bench/render.py). The options that
    shape the rules are the same for every instance made by `inline`, so the stylesheet text and its position
    are the whole key.
    """

    _rules_cache: dict[tuple[str, int], tuple] = {}
    #: The leftover rules (media queries) of a cached stylesheet as CSS text, by the identities of its rule
    #: objects: premailer re-serialises them, marking each property !important again, for every email — most of
    #: the cost of inlining a short email. The objects live in `_rules_cache`, so their ids are stable until
    #: both are emptied together.
    _leftover_text: dict[tuple[int, ...], str] = {}
    _CACHE_SIZE = 64
    #: "asked": how often premailer asked for a stylesheet's rules (the hook was called); "parsed": how often
    #: they had to be worked out. Read by the test that guards the pinned premailer version.
    calls: Counter = Counter()

    @classmethod
    def forget_rules(cls) -> None:
        cls._rules_cache.clear()
        cls._leftover_text.clear()
        cls._cached_leftovers.clear()

    @classmethod
    def forget(cls) -> None:
        """Empty the shared rules and the counts (for tests and measurements)."""
        cls._rules_cache.clear()
        cls._leftover_text.clear()
        cls._cached_leftovers.clear()
        cls.calls.clear()

    def _parse_style_rules(self, css_body, ruleset_index):
        self.calls["asked"] += 1
        key = (css_body, ruleset_index)
        cached = self._rules_cache.get(key)
        if cached is None:
            self.calls["parsed"] += 1
            cached = super()._parse_style_rules(css_body, ruleset_index)
            if len(self._rules_cache) >= self._CACHE_SIZE:
                self.forget_rules()
            self._rules_cache[key] = cached
            self._cached_leftovers.update(id(item) for item in cached[1])
        # premailer extends its own lists from these; hand out copies so the cached ones never change.
        rules, leftover = cached
        return list(rules), list(leftover)

    #: ids of the leftover rule objects held in `_rules_cache` (only those may be remembered by id).
    _cached_leftovers: set[int] = set()

    def _css_rules_to_string(self, rules):
        key = tuple(id(item) for item in rules)
        if not key or not all(part in self._cached_leftovers for part in key):
            return super()._css_rules_to_string(rules)
        self.calls["leftover asked"] += 1
        text = self._leftover_text.get(key)
        if text is None:
            self.calls["leftover serialised"] += 1
            text = self._leftover_text[key] = super()._css_rules_to_string(rules)
        return text


def inline(html: str) -> str:
    """Inline the <style> rules with premailer; nothing outside the document is ever fetched or read."""
    document = lxml_html.document_fromstring(html)
    # premailer would leave <link> in place for the mail client to fetch; an email carries its own CSS.
    for link in document.xpath("//link"):
        link.getparent().remove(link)
    for style in document.xpath("//style"):
        if style.text:
            style.text = _CSS_IMPORT.sub("", style.text)
    cleaned = lxml_html.tostring(document, encoding="unicode")
    inliner = SharedRulesPremailer(
        cleaned, base_url=None, allow_network=False, allow_loading_external_files=False,
        disable_validation=True, disable_link_rewrites=True, cssutils_logging_level=logging.CRITICAL,
        # The phone layout's media queries must beat the inlined styles, which only !important does.
        strip_important=False,
    )
    return DOCTYPE + inliner.transform(pretty_print=False)
