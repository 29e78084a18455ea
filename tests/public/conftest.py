"""Two years of results for the public results tests: last year public, this year published on a Thursday
in December at 07.00 Stockholm time (after the October change to winter time, so 06.00 UTC)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from hti_comms import clock
from hti_comms.extensions import db as _db
from hti_comms.results.models import ResultSet
from hti_comms.results.services import import_results
from hti_comms.scheduling.localtime import stockholm_to_utc
from tests.helpers import results_rows, to_csv

YEAR, PREVIOUS = 2026, 2025
#: Thursday 3 December 2026 at 07.00 in Stockholm: 06.00 UTC (winter time since 25 October).
PUBLICATION = stockholm_to_utc(datetime(2026, 12, 3, 7, 0))
PREVIOUS_PUBLICATION = stockholm_to_utc(datetime(2025, 12, 2, 7, 0))


@dataclass
class Years:
    year: int
    previous: int
    publication: datetime

    def set_publication(self, year: int, moment: datetime | None) -> None:
        """Set the publication moment as `hti publication set` does: the column, in another transaction."""
        _db.session.get(ResultSet, year).published_at = moment
        _db.session.commit()


def import_year(year: int, offset: Decimal = Decimal(0)) -> None:
    outcome = import_results(to_csv(results_rows(offset=offset)), f"resultat-{year}.csv", year, replace=True)
    assert outcome.ok, outcome.all_problems


@pytest.fixture
def years(app) -> Years:
    """Results of 2025 (public a year ago) and 2026 (published at PUBLICATION); the clock well before it."""
    clock.set_now(PUBLICATION - timedelta(days=10))
    import_year(PREVIOUS, Decimal("-1.5"))
    import_year(YEAR)
    years = Years(YEAR, PREVIOUS, PUBLICATION)
    years.set_publication(PREVIOUS, PREVIOUS_PUBLICATION)
    years.set_publication(YEAR, PUBLICATION)
    return years
