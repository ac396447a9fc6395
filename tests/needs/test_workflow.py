"""A need from the child director's report up the levels to publishing, with its history; who
may act at each level; escalation by time; the public board shows nobody."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.needs import rules
from portal.needs.models import NeedEvent, NeedPolicy, NeedStatus
from portal.notifications.models import Notification
from portal.types import utcnow
from tests.conftest import post
from tests.needs.conftest import need_row


def actor(s, users, key):
    return s.get(User, users[key].id)


def test_a_director_reports_from_the_childs_file_and_it_waits_at_the_village(app, make_need, signed_in):
    need_id = make_need()
    need = need_row(app, need_id)
    assert need.status == NeedStatus.reported and need.region_code == "371302105259"
    assert need.town_code == "371302105000" and need.county_code == "371302000000"
    with app.app_context(), db.new_session() as s:
        raw = s.execute(db_text("SELECT description FROM need")).scalar()
    assert "测试儿童" not in raw  # the internal description is encrypted at rest


def db_text(sql):
    from sqlalchemy import text

    return text(sql)


def test_the_need_rises_level_by_level_and_its_history_says_who(app, users, make_need):
    need_id = make_need(to="at_county")
    with app.app_context(), db.new_session() as s:
        events = [(e.action, e.from_status, e.to_status, who) for e, who in rules.history(s, need_id)]
    assert events == [("report", "", "reported", "Test village"), ("escalate", "reported", "at_town", "Test village"),
                      ("escalate", "at_town", "at_county", "Test town")]


def test_each_level_acts_only_on_its_own_and_lower_needs(app, users, make_need):
    need_id = make_need(to="at_town")
    with app.app_context(), db.write_session() as s:
        need = s.get(rules.Need, need_id)
        for key in ("village", "village2"):  # the director's turn has passed; another village never
            with pytest.raises(NotAllowed):
                rules.resolve(s, actor(s, users, key), need, "低保")
        with pytest.raises(NotAllowed):
            rules.escalate(s, actor(s, users, "county2"), need)
        rules.resolve(s, actor(s, users, "town"), need, "纳入镇教育帮扶，由镇中心校安排老师辅导")
    need = need_row(app, need_id)
    assert need.status == NeedStatus.resolved and "镇中心校" in need.resolution


def test_a_director_cannot_reach_another_villages_need(app, make_need, signed_in):
    need_id = make_need()
    other = signed_in("village2")
    assert other.get(f"/needs/{need_id}").status_code == 404
    assert post(other, f"/needs/{need_id}/escalate", {"note": ""}).status_code == 404
    assert need_row(app, need_id).status == NeedStatus.reported


def test_helpers_never_reach_the_internal_need(app, make_need, signed_in, users):
    need_id = make_need(to="published")
    for key in ("volunteer", "org", "donor"):
        client = signed_in(key)
        assert client.get(f"/needs/{need_id}").status_code == 403, key
    public = app.test_client().get(f"/board/{need_id}").get_data(as_text=True)
    assert "数学辅导" in public and "测试儿童" not in public and "屠苏" not in public


def test_resolving_needs_how_and_rejecting_needs_why(app, users, make_need):
    need_id = make_need()
    with app.app_context(), db.write_session() as s:
        need = s.get(rules.Need, need_id)
        with pytest.raises(DomainError):
            rules.resolve(s, actor(s, users, "village"), need, "  ")
        with pytest.raises(DomainError):
            rules.reject(s, actor(s, users, "village"), need, "")
    assert need_row(app, need_id).status == NeedStatus.reported


def test_publishing_is_refused_while_the_summary_reveals_the_child(app, users, make_need, signed_in):
    need_id = make_need(to="at_county", child_values={"name": "王小明"})
    county = signed_in("county")
    refused = post(county, f"/needs/{need_id}/publish", {"summary": "王 小 明 今年10岁，电话13905391234，住屠苏村5组。"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and page.count('<mark class="pii"') >= 3
    assert need_row(app, need_id).status == NeedStatus.at_county
    ok = post(county, f"/needs/{need_id}/publish", {"summary": "义堂镇一名10岁男孩，五年级，数学基础薄弱，希望周末有人辅导。"})
    assert ok.status_code == 302
    need = need_row(app, need_id)
    assert need.status == NeedStatus.published and need.age_band and need.published_at


def test_only_civil_affairs_publish(app, users, make_need, signed_in):
    need_id = make_need(to="at_town")
    town = signed_in("town")
    assert post(town, f"/needs/{need_id}/publish", {"summary": "义堂镇一名小学生需要辅导。"}).status_code == 403


def test_two_staff_acting_at_once_cannot_both_move_a_need(app, users, make_need):
    """The director's page was loaded while the need was at the village; meanwhile it rose to the
    town. Resolving from the stale page is refused, not applied to a need no longer theirs."""
    need_id = make_need()
    with app.app_context(), db.new_session() as s:
        stale = s.get(rules.Need, need_id)
        s.expunge(stale)
    with app.app_context(), db.write_session() as s:
        rules.escalate(s, actor(s, users, "village"), s.get(rules.Need, need_id))
    with app.app_context(), db.write_session() as s:
        seen = s.merge(stale, load=False)
        with pytest.raises(Conflict):
            rules.resolve(s, actor(s, users, "village"), seen, "低保")
    assert need_row(app, need_id).status == NeedStatus.at_town


def test_waiting_needs_rise_by_themselves_and_the_event_says_so(app, users, make_need):
    need_id = make_need()
    later = utcnow() + timedelta(days=3, minutes=1)
    with app.app_context(), db.write_session() as s:
        assert rules.escalate_waiting(s, utcnow())["escalated"] == 0
        assert rules.escalate_waiting(s, later)["escalated"] == 1
    need = need_row(app, need_id)
    assert need.status == NeedStatus.at_town
    with app.app_context(), db.new_session() as s:
        event = s.scalar(select(NeedEvent).where(NeedEvent.need_id == need_id, NeedEvent.action == "auto_escalate"))
        told = s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == users["town"].id, Notification.kind == "need_arrived"))
    assert event.actor_id is None and told == 1


def test_a_county_sets_its_own_waiting_times(app, users, make_need):
    make_need()
    with app.app_context(), db.write_session() as s:
        rules.set_policy(s, actor(s, users, "county"), "371302000000", {"village": 1, "town": 2, "county": 3})
    with app.app_context(), db.write_session() as s:
        assert rules.escalate_waiting(s, utcnow() + timedelta(days=1, minutes=1))["escalated"] == 1
    with app.app_context(), db.write_session() as s:
        assert s.get(NeedPolicy, "371302000000").town_days == 2
        with pytest.raises(NotAllowed):
            rules.set_policy(s, actor(s, users, "county2"), "371302000000", {"village": 1, "town": 2, "county": 3})


def test_needs_at_the_county_too_long_alert_its_staff_once(app, users, make_need):
    make_need(to="at_county")
    later = utcnow() + timedelta(days=8)
    with app.app_context(), db.write_session() as s:
        assert rules.escalate_waiting(s, later)["county_alerts"] == 1
    with app.app_context(), db.write_session() as s:
        assert rules.escalate_waiting(s, later)["county_alerts"] == 0


def test_unclaimed_needs_past_their_deadline_expire(app, users, make_need):
    need_id = make_need(to="published", deadline=date.today() + timedelta(days=5))
    with app.app_context(), db.write_session() as s:
        assert rules.expire_overdue(s, date.today()) == 0
        assert rules.expire_overdue(s, date.today() + timedelta(days=6)) == 1
    assert need_row(app, need_id).status == NeedStatus.expired


def test_bad_reports_are_refused_with_the_form_kept(app, make_child, signed_in):
    child = make_child()
    client = signed_in("village")
    response = post(client, f"/needs/new?child={child.id}", {"category": "education", "kind": "money",
                                                            "description": "学费", "urgency": "2", "slots": "1"})
    assert response.status_code == 400 and "学费" in response.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(rules.Need)) == 0


def test_the_queue_is_most_urgent_then_oldest(app, users, make_need):
    low = make_need(to="at_town", urgency=1)
    high = make_need(to="at_town", urgency=3)
    with app.app_context(), db.new_session() as s:
        assert [n.id for n in rules.queue_for(s, actor(s, users, "town"))] == [high, low]
        assert rules.queue_for(s, actor(s, users, "village")) == []


def test_an_activity_names_its_children(app, users, make_child):
    children = [make_child() for _ in range(3)]
    with app.app_context(), db.write_session() as s:
        need = rules.report_need(s, actor(s, users, "village"), None, rules.NeedValues(
            category="psychological", kind="activity", description="儿童之家心理健康讲座", slots=2,
            child_ids=[c.id for c in children]), region_code="371302105259")
        assert len(rules.children_of(s, need)) == 3
    outsider = make_child("village2", region_code="371302105260")
    with app.app_context(), db.write_session() as s:
        with pytest.raises(NotFound):
            rules.report_need(s, actor(s, users, "village"), None, rules.NeedValues(
                category="psychological", kind="activity", description="讲座", child_ids=[outsider.id]),
                region_code="371302105259")


def test_the_policy_page_sets_waiting_times_for_the_own_county_only(app, signed_in):
    county = signed_in("county")
    assert county.get("/needs/policy").status_code == 200
    assert post(county, "/needs/policy", {"village_days": "2", "town_days": "5", "county_days": "9"}).status_code == 302
    assert post(county, "/needs/policy", {"village_days": "0", "town_days": "5", "county_days": "9"}).status_code == 400
    with app.app_context(), db.new_session() as s:
        assert rules.policy_days(s, "371302000000") == {"village": 2, "town": 5, "county": 9}
    assert county.get("/needs/policy?county=371311000000").status_code == 403
    assert signed_in("town").get("/needs/policy").status_code == 403
