from huey import crontab

from portal.donations.sweep import sweep_pending
from portal.queue import huey, in_app_context


@huey.periodic_task(crontab(minute="*/10"))
@in_app_context
def sweep_pending_donations() -> None:
    """Every ten minutes: ask Stripe about online gifts pending for more than an hour."""
    sweep_pending()
