"""The county's public figures page hides counts under 5 as "<5". Figures of overlapping periods
could be subtracted to give back a hidden count (a custom range and the same range a day shorter;
a quarter and two of its months), so the page shows only whole years that have ended."""

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest

from portal import db
from portal.needs.models import Need
from tests.conftest import login, post
from tests.dashboards.conftest import COUNTY, TOWN, VILLAGE

TODAY = date.today()


@pytest.fixture
def published(app, users):
    """Lanshan's public page, open."""
    client = app.test_client()
    assert login(client, "county").status_code == 302
    assert post(client, f"/dashboards/{COUNTY}/public", {"enabled": "1"}).status_code == 302


def solved_needs(app, users, day: date, n: int) -> None:
    """``n`` needs of 义堂镇 solved inside government on ``day``."""
    closed = datetime.combine(day, time(10), tzinfo=timezone.utc)
    with app.app_context(), db.write_session() as s:
        for _ in range(n):
            s.add(Need(region_code=VILLAGE, town_code=TOWN, county_code=COUNTY, category="education",
                       description="辅导", reported_by_id=users["village"].id, kind="goods", status="resolved",
                       closed_at=closed))


def needs_solved_shown(client, query: str) -> int | None:
    """The county's "needs solved" as the public page prints it: a number, or None when hidden
    (or when the page does not answer that period at all)."""
    response = client.get(f"/figures/{COUNTY}?{query}")
    if response.status_code != 200:
        return None
    shown = re.search(r"<dt>解决需求</dt><dd>([^<]*)</dd>", response.get_data(as_text=True)).group(1)
    return int(shown.replace(",", "")) if shown.replace(",", "").isdigit() else None


def small_difference(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and 0 < abs(a - b) < 5


def test_two_custom_periods_one_day_apart_do_not_reveal_the_days_small_count(app, client, users, published):
    solved_needs(app, users, TODAY - timedelta(days=30), 5)
    solved_needs(app, users, TODAY, 2)  # the two needs of one child's family, solved today
    start = (TODAY - timedelta(days=60)).isoformat()
    with_today = needs_solved_shown(client, f"period=custom&start={start}&end={TODAY.isoformat()}")
    without = needs_solved_shown(client, f"period=custom&start={start}&end={(TODAY - timedelta(days=1)).isoformat()}")
    assert not small_difference(with_today, without), (with_today, without)


def test_a_quarter_and_two_of_its_months_do_not_reveal_the_hidden_month(app, client, users, published):
    year = TODAY.year - 1
    solved_needs(app, users, date(year, 1, 15), 5)
    solved_needs(app, users, date(year, 2, 15), 2)  # hidden as "<5" on February's page
    solved_needs(app, users, date(year, 3, 15), 6)
    quarter = needs_solved_shown(client, f"period=quarter&value={year}-Q1")
    january = needs_solved_shown(client, f"period=month&value={year}-01")
    march = needs_solved_shown(client, f"period=month&value={year}-03")
    assert needs_solved_shown(client, f"period=month&value={year}-02") is None  # the page hides it itself
    derived = None if None in (quarter, january, march) else quarter - january - march
    assert not (derived is not None and 0 < derived < 5), (quarter, january, march)


def test_only_whole_years_that_have_ended_are_shown(app, client, users, published):
    solved_needs(app, users, date(TODAY.year - 1, 6, 1), 7)
    assert needs_solved_shown(client, "") == 7  # last year, by default
    assert needs_solved_shown(client, f"period=year&value={TODAY.year - 1}") == 7
    for query in (f"value={TODAY.year}", f"period=year&value={TODAY.year + 1}", "period=month",
                  f"period=month&value={TODAY.year - 1}-06", f"period=quarter&value={TODAY.year - 1}-Q2",
                  "period=custom&start=2020-01-01&end=2020-12-31", f"value=２０{str(TODAY.year - 1)[2:]}"):
        response = client.get(f"/figures/{COUNTY}?{query}")
        assert response.status_code == 400 and "只显示已结束的整年" in response.get_data(as_text=True), query
