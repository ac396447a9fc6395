"""Clues that wait: an urgent one not acted on within 24 hours alerts the county; an open one past
its time at the town rises to the county, as needs do; overdue at the county, it alerts once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import db
from portal.clues import rules, waiting
from portal.clues.models import Clue, ClueLevel
from portal.errors import NotAllowed
from portal.needs.models import NeedPolicy
from portal.notifications.models import Notification
from portal.types import utcnow
from tests.clues.conftest import COUNTY, user


def _notices(app, kind):
    with app.app_context(), db.write_session() as s:
        return [n.user_id for n in s.scalars(select(Notification).where(Notification.kind == kind))]


def _run(app, hours):
    with app.app_context(), db.write_session() as s:
        return waiting.escalate_waiting(s, now=utcnow() + timedelta(hours=hours))


def test_an_urgent_clue_nobody_assigned_alerts_the_county_after_24_hours_once(app, users, make_clue):
    make_clue(urgent=True)
    assert _run(app, 23)["urgent_alerts"] == 0
    assert _run(app, 25)["urgent_alerts"] == 1
    assert _run(app, 26)["urgent_alerts"] == 0
    assert _notices(app, "clue_urgent") == [users["county"].id]


def test_an_urgent_clue_assigned_in_time_alerts_nobody(app, users, make_clue):
    clue_id, _ = make_clue(urgent=True)
    with app.app_context(), db.write_session() as s:
        rules.assign(s, user(s, users, "town"), s.get(Clue, clue_id), users["village"].id)
    assert _run(app, 30)["urgent_alerts"] == 0
    assert _notices(app, "clue_urgent") == []


def test_a_clue_that_is_not_urgent_does_not_alert_after_24_hours(app, users, make_clue):
    make_clue(urgent=False)
    assert _run(app, 30) == {"urgent_alerts": 0, "escalated": 0, "county_alerts": 0}


def test_an_open_clue_rises_to_the_county_after_the_towns_waiting_time(app, users, make_clue):
    clue_id, _ = make_clue()
    assert _run(app, 24 * 7 - 1)["escalated"] == 0
    assert _run(app, 24 * 7 + 1)["escalated"] == 1
    with app.app_context(), db.write_session() as s:
        clue = s.get(Clue, clue_id)
        assert clue.level == ClueLevel.county
        assert [e.action for e, _name in rules.history(s, clue_id)] == ["receive", "auto_escalate"]
    assert _notices(app, "clue_arrived") == [users["town"].id, users["county"].id]
    # Risen, it is the county's to assign, as a need at the county is.
    with app.app_context(), db.write_session() as s:
        with pytest.raises(NotAllowed):
            rules.assign(s, user(s, users, "town"), s.get(Clue, clue_id), users["village"].id)
        rules.assign(s, user(s, users, "county"), s.get(Clue, clue_id), users["village"].id)


def test_the_countys_waiting_time_of_needs_applies_to_its_clues(app, users, make_clue):
    with app.app_context(), db.write_session() as s:
        s.add(NeedPolicy(county_code=COUNTY, village_days=2, town_days=2, county_days=3))
    make_clue()
    assert _run(app, 24 * 2 + 1)["escalated"] == 1


def test_a_clue_overdue_at_the_county_alerts_its_staff_once(app, users, make_clue):
    make_clue(region=COUNTY)
    assert _run(app, 24 * 7 + 1)["county_alerts"] == 1
    assert _run(app, 24 * 7 + 2)["county_alerts"] == 0
    assert _notices(app, "clue_overdue") == [users["county"].id]


def test_a_closed_clue_never_rises(app, users, make_clue):
    clue_id, _ = make_clue(urgent=True)
    with app.app_context(), db.write_session() as s:
        rules.assign(s, user(s, users, "town"), s.get(Clue, clue_id), users["village"].id)
        rules.record_outcome(s, user(s, users, "village"), s.get(Clue, clue_id),
                             rules.OutcomeValues(outcome="unfounded", reason="已核实无此情况"))
    assert _run(app, 24 * 30) == {"urgent_alerts": 0, "escalated": 0, "county_alerts": 0}
    with app.app_context(), db.write_session() as s:
        open_notices = s.scalars(select(Notification).where(Notification.done_at.is_(None),
                                                            Notification.kind.like("clue_%"))).all()
        assert open_notices == []


def test_the_hourly_task_raises_clues_that_waited(app, users, make_clue):
    from sqlalchemy import update

    from portal.clues import tasks

    clue_id, _ = make_clue()
    with app.app_context(), db.write_session() as s:
        s.execute(update(Clue).where(Clue.id == clue_id).values(level_since=utcnow() - timedelta(days=8)))
    tasks.hourly_clue_escalation()  # run at once: the tests' queue is immediate
    with app.app_context(), db.write_session() as s:
        assert s.get(Clue, clue_id).level == ClueLevel.county
