"""The province's and cities' dashboards read the snapshot the periodic task stored, while it is
of today and fresh; counties and below, and custom periods, are always counted live."""

from datetime import timedelta

from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.dashboards import periods, rules, snapshots
from portal.dashboards.models import DashboardSnapshot
from portal.dashboards.tasks import refresh_dashboard_snapshots
from portal.types import utcnow
from tests.dashboards.conftest import CITY, COUNTY, TODAY, this_month


def active(app, users, code: str, period=None) -> int:
    with app.app_context(), db.new_session() as s:
        data = rules.dashboard(s, s.get(User, users["city"].id), code, period or this_month(), TODAY)
        return data.figures["children.active"].value


def test_a_city_reads_its_fresh_snapshot_and_a_county_counts_live(app, users, lanshan, make_child):
    with app.app_context(), db.write_session() as s:
        snapshots.refresh(s, CITY, this_month(), TODAY)
    make_child()  # one more child after the snapshot
    assert active(app, users, COUNTY) == 8  # live
    assert active(app, users, CITY) == 8  # the snapshot, taken before the new child (罗庄区's one too)
    custom = periods.Period("custom", this_month().start, this_month().end)
    assert active(app, users, CITY, custom) == 9  # a custom period is never snapshotted
    with app.app_context(), db.write_session() as s:
        row = s.get(DashboardSnapshot, (CITY, f"month:{this_month().value}"))
        row.computed_at = utcnow() - snapshots.MAX_AGE - timedelta(minutes=1)
    assert active(app, users, CITY) == 9  # too old: counted live


def test_a_snapshot_of_yesterday_is_not_used_today(app, users, lanshan, make_child):
    with app.app_context(), db.write_session() as s:
        snapshots.refresh(s, CITY, this_month(), TODAY - timedelta(days=1))
    make_child()
    assert active(app, users, CITY) == 9


def test_the_periodic_task_refreshes_every_province_and_city_for_month_quarter_and_year(app, users, lanshan):
    with app.app_context():
        refresh_dashboard_snapshots.call_local()
    with app.app_context(), db.new_session() as s:
        stored = {(row.region_code, row.period.split(":")[0]) for row in s.scalars(select(DashboardSnapshot))}
    provinces_and_cities = {"370000000000", "410000000000", CITY}
    assert stored == {(code, kind) for code in provinces_and_cities for kind in ("month", "quarter", "year")}
