"""Clues that wait, as needs do: an urgent clue nobody assigned within 24 hours alerts the county
once; an open clue rises from the town to the county after the county's waiting time of needs at
the town (``NeedPolicy``, default 7 days), and alerts the county once when it has waited the
county's time there. Run every hour by ``portal.clues.tasks``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from portal.audit.rules import record
from portal.clues import notices
from portal.clues.models import Clue, ClueEvent, ClueLevel, ClueStatus
from portal.clues.rules import OPEN_STATUSES, add_event
from portal.needs.rules import policy_days
from portal.types import utcnow

URGENT_WITHIN = timedelta(hours=24)


def due_at(session: Session, clue: Clue, policies: dict | None = None) -> datetime | None:
    """When an open clue rises to the county (or, at the county, counts as overdue) if it has no
    outcome by then: the county's waiting times of needs at the town and at the county."""
    if clue.status == ClueStatus.closed:
        return None
    days = (policies or {}).get(clue.county_code) or policy_days(session, clue.county_code)
    return clue.level_since + timedelta(days=days[clue.level.value])


def escalate_waiting(session: Session, now: datetime | None = None) -> dict:
    """The periodic task: an urgent clue nobody assigned within 24 hours alerts the county once; an
    open clue that waited its time at the town rises to the county (the event says the portal did
    it); one that waited its time at the county alerts the county's staff once."""
    now = now or utcnow()
    urgent = alerted = risen = 0
    waiting = session.scalars(select(Clue).where(Clue.status == ClueStatus.received, Clue.urgent,
                                                 Clue.created_at <= now - URGENT_WITHIN))
    for clue in list(waiting):
        if not _already(session, clue, "urgent_alert", since=clue.created_at):
            add_event(session, clue, None, "urgent_alert", at=now)
            notices.clue_urgent_waiting(session, clue)
            urgent += 1
    policies: dict = {}
    for clue in list(session.scalars(select(Clue).where(Clue.status.in_(list(OPEN_STATUSES)),
                                                        Clue.level_since <= now - timedelta(days=1)))):
        policies.setdefault(clue.county_code, policy_days(session, clue.county_code))
        if due_at(session, clue, policies) > now:
            continue
        if clue.level == ClueLevel.town:
            moved = session.execute(
                update(Clue).where(Clue.id == clue.id, Clue.level == ClueLevel.town,
                                   Clue.status.in_(list(OPEN_STATUSES)))
                .values(level=ClueLevel.county, level_since=now).execution_options(synchronize_session=False)
            ).rowcount
            if moved != 1:
                continue  # closed meanwhile
            session.refresh(clue)
            add_event(session, clue, None, "auto_escalate", at=now)
            record(session, None, "clue.auto_escalate", "clue", clue.id, region_code=clue.region_code)
            notices.clue_arrived(session, clue)
            risen += 1
        elif not _already(session, clue, "county_overdue", since=clue.level_since):
            add_event(session, clue, None, "county_overdue", at=now)
            notices.clue_overdue_at_county(session, clue)
            alerted += 1
    return {"urgent_alerts": urgent, "escalated": risen, "county_alerts": alerted}


def _already(session: Session, clue: Clue, action: str, since: datetime) -> bool:
    return session.scalar(select(ClueEvent.id).where(ClueEvent.clue_id == clue.id, ClueEvent.action == action,
                                                     ClueEvent.at >= since).limit(1)) is not None
