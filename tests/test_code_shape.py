"""Whole-app rules about the code itself: one owner for Stockholm wall-clock input, short modules, no import cycles.

Each test reads the source of every module under hti_comms, so a new module is checked without anyone
remembering to add it.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hti_comms"
WALL_CLOCK_OWNER = PACKAGE / "scheduling" / "localtime.py"
MAX_LINES = 300
#: Modules allowed past MAX_LINES, each with the reason it is not split (yet).
LONG_MODULES: dict[str, str] = {
    "hti_comms.results.publication": "the publication rule and the two readers it is read through on every public "
                                     "request are mutation-tested as one module (make mutation, with numbered "
                                     "equivalents); the readers move out when the next mutation run renumbers them",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_only_the_wall_clock_owner_parses_times_of_day_or_writes_the_daylight_saving_note():
    strptime_with_time = re.compile(r"strptime\([^)]*%H")
    note_words = ("ställs fram en timme", "ställs tillbaka", "inträffar två gånger")
    offenders = []
    for path in _modules():
        if path == WALL_CLOCK_OWNER:
            continue
        text = path.read_text(encoding="utf-8")
        if strptime_with_time.search(text):
            offenders.append(f"{_name(path)}: strptime with an hour (use scheduling.localtime.read_wall_clock)")
        offenders += [f"{_name(path)}: writes the daylight-saving note itself (use scheduling.localtime.dst_note)"
                      for words in note_words if words in text]
    assert offenders == []


def test_every_module_is_short_or_on_the_allow_list_with_a_reason():
    lengths = {_name(path): len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()}
    too_long = {name: lines for name, lines in lengths.items() if lines > MAX_LINES and name not in LONG_MODULES}
    assert too_long == {}, f"split these along their seams (at most {MAX_LINES} lines): {too_long}"
    stale = [name for name in LONG_MODULES if lengths.get(name, 0) <= MAX_LINES]
    assert stale == [], f"short now (or gone): take them off LONG_MODULES: {stale}"
    assert all(reason.strip() for reason in LONG_MODULES.values())


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == "TYPE_CHECKING"


def _module_level_imports(tree: ast.Module):
    """Yield the imports that run when the module is imported (not those in functions or under TYPE_CHECKING)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]


def import_graph() -> dict[str, set[str]]:
    """Return, for each module of hti_comms, the modules of hti_comms it imports at module level."""
    paths = {_name(path): path for path in _modules()}
    graph = {}
    for name, path in paths.items():
        base = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name in paths}
                continue
            package = base
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            module = (f"{package}.{node.module}" if node.module else package) if node.level else node.module
            targets |= {module} & paths.keys()
            targets |= {f"{module}.{alias.name}" for alias in node.names} & paths.keys()  # `from . import x`
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as [a, b, …, a], or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[module] = "done"
        path.pop()
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_modules_of_hti_comms_import_each_other_without_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def _all_imports(path: Path, name: str | None = None) -> set[str]:
    """Return every module `path` (the module `name`) imports anywhere, in functions too, as absolute names."""
    name = name or _name(path)
    base = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            package = base
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            module = (f"{package}.{node.module}" if node.module else package) if node.level else node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def modules_reaching_into_delivery() -> list[str]:
    """Return the modules outside hti_comms/delivery that import the outbox's tables (`delivery.models`)."""
    return sorted(_name(path) for path in _modules()
                  if not path.is_relative_to(PACKAGE / "delivery")
                  and "hti_comms.delivery.models" in _all_imports(path))


def test_only_the_delivery_domain_touches_the_outbox_tables():
    """Other domains go through `hti_comms.delivery.api` (their sends by owner), never `delivery.models`."""
    assert modules_reaching_into_delivery() == []


def test_the_outbox_rule_sees_imports_inside_functions_and_relative_ones(tmp_path):
    offender = tmp_path / "probe.py"
    offender.write_text("def f():\n    from ..delivery.models import Send\n    return Send\n", encoding="utf-8")
    assert "hti_comms.delivery.models" in _all_imports(offender, "hti_comms.briefs.probe")
    offender.write_text("from hti_comms.delivery import models\n", encoding="utf-8")
    assert "hti_comms.delivery.models" in _all_imports(offender, "hti_comms.briefs.probe")
    offender.write_text("from ..delivery.api import sends_for\n", encoding="utf-8")
    assert "hti_comms.delivery.models" not in _all_imports(offender, "hti_comms.briefs.probe")
