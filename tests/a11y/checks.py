"""The accessibility checks run in the browser: axe-core, and what axe cannot see (text size, focus, scrolling).

Each check takes a Playwright page that shows what is to be checked and returns a list of findings (Swedish
or English sentences naming the element); an empty list means the check passed. The tests assert on these
lists, and `test_checks_bite.py` breaks pages on purpose to show that each check reports what it should.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

A11Y_DIR = Path(__file__).resolve().parent
AXE_SCRIPT = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT_DIR = A11Y_DIR.parent / "output"
#: WCAG 2.1 level A and AA: the rules the issue asks for.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
#: Body text on public pages and in emails, in CSS pixels.
MIN_BODY_TEXT_PX = 18.0
MIN_FOCUS_CONTRAST = 3.0


@lru_cache(maxsize=1)
def axe_source() -> str:
    """Return axe-core's script, installed by `make test` (npm ci in tests/a11y)."""
    if not AXE_SCRIPT.exists():
        message = f"{AXE_SCRIPT} is missing; `make test` installs it (npm ci in tests/a11y)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


@dataclass
class AxeResult:
    blocking: list[dict] = field(default_factory=list)
    other: list[dict] = field(default_factory=list)

    def describe(self, which: str = "blocking") -> str:
        lines = []
        for v in getattr(self, which):
            lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['count']} ställen) – {v['help_url']}")
            lines.extend(f"    {target}" for target in v["targets"])
        return "\n".join(lines)


def run_axe(page) -> AxeResult:
    """Inject axe-core into the page and return the WCAG 2.1 A/AA violations, serious and critical apart."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    violations = page.evaluate(
        """async (tags) => {
             const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']});
             return result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, help_url: v.helpUrl, count: v.nodes.length,
               targets: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '')
                                                    .replace(/\\s+/g, ' ').slice(0, 200)),
             }));
           }""",
        WCAG_TAGS,
    )
    result = AxeResult()
    for violation in violations:
        (result.blocking if violation["impact"] in BLOCKING_IMPACTS else result.other).append(violation)
    return result


# Shared JavaScript: visibility and the effective background behind an element.
_JS_HELPERS = """
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.opacity === '0') return false;
      if (e.getAttribute('aria-hidden') === 'true') return false;
      if (s.clip === 'rect(0px, 0px, 0px, 0px)' && s.position === 'absolute') return false;
    }
    return true;
  };
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.className && typeof el.className === 'string') text += '.' + el.className.trim().split(/\\s+/).join('.');
    const words = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return words ? `${text} ”${words}”` : text;
  };
  const parseColour = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parseColour(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
"""


def small_text(page, minimum: float = MIN_BODY_TEXT_PX) -> list[str]:
    """Return the visible texts set smaller than `minimum` CSS pixels (computed style)."""
    return page.evaluate(
        "(minimum) => {" + _JS_HELPERS + """
           const found = [];
           const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
           const seen = new Set();
           for (let node = walker.nextNode(); node; node = walker.nextNode()) {
             const el = node.parentElement;
             if (!el || seen.has(el) || !node.textContent.trim()) continue;
             seen.add(el);
             if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TITLE', 'OPTION'].includes(el.tagName)) continue;
             if (!visible(el)) continue;
             const size = parseFloat(getComputedStyle(el).fontSize);
             if (size + 0.01 < minimum) found.push(`${describe(el)}: ${size} px`);
           }
           return found;
         }""",
        minimum,
    )


def horizontal_overflow(page) -> list[str]:
    """Return a finding when the page scrolls sideways (a data table scrolling inside its own box is fine)."""
    return page.evaluate(
        "() => {" + _JS_HELPERS + """
           const root = document.documentElement;
           const width = root.clientWidth;
           if (root.scrollWidth <= width + 1) return [];
           // How far an element reaches: its box, or its content when that spills out of the box.
           const reach = (el) => {
             const r = el.getBoundingClientRect();
             const spills = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible';
             return spills ? Math.max(r.right, r.left + el.scrollWidth) : r.right;
           };
           const wide = [...document.body.querySelectorAll('*')]
             .filter(el => reach(el) > width + 1 && visible(el))
             .filter(el => ![...el.children].some(c => reach(c) > width + 1))
             .slice(0, 5).map(el => `${describe(el)} reaches ${Math.round(reach(el))} px`);
           return [`the page is ${root.scrollWidth} px wide in a ${width} px window`, ...wide];
         }"""
    )


#: The focus-ring rule as a JavaScript function, shared by the per-element check and the one-call Tab stop below.
_FOCUS_PROBLEM_JS = """
    function focusProblem(el, minimum) {
       const style = getComputedStyle(el);
       const width = parseFloat(style.outlineWidth);
       if (style.outlineStyle === 'none' || !(width >= 2)) {
         return `${describe(el)} shows no focus outline (outline: ${style.outlineStyle} ${style.outlineWidth})`;
       }
       const ring = parseColour(style.outlineColor);
       // The ring is drawn outside the element (outline-offset), so it stands against what is behind it.
       const behind = background(el.parentElement || el);
       const ratio = contrast(ring, behind);
       if (ratio + 0.005 < minimum) {
         return `${describe(el)}: focus outline ${style.outlineColor} has ${ratio.toFixed(2)}:1 against its background`;
       }
       return null;
    }"""


def focus_indicator(page, element_handle) -> str | None:
    """Return a finding unless the focused element shows an outline of ≥ 2 px with ≥ 3:1 contrast around it."""
    return element_handle.evaluate(
        "(el, minimum) => {" + _JS_HELPERS + _FOCUS_PROBLEM_JS + " return focusProblem(el, minimum); }",
        MIN_FOCUS_CONTRAST,
    )


#: A Tab stop read in one call: its identity and its focus-ring finding, or null when focus is on a frame (which
#: needs the slow reading in `focused_element`) or nowhere.
_TAB_STOP_JS = "(minimum) => {" + _JS_HELPERS + _FOCUS_PROBLEM_JS + """
    const el = document.activeElement;
    if (!el || el.tagName === 'IFRAME') return null;
    if (el === el.ownerDocument.body) return {key: 'body', problem: null};
    return {key: el.outerHTML.slice(0, 200) + el.getBoundingClientRect().top, problem: focusProblem(el, minimum)};
}"""


def _active_element(page):
    """The element that holds keyboard focus, looking into frames (the email previews, sandboxed or not)."""
    element = page.evaluate_handle("() => document.activeElement").as_element()
    while element is not None and element.evaluate("el => el.tagName") == "IFRAME":
        frame = element.content_frame()
        inner = frame.evaluate_handle("() => document.activeElement").as_element() if frame else None
        if inner is None or inner.evaluate("el => el === el.ownerDocument.body"):
            break
        element = inner
    return element


def focused_element(page, attempts: int = 20, pause_ms: int = 50):
    """The element a Tab press has settled on.

    A sandboxed preview frame runs in another Chromium process. Tab first gives the frame element focus and then
    passes the move into the frame's own document, which takes its first link or hands focus back to the page
    when it has none; the frame's ring is drawn by a class that site.js sets on the frame's focus event, which
    also arrives a moment later. Read at once, focus can be caught on a frame it is passing through, so a frame
    counts as a stop only once focus has stayed on it and its ring had the time to appear.
    """
    element = _active_element(page)
    for _ in range(attempts):
        if element is None or element.evaluate("el => el.tagName") != "IFRAME":
            return element
        page.wait_for_timeout(pause_ms)
        still = _active_element(page)
        stays = (still is not None and still.evaluate("el => el.tagName") == "IFRAME"
                 and element.evaluate("el => el.ownerDocument.activeElement === el"))
        if stays:
            try:
                page.wait_for_function(
                    "el => getComputedStyle(el).outlineStyle !== 'none'", arg=element, timeout=1000)
            except PlaywrightTimeoutError:
                pass  # the check that follows reports the missing ring
            return element
        element = still
    return element


def start_keyboard_from_top(page) -> None:
    """Make the next Tab go to the first focusable element, as after loading (wherever focus was before)."""
    page.evaluate("""() => {
        const body = document.body;
        body.setAttribute('tabindex', '-1');
        body.focus({preventScroll: true});
        body.removeAttribute('tabindex');
        window.scrollTo(0, 0);
    }""")


def tab_through(page, limit: int = 60) -> list[str]:
    """Press Tab through the page from the top; return a finding for every stop without a visible indicator.

    An ordinary stop is read in one call into the page (a page has ~30 stops, and four calls each cost a third of
    the accessibility suite's time); a stop on a frame goes through `focused_element`, which waits for focus to
    settle there."""
    start_keyboard_from_top(page)
    findings, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(_TAB_STOP_JS, MIN_FOCUS_CONTRAST)
        if stop is None:
            element = focused_element(page)
            if element is None:
                break
            key = element.evaluate("el => el === el.ownerDocument.body ? 'body' : (el.outerHTML.slice(0, 200) + el.getBoundingClientRect().top)")
            problem = None if key == "body" else focus_indicator(page, element)
        else:
            key, problem = stop["key"], stop["problem"]
        if key == "body" or key in seen:
            break
        seen.add(key)
        if problem:
            findings.append(problem)
    return findings


def skip_link_problem(page) -> str | None:
    """Return a finding unless the first Tab stop is a visible link to the main content that moves focus there."""
    start_keyboard_from_top(page)
    page.keyboard.press("Tab")
    first = page.evaluate("""() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return {tag: el.tagName, href: el.getAttribute('href') || '', text: el.innerText.trim(),
                visible: r.width > 10 && r.height > 10 && r.top >= 0 && r.left >= 0};
    }""")
    if first["tag"] != "A" or not first["href"].startswith("#"):
        return f"the first Tab stop is {first['tag']} ”{first['text']}”, not a skip link"
    if not first["visible"]:
        return f"the skip link ”{first['text']}” stays invisible when focused"
    target = first["href"][1:]
    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement.id")
    if focused != target or page.evaluate("(id) => document.getElementById(id).tagName", target) != "MAIN":
        return f"the skip link ”{first['text']}” does not move focus to <main> (focus is on #{focused})"
    return None


def links_told_apart_by_colour_only(page) -> list[str]:
    """Return links inside running text that differ from the text around them by colour alone."""
    return page.evaluate(
        "() => {" + _JS_HELPERS + """
           return [...document.querySelectorAll('main p a, main li a, main td a, main th a, footer p a, .column p a, .column li a')]
             .filter(a => visible(a) && !a.classList.contains('button'))
             .filter(a => {
               const s = getComputedStyle(a);
               return !s.textDecorationLine.includes('underline') && s.borderBottomStyle === 'none';
             })
             .map(a => `${describe(a)} is not underlined`);
         }"""
    )


def visible_text(page) -> str:
    """Return what a reader sees or hears: visible text, options, and accessible names in attributes.

    Text inside <code>, <pre>, <kbd> and <samp> is machine text shown as such (email headers on Testpost)
    and is left out.
    """
    return page.evaluate(
        "() => {" + _JS_HELPERS + """
           const out = [];
           const cache = new Map();
           const shown = (el) => {
             if (!cache.has(el)) cache.set(el, el.tagName === 'OPTION' || visible(el));
             return cache.get(el);
           };
           const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
           for (let node = walker.nextNode(); node; node = walker.nextNode()) {
             const el = node.parentElement;
             if (!el || !node.textContent.trim()) continue;
             if (el.closest('script, style, template, noscript, code, pre, kbd, samp')) continue;
             if (shown(el)) out.push(node.textContent.trim());
           }
           for (const el of document.querySelectorAll('[aria-label], [title], img[alt], [placeholder], input[type=submit], input[type=button]')) {
             for (const name of ['aria-label', 'title', 'alt', 'placeholder', 'value']) {
               if (el.hasAttribute(name) && (name !== 'value' || el.type === 'submit' || el.type === 'button')) out.push(el.getAttribute(name));
             }
           }
           out.push(document.title);
           return out.join('\\n');
         }"""
    )


def screenshot(page, name: str, *, full_page: bool = False, folder: str = "a11y") -> Path:
    """Save a screenshot of the current browser step under tests/output/<folder>/ (git-ignored)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
    path = OUTPUT_DIR / folder / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path
