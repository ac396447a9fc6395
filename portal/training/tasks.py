from datetime import date

from huey import crontab

from portal import db
from portal.queue import huey, in_app_context
from portal.training.rules import notify_untrained_directors


@huey.periodic_task(crontab(hour="7", minute="40"))
@in_app_context
def daily_untrained_directors() -> None:
    """Every morning: supervisors hear about child directors untrained 60 days after taking up the
    post (once per director; running twice adds nothing)."""
    with db.write_session() as session:
        notify_untrained_directors(session, date.today())
