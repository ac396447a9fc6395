"""Issue 21: the board's town filter (``?town=``, which the board already accepted) is a control:
choosing a county offers its towns that have published needs, by name."""

from __future__ import annotations

import re

COUNTY, YITANG = "371302000000", "371302105000"


def _town_select(page: str) -> str:
    found = re.search(r'<select[^>]*name="town".*?</select>', page, re.S)
    return found.group(0) if found else ""


def test_choosing_a_county_offers_its_towns_with_needs(client, make_need):
    make_need(to="published")
    assert _town_select(client.get("/board").get_data(as_text=True)) == ""  # no county: no town list
    select = _town_select(client.get(f"/board?county={COUNTY}").get_data(as_text=True))
    assert f'value="{YITANG}"' in select and "义堂镇" in select
    assert "白沙埠镇" not in select  # a town of the county without published needs


def test_a_town_link_shows_the_town_chosen_and_its_needs(client, make_need):
    make_need(to="published")
    page = client.get(f"/board?town={YITANG}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{YITANG}">义堂镇</option>', _town_select(page))
    assert "数学辅导" in page
    assert "数学辅导" not in client.get("/board?town=371302101000").get_data(as_text=True)


def test_an_htmx_county_change_brings_its_town_list_along(client, make_need):
    make_need(to="published")
    fragment = client.get(f"/board?county={COUNTY}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="town-filter"' in fragment and 'hx-swap-oob="true"' in fragment and "义堂镇" in _town_select(fragment)


def test_a_town_of_another_county_is_dropped_when_the_county_changes(client, make_need):
    make_need(to="published")
    page = client.get(f"/board?county=371311000000&town={YITANG}").get_data(as_text=True)
    assert "数学辅导" not in page  # 罗庄区 has no needs; the old town does not bring 义堂镇's back
    assert 'selected value="371302105000"' not in page
