"""Each staff member sees the dashboard of their own subtree only; helpers, donors and the
administrator get none; drill-down links lead one level down and no child is named."""

import re

import pytest
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.children.models import Child
from portal.dashboards import rules
from portal.errors import DomainError, NotAllowed
from tests.conftest import login
from tests.dashboards.conftest import COUNTY, COUNTY2, OTHER_TOWN, TODAY, TOWN, VILLAGE, VILLAGE2, this_month


def rows_of(page: str, table: str) -> list[str]:
    body = re.search(rf'id="{table}-table".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', body, re.S)]


def test_a_town_sees_only_its_own_villages_and_drills_down_to_them(as_user, lanshan, regions):
    page = as_user("town").get(f"/dashboards/{TOWN}").get_data(as_text=True)
    assert rows_of(page, "children-by-region") == [regions[VILLAGE], regions[VILLAGE2]]
    assert regions["371302101201"] not in page  # 白沙埠村, of the other town
    assert f'href="/dashboards/{VILLAGE}?period=month&amp;value={TODAY:%Y-%m}"' in page


def test_a_county_drills_down_to_its_towns_and_a_village_is_the_bottom(as_user, lanshan, regions):
    client = as_user("county")
    page = client.get(f"/dashboards/{COUNTY}").get_data(as_text=True)
    assert rows_of(page, "children-by-region") == [regions[OTHER_TOWN], regions[TOWN]]
    assert f'href="/dashboards/{TOWN}?period=month' in page
    village = client.get(f"/dashboards/{VILLAGE}").get_data(as_text=True)
    assert rows_of(village, "children-by-region") == [regions[VILLAGE]]
    assert not re.search(r'href="/dashboards/\d{12}\?period=month[^"]*">' + regions[VILLAGE], village)
    # The way back up, inside the viewer's reach: 兰山区 › 义堂镇 › 屠苏村.
    assert f'href="/dashboards/{TOWN}?period=month' in village and f'href="/dashboards/{COUNTY}?period=month' in village


REFUSED = [
    ("town", OTHER_TOWN),  # the other town of the same county
    ("town", COUNTY),  # the county above
    ("village", VILLAGE2),  # the next village
    ("county2", COUNTY),  # another county's code in the URL
    ("county2", TOWN),
    ("county", COUNTY2),
]


def signed_in(app, key):
    client = app.test_client()
    assert login(client, key).status_code == 302
    return client


def test_another_regions_code_in_the_url_is_refused(app, lanshan):
    for key, code in REFUSED:
        refused(signed_in(app, key), code)


def refused(client, code):
    for path in (f"/dashboards/{code}", f"/dashboards/{code}/report", f"/dashboards/{code}/report.xlsx",
                 f"/dashboards/{code}/report.docx"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "登记在册" not in response.get_data(as_text=True)


def test_helpers_donors_and_the_administrator_get_no_staff_dashboard(app, lanshan):
    for key in ("volunteer", "org", "donor", "admin"):
        no_dashboard(signed_in(app, key))


def no_dashboard(client):
    assert "/dashboards" not in client.get("/").get_data(as_text=True)  # no link in the navigation
    for path in ("/dashboards", f"/dashboards/{COUNTY}", f"/dashboards/{VILLAGE}/report",
                 f"/dashboards/{COUNTY}/report.xlsx"):
        assert client.get(path).status_code in (302, 403), path
        assert "登记在册" not in client.get(path, follow_redirects=True).get_data(as_text=True)


def test_the_rules_refuse_other_roles_and_regions_without_http(app, users, lanshan):
    with app.app_context(), db.new_session() as s:
        for key in ("volunteer", "org", "donor", "admin", "county2", "town"):
            with pytest.raises(NotAllowed):
                rules.dashboard(s, s.get(User, users[key].id), COUNTY, this_month(), TODAY)


def test_signed_out_visitors_are_sent_to_sign_in(client, lanshan):
    response = client.get(f"/dashboards/{COUNTY}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_find_the_dashboard_in_their_navigation_and_land_on_their_own_region(as_user, lanshan, regions):
    client = as_user("town")
    assert 'href="/dashboards"' in client.get("/").get_data(as_text=True)
    response = client.get("/dashboards")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/dashboards/{TOWN}")


def test_look_alike_or_unknown_codes_are_refused_with_a_clear_message(as_user, lanshan):
    client = as_user("county")
    for code in ("37130210500０", "371302105 00", "3713021050", "371302105000000", "３７１３０２１０５０００",
                 "37l302105000", "999999999999"):
        response = client.get(f"/dashboards/{code}")
        assert response.status_code in (400, 403, 404), code
        page = response.get_data(as_text=True)
        assert "登记在册" not in page and "children-by-region" not in page
        if response.status_code == 400:
            assert "地区须以12位区划代码表示" in page


def test_no_child_is_named_anywhere_on_the_dashboard_or_report(app, as_user, lanshan):
    with app.app_context(), db.new_session() as s:
        names = list(s.scalars(select(Child.name)))
    client = as_user("county")
    pages = [client.get(f"/dashboards/{code}").get_data(as_text=True) for code in (COUNTY, TOWN, VILLAGE)]
    pages.append(client.get(f"/dashboards/{COUNTY}/report").get_data(as_text=True))
    assert names and all(name not in page for name in names for page in pages)


def test_a_code_in_another_shape_is_refused_by_the_rules(app, users, lanshan):
    with app.app_context(), db.new_session() as s, pytest.raises(DomainError):
        rules.dashboard(s, s.get(User, users["county"].id), "3713O2000000", this_month(), TODAY)
