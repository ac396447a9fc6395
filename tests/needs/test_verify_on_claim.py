"""A delivery is verified from the claim page where the director talked with the helper, and the
county that published the need may verify it too; never another county, never a helper."""

from datetime import date

import pytest
from sqlalchemy import select

from portal import access, db
from portal.accounts.models import User
from portal.needs import claims
from portal.needs.models import Claim, Delivery, DeliveryStatus, NeedStatus
from tests.conftest import post
from tests.needs.conftest import need_row


@pytest.fixture
def delivered(app, users, make_need, helper_in):
    """A published need claimed by the volunteer, whose delivery waits for verification:
    (need id, claim id, delivery id)."""
    need_id = make_need(to="published")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        row = claims.claim(s, volunteer, need_id)
        delivery = claims.report_delivery(s, volunteer, row.id, "完成4次数学辅导", [], [], [], date.today())
        return need_id, row.id, delivery.id


def _delivery_status(app, delivery_id) -> str:
    with app.app_context(), db.new_session() as s:
        return str(s.get(Delivery, delivery_id).status)


def test_county_staff_verify_a_delivery_from_the_claim_page(app, delivered, signed_in):
    need_id, claim_id, delivery_id = delivered
    county = signed_in("county")
    page = county.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert f'/deliveries/{delivery_id}/verify' in page and "核实交付" in page

    response = post(county, f"/deliveries/{delivery_id}/verify", {"back": "claim"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/claims/{claim_id}")
    assert _delivery_status(app, delivery_id) == DeliveryStatus.verified
    assert need_row(app, need_id).status == NeedStatus.verified
    with app.app_context(), db.new_session() as s:
        assert s.get(Claim, claim_id).status == "verified"


def test_the_director_disputes_from_the_claim_page_and_stays_on_it(app, delivered, signed_in):
    need_id, claim_id, delivery_id = delivered
    director = signed_in("village")
    page = director.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert f'/deliveries/{delivery_id}/dispute' in page
    response = post(director, f"/deliveries/{delivery_id}/dispute", {"reason": "孩子说没有收到", "back": "claim"})
    assert response.headers["Location"].endswith(f"/claims/{claim_id}")
    assert _delivery_status(app, delivery_id) == DeliveryStatus.disputed


def test_another_countys_staff_neither_see_nor_verify_the_delivery(app, delivered, signed_in):
    _need_id, claim_id, delivery_id = delivered
    other = signed_in("county2")
    assert other.get(f"/claims/{claim_id}").status_code == 404
    assert post(other, f"/deliveries/{delivery_id}/verify", {"back": "claim"}).status_code == 404
    assert _delivery_status(app, delivery_id) == DeliveryStatus.reported


def test_the_claimer_sees_no_verify_button_and_cannot_verify_their_own_delivery(app, delivered, signed_in):
    _need_id, claim_id, delivery_id = delivered
    volunteer = signed_in("volunteer")
    page = volunteer.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert f'/deliveries/{delivery_id}/verify' not in page
    assert post(volunteer, f"/deliveries/{delivery_id}/verify", {"back": "claim"}).status_code == 403
    assert _delivery_status(app, delivery_id) == DeliveryStatus.reported


def test_the_verify_rule_covers_the_publishing_county_and_no_one_outside(app, delivered):
    need_id, *_ = delivered
    with app.app_context(), db.new_session() as s:
        need = need_row(app, need_id)
        allowed = {u.username for u in s.scalars(select(User)) if access.allowed(u, "needs.verify", need)}
    assert allowed == {"village", "town", "county", "city"}
