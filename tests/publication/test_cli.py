"""The CLI forms kept exactly for the acceptance checks."""
from __future__ import annotations

import json
import re

from hti_comms.publication.moments import moments
from hti_comms.subscribers.models import ContactStatus
from hti_comms.subscribers.services import find_contact

from .helpers import PUBLISHED_AT, results_for_2025


def _last_number(output: str) -> int:
    return int(re.findall(r"\d+", output.strip().splitlines()[-1])[-1])


def test_publication_set_takes_stockholm_time(app, runner):
    results_for_2025()
    result = runner.invoke(args=["hti", "publication", "set", "--year", "2025", "--at", "2025-12-11 07:00"])
    assert result.exit_code == 0, result.output
    assert "publiceras torsdag 11 december 2025 kl. 07.00" in result.output
    assert "Embargot släpps onsdag 10 december 2025 kl. 07.00" in result.output
    assert moments(2025).published_at.isoformat() == "2025-12-11T06:00:00+00:00"
    bad = runner.invoke(args=["hti", "publication", "set", "--year", "2025", "--at", "11/12 kl 7"])
    assert bad.exit_code != 0 and "skriv datum och tid som 2025-12-04 07:00" in bad.output


def test_order_create_prints_the_queue_position_last_and_order_list_prints_json(app, runner):
    results_for_2025()
    first = runner.invoke(args=["hti", "order", "create", "--year", "2025", "--municipality", "Håbo",
                                "--contact", "eva@habo.example.se", "--name", "Eva Håbo"])
    second = runner.invoke(args=["hti", "order", "create", "--year", "2025", "--municipality", "0114",
                                 "--contact", "bo@vasby.example.se"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert (_last_number(first.output), _last_number(second.output)) == (1, 2)
    assert find_contact("eva@habo.example.se").status is ContactStatus.CONFIRMED
    again = runner.invoke(args=["hti", "order", "create", "--year", "2025", "--municipality", "0114",
                                "--contact", "ny@vasby.example.se"])
    assert again.exit_code != 0 and "Upplands Väsby har redan beställt" in again.output
    listed = runner.invoke(args=["hti", "order", "list", "--year", "2025", "--format", "json"])
    queue = json.loads(listed.output)
    assert [(q["municipality_code"], q["position"], q["status"]) for q in queue] == \
        [("0305", 1, "received"), ("0114", 2, "received")]
    assert all(q["received_at"].endswith("+00:00") for q in queue)
    assert PUBLISHED_AT.year == 2025
