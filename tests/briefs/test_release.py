from datetime import datetime, timedelta, timezone

import pytest

from hti_comms import clock
from hti_comms.briefs.services import ReleaseError, check_release
from hti_comms.extensions import db
from hti_comms.results.models import ResultSet
from tests.briefs.factories import store_year

PUBLISHED_AT = datetime(2024, 12, 3, 6, 0, tzinfo=timezone.utc)  # 07.00 in Stockholm


def publish(year: int, moment: datetime | None) -> None:
    db.session.get(ResultSet, year).published_at = moment
    db.session.commit()


def test_before_publication_only_the_embargoed_audience(db):
    store_year(2024, {"0114": "60.0"})
    publish(2024, PUBLISHED_AT)
    clock.set_now(PUBLISHED_AT - timedelta(hours=24))
    with pytest.raises(ReleaseError) as error:
        check_release(2024, embargoed_audience=False)
    assert str(error.value) == ("Resultaten för 2024 publiceras tisdag 3 december 2024 kl. 07.00. Före dess får de "
                                "bara skickas till mottagare med embargo.")
    check_release(2024, embargoed_audience=True)  # the pre-ordered summary 24 hours before


def test_from_publication_everyone(db):
    store_year(2024, {"0114": "60.0"})
    publish(2024, PUBLISHED_AT)
    clock.stop_at(PUBLISHED_AT - timedelta(seconds=1))
    with pytest.raises(ReleaseError):
        check_release(2024, embargoed_audience=False)
    clock.set_now(PUBLISHED_AT)
    check_release(2024, embargoed_audience=False)


def test_year_without_publication_time_is_unpublished(db):
    store_year(2024, {"0114": "60.0"})
    publish(2024, None)
    clock.set_now(datetime(2030, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ReleaseError, match="Resultaten för 2024 har ingen publiceringstid ännu"):
        check_release(2024, embargoed_audience=False)
    check_release(2024, embargoed_audience=True)


def test_year_without_results(db):
    with pytest.raises(ReleaseError, match="Det finns inga resultat för 2024"):
        check_release(2024, embargoed_audience=True)
