"""Staff enter clues received by telephone or from a department, with the source, inside their
region; a form sent twice records one clue; htmx gets the list's fragment."""

import re

from sqlalchemy import func, select

from portal import db
from portal.clues.models import Clue
from tests.conftest import form_on


def _entry(client, **changes):
    data = form_on(client.get("/clues/new").get_data(as_text=True), "/clues/new")
    for key, value in {"source": "school", "source_ref": "屠苏村小学 情况说明", "region": "兰山区 义堂镇 屠苏村村民委员会",
                       "place": "屠苏村小学", "text": "班主任反映一名学生一周没来上课", **changes}.items():
        data[key] = value
    return data


def _count(app) -> int:
    with app.app_context(), db.write_session() as s:
        return s.scalar(select(func.count()).select_from(Clue))


def test_county_staff_enter_a_school_clue_and_it_waits_at_the_town(app, client, as_user, users):
    as_user("county")
    data = _entry(client)
    response = client.post("/clues/new", data=data, follow_redirects=True)
    assert "已登记，现由" in response.get_data(as_text=True)
    with app.app_context(), db.write_session() as s:
        clue = s.scalars(select(Clue)).one()
        assert (clue.source, clue.source_ref, clue.town_code, clue.entered_by_id) == (
            "school", "屠苏村小学 情况说明", "371302105000", users["county"].id)
    # The same form sent again records nothing more.
    assert client.post("/clues/new", data=data).status_code == 302
    assert _count(app) == 1


def test_a_region_outside_ones_own_is_refused_beside_the_field(app, client, as_user, users):
    as_user("town")
    for region in ("罗庄区 罗庄街道", "兰山区 白沙埠镇", "河南省"):
        response = client.post("/clues/new", data=_entry(client, region=region))
        assert response.status_code == 400
        assert re.search(r'has-error">\s*<label for="region"', response.get_data(as_text=True)), region
    assert _count(app) == 0


def test_the_public_form_source_cannot_be_chosen_by_staff(app, client, as_user, users):
    as_user("county")
    assert client.post("/clues/new", data=_entry(client, source="public")).status_code == 400
    assert _count(app) == 0


def test_helpers_cannot_open_the_staff_pages(app, client, as_user, users):
    as_user("volunteer")
    for path in ("/clues/", "/clues/new", "/clues/counts"):
        assert client.get(path).status_code == 403


def test_the_list_answers_htmx_with_its_fragment(app, client, as_user, users, make_clue):
    clue_id, _ = make_clue()
    as_user("town")
    fragment = client.get("/clues/?status=received", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"/clues/{clue_id}" in fragment and "<html" not in fragment


def test_a_director_enters_a_call_about_the_village_and_it_goes_to_the_town(app, client, as_user, users):
    as_user("village")
    data = _entry(client, source="phone", source_ref="村民来电")
    response = client.post("/clues/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/clues/")
    with app.app_context(), db.write_session() as s:
        clue = s.scalars(select(Clue)).one()
        assert (clue.town_code, clue.assigned_to_id) == ("371302105000", None)
    # Not assigned to them (yet): the director does not see it, like any other clue of the town.
    assert client.get(f"/clues/{clue.id}").status_code == 404
