"""Random sequences of gifts, confirmations, cancellations, refunds, online payments and corrections
keep the money right.

A ``RuleBasedStateMachine`` drives the donations area as staff and Stripe do: offline gifts (bank and
cash, above and below ``OFFLINE_CONFIRM_FEN``) confirmed by another staff member or cancelled (the
recorder's own confirmation refused), online gifts settled by signed ``checkout.session.completed``
events posted to the webhook (some of another amount: an anomaly, nothing booked), gifts to the money
need that overshoot its target, refunds by staff (partial, full, above ``REFUND_CONFIRM_FEN`` needing a
second person, over-refunds refused) and by Stripe (``charge.refunded``), disbursements that leave a
fund too poor to refund, and their corrections (the ledger's ``reverse``; a second reversal refused).

A plain Python model predicts which steps must be refused. After every step: ``ledger.check`` finds no
violation, each fund's received − refunded − disbursed = balance and is what the model holds, the
need's ``raised_fen`` is what its fund kept, every gift's status and refunded amount is the model's,
receipt numbers of each year are 1..n, and a refused step changed nothing at all.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from portal import create_app, db
from portal.accounts.models import User
from portal.donations import refunds, rules
from portal.donations.models import Channel, Donation, DonationRefund, Receipt
from portal.errors import DomainError
from portal.extensions import limiter
from portal.ledger import rules as ledger
from portal.ledger.models import Entry, LedgerTransaction, TransactionKind
from portal.needs.models import Need
from tests.conftest import _empty_tables, make_config
from tests.stripe_fake import events

TODAY = date(2026, 12, 1)
TARGET = 100_000  # the money need: 1,000 yuan (gifts of up to 1,200 yuan overshoot it often)
OFFLINE_CONFIRM = 50_000
REFUND_CONFIRM = 20_000
SECRET = "whsec_property_test"
FUNDS = ("need", "general", "scholarship")
amounts = st.integers(min_value=1, max_value=120_000)
SETTINGS = settings(max_examples=5, stateful_step_count=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def app(database_url):
    """Stripe keys set (the webhook verifies signatures); its API is never reached: every online
    step here is an event Stripe sends."""
    app = create_app(make_config(database_url, STRIPE_SECRET_KEY="sk_test_property",
                                 STRIPE_WEBHOOK_SECRET=SECRET, STRIPE_API_BASE="http://127.0.0.1:9"))
    app.config.update(OFFLINE_CONFIRM_FEN=OFFLINE_CONFIRM, REFUND_CONFIRM_FEN=REFUND_CONFIRM)
    limiter.reset()
    yield app
    _empty_tables(app.extensions["db_engine"])
    app.extensions["db_engine"].dispose()


def snapshot(s) -> tuple:
    """Everything money: ledger rows, gifts, refunds, the need, receipts."""
    return (s.scalar(select(func.count(LedgerTransaction.id))), s.scalar(select(func.count(Entry.id))),
            s.execute(select(Donation.id, Donation.status, Donation.refunded_fen, Donation.need_fen,
                             Donation.general_fen, Donation.confirmed_by_id).order_by(Donation.id)).all(),
            s.execute(select(DonationRefund.id, DonationRefund.status, DonationRefund.amount_fen)
                      .order_by(DonationRefund.id)).all(),
            s.execute(select(Need.id, Need.raised_fen, Need.status).order_by(Need.id)).all(),
            s.execute(select(Receipt.id, Receipt.number, Receipt.refunded_fen).order_by(Receipt.id)).all())


class Money(RuleBasedStateMachine):
    env: dict = {}  # app, users, make_need: set by the test

    def __init__(self):
        super().__init__()
        self.app, self.users = self.env["app"], self.env["users"]
        self.client = self.app.test_client()
        self.need_id = self.env["make_need"](to="published", kind="money", category="medical", target_fen=TARGET)
        with self.app.app_context(), db.write_session() as s:
            self.fund_ids = {"need": ledger.fund_for_need(s, s.get(Need, self.need_id)).id,
                             "general": ledger.general_fund(s).id,
                             "scholarship": ledger.programme_fund(s, "scholarship").id}
            # Each run starts from empty funds (earlier runs' money paid out), so that what a run
            # draws depends on its own steps only, and Hypothesis can replay and shrink it.
            for name in FUNDS:
                if held := self._balance(s, name):
                    ledger.post(s, None, TransactionKind.disbursement, [
                        (ledger.fund_account(s, s.get(ledger.Fund, self.fund_ids[name])), held),
                        (ledger.system_account(s, "disbursements_payable"), -held)], memo="property test: empty")
            self.balance = dict.fromkeys(FUNDS, 0)
            # What an earlier, failing run left broken stays broken: only new problems are this run's.
            self.known_problems = ledger.check(s)["problems"]
        self.raised = 0
        self.gifts: dict[int, dict] = {}  # id → the model of one gift
        self.disbursed: list[dict] = []  # {"txn", "fund", "amount", "reversed"}
        self.counter = itertools.count(1)

    # --- helpers ---------------------------------------------------------------------------------

    def _balance(self, s, name):
        return ledger.fund_figures(s, s.get(ledger.Fund, self.fund_ids[name])).balance

    def _user(self, s, key):
        return s.get(User, self.users[key].id)

    def _attempt(self, must_refuse: bool, fn) -> object:
        """Run ``fn(session)`` in one transaction; refused exactly when ``must_refuse``, and then
        nothing changed."""
        with self.app.app_context():
            with db.new_session() as s:
                before = snapshot(s)
            try:
                with db.write_session() as s:
                    s.expire_on_commit = False
                    result = fn(s)
            except DomainError as error:
                assert must_refuse, f"refused: {error.message}"
                with db.new_session() as s:
                    assert snapshot(s) == before
                return None
            assert not must_refuse, "not refused"
            return result

    def _deliver(self, event: dict) -> str:
        body, headers = events.signed_request(event, SECRET)
        response = self.client.post("/stripe/webhook", data=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["outcome"]

    def _settle_model(self, gift: dict) -> None:
        """The model of ``settle``: the need takes what it lacks while open, the rest goes to general."""
        if gift["to"] == "need":
            lacking = max(0, TARGET - self.raised)
            gift["need_fen"] = min(gift["amount"], lacking)
            gift["general_fen"] = gift["amount"] - gift["need_fen"]
            self.raised += gift["need_fen"]
            self.balance["need"] += gift["need_fen"]
            self.balance["general"] += gift["general_fen"]
        else:
            self.balance[gift["to"]] += gift["amount"]
        gift["status"] = "paid"

    def _refund_parts(self, gift: dict, amount: int) -> dict[str, int]:
        if gift["to"] != "need":
            return {gift["to"]: amount}
        from_general = min(amount, max(0, gift["general_fen"] - gift["refunded"]))
        return {"general": from_general, "need": amount - from_general}

    def _can_refund(self, gift: dict, amount: int) -> bool:
        return all(self.balance[fund] >= part for fund, part in self._refund_parts(gift, amount).items())

    def _refund_model(self, gift: dict, amount: int, keep_disputed: bool = False) -> None:
        """A refund (or a lost dispute) booked; a refund Stripe makes while a dispute is open leaves
        the gift disputed."""
        for fund, part in self._refund_parts(gift, amount).items():
            self.balance[fund] -= part
            if fund == "need":
                self.raised -= part
        gift["refunded"] += amount
        if not (keep_disputed and gift["status"] == "disputed"):
            gift["status"] = self._status_by_refunds(gift)

    @staticmethod
    def _status_by_refunds(gift: dict) -> str:
        if gift["refunded"] == 0:
            return "paid"
        return "refunded" if gift["refunded"] == gift["amount"] else "partially_refunded"

    def _gifts(self, channel=None, status=None):
        return [g for g in self.gifts.values() if (channel is None or (g["channel"] == "online") == (channel == "online"))
                and (status is None or g["status"] in status)]

    def _waiting(self, any_gift: bool) -> list[dict]:
        """The gifts waiting for confirmation, or (``any_gift``, or none waits) every gift."""
        waiting = self._gifts(status=("awaiting_confirmation",))
        return waiting if waiting and not any_gift else list(self.gifts.values())

    def _refundable(self, channel: str, any_gift: bool) -> list[dict]:
        """The paid gifts of ``channel``, or (``any_gift``, or none is paid) every gift of it."""
        paid = self._gifts(channel, status=("paid", "partially_refunded"))
        return paid if paid and not any_gift else self._gifts(channel)

    @staticmethod
    def _pick(items, index):
        return items[index % len(items)]

    @initialize(first=st.sampled_from(["need", "general"]), amount=amounts)
    def a_first_gift(self, first, amount):
        """Every run starts with a settled bank gift, so there is something to refund from the start."""
        self.record_offline_gift("bank", first, min(amount, OFFLINE_CONFIRM))

    # --- offline gifts ---------------------------------------------------------------------------

    @rule(channel=st.sampled_from(["bank", "cash"]), to=st.sampled_from(FUNDS),
          amount=amounts | st.sampled_from([OFFLINE_CONFIRM, OFFLINE_CONFIRM + 1]))
    def record_offline_gift(self, channel, to, amount):
        open_need = self.raised < TARGET
        values = rules.OfflineGift(amount_fen=amount, channel=channel, payer="张三", paid_on=TODAY,
                                   reference=f"BANK-{next(self.counter)}" if channel == "bank" else "",
                                   need_id=self.need_id if to == "need" else None,
                                   fund_code=None if to == "need" else to)
        made = self._attempt(to == "need" and not open_need, lambda s: rules.record_offline_gift(
            s, self._user(s, "county"), values, TODAY))
        if made is None:
            return
        gift = {"id": made.id, "channel": channel, "to": to, "amount": amount, "refunded": 0, "need_fen": 0,
                "general_fen": 0, "status": "awaiting_confirmation", "waiting_refund": None}
        self.gifts[made.id] = gift
        if amount <= OFFLINE_CONFIRM:
            self._settle_model(gift)

    @precondition(lambda self: self.gifts)
    @rule(index=st.integers(0, 50), by=st.sampled_from(["county", "city"]), any_gift=st.booleans())
    def confirm_offline_gift(self, index, by, any_gift):
        """The recorder (county) is always refused; another (city) only when the gift waits."""
        gift = self._pick(self._waiting(any_gift), index)
        waiting = gift["status"] == "awaiting_confirmation"
        done = self._attempt(by == "county" or not waiting,
                             lambda s: rules.confirm_offline_gift(s, self._user(s, by), gift["id"]))
        if done is not None:
            self._settle_model(gift)

    @precondition(lambda self: self.gifts)
    @rule(index=st.integers(0, 50), reason=st.sampled_from(["", "记错了", "记错了"]), any_gift=st.booleans())
    def cancel_offline_gift(self, index, reason, any_gift):
        gift = self._pick(self._waiting(any_gift), index)
        done = self._attempt(not reason or gift["status"] != "awaiting_confirmation",
                             lambda s: rules.cancel_offline_gift(s, self._user(s, "city"), gift["id"], reason))
        if done is not None:
            gift["status"] = "failed"

    # --- online gifts, through the signed webhook ------------------------------------------------

    @rule(to=st.sampled_from(FUNDS), amount=amounts, paid=st.sampled_from(["same", "same", "other amount"]),
          again=st.booleans())
    def online_gift(self, to, amount, paid, again):
        """A checkout started (as ``online.start_checkout`` records it), then Stripe's event."""
        n = next(self.counter)
        with self.app.app_context(), db.write_session() as s:
            s.expire_on_commit = False
            need = s.get(Need, self.need_id) if to == "need" else None
            if need is not None and not rules.open_for_donations(need):
                return  # the give page is closed for a funded need
            fund = rules.target_fund(s, need, None if to == "need" else to)
            donation = Donation(fund_id=fund.id, need_id=need.id if need else None,
                                region_code=need.county_code if need else None, guest_name="李四", amount_fen=amount,
                                channel=Channel.online, stripe_checkout_session_id=f"cs_prop_{n}_{id(self)}")
            s.add(donation)
        gift = {"id": donation.id, "channel": "online", "to": to, "amount": amount, "refunded": 0, "need_fen": 0,
                "general_fen": 0, "status": "pending", "waiting_refund": None,
                "intent": f"pi_prop_{n}_{id(self)}", "stripe_refunded": 0}
        self.gifts[donation.id] = gift
        checkout = {"id": donation.stripe_checkout_session_id, "object": "checkout.session", "mode": "payment",
                    "amount_total": amount if paid == "same" else amount + 1, "currency": "cny",
                    "payment_status": "paid", "metadata": {"donation": str(donation.id)},
                    # In full, as the webhook reads it from Stripe (this test's Stripe API is never reached).
                    "payment_intent": {"id": gift["intent"], "object": "payment_intent",
                                       "latest_charge": "ch_" + gift["intent"]}}
        event = events.checkout_session_completed(checkout)
        with self.app.app_context(), db.new_session() as s:
            before = snapshot(s)
        outcome = self._deliver(event)
        if paid == "same":
            assert outcome == "applied"
            self._settle_model(gift)
        else:
            assert outcome == "anomaly"
            with self.app.app_context(), db.new_session() as s:
                assert snapshot(s) == before
        if again:
            with self.app.app_context(), db.new_session() as s:
                before = snapshot(s)
            assert self._deliver(event) == "duplicate"
            with self.app.app_context(), db.new_session() as s:
                assert snapshot(s) == before

    @precondition(lambda self: self._gifts("online"))
    @rule(index=st.integers(0, 50), amount=amounts | st.sampled_from(["rest", "rest+1", "half"]),
          any_gift=st.booleans())
    def stripe_refunds(self, index, amount, any_gift):
        """Stripe gave money back (``charge.refunded`` carries the total its refunds gave back so far,
        never what a lost dispute took)."""
        gift = self._pick(self._refundable("online", any_gift), index)
        left = gift["amount"] - gift["refunded"]
        amount = {"rest": left, "rest+1": left + 1, "half": max(1, left // 2)}.get(amount, amount)
        total = gift["stripe_refunded"] + amount
        charge = {"id": "ch_" + gift["intent"], "object": "charge", "amount": gift["amount"], "currency": "cny",
                  "amount_refunded": total, "payment_intent": gift["intent"]}
        with self.app.app_context(), db.new_session() as s:
            before = snapshot(s)
        outcome = self._deliver(events.charge_refunded(charge))
        books = (gift["status"] in ("paid", "partially_refunded", "disputed") and total <= gift["amount"]
                 and amount <= left and self._can_refund(gift, amount))
        if books:
            assert outcome == "applied"
            self._refund_model(gift, amount, keep_disputed=True)
            gift["stripe_refunded"] = total
        else:
            assert outcome in ("anomaly", "already_booked"), outcome
            with self.app.app_context(), db.new_session() as s:
                assert snapshot(s) == before

    @precondition(lambda self: self._gifts("online"))
    @rule(index=st.integers(0, 50), outcome=st.sampled_from(["created", "lost", "won"]), any_gift=st.booleans())
    def dispute(self, index, outcome, any_gift):
        """A donor's bank disputes a payment (``charge.dispute.created``), then the dispute is decided:
        lost books Stripe's refund of what is left of the gift, won puts it back as it was."""
        gift = self._pick(self._refundable("online", any_gift), index)
        left = gift["amount"] - gift["refunded"]
        obj = {"id": "du_" + gift["intent"], "object": "dispute", "amount": left, "currency": "cny",
               "charge": "ch_" + gift["intent"], "payment_intent": gift["intent"], "reason": "fraudulent",
               "status": {"created": "needs_response"}.get(outcome, outcome)}
        kind = "charge.dispute.created" if outcome == "created" else "charge.dispute.closed"
        with self.app.app_context(), db.new_session() as s:
            before = snapshot(s)
        answer = self._deliver(events.build_event(kind, obj))
        if gift["status"] == "pending":
            changes = False  # no payment yet: Stripe knows no charge of it (an anomaly at most)
        elif outcome == "created":
            changes = gift["status"] in ("paid", "partially_refunded", "refunded")
            if changes:
                gift["status"] = "disputed"
        elif gift["status"] != "disputed":
            changes = False
            assert answer == "already_booked", answer
        elif outcome == "won":
            changes, gift["status"] = True, self._status_by_refunds(gift)
        else:
            changes = left > 0 and self._can_refund(gift, left)
            if changes:
                self._refund_model(gift, left)
        if not changes:
            with self.app.app_context(), db.new_session() as s:
                assert snapshot(s) == before

    # --- refunds by staff ------------------------------------------------------------------------

    @precondition(lambda self: self._gifts("offline"))
    @rule(index=st.integers(0, 50), amount=amounts | st.sampled_from(["rest", "rest+1", "half", REFUND_CONFIRM,
                                                                      REFUND_CONFIRM + 1]), any_gift=st.booleans())
    def refund(self, index, amount, any_gift):
        gift = self._pick(self._refundable("offline", any_gift), index)
        left = gift["amount"] - gift["refunded"]
        amount = {"rest": left, "rest+1": left + 1, "half": max(1, left // 2)}.get(amount, amount)
        books_now = amount <= REFUND_CONFIRM
        must_refuse = (gift["status"] not in ("paid", "partially_refunded") or amount > left
                       or gift["waiting_refund"] is not None or (books_now and not self._can_refund(gift, amount)))
        row = self._attempt(must_refuse, lambda s: refunds.refund(s, self._user(s, "county"), gift["id"], amount,
                                                                   "捐赠人要求退回"))
        if row is None:
            return
        if books_now:
            self._refund_model(gift, amount)
        else:
            gift["waiting_refund"] = (row.id, amount)

    @precondition(lambda self: any(g["waiting_refund"] for g in self.gifts.values()))
    @rule(index=st.integers(0, 50), by=st.sampled_from(["county", "city"]))
    def confirm_refund(self, index, by):
        gift = self._pick([g for g in self.gifts.values() if g["waiting_refund"]], index)
        refund_id, amount = gift["waiting_refund"]
        done = self._attempt(by == "county" or not self._can_refund(gift, amount),
                             lambda s: refunds.confirm_refund(s, self._user(s, by), refund_id))
        if done is not None:
            gift["waiting_refund"] = None
            self._refund_model(gift, amount)

    # --- disbursements and corrections -----------------------------------------------------------

    @rule(fund=st.sampled_from(FUNDS), amount=st.sampled_from(["all", "all+1", "half"]) | amounts)
    def disburse(self, fund, amount):
        """Money paid out of a fund for its purpose: a refund of money already spent is refused."""
        amount = {"all": self.balance[fund], "all+1": self.balance[fund] + 1,
                  "half": self.balance[fund] // 2}.get(amount, amount)

        def pay(s):
            return ledger.post(s, self._user(s, "city"), TransactionKind.disbursement, [
                (ledger.fund_account(s, s.get(ledger.Fund, self.fund_ids[fund])), amount),
                (ledger.system_account(s, "disbursements_payable"), -amount)], memo="property test")

        txn = self._attempt(amount <= 0 or amount > self.balance[fund], pay)
        if txn is not None:
            self.balance[fund] -= amount
            self.disbursed.append({"txn": txn.id, "fund": fund, "amount": amount, "reversed": False})

    @precondition(lambda self: self.disbursed)
    @rule(index=st.integers(0, 50))
    def correct_a_disbursement(self, index):
        """A disbursement booked by mistake is reversed, once."""
        target = self._pick(self.disbursed, index)

        def undo(s):
            return ledger.reverse(s, self._user(s, "city"), s.get(LedgerTransaction, target["txn"]), "记错了")

        if self._attempt(target["reversed"], undo) is not None:
            target["reversed"] = True
            self.balance[target["fund"]] += target["amount"]

    # --- after every step ------------------------------------------------------------------------

    @invariant()
    def the_books_hold(self):
        with self.app.app_context(), db.new_session() as s:
            report = ledger.check(s)
            new_problems = [p for p in report["problems"] if p not in self.known_problems]
            assert not new_problems
            figures = {f["fund"]: f for f in report["fund_figures"]}
            for f in figures.values():
                assert f["received"] - f["refunded"] - f["disbursed"] == f["balance"], f
            codes = {"need": f"need-{self.need_id}", "general": "general", "scholarship": "scholarship"}
            assert {name: figures[code]["balance"] for name, code in codes.items()} == self.balance
            need, need_fund = s.get(Need, self.need_id), figures[codes["need"]]
            assert need.raised_fen == need_fund["received"] - need_fund["refunded"] == self.raised
            assert (need.status == "published") == (self.raised < TARGET)
            shown = {d.id: (str(d.status), d.refunded_fen, d.need_fen, d.general_fen)
                     for d in s.scalars(select(Donation).where(Donation.id.in_(list(self.gifts))))}
            assert shown == {g["id"]: (g["status"], g["refunded"], g["need_fen"], g["general_fen"])
                             for g in self.gifts.values()}
            for year in s.scalars(select(Receipt.year).distinct()):
                numbers = sorted(s.scalars(select(Receipt.number).where(Receipt.year == year)))
                assert numbers == list(range(1, len(numbers) + 1)), year


def test_random_sequences_of_gifts_and_refunds_keep_the_money_right(app, users, make_need):
    Money.env = {"app": app, "users": users, "make_need": make_need}
    with app.app_context(), db.new_session() as s:
        assert ledger.check(s)["violations"] == 0
    run_state_machine_as_test(Money, settings=SETTINGS)
