"""Every figure of the dashboards equals a count made row by row in Python, on the hand-built
Lanshan at each level (the demo data set's turn is in tests/test_demo.py, which loads it once)."""

from portal import db
from portal.accounts.models import User
from portal.dashboards import periods, rules
from tests.dashboards.checks import assert_same_as_python
from tests.dashboards.conftest import CITY, COUNTY, OTHER_TOWN, PROVINCE, TODAY, TOWN, VILLAGE, this_month


def compare_every_level(app) -> int:
    """Every level's dashboard for this month, this year and last month against direct counts;
    how many figures were compared."""
    with app.app_context(), db.new_session() as s:
        actor = User(username="p", display_name="p", password_hash="x", role="civil_affairs", region_code=PROVINCE)
        compared = 0
        for code in (PROVINCE, CITY, COUNTY, TOWN, OTHER_TOWN, VILLAGE):
            for period in (this_month(), periods.year(TODAY.year), this_month().previous()):
                compared += assert_same_as_python(s, rules.dashboard(s, actor, code, period, TODAY), TODAY)
        return compared


def test_each_levels_figures_equal_direct_counts_on_the_hand_built_county(app, users, lanshan):
    assert compare_every_level(app) > 300


def test_the_previous_period_stands_beside_each_figure_of_the_period(app, users, lanshan):
    with app.app_context(), db.new_session() as s:
        actor = s.get(User, users["county"].id)
        now = rules.dashboard(s, actor, COUNTY, this_month(), TODAY).figures
        before = rules.dashboard(s, actor, COUNTY, this_month().previous(), TODAY).figures
    assert (now["children.new"].value, now["children.new"].previous) == (8, 0)
    assert before["children.new"].value == 0
    assert now["needs.reported"].previous == before["needs.reported"].value == 0
    assert now["needs.reported"].value == 5
