"""Snapshots of the base layout, where the layout matters: readers over 65 read these."""
from __future__ import annotations

import os
import re
from pathlib import Path

from hti_comms.delivery.render import render_preview

SNAPSHOTS = Path(__file__).parent / "snapshots"


def check_snapshot(name: str, actual: str) -> None:
    # Signed tokens carry the signing time; the snapshot keeps the link and drops the token.
    actual = re.sub(r"/(avregistrera|installningar)/[A-Za-z0-9_.-]+", r"/\1/<token>", actual)
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}; run with UPDATE_SNAPSHOTS=1 once and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; rerun with UPDATE_SNAPSHOTS=1 if intended"


def render_list_mail(app):
    return render_preview("delivery/test", {"sent_by": "Karin", "note": "Välkommen till grundkursen!"},
                          subject="Provbrev", list_key="nyhetsbrev", email="eva@example.se", name="Eva Ek")


def test_text_part_of_list_mail(app):
    _html, text = render_list_mail(app)
    check_snapshot("test_list_mail.txt", text)


def test_html_part_of_list_mail(app):
    html, _text = render_list_mail(app)
    check_snapshot("test_list_mail.html", html)
