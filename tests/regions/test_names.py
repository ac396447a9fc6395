"""Issue 21: regions are shown and chosen by name ("兰山区 义堂镇"), never by their 12-digit code."""

from __future__ import annotations

from portal import db
from portal.regions.models import Level, Region
from portal.regions.names import find_by_path, path_of
from tests.conftest import form_on, post


def test_a_region_reads_from_its_county_down(app, regions):
    with app.app_context(), db.new_session() as s:
        assert path_of(s, "371302105000") == "兰山区 义堂镇"
        assert path_of(s, "371302105259") == "兰山区 义堂镇 屠苏村村民委员会"
        assert path_of(s, "371302000000") == "临沂市 兰山区"


def test_a_name_path_finds_its_region_and_same_names_are_told_apart_by_the_county(app, regions):
    with app.app_context(), db.write_session() as s:
        # 罗庄区 gets a 义堂镇 too: the bare name is ambiguous, the path is not.
        s.add(Region(code="371311105000", parent_code="371311000000", level=Level.town, name="义堂镇"))
    with app.app_context(), db.new_session() as s:
        assert find_by_path(s, "兰山区 义堂镇") == "371302105000"
        assert find_by_path(s, "罗庄区 义堂镇") == "371311105000"
        assert find_by_path(s, "义堂镇") is None
        assert find_by_path(s, "屠苏村村民委员会") == "371302105259"
        assert find_by_path(s, "371302105259") == "371302105259"
        assert find_by_path(s, "兰山区 不存在镇") is None


def test_account_form_shows_and_takes_names_not_codes(client, as_user, users):
    as_user("town")
    page = client.get("/accounts/new").get_data(as_text=True)
    fields = form_on(page, "/accounts/new")
    for key, value in {"username": "li-na", "display_name": "李娜", "role": "child_director",
                       "region_code": "兰山区 义堂镇 颐顺园村村民委员会", "password": "a long enough pass phrase"}.items():
        fields[key] = value
    response = post(client, "/accounts/new", fields, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "李娜" in body
    assert "兰山区 义堂镇 颐顺园村村民委员会" in body and "371302105260" not in body


def test_a_name_that_is_no_region_is_refused_and_kept_as_typed(client, as_user, users):
    as_user("town")
    fields = form_on(client.get("/accounts/new").get_data(as_text=True), "/accounts/new")
    for key, value in {"username": "li-na", "display_name": "李娜", "role": "child_director",
                       "region_code": "兰山区 义堂镇 不存在村", "password": "a long enough pass phrase"}.items():
        fields[key] = value
    response = post(client, "/accounts/new", fields)
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and "请从建议中选择" in body
    assert 'value="兰山区 义堂镇 不存在村"' in body


def test_profile_shows_the_region_name_without_its_code(client, as_user, users):
    as_user("village")
    body = client.get("/account").get_data(as_text=True)
    assert "兰山区 义堂镇 屠苏村村民委员会" in body and "371302105259" not in body


def test_account_list_names_each_region(client, as_user, users):
    as_user("town")
    page = client.get("/accounts/").get_data(as_text=True)
    assert "兰山区 义堂镇 屠苏村村民委员会" in page and "371302105259" not in page
