"""A county's public figures page: closed until the county's staff open it; counts under 5 shown
as "<5" (and no total gives a hidden cell away); no child named; no way into staff pages."""

import re

import pytest
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.children.models import Child
from portal.dashboards import rules
from portal.dashboards.public import SMALL, suppress
from portal.dashboards.tables import Column, Row, Table
from portal.disbursements.models import Entitlement
from portal.donations.models import Donation
from portal.errors import DomainError, NotAllowed
from portal.helpers.models import VolunteerHours
from portal.ledger.models import LedgerTransaction
from portal.needs.models import Need
from tests.conftest import login, post
from tests.dashboards.conftest import COUNTY, COUNTY2, TOWN


def a_year_back(app) -> None:
    """Move what the public page counts (needs solved, hours, payments, gifts, ledger movements) a
    year back: the page shows only whole years that have ended, and the fixture's data is today's."""
    def back(value):
        try:
            return value.replace(year=value.year - 1) if value is not None else None
        except ValueError:  # 29 February
            return value.replace(year=value.year - 1, day=28)

    with app.app_context(), db.write_session() as s:
        for model, column in ((Need, "closed_at"), (VolunteerHours, "service_date"), (Entitlement, "changed_at"),
                              (Donation, "paid_at"), (LedgerTransaction, "at")):
            for row in s.scalars(select(model)):
                setattr(row, column, back(getattr(row, column)))


def open_page(app, key: str, code: str = COUNTY, enabled: str = "1"):
    client = app.test_client()
    assert login(client, key).status_code == 302
    return post(client, f"/dashboards/{code}/public", {"enabled": enabled})


def test_the_page_is_closed_until_the_countys_staff_open_it(app, client, lanshan):
    closed = client.get(f"/figures/{COUNTY}")
    assert closed.status_code == 404 and "该区县未开放公开数据页" in closed.get_data(as_text=True)
    assert open_page(app, "county").status_code == 302
    assert client.get(f"/figures/{COUNTY}").status_code == 200
    assert open_page(app, "county", enabled="0").status_code == 302
    assert client.get(f"/figures/{COUNTY}").status_code == 404


def test_only_civil_affairs_staff_over_the_county_may_open_it(app, client, lanshan):
    for key in ("town", "village", "county2", "volunteer", "org", "donor", "admin"):
        assert open_page(app, key).status_code == 403, key
        assert client.get(f"/figures/{COUNTY}").status_code == 404, key
    assert open_page(app, "city").status_code == 302  # the city above it may
    assert client.get(f"/figures/{COUNTY}").status_code == 200


def test_the_rules_refuse_a_town_and_another_county(app, users, lanshan):
    with app.app_context(), db.new_session() as s:
        county = s.get(User, users["county"].id)
        with pytest.raises(DomainError):
            rules.set_public(s, county, TOWN, True)
        with pytest.raises(NotAllowed):
            rules.set_public(s, county, COUNTY2, True)
        s.rollback()


def test_counts_under_five_are_shown_as_less_than_five_and_never_leak_into_the_chart(app, client, lanshan):
    a_year_back(app)
    open_page(app, "county")
    page = client.get(f"/figures/{COUNTY}").get_data(as_text=True)
    table = re.search(r'id="public-by-town-table".*?</table>', page, re.S).group(0)
    # 义堂镇: 2 children helped and 2 needs solved; 白沙埠镇: 1 and 1; in all 3 and 3: all "<5".
    counts = re.findall(r'data-label="(?:受助儿童|解决需求)" data-value="([^"]*)">([^<]*)<', table)
    assert counts and all(value == "" and shown == "&lt;5" for value, shown in counts)
    assert re.search(r"<dt>受助儿童</dt><dd>&lt;5</dd>", page)
    assert "12,000" in page  # money is no count of children: the gifts are shown as they are
    assert "2.5" in page  # volunteer hours
    assert "/dashboards/" not in page  # no row leads into the staff dashboards


def test_no_child_is_named_on_the_public_page(app, client, lanshan):
    a_year_back(app)
    open_page(app, "county")
    page = client.get(f"/figures/{COUNTY}?period=year").get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        names = list(s.scalars(select(Child.name)))
    assert names and not any(name in page for name in names)


def test_a_lone_hidden_cell_hides_the_next_smallest_so_the_total_cannot_reveal_it():
    columns = [Column("children", "children")]
    rows = [Row("a", {"children": 10}), Row("b", {"children": 3}), Row("c", {"children": 20}),
            Row("d", {"children": 7})]
    shown = suppress(Table("t", "t", columns, rows, total=Row("all", {"children": 40})))
    assert [r.values["children"] for r in shown.rows] == [10, SMALL, 20, SMALL]  # 3, then 7 beside it
    assert shown.total.values["children"] == 40
    assert rows[1].values["children"] == 3  # the staff's table is left as it was
