from datetime import date

from huey import crontab

from portal import db
from portal.notifications.rules import remind_agreement_renewals, remind_overdue_visits
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(hour="7", minute="30"))
@in_app_context
def daily_visit_reminders() -> None:
    """Every morning: overdue visits to child directors, long-overdue ones to supervisors, and
    guardianship agreements due for renewal to child directors."""
    with db.write_session() as session:
        remind_overdue_visits(session, date.today())
        remind_agreement_renewals(session, date.today())
