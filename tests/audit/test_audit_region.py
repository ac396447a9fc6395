"""Searching the audit log by region: a region is named as people name it ("兰山区 义堂镇", "义堂镇")
or by its code, and the search stays inside the searcher's own region: another region, however it
is written, is refused with a message and shows nothing."""

import pytest

from portal import db
from portal.accounts.models import User
from portal.audit import rules
from portal.errors import DomainError

YITANG_VILLAGE, BAISHA_VILLAGE, LUOZHUANG_VILLAGE = "371302105259", "371302101201", "371311001001"


@pytest.fixture
def logged(app, users):
    """Reads of a child's file in 义堂镇 and 白沙埠镇 (兰山区) and in 罗庄区."""
    with app.app_context(), db.write_session() as s:
        rules.record(s, s.get(User, users["village"].id), "read", "child", 11, region_code=YITANG_VILLAGE)
        rules.record(s, s.get(User, users["county"].id), "read", "child", 33, region_code=BAISHA_VILLAGE)
        rules.record(s, s.get(User, users["county2"].id), "read", "child", 22, region_code=LUOZHUANG_VILLAGE)


def _search(client, region: str):
    response = client.get("/audit/", query_string={"region": region})
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("region", ["义堂镇", "兰山区 义堂镇", "371302105000", "  义堂镇 "])
def test_county_staff_search_a_town_of_their_county_by_name_or_code(as_user, client, logged, region):
    as_user("county")
    status, page = _search(client, region)
    assert status == 200 and "child 11" in page and "child 33" not in page and "child 22" not in page
    assert 'value="兰山区 义堂镇"' in page  # the region is shown back by its name, not its code


def test_entries_show_the_region_by_name(as_user, client, logged):
    as_user("county")
    page = client.get("/audit/").get_data(as_text=True)
    assert "屠苏村" in page and "白沙埠" in page


@pytest.mark.parametrize("region", [
    "罗庄区", "临沂市 罗庄区", "罗庄街道", "371311000000", LUOZHUANG_VILLAGE,
    "３７１３１１００１００１",  # full-width digits
    "371311",  # a code cut short
    "临沂市",  # the city above the searcher
])
def test_another_region_is_refused_with_a_message_and_shows_nothing(as_user, client, logged, region):
    as_user("county")
    status, page = _search(client, region)
    assert status == 400
    assert "不在您的辖区" in page or "没有唯一" in page
    assert "child 22" not in page and "child 11" not in page and "child 33" not in page


def test_a_name_no_region_has_is_refused_in_the_users_language(as_user, client, logged):
    as_user("county")
    status, page = _search(client, "yitang")  # pinyin: no region is named so
    assert status == 400 and "没有唯一" in page and "child 11" not in page
    from tests.conftest import post

    post(client, "/language", {"lang": "en"})
    assert "No single region has that name" in _search(client, "不存在镇")[1]


def test_the_city_and_the_administrator_search_any_county_below_them(app, as_user, client, logged):
    as_user("city")
    status, page = _search(client, "罗庄区")
    assert status == 200 and "child 22" in page and "child 11" not in page
    from tests.conftest import login

    admin = app.test_client()
    login(admin, "admin")
    status, page = _search(admin, "兰山区")
    assert status == 200 and "child 11" in page and "child 33" in page and "child 22" not in page


def test_the_rule_resolves_inside_the_searchers_region_first(app, users, logged):
    with app.app_context(), db.new_session() as s:
        county = s.get(User, users["county"].id)
        assert rules.region_to_search(s, county, "义堂镇") == "371302105000"
        assert rules.region_to_search(s, county, "") == ""
        with pytest.raises(DomainError):
            rules.region_to_search(s, county, "罗庄街道")
        with pytest.raises(DomainError):
            rules.region_to_search(s, s.get(User, users["county2"].id), "义堂镇")
