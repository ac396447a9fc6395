"""Region suggestions for the account form: only regions below the user, by name or code."""

import pytest


def test_suggestions_by_name_stay_inside_the_users_subtree(as_user, client):
    as_user("town")
    body = client.get("/regions/options?region_code=村", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'value="371302105259"' in body and 'value="371302105260"' in body
    assert "371302101201" not in body and "371311001001" not in body  # other town, other county
    assert "<html" not in body


def test_suggestions_by_code_prefix(as_user, client):
    as_user("county")
    body = client.get("/regions/options?q=371302101").get_data(as_text=True)
    assert 'value="371302101000"' in body and 'value="371302101201"' in body
    assert "371302105" not in body


def test_search_text_is_not_a_pattern(as_user, client):
    as_user("county")
    assert "<option" not in client.get("/regions/options?q=%25").get_data(as_text=True)


@pytest.mark.parametrize("role", ["org", "volunteer", "donor"])
def test_helpers_get_no_suggestions(as_user, client, role):
    as_user(role)
    assert client.get("/regions/options?q=村").status_code == 403
