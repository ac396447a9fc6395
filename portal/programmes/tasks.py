"""Background work of the programmes area: the daily look for newly eligible children."""

from __future__ import annotations

from datetime import date

from huey import crontab

from portal import db
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(hour="6", minute="35"))
@in_app_context
def find_newly_eligible() -> None:
    """Every morning, after files of 18-year-olds are aged out (06:05): birthdays carry children
    across age limits, so every active programme is evaluated again (政策找人)."""
    from portal.programmes.finding import sweep

    with db.write_session() as session:
        sweep(session, date.today())
