"""Sharing a need into WeChat: a stable short link with share-card tags holding the public summary
only, a card image, a QR poster for staff over the need and its claimers, and a link that keeps
working after the need closes, showing the outcome."""

import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.needs import claims, share
from tests.conftest import post

SECRET = "a-test-secret"


def _code(app, need_id: int) -> str:
    return share.code_for(app.config["SECRET_KEY"], need_id)


def test_a_short_code_is_stable_and_cannot_be_made_up_by_counting():
    codes = {share.code_for(SECRET, n) for n in range(1, 500)}
    assert len(codes) == 499 and share.code_for(SECRET, 42) == share.code_for(SECRET, 42)
    assert all(share.need_of_code(SECRET, share.code_for(SECRET, n)) == n for n in (1, 9, 31, 10_000_000))
    code = share.code_for(SECRET, 42)
    forged = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert share.need_of_code(SECRET, forged) is None
    assert share.need_of_code("another-secret", code) is None
    assert share.need_of_code(SECRET, "0O1l") is None and share.need_of_code(SECRET, "") is None
    assert not set("01ilo") & set("".join(codes))  # no look-alike characters to mistype from a poster


def test_the_short_link_shows_the_public_summary_with_share_tags_and_never_the_child(app, make_need, client):
    need_id = make_need(to="published")
    page = client.get(f"/n/{_code(app, need_id)}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'property="og:description" content="义堂镇一名小学生需要每周末的数学辅导。"' in text
    assert 'property="og:image"' in text and f"/n/{_code(app, need_id)}/card.png" in text
    assert "测试儿童" not in text and "需要数学辅导" not in text.replace("需要每周末的数学辅导", "")
    assert "屠苏村" not in text  # never the village


def test_an_unknown_or_forged_code_is_404_and_a_need_never_published_has_no_link(app, make_need, client):
    unpublished = make_need(to="at_town")
    assert client.get(f"/n/{_code(app, unpublished)}").status_code == 404
    assert client.get("/n/zzzzzzzz").status_code == 404


def test_the_card_image_is_a_png_of_the_share_card_size(app, make_need, client):
    response = client.get(f"/n/{_code(app, make_need(to='published'))}/card.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == share.CARD


@pytest.mark.parametrize("size", ["a5", "phone"])
def test_county_staff_download_the_poster_at_its_size_with_a_working_qr(app, make_need, signed_in, size):
    need_id = make_need(to="published")
    response = signed_in("county").get(f"/n/{_code(app, need_id)}/poster.png?size={size}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "attachment" in response.headers["Content-Disposition"]
    assert Image.open(io.BytesIO(response.data)).size == share.SIZES[size]


def test_the_poster_qr_code_carries_the_short_link():
    import segno

    url = "https://portal.test/n/" + share.code_for(SECRET, 7)
    image = share._qr(url, 400)
    assert image.width >= segno.make(url, error="m").symbol_size(border=2)[0]


@pytest.mark.parametrize("key, allowed", [
    ("village", True), ("town", True), ("county", True),
    ("village2", False),  # another village of the same town
    ("county2", False),  # another county
    ("donor", False), ("volunteer", False),  # helpers who did not claim it
])
def test_who_may_download_the_poster(app, make_need, signed_in, helper_in, key, allowed):
    need_id = make_need(to="published")
    if key == "volunteer":
        helper_in("volunteer")
    response = signed_in(key).get(f"/n/{_code(app, need_id)}/poster.png")
    assert (response.status_code == 200) == allowed
    if not allowed:
        assert response.status_code in (403, 404)


def test_the_helper_who_claimed_downloads_the_poster_and_a_visitor_cannot(app, make_need, helper_in, signed_in,
                                                                          client):
    need_id = make_need(to="published", slots=2)
    helper_in("volunteer")
    volunteer = signed_in("volunteer")
    assert post(volunteer, f"/board/{need_id}/claim").status_code == 302
    assert volunteer.get(f"/n/{_code(app, need_id)}/poster.png?size=phone").status_code == 200
    assert client.get(f"/n/{_code(app, need_id)}/poster.png").status_code in (302, 401, 403)


def test_a_bad_poster_size_is_refused(app, make_need, signed_in):
    assert signed_in("county").get(f"/n/{_code(app, make_need(to='published'))}/poster.png?size=a0").status_code == 400


def test_a_closed_needs_link_keeps_working_and_shows_the_outcome(app, users, make_need, make_org, client):
    need_id = make_need(to="published")
    org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        row = claims.claim(s, member, need_id)
        delivery = claims.report_delivery(s, member, row.id, "已完成辅导，孩子名叫测试儿童", [], [], [], date.today())
        claims.verify_delivery(s, s.get(User, users["village"].id), delivery.id)
        org_name = s.get(__import__("portal.helpers.models", fromlist=["Organization"]).Organization, org_id).name
    text = client.get(f"/n/{_code(app, need_id)}").get_data(as_text=True)
    assert "已完成" in text and f"由{org_name}完成" in text
    assert "年" in text and "月" in text
    assert "测试儿童" not in text  # the report's free text is not public
    assert "og:description" in text
    # The board's own page of the closed need leads there too, not to a dead end.
    detail = client.get(f"/board/{need_id}").get_data(as_text=True)
    assert f"/n/{_code(app, need_id)}" in detail


def test_staff_see_the_share_link_on_the_need(app, make_need, signed_in):
    need_id = make_need(to="published")
    page = signed_in("county").get(f"/needs/{need_id}").get_data(as_text=True)
    assert f"/n/{_code(app, need_id)}" in page


def test_board_cards_show_a_category_mark_a_progress_bar_for_money_and_a_filter_control(app, make_need, client):
    make_need(to="published", kind="money", category="tuition", target_fen=1_000_000)
    make_need(to="published")
    page = client.get("/board").get_data(as_text=True)
    assert page.count('<svg class="cat-icon') == 2  # drawn inline: nothing fetched
    assert '<progress class="raised" max="1000000" value="0"' in page  # fen, integers only
    assert page.count("<progress") == 1  # only the money need has one
    assert '<details class="filters-fold" open>' in page and "<summary>筛选</summary>" in page
