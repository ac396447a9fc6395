"""Training through the browser: the done-when (a session is held, attended by QR, and the town's
coverage changes), and the QR check-in attacked the way a participant or outsider would."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from portal import db
from portal.training import rules
from portal.training.models import TrainingAttendance, TrainingMaterial, TrainingSession
from tests.conftest import csrf_token, form_on, login, post
from tests.training.conftest import LANSHAN, YITANG, attend


def _fill(form, **values):
    for name, value in values.items():
        form[name] = value  # replaces, where MultiDict.update would add a second value
    return form


def _checkin_path(training) -> str:
    return f"/t/{training.id}/{training.checkin_token}"


def _attendance(app):
    with app.app_context(), db.new_session() as s:
        return [(a.session_id, a.user_id, a.via_qr) for a in s.scalars(select(TrainingAttendance))]


def _coverage(app, region=YITANG):
    with app.app_context(), db.new_session() as s:
        return rules.coverage(s, region, date.today(), date.today())


def test_a_session_is_held_attended_by_qr_and_the_towns_coverage_changes(app, client, users, as_user):
    as_user("county")
    page = client.get("/training/new").get_data(as_text=True)
    form = form_on(page, "/training/new")
    _fill(form, topic="困境儿童保障政策培训", trainer="李静", region_code=YITANG, held_on=date.today().isoformat())
    created = client.post("/training/new", data=form)
    assert created.status_code == 302
    detail = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "困境儿童保障政策培训" in detail and "<svg" in detail  # the QR code, on the day
    with app.app_context(), db.new_session() as s:
        training = s.scalars(select(TrainingSession)).one()
    assert _coverage(app) == (0, 3)
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    as_user("village")  # the director scans the code on the phone
    confirm = client.get(_checkin_path(training))
    assert confirm.status_code == 200 and "困境儿童保障政策培训" in confirm.get_data(as_text=True)
    done = post(client, _checkin_path(training), follow_redirects=True)
    assert "已签到" in done.get_data(as_text=True)
    assert _attendance(app) == [(training.id, users["village"].id, True)]
    assert _coverage(app) == (1, 3)
    assert "困境儿童保障政策培训" in client.get("/account").get_data(as_text=True)  # on the account page
    assert "困境儿童保障政策培训" in client.get("/training/mine").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    as_user("county")
    page = client.get(f"/training/coverage?region={LANSHAN}").get_data(as_text=True)
    assert "义堂镇" in page and "33%" in page


def test_scanning_again_or_replaying_the_post_counts_once(app, client, users, as_user, make_training):
    training = make_training()
    as_user("village")
    for _ in range(3):
        assert post(client, _checkin_path(training)).status_code == 302
    assert len(_attendance(app)) == 1
    with app.app_context(), db.new_session() as s:
        assert rules.person_times(s, YITANG, date.today(), date.today()) == 1


@pytest.mark.parametrize("days", [-1, -30, 1])
def test_a_code_used_on_another_day_is_refused(app, client, as_user, make_training, days):
    training = make_training(held_on=date.today() + timedelta(days=days))
    as_user("village")
    assert client.get(_checkin_path(training)).status_code == 400
    response = post(client, _checkin_path(training))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert ("签到已于" in text) if days < 0 else ("签到将于" in text)
    assert _attendance(app) == []


def test_a_code_from_another_session_or_a_replaced_code_is_refused(app, client, users, as_user, make_training):
    first, second = make_training(topic="第一场"), make_training(topic="第二场")
    as_user("village")
    assert post(client, f"/t/{second.id}/{first.checkin_token}").status_code == 404
    with app.app_context(), db.write_session() as s:
        from portal.accounts.models import User

        rules.reissue_checkin(s, s.get(User, users["county"].id), s.get(TrainingSession, first.id))
    assert post(client, _checkin_path(first)).status_code == 404  # the old code
    assert post(client, f"/t/{first.id}/{first.checkin_token[:-1]}x").status_code == 404
    assert _attendance(app) == []


@pytest.mark.parametrize("key", ["outsider", "volunteer", "org", "county", "county2", "admin"])
def test_a_code_is_refused_to_anyone_the_session_is_not_held_for(app, client, users, make_training, outsider, key):
    training = make_training()
    assert login(client, key).status_code == 302
    assert post(client, _checkin_path(training)).status_code == 403
    assert _attendance(app) == []


def test_a_signed_out_scan_asks_to_sign_in_first(app, client, users, make_training):
    training = make_training()
    response = client.get(_checkin_path(training))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("key,status", [("county2", 404), ("village", 403), ("town", 403), ("volunteer", 403)])
def test_the_session_and_its_attendance_are_staff_of_the_region_only(app, client, users, make_training, key, status):
    training = make_training()
    attend(app, training, "village", users=users)
    login(client, key)
    assert client.get(f"/training/{training.id}").status_code == status
    assert client.get(f"/training/{training.id}/edit").status_code == status
    assert post(client, f"/training/{training.id}/attendance", {"shown": users["village"].id}).status_code == status
    assert len(_attendance(app)) == 1


def test_ticking_the_list_with_an_id_from_another_county_changes_nothing(app, client, users, as_user,
                                                                          make_training, outsider):
    training = make_training()
    as_user("county")
    page = client.get(f"/training/{training.id}").get_data(as_text=True)
    form = form_on(page, f"/training/{training.id}/attendance")
    assert sorted(form.getlist("shown")) == sorted(str(users[k].id) for k in ("town", "village", "village2"))
    form.add("present", str(users["village2"].id))
    form.add("shown", str(outsider.id))
    form.add("present", str(outsider.id))
    refused = client.post(f"/training/{training.id}/attendance", data=form)
    assert refused.status_code == 400
    assert "名单中有本次培训不面向的人员" in refused.get_data(as_text=True)
    assert _attendance(app) == []
    form = form_on(page, f"/training/{training.id}/attendance")
    form.add("present", str(users["village2"].id))
    assert client.post(f"/training/{training.id}/attendance", data=form).status_code == 302
    assert _attendance(app) == [(training.id, users["village2"].id, False)]


def test_bad_session_input_is_refused_in_chinese_and_saves_nothing(app, client, users, as_user):
    as_user("county")
    form = form_on(client.get("/training/new").get_data(as_text=True), "/training/new")
    _fill(form, topic="培训", trainer="李静", region_code="371311000000")  # the other county
    response = client.post("/training/new", data=form)
    assert response.status_code == 400 and "超出您的辖区" in response.get_data(as_text=True)
    _fill(form, region_code="371302105259")
    assert "村不能举办培训" in client.post("/training/new", data=form).get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.scalars(select(TrainingSession)).first() is None


@pytest.mark.parametrize("region", ["371311000000", "３７１３１１００００００", "371311", "371302", "37130210500０",
                                    "371399999999", "../371311000000"])
def test_coverage_of_another_county_or_a_disguised_code_is_not_shown(app, client, users, as_user, region):
    as_user("county")
    response = client.get("/training/coverage", query_string={"region": region})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "罗庄街道" not in page and "兰山区" in page  # the viewer's own county instead
    assert client.get("/training/people", query_string={"region": region}).status_code == 400


def test_the_roles_without_coverage_are_refused(app, client, users):
    login(client, "village")
    assert client.get("/training/coverage").status_code == 403
    assert client.get("/training/people").status_code == 403


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "green").save(out, "PNG")
    return out.getvalue()


def test_materials_are_uploaded_cleaned_and_shown_to_the_people_expected_only(app, client, users, as_user,
                                                                             make_training, outsider, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    training = make_training()
    as_user("county")
    token = csrf_token(client, f"/training/{training.id}")
    refused = client.post(f"/training/{training.id}/materials", content_type="multipart/form-data",
                          data={"csrf_token": token, "pages": (io.BytesIO(b"<svg onload=alert(1)>"), "slide.png")})
    assert refused.status_code == 400
    ok = client.post(f"/training/{training.id}/materials", content_type="multipart/form-data",
                     data={"csrf_token": token, "pages": (io.BytesIO(_png()), "第1页.png")})
    assert ok.status_code == 302
    with app.app_context(), db.new_session() as s:
        [material] = s.scalars(select(TrainingMaterial)).all()
    assert material.title == "第1页.png" and material.content_type == "image/jpeg"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "village")
    assert client.get(f"/training/materials/{material.id}").status_code == 200
    assert f"/training/materials/{material.id}" not in client.get("/training/mine").get_data(as_text=True)
    attend(app, training, "village", users=users)
    assert f"/training/materials/{material.id}" in client.get("/training/mine").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for key in ("outsider", "volunteer", "county2"):
        login(client, key)
        assert client.get(f"/training/materials/{material.id}").status_code == 404
        client.post("/logout", data={"csrf_token": csrf_token(client)})


def test_staff_list_sessions_edit_one_and_see_who_is_untrained(app, client, users, as_user, make_training):
    training = make_training(topic="个案管理培训")
    attend(app, training, "village", users=users)
    as_user("county")
    assert "个案管理培训" in client.get("/training/").get_data(as_text=True)
    form = form_on(client.get(f"/training/{training.id}/edit").get_data(as_text=True), f"/training/{training.id}/edit")
    _fill(form, topic="个案管理与入户走访培训")
    assert client.post(f"/training/{training.id}/edit", data=form).status_code == 302
    assert "个案管理与入户走访培训" in client.get(f"/training/{training.id}").get_data(as_text=True)
    page = client.get("/training/people", query_string={"region": YITANG, "untrained": "1"}).get_data(as_text=True)
    assert "Test village2" in page and "Test town" in page and "Test village<" not in page
    town_page = client.get("/training/coverage", query_string={"region": YITANG}).get_data(as_text=True)
    assert "屠苏村村民委员会" in town_page and "颐顺园村村民委员会" in town_page


def test_a_mangled_code_with_characters_beyond_ascii_answers_like_a_wrong_code(app, client, users, as_user,
                                                                                 make_training):
    # A link copied through a chat app can come back with full-width or Chinese characters in it.
    training = make_training()
    as_user("village")
    full_width = training.checkin_token.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    for token in ("签到码", full_width, training.checkin_token + "é"):
        assert client.get(f"/t/{training.id}/{token}").status_code == 404
        assert post(client, f"/t/{training.id}/{token}").status_code == 404
    assert _attendance(app) == []
