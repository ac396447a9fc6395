"""Helpers on the board: "recommended for you" with reasons, in the public form only; their views of
a need's public page recorded once a day; the profile rules when there is no model file."""

import logging
import re

from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.matching import rules, service
from portal.matching.models import MatchEvent, MatchInteraction
from portal.needs import claims
from tests.conftest import login, post
from tests.matching_portal.conftest import english


def for_you_section(page: str) -> str:
    match = re.search(r'<section class="for-you" id="for-you">.*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_a_helper_sees_recommended_needs_with_reasons_and_nothing_about_the_child(app, make_need, skilled, signed_in):
    need_id = make_need(to="published")  # education, in 义堂镇 where the volunteer serves
    skilled("volunteer", skills=("tutoring",))
    client = english(signed_in("volunteer"))
    section = for_you_section(client.get("/board").get_data(as_text=True))
    assert "Recommended for you" in section and f"/board/{need_id}" in section
    assert "same town · Tutoring" in section  # reasons in plain words, joined by " · "
    assert "测试儿童" not in section and "需要数学辅导" not in section  # never the child, never the description
    assert "义堂镇一名小学生" in section  # the public summary


def test_reasons_are_words_in_the_readers_language_and_unknown_codes_are_left_out(app):
    from matching import Reason
    from portal.matching.labels import describe

    reasons = [Reason("same_town"), Reason("skill", "counselling"), Reason("done_similar", 2), Reason("mystery"),
               Reason("skill", "no-such-skill"), Reason("waiting", 12)]
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            assert describe(reasons) == "same town · Psychological counselling · 2 similar needs completed · waiting 12 days"


def test_needs_already_claimed_or_outside_the_area_or_of_another_kind_are_not_recommended(app, users, make_need,
                                                                                           skilled):
    taken = make_need(to="published", slots=2)
    free = make_need(to="published")
    money = make_need(to="published", kind="money", category="tuition", target_fen=300_000)
    skilled("volunteer", skills=("tutoring",))
    skilled("donor", area="371311000000", skills=())  # the other county: nothing there
    with app.app_context(), db.write_session() as s:
        claims.claim(s, s.get(User, users["volunteer"].id), taken)
    with app.test_request_context(), db.new_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        shown = [item.need.id for item in rules.for_you(s, volunteer)]
        assert shown == [free]  # not the claimed one, not the money need (donors give to those)
        assert rules.for_you(s, s.get(User, users["donor"].id)) == []
        assert money not in shown


def test_a_donor_is_recommended_money_needs(app, users, make_need, skilled):
    money = make_need(to="published", kind="money", category="tuition", target_fen=300_000)
    make_need(to="published")
    skilled("donor", area="371302000000", skills=())
    with app.test_request_context(), db.new_session() as s:
        assert [item.need.id for item in rules.for_you(s, s.get(User, users["donor"].id))] == [money]


def test_an_organization_member_sees_recommendations_for_the_organization(app, make_need, make_org):
    need_id = make_need(to="published")
    _org_id, admin = make_org(status="approved")
    client = app.test_client()
    assert login(client, admin, "a-long-secret-phrase").status_code == 302
    section = for_you_section(english(client).get("/board").get_data(as_text=True))
    assert f"/board/{need_id}" in section and "same county" in section


def test_staff_and_visitors_get_the_board_without_recommendations(app, make_need, skilled, signed_in, client):
    make_need(to="published")
    skilled("volunteer")
    assert 'id="for-you"' not in client.get("/board").get_data(as_text=True)
    assert 'id="for-you"' not in signed_in("county").get("/board").get_data(as_text=True)


def test_a_helper_opening_a_need_is_recorded_once_a_day_and_nobody_else(app, users, make_need, skilled, signed_in,
                                                                        client):
    need_id = make_need(to="published")
    skilled("volunteer")
    volunteer = signed_in("volunteer")
    assert volunteer.get(f"/board/{need_id}").status_code == 200
    assert volunteer.get(f"/board/{need_id}").status_code == 200
    assert client.get(f"/board/{need_id}").status_code == 200  # a visitor
    assert signed_in("county").get(f"/board/{need_id}").status_code == 200  # staff
    with app.app_context(), db.new_session() as s:
        rows = s.execute(select(MatchInteraction.event, MatchInteraction.helper_key, MatchInteraction.user_id,
                                MatchInteraction.need_id)).all()
    assert [tuple(r) for r in rows] == [(MatchEvent.view, f"u{users['volunteer'].id}", users["volunteer"].id, need_id)]


def test_a_need_no_longer_on_the_board_records_no_view(app, users, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    skilled("volunteer")
    with app.app_context(), db.write_session() as s:
        claims.claim(s, s.get(User, users["volunteer"].id), need_id)  # its only place: off the board
    assert signed_in("volunteer").get(f"/board/{need_id}").status_code == 200
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(MatchInteraction)) == 0


def test_without_a_model_file_the_profile_rules_are_used_and_kept_for_a_while(app, make_need, skilled, signed_in,
                                                                             model_file):
    make_need(to="published")
    skilled("volunteer")
    client = english(signed_in("volunteer"))
    assert not model_file.exists()
    assert "Recommended for you" in client.get("/board").get_data(as_text=True)
    with app.app_context():
        first = service.fallback_model()
        assert first is not None and first.name == "profile-rules"
        make_need(to="published")  # a newer need: the fallback is not fitted again at once
        assert service.fallback_model() is first


def _views(app) -> list[tuple]:
    with app.app_context(), db.new_session() as s:
        return [tuple(r) for r in s.execute(select(MatchInteraction.user_id, MatchInteraction.need_id))]


def test_a_refused_claim_by_an_unapproved_organization_says_why_without_locking_the_database(
        app, make_need, make_org, caplog):
    need_id = make_need(to="published")
    _org_id, admin = make_org()  # applied, not yet vetted
    client = app.test_client()
    assert login(client, admin, "a-long-secret-phrase").status_code == 302
    assert client.get(f"/board/{need_id}").status_code == 200
    with caplog.at_level(logging.WARNING):
        response = post(client, f"/board/{need_id}/claim", {})
    assert response.status_code == 403
    assert "您的机构未通过审核（或已被暂停），不能开展此操作。" in response.get_data(as_text=True)
    assert "database is locked" not in caplog.text and "could not record a view" not in caplog.text
    assert _views(app) == []  # a member of an organization that is not approved is no helper


def test_a_view_seen_again_after_a_refused_claim_is_recorded_once_the_request_is_over(
        app, users, make_need, signed_in, caplog):
    need_id = make_need(to="published")
    volunteer = signed_in("volunteer")  # contact not confirmed: the claim is refused, the page shown again
    with caplog.at_level(logging.WARNING):
        response = post(volunteer, f"/board/{need_id}/claim", {})
    assert response.status_code == 403
    assert "请先确认您的手机号或电子邮箱。" in response.get_data(as_text=True)
    assert "database is locked" not in caplog.text and "could not record a view" not in caplog.text
    assert _views(app) == [(users["volunteer"].id, need_id)]


def test_the_fallback_is_fitted_by_the_worker_and_only_read_in_requests(app, make_need, skilled, signed_in,
                                                                         model_file):
    """Issue 22: fitting the profile rules in a request stalled a worker for seconds on a province.
    A request reads the worker's file; only the task fits it again, and then every process reads
    the new one."""
    from portal.matching import tasks

    make_need(to="published")
    skilled("volunteer")
    client = english(signed_in("volunteer"))
    assert "Recommended for you" in client.get("/board").get_data(as_text=True)  # asked for once, here
    fallback = service.fallback_path(app)
    fitted_at = fallback.stat().st_mtime_ns
    newer = make_need(to="published")
    client.get("/board")
    client.get("/board")
    assert fallback.stat().st_mtime_ns == fitted_at  # requests never fitted it again
    with app.app_context():
        old = service.fallback_model()
        assert not service.knows(old, need=str(newer))
        tasks.refit_fallback.call_local()  # the worker's ten-minute run
        new = service.fallback_model()
        assert new is not old and service.knows(new, need=str(newer))
