"""The daily reminder: directors hear about their overdue children, supervisors about long-overdue ones."""

from datetime import date, timedelta

from sqlmodel import select

from portal import db
from portal.children.models import Child
from portal.notifications import rules
from portal.notifications.models import Notification
from tests.conftest import post

TODAY = date(2026, 11, 26)


def _due(app, child_id: int, due: date, level: str | None = None) -> None:
    with app.app_context(), db.write_session() as s:
        child = s.get(Child, child_id)
        child.next_visit_due = due
        child.risk_level = level


def _notices(app) -> list[tuple[int, str, str]]:
    with app.app_context(), db.new_session() as s:
        return [(n.user_id, n.kind, n.subject) for n in s.scalars(select(Notification).order_by(Notification.id))]


def test_directors_and_supervisors_are_told_once_a_day(app, users, make_child):
    late = make_child("village")
    very_late = make_child("village")
    on_time = make_child("village2", region_code="371302105260")
    _due(app, late.id, TODAY - timedelta(days=3), "yellow")         # 3 days late, interval 15
    _due(app, very_late.id, TODAY - timedelta(days=20), "yellow")   # more than the interval again
    _due(app, on_time.id, TODAY + timedelta(days=2), "yellow")
    with app.app_context(), db.write_session() as s:
        sent = rules.remind_overdue_visits(s, TODAY)
    assert sent == {"directors": 1, "supervisors": 1}
    notices = _notices(app)
    assert (users["village"].id, "visits_overdue", "371302105259") in notices
    assert (users["town"].id, "visits_long_overdue", "371302105259") in notices
    assert all(user_id not in (users["village2"].id, users["county2"].id) for user_id, *_ in notices)
    with app.app_context(), db.write_session() as s:
        rules.remind_overdue_visits(s, TODAY)  # the task ran twice: nothing new
    assert len(_notices(app)) == 2


def test_notice_is_shown_in_the_readers_language(app, as_user, client, make_child):
    child = make_child("village")
    _due(app, child.id, TODAY - timedelta(days=1), "red")
    with app.app_context(), db.write_session() as s:
        rules.remind_overdue_visits(s, TODAY)
    as_user("village")
    assert "您有 1 条未读通知" in client.get("/").get_data(as_text=True)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "屠苏村村民委员会有 1 名儿童走访逾期" in page
    post(client, "/notifications/read")
    assert "未读" not in client.get("/").get_data(as_text=True)
    post(client, "/language", {"lang": "en"})
    assert "1 children in 屠苏村村民委员会 are overdue" in client.get("/notifications/").get_data(as_text=True)


def test_notices_are_private(app, as_user, client, make_child):
    child = make_child("village")
    _due(app, child.id, TODAY - timedelta(days=1), "red")
    with app.app_context(), db.write_session() as s:
        rules.remind_overdue_visits(s, TODAY)
    as_user("village2")
    assert "屠苏村" not in client.get("/notifications/").get_data(as_text=True)


def test_directors_hear_about_agreements_due_for_renewal(app, users, make_child):
    from portal.accounts.models import User
    from portal.children import rules as child_rules

    due_soon = make_child("village", categories=["left_behind"])
    far = make_child("village", categories=["left_behind"])
    with app.app_context(), db.write_session() as s:
        director = s.get(User, users["village"].id)
        child_rules.record_agreement(s, director, s.get(Child, due_soon.id), guardian_name="王秀兰",
                                     signed_on=TODAY - timedelta(days=350), today=TODAY)
        child_rules.record_agreement(s, director, s.get(Child, far.id), guardian_name="李桂英",
                                     signed_on=TODAY - timedelta(days=10), today=TODAY)
    with app.app_context(), db.write_session() as s:
        assert rules.remind_agreement_renewals(s, TODAY) == 1
    with app.app_context(), db.new_session() as s:
        notice = s.scalars(select(Notification).where(Notification.kind == "agreements_due")).one()
    assert notice.user_id == users["village"].id and notice.params["count"] == 1
