"""Periodic work of the clues area: urgent clues not acted on, and clues waiting too long."""

from huey import crontab

from portal import db
from portal.clues import waiting
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(minute="20"))
@in_app_context
def hourly_clue_escalation() -> None:
    """Every hour: urgent clues nobody acted on for 24 hours alert the county; clues that waited
    their time at the town rise to the county; clues overdue at the county alert its staff."""
    with db.write_session() as session:
        waiting.escalate_waiting(session)
