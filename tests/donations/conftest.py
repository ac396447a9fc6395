"""Fixtures of the donations area: a published money need, and rules called as a staff member."""

from datetime import date

import pytest

from portal import db
from portal.accounts.models import User
from portal.donations import rules
from tests.ledger.conftest import raw  # noqa: F401  (shared fixture)
from tests.needs.conftest import make_need  # noqa: F401  (shared fixture)

TODAY = date(2026, 12, 1)


@pytest.fixture
def money_need(make_need):  # noqa: F811
    """A published money need of 5,000 yuan in 屠苏村 (兰山区)."""
    return make_need(to="published", kind="money", category="medical", target_fen=500_000)


def gift(**values) -> rules.OfflineGift:
    fields = dict(amount_fen=10_000, channel="bank", payer="张三", paid_on=TODAY, reference="BANK-1")
    fields.update(values)
    return rules.OfflineGift(**fields)


@pytest.fixture
def act(app, users):
    """``act("county", fn, *args)``: run ``fn(session, user, *args)`` as that user in one committed
    transaction; the result's plain attributes stay readable."""

    def run(key, fn, *args, **kwargs):
        with app.app_context(), db.write_session() as s:
            s.expire_on_commit = False
            return fn(s, s.get(User, users[key].id), *args, **kwargs)

    return run


def record(act, key="county", **values):
    return act(key, rules.record_offline_gift, gift(**values), TODAY)


@pytest.fixture
def stripe_app(database_url, stripe_settings):
    """The app with Stripe keys, talking to the stand-in (tests of online giving override ``app`` with it)."""
    from portal import create_app
    from portal.extensions import limiter
    from tests.conftest import _empty_tables, make_config

    app = create_app(make_config(database_url, **stripe_settings))
    limiter.reset()
    yield app
    _empty_tables(app.extensions["db_engine"])
    app.extensions["db_engine"].dispose()


def donations_of(app) -> list:
    from sqlalchemy import select

    from portal.donations.models import Donation

    with app.app_context(), db.write_session() as s:
        s.expire_on_commit = False
        return list(s.scalars(select(Donation).order_by(Donation.id)))
