"""Review of the dashboards (portal/dashboards/ is being changed on another branch, so the defects
found are recorded here as strict expected failures: each fix flips one of them to a pass, and
``strict`` then asks for the mark to be removed).

The county's public figures page hides counts under 5 as "<5", but the period picker lets anyone
ask for the same figures over overlapping periods; subtracting one published figure from another
gives back the small count the page hid."""

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


@pytest.mark.xfail(strict=True, reason="public page answers any custom period: two overlapping periods "
                                       "published in full give back a hidden count by subtraction")
def test_two_custom_periods_one_day_apart_do_not_reveal_the_days_small_count(app, client, users, published):
    solved_needs(app, users, TODAY - timedelta(days=30), 5)
    solved_needs(app, users, TODAY, 2)  # the two needs of one child's family, solved today
    start = (TODAY - timedelta(days=60)).isoformat()
    with_today = needs_solved_shown(client, f"period=custom&start={start}&end={TODAY.isoformat()}")
    without = needs_solved_shown(client, f"period=custom&start={start}&end={(TODAY - timedelta(days=1)).isoformat()}")
    assert not small_difference(with_today, without), (with_today, without)


@pytest.mark.xfail(strict=True, reason="public page answers a quarter and its months: the quarter minus the two "
                                       "months it shows gives back the month it hid")
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
