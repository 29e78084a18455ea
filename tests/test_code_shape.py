"""Whole-app rules about the code itself: one owner for Stockholm wall-clock input.

Each test reads the source of every module under hti_comms, so a new module is checked without anyone
remembering to add it.
"""
from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hti_comms"
WALL_CLOCK_OWNER = PACKAGE / "scheduling" / "localtime.py"



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
