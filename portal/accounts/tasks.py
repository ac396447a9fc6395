from flask import current_app
from huey import crontab

from portal import db
from portal.accounts.sessions import purge_old
from portal.queue import huey, in_app_context
from portal.types import utcnow


@huey.periodic_task(crontab(hour="3", minute="10"))
@in_app_context
def purge_old_sessions() -> None:
    """Every night: forget session records that can never work again (see ``purge_old``)."""
    with db.write_session() as session:
        purge_old(session, current_app.config["PERMANENT_SESSION_LIFETIME"], utcnow())
