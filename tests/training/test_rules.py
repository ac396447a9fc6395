"""Training rules called directly: who may run sessions, the attendance list against ids from
elsewhere, the figures the dashboards quote, and the notice about untrained directors."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal.accounts.models import User
from portal.errors import DomainError, NotAllowed, NotFound
from portal.notifications.models import Notification
from portal.training import rules
from portal.training.models import TrainingAttendance, TrainingSession
from tests.training.conftest import LANSHAN, YITANG, attend

pytestmark = pytest.mark.usefixtures("users")
TODAY = date(2026, 11, 26)


def _user(s, users, key):
    return s.get(User, users[key].id)


def _values(region=YITANG, held_on=TODAY, topic="未成年人保护法解读"):
    return rules.SessionValues(topic=topic, held_on=held_on, region_code=region, trainer="王老师")


def test_county_staff_hold_a_session_for_a_town_of_their_county(session, users):
    training = rules.create_session(session, _user(session, users, "county"), _values())
    assert training.region_code == YITANG and training.checkin_token
    assert rules.load_session(session, _user(session, users, "city"), training.id) is training


@pytest.mark.parametrize("key", ["county2", "town", "village", "volunteer", "org", "admin"])
def test_only_civil_affairs_over_the_region_may_create_a_session(session, users, key):
    with pytest.raises(DomainError):  # NotAllowed for the wrong role, a field message for the wrong county
        rules.create_session(session, _user(session, users, key), _values())
    assert session.scalars(select(TrainingSession)).first() is None


def test_a_village_cannot_hold_a_session_and_an_unknown_code_is_refused(session, users):
    staff = _user(session, users, "county")
    for code in ("371302105259", "371302999000", "兰山区", "３７１３０２１０５０００", "371302"):
        with pytest.raises(DomainError) as refused:
            rules.create_session(session, staff, _values(region=code))
        assert refused.value.details["field"] == "region_code"


@pytest.mark.parametrize("key", ["county2", "village", "town", "donor"])
def test_a_session_id_from_another_region_or_role_answers_as_missing(session, users, make_training, key):
    training = make_training()
    with pytest.raises(NotFound):
        rules.load_session(session, _user(session, users, key), training.id)


def test_the_list_refuses_ids_from_another_county_or_role_and_changes_nothing(session, users, make_training,
                                                                                outsider):
    training = session.get(TrainingSession, make_training(held_on=TODAY).id)
    staff = _user(session, users, "county")
    for smuggled in (outsider.id, users["volunteer"].id, users["county"].id, 999_999):
        with pytest.raises(DomainError):
            rules.set_attendance(session, staff, training, [users["village"].id, smuggled],
                                 [users["village"].id, smuggled], TODAY)
    assert session.scalars(select(TrainingAttendance)).all() == []


def test_other_county_staff_cannot_tick_the_list(session, users, make_training):
    training = session.get(TrainingSession, make_training(held_on=TODAY).id)
    with pytest.raises(NotAllowed):
        rules.set_attendance(session, _user(session, users, "county2"), training, [users["village"].id],
                             [users["village"].id], TODAY)


def test_attendance_of_a_future_session_is_refused(session, users, make_training):
    training = session.get(TrainingSession, make_training(held_on=TODAY + timedelta(days=3)).id)
    with pytest.raises(DomainError):
        rules.set_attendance(session, _user(session, users, "county"), training, [users["village"].id],
                             [users["village"].id], TODAY)


def test_unticking_removes_only_the_people_shown(session, users, make_training, app):
    training = make_training(held_on=TODAY)
    attend(app, training, "village", "village2", users=users, today=TODAY)
    t = session.get(TrainingSession, training.id)
    added, removed = rules.set_attendance(session, _user(session, users, "county"), t, [users["village"].id], [],
                                          TODAY)
    assert (added, removed) == (0, 1)
    assert set(rules.attendance_of(session, t)) == {users["village2"].id}


def test_figures_count_held_sessions_person_times_and_coverage_in_the_period(app, session, users, make_training,
                                                                             outsider):
    # Yitang has one supervisor and two directors; Lanshan also has the county staff (not counted).
    june = make_training(held_on=date(2026, 6, 1))
    attend(app, june, "village", "town", users=users, today=TODAY)
    city = make_training(held_on=date(2026, 9, 1), region="371300000000", actor="city")
    attend(app, city, "village", "outsider", users={**users, "outsider": outsider}, actor="city", today=TODAY)
    make_training(held_on=date(2026, 10, 1))  # planned, nobody came: not held
    last_year = make_training(held_on=date(2025, 12, 1))
    attend(app, last_year, "village2", users=users, today=TODAY)

    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert rules.sessions_held(session, LANSHAN, *year) == 1  # the city's session is not Lanshan's
    assert rules.person_times(session, LANSHAN, *year) == 2
    assert rules.sessions_held(session, "371300000000", *year) == 2
    assert rules.person_times(session, "371300000000", *year) == 4
    # Trained counts whoever held the session: the city's session trained a Yitang director too.
    assert rules.coverage(session, YITANG, *year) == (2, 3)
    assert rules.coverage(session, "371311000000", *year) == (1, 1)
    assert rules.coverage(session, YITANG, date(2025, 1, 1), date(2025, 12, 31)) == (1, 3)
    assert rules.coverage(session, YITANG, date(2026, 7, 1), date(2026, 8, 31)) == (0, 3)
    by_town = {a.code: (a.trained, a.total) for a in rules.coverage_by_area(session, LANSHAN, *year)}
    assert by_town[YITANG] == (2, 3)
    assert by_town["371302101000"] == (0, 0)  # 白沙埠镇: no one works there yet
    by_village = {a.code: (a.trained, a.total, a.percent)
                  for a in rules.coverage_by_area(session, YITANG, *year)}
    assert by_village["371302105259"] == (1, 1, 100)
    assert by_village["371302105260"] == (0, 1, 0)
    assert by_village[YITANG] == (1, 1, 100)  # the supervisor, in the town's own row


def test_a_deactivated_director_leaves_the_coverage(app, session, users):
    assert rules.coverage(session, YITANG, TODAY, TODAY) == (0, 3)
    _user(session, users, "village2").is_active = False
    session.commit()
    assert rules.coverage(session, YITANG, TODAY, TODAY) == (0, 2)


def _in_post(session, users, key, days_ago):
    user = _user(session, users, key)
    user.in_post_since = TODAY - timedelta(days=days_ago)
    session.commit()


def _notices(session):
    return session.scalars(select(Notification).where(Notification.kind == rules.NOTICE_KIND)).all()


def test_supervisor_hears_once_of_a_director_untrained_60_days_after_taking_the_post(app, session, users):
    _in_post(session, users, "village", 61)
    _in_post(session, users, "village2", 59)  # due tomorrow
    assert rules.notify_untrained_directors(session, TODAY) == 1
    assert rules.notify_untrained_directors(session, TODAY) == 0
    session.commit()
    [notice] = _notices(session)
    assert notice.user_id == users["town"].id
    assert notice.params["name"] == "Test village"
    assert notice.done_at is None
    # The next day: only the director who has now reached 60 days, not the first one again.
    assert rules.notify_untrained_directors(session, TODAY + timedelta(days=1)) == 1
    assert rules.notify_untrained_directors(session, TODAY + timedelta(days=20)) == 0


def test_a_trained_director_is_not_reported_and_training_closes_the_notice(app, session, users, make_training):
    _in_post(session, users, "village", 90)
    rules.notify_untrained_directors(session, TODAY)
    session.commit()
    attend(app, make_training(held_on=TODAY), "village", users=users, today=TODAY)
    session.expire_all()
    [notice] = _notices(session)
    assert notice.done_at is not None
    assert rules.notify_untrained_directors(session, TODAY + timedelta(days=30)) == 0


def test_an_account_without_a_post_date_counts_from_its_creation(app, session, users):
    user = _user(session, users, "village2")
    user.created_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    session.commit()
    assert rules.notify_untrained_directors(session, date(2026, 3, 1)) == 0  # 59 days
    assert rules.notify_untrained_directors(session, date(2026, 3, 2)) == 1


def test_own_record_is_for_directors_and_supervisors_only(app, session, users, make_training):
    attend(app, make_training(held_on=TODAY, topic="心理辅导基础"), "village", users=users, today=TODAY)
    [line] = rules.record_of(session, _user(session, users, "village"))
    assert (line.topic, line.held_on, line.via_qr) == ("心理辅导基础", TODAY, False)
    assert rules.record_of(session, _user(session, users, "village2")) == []
    with pytest.raises(NotAllowed):
        rules.record_of(session, _user(session, users, "county"))


def test_people_records_list_the_untrained_of_the_region_only(app, session, users, make_training, outsider):
    attend(app, make_training(held_on=TODAY), "village", users=users, today=TODAY)
    records, total = rules.people_records(session, _user(session, users, "county"), LANSHAN, TODAY, TODAY, 1, 50,
                                          untrained_only=True)
    assert total == 2 and {r.user_id for r in records} == {users["town"].id, users["village2"].id}
    with pytest.raises(NotAllowed):
        rules.people_records(session, _user(session, users, "county2"), LANSHAN, TODAY, TODAY, 1, 50)
    with pytest.raises(NotAllowed):
        rules.people_records(session, _user(session, users, "village"), YITANG, TODAY, TODAY, 1, 50)
    records, _total = rules.people_records(session, _user(session, users, "town"), YITANG, TODAY, TODAY, 1, 50)
    assert {r.user_id for r in records} == {users["town"].id, users["village"].id, users["village2"].id}


def test_a_new_directors_account_keeps_the_day_of_taking_the_post(session, users):
    from portal.accounts.rules import create_account

    supervisor = _user(session, users, "town")
    made = dict(username="new-director", display_name="新任儿童主任", role="child_director",
                region_code="371302105260", password="a long enough temporary password")
    with pytest.raises(DomainError) as refused:
        create_account(session, supervisor, **made, in_post_since=date.today() + timedelta(days=1))
    assert refused.value.details["field"] == "in_post_since"
    assert create_account(session, supervisor, **made).in_post_since == date.today()
    earlier = create_account(session, supervisor, **{**made, "username": "earlier-director"},
                             in_post_since=date.today() - timedelta(days=70))
    session.commit()
    # 70 days in post and untrained: the town's supervisor hears of this one only (the others
    # took up their posts today).
    assert rules.notify_untrained_directors(session, date.today()) == 1
    session.commit()
    assert [(n.user_id, n.about) for n in _notices(session)] == [(users["town"].id, f"user:{earlier.id}")]


def test_a_session_cannot_move_away_from_the_people_who_attended(app, session, users, make_training):
    training = make_training(held_on=TODAY, region=LANSHAN)
    attend(app, training, "village", users=users, today=TODAY)
    t = session.get(TrainingSession, training.id)
    staff = _user(session, users, "county")
    with pytest.raises(DomainError) as refused:
        rules.update_session(session, staff, t, _values(region="371302101000"))  # 白沙埠镇: not their town
    assert refused.value.details["field"] == "region_code"
    session.rollback()
    t = session.get(TrainingSession, training.id)
    assert rules.update_session(session, staff, t, _values(region=YITANG)).region_code == YITANG
