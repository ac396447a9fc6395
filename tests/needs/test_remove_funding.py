"""Money taken back from a money need (a refund): the raised amount falls; a funded need opens again,
a need already delivered does not."""

import pytest
from sqlalchemy import update

from portal import db
from portal.errors import Conflict, DomainError
from portal.needs.claims import add_funding, remove_funding
from portal.needs.models import Need, NeedStatus


def _apply(app, need_id, fn, amount):
    with app.app_context(), db.write_session() as s:
        fn(s, s.get(Need, need_id), amount)
    with app.app_context(), db.new_session() as s:
        return s.get(Need, need_id)


def test_a_funded_need_falling_below_its_target_opens_for_donations_again(app, make_need):
    need_id = make_need(to="published", kind="money", category="medical", target_fen=100_000)
    assert _apply(app, need_id, add_funding, 100_000).status == NeedStatus.claimed
    need = _apply(app, need_id, remove_funding, 30_000)
    assert (need.raised_fen, need.status) == (70_000, NeedStatus.published)


def test_a_delivered_need_keeps_its_status_when_money_is_taken_back(app, make_need):
    need_id = make_need(to="published", kind="money", category="medical", target_fen=100_000)
    _apply(app, need_id, add_funding, 100_000)
    with app.app_context(), db.write_session() as s:
        s.execute(update(Need).where(Need.id == need_id).values(status=NeedStatus.delivered))
    need = _apply(app, need_id, remove_funding, 30_000)
    assert (need.raised_fen, need.status) == (70_000, NeedStatus.delivered)


@pytest.mark.parametrize("amount,error", [(0, DomainError), (-5, DomainError), (10.0, DomainError),
                                          (50_001, Conflict)])
def test_taking_back_nothing_or_more_than_raised_is_refused(app, make_need, amount, error):
    need_id = make_need(to="published", kind="money", category="medical", target_fen=100_000)
    _apply(app, need_id, add_funding, 50_000)
    with pytest.raises(error):
        _apply(app, need_id, remove_funding, amount)
    with app.app_context(), db.new_session() as s:
        assert s.get(Need, need_id).raised_fen == 50_000


def test_a_service_need_has_no_money_to_take_back(app, make_need):
    need_id = make_need(to="published")
    with pytest.raises(DomainError):
        _apply(app, need_id, remove_funding, 100)
