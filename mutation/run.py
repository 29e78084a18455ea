"""`make mutation`: mutation testing of the modules where a silent bug is public and irreversible.

Each module is mutated by mutmut 3 in a copy of the repository of its own (under .mutation/, never committed),
against only the test files that reach it (mutation/modules.toml), on SQLite only, and mutmut narrows that further
to the tests that call the mutated function. Mutants listed in mutation/equivalents.toml change nothing a caller
can see (each has its one-line reason there): they are left out of the score. One line per module:

    mutation score MODULE: KILLED/RUN = 0.NN

KILLED counts mutants a test fails on (or that time out); RUN every mutant checked, less the equivalent ones.
Staff message wording (the functions a module lists under `wording` in modules.toml) is left out of the score
too: a change to a Swedish sentence for staff is not a wrong figure, and the sentences are checked by the language
and page tests.

Usage: python mutation/run.py [--score-only] [MODULE ...]   (default: every module in modules.toml;
--score-only scores the last run again, e.g. after equivalents.toml changed, without running anything)
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "mutation"
WORK = ROOT / ".mutation"
#: Never copied into a module's working copy.
SKIP = {".git", ".mutation", ".venv", "mutants", "instance", "node_modules", "__pycache__", ".pytest_cache"}
KILLED = {1, 3, 36, 24, -24, 152, 255}


def _copy_repository(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP}

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)


def _config(module: str, spec: dict) -> str:
    tests = [t for t in spec["tests"] if (ROOT / t).exists()]
    lines = [
        "",
        "[tool.mutmut]",
        'source_paths = ["hti_comms"]',
        f"only_mutate = [{json.dumps(module)}]",
        f"also_copy = {json.dumps(['app.py', 'migrations', 'templates', 'static', 'data'])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        # SQLite only: the tests are parametrised over both databases by their fixture's param id.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-k", "not postgresql", "-q"]',
        "timeout_multiplier = 5.0",
        "timeout_constant = 30.0",
        "use_git_change_detection = false",
        'do_not_mutate_patterns = []',
    ]
    return "\n".join(lines) + "\n"


def _equivalents() -> dict[str, dict[str, str]]:
    path = HERE / "equivalents.toml"
    return tomllib.loads(path.read_text("utf-8")) if path.exists() else {}


def _results(workdir: Path, module: str) -> dict[str, int | None]:
    meta = workdir / "mutants" / (module + ".meta")
    data = json.loads(meta.read_text("utf-8"))
    return data["exit_code_by_key"]


def _workdir(module: str) -> Path:
    return WORK / module.replace("/", "_").removesuffix(".py")


def run_module(module: str, spec: dict) -> None:
    workdir = _workdir(module)
    _copy_repository(workdir)
    with open(workdir / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write(_config(module, spec))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["HTI_TEST_POSTGRES_URL"] = ""
    # Migrated once (by the first test session), copied for every mutant's session (tests/conftest.py).
    template = workdir / "migrated.sqlite"
    template.unlink(missing_ok=True)
    env["HTI_TEST_SQLITE_TEMPLATE"] = str(template)
    log = workdir / "mutmut.log"
    with open(log, "w", encoding="utf-8") as out:
        subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(spec.get("children", 2))],
                       cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)


def score(module: str, spec: dict, equivalents: dict[str, str]) -> tuple[int, int, list[str]]:
    """Return (killed, run, what survived) of the module's last run, less its equivalent and wording mutants."""
    results = _results(_workdir(module), module)
    wording = tuple(f"{function}__mutmut_" for function in spec.get("wording", ()))
    # Code no SQLite test can reach: a whole function (its name) or single mutants (their full names).
    postgresql_only = spec.get("postgresql_only", ())
    killed = run = 0
    survivors = []
    for name, code in sorted(results.items()):
        if name in equivalents or any(w in name for w in wording):
            continue
        short = name.rsplit(".", 1)[-1]
        if short in postgresql_only or short.split("__mutmut_")[0] in postgresql_only:
            survivors.append(f"{name} (PostgreSQL only, not scored: exit {code})")
            continue
        if code is None or code in (33, 5, 34, 2):
            # No SQLite test reaches it (the PostgreSQL-only reader), or it was not checked: not run.
            survivors.append(f"{name} (not run: exit {code})")
            continue
        run += 1
        if code in KILLED:
            killed += 1
        else:
            survivors.append(f"{name} (exit {code})")
    return killed, run, survivors


def main(argv: list[str]) -> int:
    modules = tomllib.loads((HERE / "modules.toml").read_text("utf-8"))
    equivalents = _equivalents()
    score_only = "--score-only" in argv  # the last run's results scored again (after equivalents.toml changed)
    chosen = [a for a in argv if a != "--score-only"] or list(modules)
    for module in chosen:
        if not score_only:
            run_module(module, modules[module])
        killed, run, survivors = score(module, modules[module], equivalents.get(module, {}))
        # What did not die, and what no test reached, for the next look (`mutmut show NAME` in .mutation/<module>/).
        (WORK / (module.replace("/", "_") + ".survivors")).write_text("\n".join(survivors) + "\n", "utf-8")
        print(f"mutation score {module}: {killed}/{run} = {killed / run if run else 0:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
