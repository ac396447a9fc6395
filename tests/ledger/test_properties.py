"""Random sequences of postings, including ones that must be refused, keep every invariant.

Gifts into any fund (a money need's raises its ``raised_fen`` as the donations area will),
refunds, disbursements, paying disbursements out of the bank, reversals of anything posted so far
(reversals included, which must be refused) and malformed postings. After every step ``check()``
is clean and each fund's figures are what a plain Python model of the funds expects.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import db
from portal.errors import DomainError
from portal.ledger import rules
from portal.ledger.models import AccountPurpose, LedgerTransaction, TransactionKind
from portal.needs.models import Need
from tests.ledger.conftest import give, give_to_need, take

FUNDS = ["general", "scholarship", "medical_aid", "living_allowance", "need"]
# Refunds of money given to a need are the donations area's: lowering raised_fen needs its function.
REFUNDABLE = FUNDS[:-1]
SOURCES = ["bank", "cash", "stripe_clearing"]
amounts = st.integers(min_value=1, max_value=10**12)
# need.raised_fen is a 32-bit INTEGER column (the ledger's legs are BIGINT): gifts to the need stay small
need_amounts = st.integers(min_value=1, max_value=10**6)
steps = st.one_of(
    st.tuples(st.just("gift"), st.sampled_from(REFUNDABLE), st.sampled_from(SOURCES), amounts),
    st.tuples(st.just("gift"), st.just("need"), st.sampled_from(SOURCES), need_amounts),
    # paying out exactly what a fund holds, or one fen more, finds the edge of the overdraft rule
    st.tuples(st.just("refund"), st.sampled_from(REFUNDABLE), amounts | st.sampled_from(["all", "all+1"])),
    st.tuples(st.just("disbursement"), st.sampled_from(FUNDS), amounts | st.sampled_from(["all", "all+1"])),
    st.tuples(st.just("pay_out"), amounts),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40)),
    st.tuples(st.just("malformed"), st.sampled_from(["float", "bool", "decimal", "zero", "unbalanced", "single"]),
              st.sampled_from(REFUNDABLE), amounts),
)


def _fund(s, name, need_id):
    return rules.fund_for_need(s, s.get(Need, need_id)) if name == "need" else (
        rules.general_fund(s) if name == "general" else rules.programme_fund(s, name))


def _malformed_legs(s, how, fund, amount):
    bank, account = rules.system_account(s, "bank"), rules.fund_account(s, fund)
    return {"float": [(bank, float(amount)), (account, -float(amount))],
            "bool": [(bank, True), (account, -1)],
            "decimal": [(bank, Decimal(amount)), (account, -amount)],
            "zero": [(bank, 0), (account, 0)],
            "unbalanced": [(bank, amount + 1), (account, -amount)],
            "single": [(account, -amount)]}[how]


@pytest.fixture
def ledger_app(app, money_need):
    with app.app_context(), db.write_session() as s:
        for name in FUNDS:
            _fund(s, name, money_need)
    return app, money_need


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(steps, min_size=1, max_size=10))
def test_random_postings_keep_the_ledger_consistent(ledger_app, plan):
    app, need_id = ledger_app
    with app.app_context():
        with db.new_session() as s:  # the database persists across examples: model it from here
            model = {name: rules.fund_figures(s, _fund(s, name, need_id)).balance for name in FUNDS}
        posted: list[dict] = []  # what this example booked, for reversals
        for step in plan:
            _apply(step, model, posted, need_id)
            with db.new_session() as s:
                report = rules.check(s)
                assert report["violations"] == 0, (step, report["problems"])
                assert {name: rules.fund_figures(s, _fund(s, name, need_id)).balance for name in FUNDS} == model


def _apply(step, model, posted, need_id):
    """Try ``step``; assert it was refused exactly when it had to be, then move the model."""
    action, change, must_refuse = step[0], None, False
    if action in ("refund", "disbursement") and isinstance(step[2], str):
        step = (action, step[1], model[step[1]] + (1 if step[2] == "all+1" else 0))
    if action == "gift":
        change = (step[1], step[-1])
    elif action in ("refund", "disbursement"):
        change, must_refuse = (step[1], -step[-1]), step[-1] == 0 or model[step[1]] < step[-1]
    elif action == "malformed":
        must_refuse = True
    elif action == "reverse":
        candidates = [p for p in posted if p["fund"] != "need" or p["delta"] < 0]  # see REFUNDABLE
        if not candidates:
            return
        target = candidates[step[1] % len(candidates)]
        change = (target["fund"], -target["delta"]) if target["fund"] else None
        must_refuse = target["reversal"] or target["reversed"] or bool(
            change and model[change[0]] + change[1] < 0)
    try:
        with db.write_session() as s:
            if action == "gift":
                _, name, source, amount = step
                if name == "need":
                    txn = give_to_need(s, need_id, amount)
                else:
                    txn = give(s, _fund(s, name, need_id), amount, source=AccountPurpose(source))
            elif action in ("refund", "disbursement"):
                txn = take(s, _fund(s, step[1], need_id), TransactionKind(action), step[2])
            elif action == "pay_out":
                txn = rules.post(s, None, "disbursement_paid", [
                    (rules.system_account(s, "disbursements_payable"), step[1]),
                    (rules.system_account(s, "bank"), -step[1])])
            elif action == "reverse":
                txn = rules.reverse(s, None, s.get(LedgerTransaction, target["id"]), "property test")
            else:
                _, how, name, amount = step
                txn = rules.post(s, None, "gift", _malformed_legs(s, how, _fund(s, name, need_id), amount))
    except DomainError:
        assert must_refuse, (step, model)
        return
    assert not must_refuse, (step, model)
    if change:
        model[change[0]] += change[1]
    if action == "reverse":
        target["reversed"] = True
    posted.append({"id": txn.id, "fund": change[0] if change else None, "delta": change[1] if change else 0,
                   "reversal": action == "reverse", "reversed": False})
