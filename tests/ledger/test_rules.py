"""Posting, reversing and the figures of funds, through the rules (no HTTP)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.errors import DomainError
from portal.ledger import rules
from portal.ledger.models import AccountPurpose, Entry, Fund, FundKind, LedgerTransaction, TransactionKind
from portal.needs.models import Need
from tests.ledger.conftest import give, give_to_need, take


def _count(session, model) -> int:
    return len(session.scalars(select(model)).all())


def test_a_gift_credits_the_fund_and_debits_the_bank(ledger_session):
    s = ledger_session
    fund = rules.general_fund(s)
    give(s, fund, 12_345)
    s.commit()
    assert rules.fund_figures(s, fund) == rules.FundFigures(received=12_345, refunded=0, disbursed=0, balance=12_345)
    assert rules.balance(s, rules.system_account(s, AccountPurpose.bank)) == 12_345
    assert rules.balance(s, rules.fund_account(s, fund)) == 12_345


@pytest.mark.parametrize("amount", [100.0, 1.5, True, Decimal("100"), "100", None])
def test_amounts_that_are_not_whole_fen_are_refused(ledger_session, amount):
    s = ledger_session
    bank, fund = rules.system_account(s, "bank"), rules.fund_account(s, rules.general_fund(s))
    with pytest.raises(DomainError, match="以分为单位的整数"):
        rules.post(s, None, "gift", [(bank, amount), (fund, -100)])
    assert _count(s, Entry) == 0


@pytest.mark.parametrize("legs, message", [
    ([], "至少需要两条分录"),
    ([("bank", 100)], "至少需要两条分录"),
    ([("bank", 100), ("fund", -99)], "合计必须为零"),
    ([("bank", 0), ("fund", 0)], "零分"),
    ([("bank", 2**63), ("fund", -(2**63))], "金额过大"),
    ([("bank", 100), ("bank", -100)], "只能出现一次"),
])
def test_malformed_transactions_are_refused_and_change_nothing(ledger_session, legs, message):
    s = ledger_session
    accounts = {"bank": rules.system_account(s, "bank"), "fund": rules.fund_account(s, rules.general_fund(s))}
    with pytest.raises(DomainError, match=message):
        rules.post(s, None, "gift", [(accounts[name], amount) for name, amount in legs])
    assert _count(s, LedgerTransaction) == 0 and _count(s, Entry) == 0


def test_legs_that_name_no_account_are_refused(ledger_session, users):
    s = ledger_session
    fund = rules.fund_account(s, rules.general_fund(s))
    for legs in ([("bank", 100), (fund, -100)], [(users["admin"], 100), (fund, -100)], [(fund,), (fund, 1, 2)]):
        with pytest.raises(DomainError, match="每条分录必须指明一个账户"):
            rules.post(s, None, "gift", legs)
    assert _count(s, Entry) == 0


def test_kinds_that_do_not_move_funds_may_not_touch_one(ledger_session):
    s = ledger_session
    fund = rules.fund_account(s, rules.general_fund(s))
    with pytest.raises(DomainError, match="不能使资金进出基金"):
        rules.post(s, None, "fee", [(rules.system_account(s, "fees"), 100), (fund, -100)])
    with pytest.raises(DomainError, match="捐赠计入基金"):
        rules.post(s, None, "gift", [(fund, 100), (rules.system_account(s, "bank"), -100)])
    with pytest.raises(DomainError, match="请对该交易执行冲销"):
        rules.post(s, None, "reversal", [(fund, 100), (rules.system_account(s, "bank"), -100)])
    with pytest.raises(DomainError, match="未知的账目交易类型"):
        rules.post(s, None, "loan", [(fund, 100), (rules.system_account(s, "bank"), -100)])


def test_a_fund_cannot_pay_out_more_than_it_holds(ledger_session):
    s = ledger_session
    fund = rules.programme_fund(s, "scholarship")
    give(s, fund, 10_000)
    take(s, fund, TransactionKind.disbursement, 6_000)
    with pytest.raises(DomainError, match="余额不足"):
        take(s, fund, TransactionKind.refund, 4_001)
    take(s, fund, TransactionKind.refund, 4_000)
    s.commit()
    assert rules.fund_figures(s, fund) == rules.FundFigures(received=10_000, refunded=4_000, disbursed=6_000, balance=0)


def test_paying_a_disbursement_out_of_the_bank_leaves_the_fund_alone(ledger_session):
    s = ledger_session
    fund = rules.programme_fund(s, "living_allowance")
    give(s, fund, 50_000)
    take(s, fund, TransactionKind.disbursement, 20_000)
    rules.post(s, None, "disbursement_paid", [(rules.system_account(s, "disbursements_payable"), 20_000),
                                              (rules.system_account(s, "bank"), -20_000)])
    s.commit()
    assert rules.fund_figures(s, fund).balance == 30_000
    assert rules.balance(s, rules.system_account(s, "bank")) == 30_000
    assert rules.balance(s, rules.system_account(s, "disbursements_payable")) == 0


def test_a_reversal_undoes_a_gift_once_and_is_itself_final(ledger_session, users):
    s = ledger_session
    fund = rules.general_fund(s)
    gift = give(s, fund, 8_800, source=AccountPurpose.cash)
    reversal = rules.reverse(s, users["admin"], gift, "counted twice")
    s.commit()
    assert reversal.kind == TransactionKind.reversal and reversal.reverses_id == gift.id
    assert rules.fund_figures(s, fund) == rules.FundFigures(received=0, refunded=0, disbursed=0, balance=0)
    with pytest.raises(DomainError, match="已被冲销"):
        rules.reverse(s, users["admin"], gift, "again")
    with pytest.raises(DomainError, match="不能再被冲销"):
        rules.reverse(s, users["admin"], reversal, "undo the undo")
    with pytest.raises(DomainError, match="请说明冲销"):
        rules.reverse(s, users["admin"], give(s, fund, 1), "  ")


def test_a_gift_already_spent_cannot_be_reversed(ledger_session):
    s = ledger_session
    fund = rules.programme_fund(s, "medical_aid")
    gift = give(s, fund, 30_000)
    take(s, fund, TransactionKind.disbursement, 20_000)
    with pytest.raises(DomainError, match="余额不足"):
        rules.reverse(s, None, gift, "bounced")
    s.commit()
    assert rules.fund_figures(s, fund).balance == 10_000


def test_every_posting_is_written_to_the_audit_log(ledger_session, users):
    s = ledger_session
    txn = give(s, rules.general_fund(s), 500, actor=users["county"], reference="donation:7")
    s.commit()
    entry = s.scalar(select(AuditEntry).where(AuditEntry.object_type == "ledger_transaction"))
    assert (entry.actor_name, entry.action, entry.object_id) == ("county", "ledger.gift", str(txn.id))
    assert entry.detail["reference"] == "donation:7"
    assert entry.detail["legs"] == [["bank", 500], ["fund:general", -500]]


def test_standard_funds_and_accounts_are_created_once(ledger_session):
    s = ledger_session
    first = rules.standard_funds(s)
    again = rules.standard_funds(s)
    s.commit()
    assert [f.id for f in first] == [f.id for f in again]
    assert [f.code for f in first] == ["general", "scholarship", "medical_aid", "living_allowance"]
    assert rules.system_account(s, "bank").id == rules.system_account(s, AccountPurpose.bank).id
    with pytest.raises(DomainError):
        rules.system_account(s, "fund_balance")
    with pytest.raises(DomainError):
        rules.programme_fund(s, "lottery")


def test_each_money_need_gets_one_fund_and_other_needs_none(ledger_session, money_need, make_need):
    service_need = make_need()
    s = ledger_session
    need = s.get(Need, money_need)
    fund = rules.fund_for_need(s, need)
    assert rules.fund_for_need(s, need).id == fund.id
    assert (fund.kind, fund.need_id, fund.code) == (FundKind.need, need.id, f"need-{need.id}")
    service = s.get(Need, service_need)
    with pytest.raises(DomainError, match="只有资金需求"):
        rules.fund_for_need(s, service)
    s.commit()
    assert _count(s, Fund) == 1


def test_a_good_ledger_checks_clean(ledger_session, money_need):
    s = ledger_session
    give_to_need(s, money_need, 20_000)
    fund = rules.programme_fund(s, "scholarship")
    gift = give(s, fund, 1_000_000, source=AccountPurpose.stripe_clearing)
    take(s, fund, TransactionKind.disbursement, 400_000)
    rules.reverse(s, None, give(s, fund, 5), "test gift")
    s.commit()
    assert gift.posted
    report = rules.check(s)
    assert report["violations"] == 0, report["problems"]
    assert report["transactions"] == 5 and report["funds"] == 2
    assert {"transactions_balance", "fund_identity", "funds_not_negative", "needs_match_ledger"} <= set(report["checks"])


def test_fen_are_formatted_without_floats():
    assert rules.format_fen(1) == "0.01"
    assert rules.format_fen(123_456_789) == "1,234,567.89"
    assert rules.format_fen(-5) == "-0.05"
    assert rules.format_fen(9_007_199_254_740_993) == "90,071,992,547,409.93"  # beyond a float's precision
