"""Staff mark a Stripe anomaly resolved with a note (audited, once, only over its region), and the
staff pages name each kind of anomaly in the user's language."""

import pytest
from sqlalchemy import select

from portal import db
from portal.audit.models import AuditEntry
from portal.donations import rules, webhooks
from portal.donations.models import DonationAnomaly
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from tests.conftest import form_on, post
from tests.donations.conftest import record


@pytest.fixture
def anomaly_of(app, act, money_need):
    """An anomaly on a gift to the money need (兰山区), or with ``None`` one of no known gift (the city's)."""

    def make(kind="amount_mismatch", on_gift=True):
        donation = record(act, need_id=money_need) if on_gift else None
        with app.app_context(), db.write_session() as s:
            webhooks.anomaly(s, "evt_test", kind, "Stripe: 50001 fen; gift: 50000 fen",
                             s.get(type(donation), donation.id) if donation else None)
            return s.scalar(select(DonationAnomaly.id).order_by(DonationAnomaly.id.desc()))

    return make


def state(app, anomaly_id):
    with app.app_context(), db.write_session() as s:
        found = s.get(DonationAnomaly, anomaly_id)
        notes = [e.detail.get("note") for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action == "donation.anomaly_resolved", AuditEntry.object_id == str(anomaly_id)))]
        return found.resolved_at, notes


def test_staff_over_the_gift_mark_it_resolved_with_a_note_once(app, act, anomaly_of):
    anomaly_id = anomaly_of()
    act("county", rules.resolve_anomaly, anomaly_id, "已与捐赠人核对，金额无误")
    resolved_at, notes = state(app, anomaly_id)
    assert resolved_at is not None and notes == ["已与捐赠人核对，金额无误"]
    with pytest.raises(Conflict):
        act("city", rules.resolve_anomaly, anomaly_id, "再次处理")
    assert state(app, anomaly_id) == (resolved_at, notes)


@pytest.mark.parametrize("note", ["", "   ", "长" * 501])
def test_a_resolution_needs_a_short_note_and_changes_nothing_without_one(app, act, anomaly_of, note):
    anomaly_id = anomaly_of()
    with pytest.raises(DomainError):
        act("county", rules.resolve_anomaly, anomaly_id, note)
    assert state(app, anomaly_id) == (None, [])


@pytest.mark.parametrize("key, on_gift, error", [
    ("county2", True, NotFound),  # another county
    ("town", True, NotAllowed),  # not civil-affairs staff
    ("donor", True, NotAllowed),
    ("county", False, NotFound),  # no known gift: the city's
])
def test_only_civil_affairs_staff_over_the_anomaly_resolve_it(app, act, anomaly_of, key, on_gift, error):
    anomaly_id = anomaly_of(on_gift=on_gift)
    with pytest.raises(error):
        act(key, rules.resolve_anomaly, anomaly_id, "处理")
    assert state(app, anomaly_id) == (None, [])


def test_the_city_resolves_an_anomaly_of_no_known_gift(app, act, anomaly_of):
    anomaly_id = anomaly_of(kind="unknown_gift", on_gift=False)
    act("city", rules.resolve_anomaly, anomaly_id, "测试付款，非捐赠")
    assert state(app, anomaly_id)[0] is not None


def test_the_staff_page_names_the_kinds_and_resolves_from_a_form(app, client, as_user, anomaly_of):
    anomaly_id = anomaly_of()
    as_user("county")
    page = client.get("/donations/anomalies").get_data(as_text=True)
    assert "金额与捐赠不符" in page and "amount_mismatch" not in page
    action = f"/donations/anomalies/{anomaly_id}/resolve"
    assert form_on(page, action) is not None
    response = post(client, action, {"note": "已核对"})
    assert response.status_code == 302
    assert state(app, anomaly_id)[1] == ["已核对"]
    page = client.get("/donations/anomalies").get_data(as_text=True)
    assert "已处理" in page and action not in page
    detail = client.get(f"/donations/{_gift_of(app, anomaly_id)}").get_data(as_text=True)
    assert "金额与捐赠不符" in detail and "amount_mismatch" not in detail


def test_another_countys_staff_cannot_resolve_through_the_page(app, client, as_user, anomaly_of):
    anomaly_id = anomaly_of()
    as_user("county2")
    assert post(client, f"/donations/anomalies/{anomaly_id}/resolve", {"note": "x"}).status_code == 404
    assert state(app, anomaly_id) == (None, [])


def _gift_of(app, anomaly_id):
    with app.app_context(), db.write_session() as s:
        return s.get(DonationAnomaly, anomaly_id).donation_id
