"""Issue 22: the anonymous board is rendered once per filter until the board changes. A change to a
need, however it is made, shows on the next request; what is kept is never another visitor's page
(form tokens) nor a signed-in reader's."""

from __future__ import annotations

import re

from sqlalchemy import update

from portal import db
from portal.accounts.models import User
from portal.needs import board_cache, rules
from portal.needs.models import Need
from tests.conftest import login

SUMMARY = "义堂镇一名小学生需要每周末的数学辅导。"


def _version(app) -> int:
    with app.app_context(), db.new_session() as s:
        return board_cache.version(s)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_need_published_after_the_board_was_kept_shows_at_once(app, client, make_need):
    assert "数学辅导" not in client.get("/board").get_data(as_text=True)
    client.get("/board")  # kept now
    make_need(to="published")
    assert "数学辅导" in client.get("/board").get_data(as_text=True)
    assert "数学辅导" in client.get("/board", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_a_bulk_update_of_a_need_moves_the_board_on(app, client, make_need):
    need_id = make_need(to="published")
    assert "1个名额" in client.get("/board").get_data(as_text=True).replace(" ", "")
    before = _version(app)
    with app.app_context(), db.write_session() as s:  # as claims and gifts change a need: one UPDATE
        s.execute(update(Need).where(Need.id == need_id).values(slots=3))
    assert _version(app) == before + 1
    assert "3个名额" in client.get("/board").get_data(as_text=True).replace(" ", "")


def test_a_change_rolled_back_leaves_the_version_alone(app, make_need):
    need_id = make_need(to="published")
    before = _version(app)
    with app.app_context():
        s = db.new_session(write=True)
        s.get(Need, need_id).urgency = 3
        s.flush()
        s.rollback()
        s.close()
    assert _version(app) == before


def test_a_closed_need_leaves_the_kept_board(app, client, users, make_need):
    need_id = make_need(to="published")
    assert "数学辅导" in client.get("/board").get_data(as_text=True)
    with app.app_context(), db.write_session() as s:
        rules.cancel(s, s.get(User, users["county"].id), s.get(Need, need_id), "家长已自行安排")
    assert "数学辅导" not in client.get("/board").get_data(as_text=True)


def test_each_visitor_gets_their_own_form_token_from_a_kept_board(app, make_need):
    make_need(to="published")
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/board").get_data(as_text=True)
    page_two = second.get("/board").get_data(as_text=True)  # the results come from the cache
    assert "数学辅导" in page_two
    assert _token(page_one) != _token(page_two)
    # The second visitor's language switch (a form on the board) is accepted with their token.
    response = second.post("/language", data={"lang": "en", "next": "/board", "csrf_token": _token(page_two)})
    assert response.status_code == 302
    assert "Needs of children" in second.get("/board").get_data(as_text=True)


def test_the_kept_board_is_per_language(app, make_need):
    make_need(to="published")
    chinese, english = app.test_client(), app.test_client()
    assert "需求" in chinese.get("/board").get_data(as_text=True)
    page = english.get("/board").get_data(as_text=True)
    english.post("/language", data={"lang": "en", "next": "/board", "csrf_token": _token(page)})
    results = english.get("/board", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "urgency" in results and "紧急程度" not in results


def test_a_signed_in_reader_never_gets_the_anonymous_board(app, client, users, make_need, helper_in):
    make_need(to="published", kind="pairing", pairing_months=6)
    anonymous = app.test_client().get("/board").get_data(as_text=True)  # kept, asking for a certificate
    helper_in("volunteer", vetted=True)
    login(client, users["volunteer"].username)
    page = client.get("/board").get_data(as_text=True)
    assert "无犯罪记录" in anonymous and "数学辅导" in page and "无犯罪记录" not in page


def test_signed_in_readers_share_kept_results_only_with_readers_vetted_alike(app, users, make_need, helper_in):
    """Signed-in readers' results are kept too (the same needs for the same filter), but apart for
    the vetted and the not vetted: each sees their own notes, whoever came first."""
    make_need(to="published", kind="pairing", pairing_months=6)
    helper_in("volunteer", vetted=True)
    vetted, unvetted = app.test_client(), app.test_client()
    login(vetted, users["volunteer"].username)
    login(unvetted, users["donor"].username)  # a donor has no certificate
    assert "无犯罪记录" not in vetted.get("/board").get_data(as_text=True)
    assert "无犯罪记录" in unvetted.get("/board").get_data(as_text=True)
    assert "无犯罪记录" not in vetted.get("/board", headers={"HX-Request": "true"}).get_data(as_text=True)
