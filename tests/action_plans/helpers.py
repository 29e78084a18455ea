"""Builders shared by the action-plan tests (results of 2024 and 2025 with known figures: tests.publication.helpers).

Upplands Väsby (0114): 60,0 in every measure in 2024; 2025 index 72,5, Information 70,0, Biståndshandläggning 75,0,
Utförande 71,0, Stöd och utveckling 74,0 (every area rose). Vallentuna (0115): 70,0 in 2024; 2025 index 68,3,
Information 66,0, Biståndshandläggning 69,0, Utförande 67,0, Stöd och utveckling 70,0 (every area but the last fell).
Österåker (0117): 65,0 both years (unchanged). Håbo (0305): 55,0 → 80,0.
"""
from __future__ import annotations

import json
import re

from hti_comms.action_plans.register import MeasureInput, add_measure
from hti_comms.extensions import db


def add(year: int, code: str, area: str, text: str, **values):
    """Register a measure as staff do (committed); return it."""
    measure = add_measure(year, code, MeasureInput(area, text, **values), actor="personal@spf.example")
    db.session.commit()
    return measure


def cli_add(runner, *args: str):
    """Run `hti action-plan add` as the acceptance checks do; return the id it printed last."""
    result = runner.invoke(args=["hti", "action-plan", "add", *args])
    assert result.exit_code == 0, result.output
    return int(re.findall(r"\d+", result.output.strip().splitlines()[-1])[-1])


def points_json(runner, municipality: str, year: int) -> dict:
    result = runner.invoke(args=["hti", "talking-points", municipality, "--year", str(year), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def plan_points(document: dict) -> list[str]:
    return [text for text in document["points"] if " planerade " in text]
