"""Region suggestions for the account form: only regions below the user, by name or code."""

import pytest


def test_suggestions_by_name_stay_inside_the_users_subtree(as_user, client):
    as_user("town")
    body = client.get("/regions/options?region_code=村", headers={"HX-Request": "true"}).get_data(as_text=True)
    # Suggestions fill in the name path, never the 12-digit code (issue 21).
    assert 'value="兰山区 义堂镇 屠苏村村民委员会"' in body and 'value="兰山区 义堂镇 颐顺园村村民委员会"' in body
    assert "3713" not in body
    assert "白沙埠" not in body and "罗庄" not in body  # other town, other county
    assert "<html" not in body


def test_suggestions_by_code_prefix(as_user, client):
    as_user("county")
    body = client.get("/regions/options?q=371302101").get_data(as_text=True)
    assert 'value="兰山区 白沙埠镇"' in body and 'value="兰山区 白沙埠镇 白沙埠村村民委员会"' in body
    assert "义堂镇" not in body


def test_search_text_is_not_a_pattern(as_user, client):
    as_user("county")
    assert "<option" not in client.get("/regions/options?q=%25").get_data(as_text=True)


@pytest.mark.parametrize("role", ["org", "volunteer", "donor"])
def test_helpers_get_no_suggestions(as_user, client, role):
    as_user(role)
    assert client.get("/regions/options?q=村").status_code == 403
