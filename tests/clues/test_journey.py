"""Done when: a member of the public reports a clue from a phone; it reaches the right town; the
director records "new child registered"; the county sees it counted. Through the pages."""

import re

from sqlalchemy import select

from portal import db
from portal.clues.models import Clue
from tests.clues.conftest import TOWN
from tests.conftest import form_on, login

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"}


def test_public_report_reaches_the_town_is_closed_as_new_child_and_counted(app, users, make_child):
    public = app.test_client()
    page = public.get("/clues/report", headers=PHONE).get_data(as_text=True)
    data = form_on(page, "/clues/report")
    data["region"], data["place"] = "兰山区 义堂镇", "屠苏村村东桥头"
    data["text"], data["urgent"] = "桥头有个七八岁的女孩，连续几晚一个人睡在桥洞下", "1"
    sent = public.post("/clues/report", data=data, headers=PHONE, follow_redirects=True).get_data(as_text=True)
    code = re.search(r'id="tracking-code">([0-9A-Z-]+)<', sent).group(1)
    with app.app_context(), db.write_session() as s:
        clue = s.scalars(select(Clue)).one()
        clue_id = clue.id
        assert clue.town_code == TOWN

    town = app.test_client()
    login(town, "town")
    assert f"/clues/{clue_id}" in town.get("/clues/").get_data(as_text=True)
    page = town.get(f"/clues/{clue_id}").get_data(as_text=True)
    assign = form_on(page, f"/clues/{clue_id}/assign")
    assign["director"] = str(users["village"].id)
    assert town.post(f"/clues/{clue_id}/assign", data=assign).status_code == 302

    director = app.test_client()
    login(director, "village")
    assert f"/clues/{clue_id}" in director.get("/clues/").get_data(as_text=True)
    child = make_child("village", name="桥小妹")  # the file opened after the visit on site
    page = director.get(f"/clues/{clue_id}").get_data(as_text=True)
    assert "桥洞" in page and "桥小妹" in page  # the director reads it as written, and may link the new file
    outcome = form_on(page, f"/clues/{clue_id}/outcome")
    outcome["outcome"], outcome["child_id"] = "new_child", str(child.id)
    closed = director.post(f"/clues/{clue_id}/outcome", data=outcome, follow_redirects=True).get_data(as_text=True)
    assert "新登记儿童" in closed

    status = public.post("/clues/track", data={"code": code, "csrf_token": data["csrf_token"]})
    assert "已处理" in status.get_data(as_text=True) and "桥小妹" not in status.get_data(as_text=True)

    county = app.test_client()
    login(county, "county")
    assert "发现线索1条，移送0条，救助1名" in county.get("/clues/counts").get_data(as_text=True)
