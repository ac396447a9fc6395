"""Offline gifts, confirmation, settling, receipts and refunds, through the rules (no HTTP)."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from portal import db
from portal.donations import queries, refunds, rules
from portal.donations.models import Donation, DonationRefund, DonationStatus, Receipt, RefundStatus
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose
from portal.matching.export import donation_rows
from portal.needs.models import Need, NeedStatus
from tests.donations.conftest import record


def _need(app, need_id) -> Need:
    with app.app_context(), db.new_session() as s:
        return s.get(Need, need_id)


def _donation(app, donation_id) -> Donation:
    with app.app_context(), db.new_session() as s:
        return s.get(Donation, donation_id)


def _receipt(app, donation_id) -> Receipt | None:
    with app.app_context(), db.new_session() as s:
        return rules.receipt_of(s, donation_id)


def _check(app) -> dict:
    with app.app_context(), db.new_session() as s:
        return ledger.check(s)


def _figures(app, need_id=None, general=False):
    with app.app_context(), db.new_session() as s:
        fund = ledger.general_fund(s) if general else ledger.fund_for_need(s, s.get(Need, need_id))
        return ledger.fund_figures(s, fund)


# --- amounts as people type them ---------------------------------------------------------------------


@pytest.mark.parametrize("typed,fen", [("200", 20_000), ("199.5", 19_950), ("0.01", 1), (" 1,000.00 ", 100_000)])
def test_yuan_typed_become_fen_without_floats(typed, fen):
    assert rules.parse_yuan(typed) == fen


@pytest.mark.parametrize("typed", ["", "-5", "1e3", "1.234", "１００", "٣٠٠", "12.3.4", "nan", "0x10", "1 000"])
def test_amounts_that_are_not_plain_yuan_are_refused(app, typed):
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            rules.parse_yuan(typed)
        assert "元" in str(refused.value.message)


# --- recording offline gifts -------------------------------------------------------------------------


def test_small_bank_gift_to_a_need_is_booked_at_once_with_a_receipt(app, act, money_need):
    donation = record(act, need_id=money_need, amount_fen=20_000)
    assert donation.status == DonationStatus.paid
    assert _need(app, money_need).raised_fen == 20_000
    assert _figures(app, money_need).received == 20_000
    with app.app_context(), db.new_session() as s:
        assert ledger.balance(s, ledger.system_account(s, AccountPurpose.bank)) == 20_000
    assert _receipt(app, donation.id).code.endswith("-000001")
    assert _check(app)["violations"] == 0


def test_a_gift_above_the_target_sends_the_excess_to_the_general_fund(app, act, money_need):
    record(act, need_id=money_need, amount_fen=400_000, reference="B1")
    donation = record(act, need_id=money_need, amount_fen=300_000, reference="B2")
    assert (donation.need_fen, donation.general_fen) == (100_000, 200_000)
    need = _need(app, money_need)
    assert need.raised_fen == need.target_fen == 500_000
    assert need.status == NeedStatus.claimed  # funded: closed for donations
    assert _figures(app, general=True).received == 200_000
    assert _check(app)["violations"] == 0


def test_the_split_is_known_before_paying(app, act, money_need):
    with app.app_context(), db.new_session() as s:
        assert rules.split_for(s.get(Need, money_need), 600_000) == (500_000, 100_000)


def test_a_gift_to_a_funded_need_is_refused_and_pointed_to_a_fund(app, act, money_need):
    record(act, need_id=money_need, amount_fen=500_000)
    with pytest.raises(DomainError) as refused:
        record(act, need_id=money_need)
    with app.test_request_context():
        assert "基金" in str(refused.value.message)


def test_cash_gift_to_the_general_fund_by_city_staff(app, act):
    donation = record(act, "city", channel="cash", reference="")
    assert donation.status == DonationStatus.paid and donation.region_code == "371300000000"
    assert _figures(app, general=True).balance == 10_000


@pytest.mark.parametrize("values,field", [
    (dict(amount_fen=0), "amount"), (dict(amount_fen=-100), "amount"), (dict(amount_fen=100.0), "amount"),
    (dict(amount_fen="100"), "amount"), (dict(amount_fen=True), "amount"), (dict(amount_fen=10**14), "amount"),
    (dict(channel="online"), "channel"), (dict(channel="alipay"), "channel"), (dict(payer="  "), "payer"),
    (dict(paid_on=None), "paid_on"), (dict(paid_on=date(2026, 12, 2)), "paid_on"), (dict(reference=""), "reference"),
])
def test_bad_offline_gifts_are_refused_with_a_message_and_change_nothing(app, act, money_need, values, field):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        record(act, need_id=money_need, **values)
    assert refused.value.details.get("field") == field
    assert str(refused.value.message)
    assert _need(app, money_need).raised_fen == 0
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(Donation.id)) is None


@pytest.mark.parametrize("key,error", [("county2", NotFound), ("town", NotFound), ("village", NotFound),
                                       ("donor", NotFound), ("admin", NotFound)])
def test_only_civil_affairs_staff_over_the_need_record_gifts_to_it(app, act, money_need, key, error):
    with pytest.raises(error):
        record(act, key, need_id=money_need)


@pytest.mark.parametrize("key", ["town", "village", "donor", "volunteer", "admin"])
def test_only_civil_affairs_staff_record_gifts_to_funds(app, act, key):
    with pytest.raises(NotAllowed):
        record(act, key)


def test_staff_lists_hold_their_regions_gifts_and_online_fund_gifts_go_to_the_city(app, act, money_need):
    need_gift = record(act, need_id=money_need).id
    with app.app_context(), db.write_session() as s:
        online = Donation(fund_id=ledger.general_fund(s).id, amount_fen=500, channel="online")
        s.add(online)
        s.flush()
        online_id = online.id
        rules.settle(s, None, online_id)

    def listed(key):
        return {d.id for d in act(key, queries.gifts_in_region)}

    assert listed("county") == {need_gift}
    assert listed("city") == {need_gift, online_id}
    assert listed("county2") == set()
    for key in ("town", "donor", "admin"):
        with pytest.raises(NotAllowed):
            listed(key)


# --- two people above the threshold ------------------------------------------------------------------


def test_a_large_gift_waits_for_a_second_staff_member(app, act, money_need):
    app.config["OFFLINE_CONFIRM_FEN"] = 50_000
    donation = record(act, need_id=money_need, amount_fen=50_001)
    assert donation.status == DonationStatus.awaiting_confirmation
    assert _need(app, money_need).raised_fen == 0 and _receipt(app, donation.id) is None
    with pytest.raises(NotAllowed):
        act("county", rules.confirm_offline_gift, donation.id)
    with pytest.raises(NotFound):
        act("county2", rules.confirm_offline_gift, donation.id)
    confirmed = act("city", rules.confirm_offline_gift, donation.id)
    assert confirmed.status == DonationStatus.paid and confirmed.confirmed_by_id is not None
    assert _need(app, money_need).raised_fen == 50_001
    with pytest.raises(Conflict):
        act("city", rules.confirm_offline_gift, donation.id)
    assert _check(app)["violations"] == 0


def test_a_gift_at_the_threshold_needs_no_second_person(app, act, money_need):
    app.config["OFFLINE_CONFIRM_FEN"] = 50_000
    assert record(act, need_id=money_need, amount_fen=50_000).status == DonationStatus.paid


def test_a_waiting_gift_recorded_by_mistake_is_cancelled_never_deleted(app, act, money_need):
    app.config["OFFLINE_CONFIRM_FEN"] = 1
    donation = record(act, need_id=money_need)
    with pytest.raises(DomainError):
        act("city", rules.cancel_offline_gift, donation.id, "")
    assert act("city", rules.cancel_offline_gift, donation.id, "重复登记").status == DonationStatus.failed
    with pytest.raises(Conflict):
        act("city", rules.confirm_offline_gift, donation.id)
    assert _check(app)["violations"] == 0


# --- settling ----------------------------------------------------------------------------------------


def test_settling_twice_books_once(app, act, money_need):
    donation = record(act, need_id=money_need, amount_fen=30_000)
    again = act("county", rules.settle, donation.id)
    assert again.ledger_transaction_id == donation.ledger_transaction_id
    assert _need(app, money_need).raised_fen == 30_000
    assert _figures(app, money_need).received == 30_000
    with app.app_context(), db.new_session() as s:
        assert len(s.scalars(select(Receipt)).all()) == 1
    assert _check(app)["violations"] == 0


def test_a_waiting_gift_cannot_be_settled_past_its_confirmation(app, act, money_need):
    app.config["OFFLINE_CONFIRM_FEN"] = 1
    donation = record(act, need_id=money_need)
    with pytest.raises(Conflict):
        act("county", rules.settle, donation.id)


def _settle_at(app, donation_ids, moments, rollback=False):
    """Settle gifts recorded as waiting, at the moments given (as if confirmed then)."""
    with app.app_context(), db.new_session(write=True) as s:
        for donation_id, at in zip(donation_ids, moments, strict=True):
            s.execute(Donation.__table__.update().where(Donation.id == donation_id).values(status="pending"))
            rules.settle(s, None, donation_id, at=at)
        s.rollback() if rollback else s.commit()


def test_receipt_numbers_have_no_gaps_and_start_again_each_year(app, act):
    app.config["OFFLINE_CONFIRM_FEN"] = 1
    ids = [record(act, "city", channel="cash", reference="").id for _ in range(5)]
    # 23:30 on 31 December in China is still that year; 00:30 on 1 January is the next one.
    moments = [datetime(2026, 12, 31, 14, 0, tzinfo=timezone.utc), datetime(2026, 12, 31, 15, 30, tzinfo=timezone.utc),
               datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc), datetime(2027, 1, 2, 1, 0, tzinfo=timezone.utc),
               datetime(2027, 1, 2, 2, 0, tzinfo=timezone.utc)]
    _settle_at(app, ids, moments)
    assert [_receipt(app, i).code for i in ids] == ["2026-000001", "2026-000002", "2027-000001", "2027-000002",
                                                    "2027-000003"]
    assert _check(app)["violations"] == 0


def test_a_settlement_rolled_back_gives_its_receipt_number_back(app, act):
    app.config["OFFLINE_CONFIRM_FEN"] = 1
    first, second = (record(act, "city", channel="cash", reference="").id for _ in range(2))
    at = [datetime(2026, 6, 1, tzinfo=timezone.utc)]
    _settle_at(app, [first], at, rollback=True)
    _settle_at(app, [second], at)
    assert _receipt(app, first) is None and _receipt(app, second).code == "2026-000001"


# --- refunds -----------------------------------------------------------------------------------------


def test_a_small_refund_is_booked_lowers_the_need_and_marks_the_receipt(app, act, money_need):
    donation = record(act, need_id=money_need, amount_fen=500_000)
    assert _need(app, money_need).status == NeedStatus.claimed
    done = act("county", refunds.refund, donation.id, 50_000, "捐赠人要求退回部分款项")
    assert done.status == RefundStatus.done
    need = _need(app, money_need)
    assert need.raised_fen == 450_000 and need.status == NeedStatus.published  # open again for the shortfall
    assert _donation(app, donation.id).status == DonationStatus.partially_refunded
    receipt = _receipt(app, donation.id)
    assert receipt.refunded_fen == 50_000 and receipt.code.endswith("-000001")
    figures = _figures(app, money_need)
    assert (figures.received, figures.refunded, figures.balance) == (500_000, 50_000, 450_000)
    with app.app_context(), db.new_session() as s:
        assert ledger.balance(s, ledger.system_account(s, AccountPurpose.bank)) == 450_000
    later = record(act, need_id=money_need, amount_fen=100, reference="B9")
    assert _receipt(app, later.id).code.endswith("-000002")  # never the refunded one's number
    assert _check(app)["violations"] == 0


def test_a_refund_takes_back_the_general_funds_share_first(app, act, money_need):
    donation = record(act, need_id=money_need, amount_fen=600_000)
    act("county", refunds.refund, donation.id, 80_000, "多付")
    assert _need(app, money_need).raised_fen == 500_000
    assert _figures(app, general=True).balance == 20_000
    act("county", refunds.refund, donation.id, 70_000, "再退")
    assert _need(app, money_need).raised_fen == 450_000
    assert _figures(app, general=True).balance == 0
    assert _check(app)["violations"] == 0


def test_a_full_refund_marks_the_gift_refunded_and_refuses_more(app, act, money_need):
    donation = record(act, need_id=money_need, amount_fen=20_000)
    act("county", refunds.refund, donation.id, 20_000, "重复转账")
    assert _donation(app, donation.id).status == DonationStatus.refunded
    assert _need(app, money_need).raised_fen == 0
    with pytest.raises(Conflict):
        act("county", refunds.refund, donation.id, 1, "again")
    assert _check(app)["violations"] == 0


def test_refund_refusals(app, act, money_need):
    donation = record(act, need_id=money_need, amount_fen=20_000)
    with pytest.raises(DomainError):
        act("county", refunds.refund, donation.id, 1_000, "   ")
    with pytest.raises(DomainError):
        act("county", refunds.refund, donation.id, 20_001, "too much")
    with pytest.raises(DomainError):
        act("county", refunds.refund, donation.id, 10.5, "float")
    for key in ("county2", "town", "donor"):
        with pytest.raises(NotFound):
            act(key, refunds.refund, donation.id, 1_000, "not mine")
    assert _donation(app, donation.id).refunded_fen == 0


def test_a_large_refund_waits_for_a_second_person_never_the_one_who_asked(app, act, money_need):
    app.config["REFUND_CONFIRM_FEN"] = 10_000
    donation = record(act, need_id=money_need, amount_fen=200_000)
    asked = act("county", refunds.refund, donation.id, 10_001, "捐赠人撤回")
    assert asked.status == RefundStatus.awaiting_confirmation
    assert _need(app, money_need).raised_fen == 200_000
    with pytest.raises(Conflict):
        act("city", refunds.refund, donation.id, 500, "second at once")
    with pytest.raises(NotAllowed):
        act("county", refunds.confirm_refund, asked.id)
    with pytest.raises(NotFound):
        act("county2", refunds.confirm_refund, asked.id)
    act("city", refunds.confirm_refund, asked.id)
    assert _need(app, money_need).raised_fen == 200_000 - 10_001
    with pytest.raises(Conflict):
        act("city", refunds.confirm_refund, asked.id)
    with app.app_context(), db.new_session() as s:
        row = s.get(DonationRefund, asked.id)
        assert row.confirmed_by_id is not None and row.ledger_transaction_id is not None
    assert _check(app)["violations"] == 0


def test_refunds_are_in_the_audit_log_with_their_reason(app, act, money_need):
    from portal.audit.models import AuditEntry

    donation = record(act, need_id=money_need, amount_fen=20_000)
    act("county", refunds.refund, donation.id, 5_000, "捐赠人要求")
    with app.app_context(), db.new_session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "donation.refund"))
        assert entry.detail["reason"] == "捐赠人要求" and entry.detail["amount_fen"] == 5_000


# --- the ledger check and the recommender ------------------------------------------------------------


def test_ledger_check_holds_after_gifts_and_refunds_and_sees_tampering(app, act, money_need, raw):
    app.config["OFFLINE_CONFIRM_FEN"] = 300_000
    a = record(act, need_id=money_need, amount_fen=120_000, reference="A")
    b = record(act, need_id=money_need, amount_fen=400_000, reference="B")
    act("city", rules.confirm_offline_gift, b.id)
    record(act, "city", channel="cash", reference="")
    act("county", refunds.refund, a.id, 20_000, "部分退回")
    report = _check(app)
    assert report["violations"] == 0, report["problems"]
    assert {"paid_donations_posted_once", "donations_match_ledger"} <= set(report["checks"])
    raw("UPDATE donation SET refunded_fen = 0 WHERE id = :id", id=a.id)
    raw("UPDATE donation SET status = 'paid', ledger_transaction_id = NULL WHERE id = :id", id=b.id)
    problems = {p["check"] for p in _check(app)["problems"]}
    assert {"paid_donations_posted_once", "donations_match_ledger"} <= problems


def test_ledger_check_sees_a_gift_reversed_behind_the_donations_back(app, act, money_need):
    donation = record(act, "city", channel="cash", reference="")
    with app.app_context(), db.write_session() as s:
        from portal.ledger.models import LedgerTransaction

        ledger.reverse(s, None, s.get(LedgerTransaction, donation.ledger_transaction_id), "typo")
    problems = [p for p in _check(app)["problems"] if p["check"] == "donations_match_ledger"]
    assert problems and problems[0]["donation"] == donation.id


def test_a_donors_gift_to_a_need_feeds_the_recommender(app, act, users, money_need):
    donation = record(act, need_id=money_need, amount_fen=30_000, donor_id=users["donor"].id)
    record(act, need_id=money_need, amount_fen=10_000, reference="B2")  # a guest: no helper to learn about
    with app.app_context(), db.new_session() as s:
        rows = list(donation_rows(s))
    assert [(key, need_id, amount) for key, need_id, _at, amount in rows] == [(f"u{users['donor'].id}", money_need, 30_000)]
    act("county", refunds.refund, donation.id, 30_000, "撤回")
    with app.app_context(), db.new_session() as s:
        assert list(donation_rows(s)) == []


def test_a_need_can_raise_more_than_a_32_bit_column_holds(app, act, money_need, raw):
    # 30 million yuan: past 2**31 fen, where INTEGER columns overflow on PostgreSQL.
    raw("UPDATE need SET target_fen = :t WHERE id = :id", t=5_000_000_000, id=money_need)
    app.config["OFFLINE_CONFIRM_FEN"] = 10**13
    record(act, need_id=money_need, amount_fen=3_000_000_000)
    assert _need(app, money_need).raised_fen == 3_000_000_000
    assert _check(app)["violations"] == 0


def test_settling_a_gift_that_does_not_exist_is_refused(app, act):
    with pytest.raises(NotFound):
        act("county", rules.settle, 999)
