"""Periodic work of the needs area: escalation by time, expiry, reminders."""

from datetime import date

from huey import crontab

from portal import db
from portal.needs import claims, rules
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(minute="15"))
@in_app_context
def hourly_escalation() -> None:
    """Every hour: needs that waited their time at the village or town rise to the next level."""
    with db.write_session() as session:
        rules.escalate_waiting(session)


@huey.periodic_task(crontab(hour="7", minute="45"))
@in_app_context
def daily_need_upkeep() -> None:
    """Every morning: unclaimed needs past their deadline expire; directors hear of deliveries
    waiting over a week and of pairings without a report for a month."""
    today = date.today()
    with db.write_session() as session:
        rules.expire_overdue(session, today)
        claims.remind_unverified(session, today)
        claims.alert_missing_reports(session, today)
