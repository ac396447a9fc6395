"""Posting to the ledger, reversing, balances and the fund figures, computed from the legs in SQL.

Every movement of money is one balanced transaction (``post``); nothing is ever changed or deleted,
a mistake is undone by ``reverse``. A fund's balance account is credit-normal: a gift credits it,
a refund or a disbursement debits it, so for every fund received − refunded − disbursed = balance,
and no refund, disbursement or reversal may take a fund below zero. The database enforces the
balance and the append-only rule on its own (see ``models``); these functions refuse, with a
message for the user, everything that would otherwise only fail there, and more.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, case, cast, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from portal.audit.rules import record
from portal.errors import Conflict, DomainError
from portal.ledger.models import (
    CURRENCY,
    Account,
    AccountKind,
    AccountPurpose,
    Entry,
    Fund,
    FundKind,
    FundTotal,
    LedgerTransaction,
    TransactionKind,
)

# The largest amount one leg may carry: what a signed BIGINT holds.
MAX_FEN = 2**63 - 1

GENERAL_FUND = ("general", "综合基金", "General fund")
# The programmes of DESIGN.md §4; the programmes area runs them, the ledger holds their money.
PROGRAMME_FUNDS = {
    "scholarship": ("助学金", "Scholarship"),
    "medical_aid": ("医疗救助", "Medical aid"),
    "living_allowance": ("生活补助", "Living allowance"),
}
SYSTEM_ACCOUNTS = {
    AccountPurpose.stripe_clearing: AccountKind.asset,
    AccountPurpose.bank: AccountKind.asset,
    AccountPurpose.cash: AccountKind.asset,
    AccountPurpose.fees: AccountKind.expense,
    AccountPurpose.refunds_payable: AccountKind.liability,
    AccountPurpose.disbursements_payable: AccountKind.liability,
    AccountPurpose.disbursements_paid: AccountKind.expense,
}
DEBIT_NORMAL = (AccountKind.asset, AccountKind.expense)

# The only kinds of transaction that move money into or out of a fund, and which way: a gift
# credits the fund (-1), a refund or a disbursement debits it (+1). Any other kind (fees, paying a
# refund or a disbursement out of the bank) moves money between the other accounts only, so that
# received − refunded − disbursed is always a fund's balance.
FUND_DIRECTION = {TransactionKind.gift: -1, TransactionKind.refund: 1, TransactionKind.disbursement: 1}


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_fen: int  # positive debits the account, negative credits it


@dataclass(frozen=True)
class FundFigures:
    received: int
    refunded: int
    disbursed: int
    balance: int


OWN_PROGRAMME_FUND = "programme-"  # the code prefix of programmes' own funds


# --- funds and accounts ---------------------------------------------------------------------------


def _get_or_create(session: Session, model, lookup: dict, values: dict):
    """The row matching ``lookup``, created with ``values`` if missing; two creators racing both
    end with the one row (the unique index refuses the loser, who then reads the winner's)."""
    stmt = select(model).filter_by(**lookup)
    row = session.scalar(stmt)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = model(**lookup, **values)
            session.add(row)
    except IntegrityError:
        row = session.scalar(stmt)
        if row is None:
            raise
    return row


def system_account(session: Session, purpose: AccountPurpose | str) -> Account:
    """The one account of ``purpose`` (bank, cash, Stripe clearing, fees …), created on first use.
    Refuses fund balances: each fund has its own (``fund_account``)."""
    purpose = AccountPurpose(purpose)
    if purpose not in SYSTEM_ACCOUNTS:
        raise DomainError(_l("A fund's balance account belongs to its fund."))
    return _get_or_create(session, Account, {"code": purpose.value},
                          {"kind": SYSTEM_ACCOUNTS[purpose], "purpose": purpose})


def fund_account(session: Session, fund: Fund) -> Account:
    """The balance account of ``fund``, created on first use."""
    return _get_or_create(session, Account, {"code": f"fund:{fund.code}"},
                          {"kind": AccountKind.liability, "purpose": AccountPurpose.fund_balance,
                           "fund_id": fund.id})


def _fund(session: Session, code: str, kind: FundKind, name_zh: str, name_en: str, need_id: int | None = None) -> Fund:
    """The fund of ``code``; a new one is made with its balance account and its running totals."""
    existing = session.scalar(select(Fund).where(Fund.code == code))
    if existing is not None:
        return existing
    fund = _get_or_create(session, Fund, {"code": code},
                          {"kind": kind, "name_zh": name_zh, "name_en": name_en, "need_id": need_id})
    fund_account(session, fund)
    _get_or_create(session, FundTotal, {"fund_id": fund.id}, {})
    return fund


def general_fund(session: Session) -> Fund:
    """The general fund, for gifts given to no programme and no need."""
    code, name_zh, name_en = GENERAL_FUND
    return _fund(session, code, FundKind.general, name_zh, name_en)


def programme_fund(session: Session, code: str) -> Fund:
    """The fund of one programme (scholarship, medical aid, living allowance); refuses others."""
    if code not in PROGRAMME_FUNDS:
        raise DomainError(_l("There is no programme fund of that name."))
    name_zh, name_en = PROGRAMME_FUNDS[code]
    return _fund(session, code, FundKind.programme, name_zh, name_en)


def standard_funds(session: Session) -> list[Fund]:
    """The general fund and every programme fund, created if missing."""
    return [general_fund(session)] + [programme_fund(session, code) for code in PROGRAMME_FUNDS]


def fund_for_need(session: Session, need) -> Fund:
    """The fund of one money need, created on first use; refuses needs that are not for money."""
    if str(getattr(need, "kind", "")) != "money" or need.id is None:
        raise DomainError(_l("Only a money need has a fund."))
    return _fund(session, f"need-{need.id}", FundKind.need, f"需求 {need.id}", f"Need {need.id}", need.id)


def fund_for_programme(session: Session, programme) -> Fund:
    """The own fund of a programme that does not draw on a standard programme fund: the one it
    already has, or a new one named after it (code ``programme-`` and 12 hex digits, so that it
    exists before the programme is first saved)."""
    current = session.get(Fund, programme.fund_id) if getattr(programme, "fund_id", None) else None
    if current is not None and current.code.startswith(OWN_PROGRAMME_FUND):
        return current
    return _fund(session, f"{OWN_PROGRAMME_FUND}{secrets.token_hex(6)}", FundKind.programme, programme.name_zh[:100],
                 (programme.name_en or programme.name_zh)[:100])


def programme_funds(session: Session) -> list[Fund]:
    """Every fund a programme may draw on (the standard programme funds and programmes' own)."""
    return list(session.scalars(select(Fund).where(Fund.kind == FundKind.programme).order_by(Fund.id)))


# --- posting ----------------------------------------------------------------------------------------


def _amount(value) -> int:
    # bool is an int subclass and float, Decimal or str are not fen: only a true int passes.
    if type(value) is not int:
        raise DomainError(_l("An amount must be a whole number of fen."))
    if value == 0:
        raise DomainError(_l("A leg of zero fen moves nothing."))
    if abs(value) > MAX_FEN:
        raise DomainError(_l("That amount is too large."))
    return value


def _legs(legs: Iterable) -> list[Leg]:
    checked: list[Leg] = []
    for leg in legs or ():
        try:
            account, amount = (leg.account, leg.amount_fen) if isinstance(leg, Leg) else leg
        except (TypeError, ValueError):
            raise DomainError(_l("A leg must name a ledger account.")) from None
        if not isinstance(account, Account) or account.id is None:
            raise DomainError(_l("A leg must name a ledger account."))
        checked.append(Leg(account, _amount(amount)))
    if len(checked) < 2:
        raise DomainError(_l("A transaction needs at least two legs."))
    if len({leg.account.id for leg in checked}) != len(checked):
        raise DomainError(_l("Each account appears once in a transaction."))
    if sum(leg.amount_fen for leg in checked) != 0:
        raise DomainError(_l("The legs of a transaction must sum to zero."))
    return checked


def _fund_legs(kind: TransactionKind, legs: list[Leg]) -> list[Leg]:
    """The legs on fund balances, refused when ``kind`` may not move a fund or moves it backwards."""
    on_funds = [leg for leg in legs if leg.account.purpose == AccountPurpose.fund_balance]
    direction = FUND_DIRECTION.get(kind)
    for leg in on_funds:
        if direction is None:
            raise DomainError(_l("This kind of transaction may not move money into or out of a fund."))
        if (leg.amount_fen > 0) != (direction > 0):
            raise DomainError(_l("A gift adds to a fund; a refund or a disbursement takes from it."))
    return on_funds


def _refuse_overdraft(session: Session, legs: list[Leg]) -> None:
    """No fund goes below zero. The funds' running totals are locked first, in fund order (every
    posting to a fund updates its row, so two payments out of one fund cannot both see the old
    balance, and no two postings wait on each other in a circle); the database's check on the row
    refuses it too."""
    debits = {leg.account.fund_id: leg.amount_fen for leg in legs
              if leg.account.purpose == AccountPurpose.fund_balance and leg.amount_fen > 0}
    if not debits:
        return
    held = dict(session.execute(select(FundTotal.fund_id, FundTotal.balance_fen)
                                .where(FundTotal.fund_id.in_(sorted(debits))).order_by(FundTotal.fund_id)
                                .with_for_update()).all())
    for fund_id, amount in debits.items():
        if int(held.get(fund_id, 0)) < amount:
            raise Conflict(_l("The fund does not hold enough money for this."))


def _add_to_totals(session: Session, counts_as: TransactionKind, legs: list[Leg]) -> None:
    """Move the running totals of the funds in ``legs`` by what the legs move; ``counts_as`` is the
    kind the money counts under (a reversal counts against what it reverses)."""
    for leg in sorted((leg for leg in legs if leg.account.purpose == AccountPurpose.fund_balance),
                      key=lambda leg: leg.account.fund_id):
        moved = leg.amount_fen  # a credit (negative) adds to the fund
        values = {"balance_fen": FundTotal.balance_fen - moved}
        if counts_as == TransactionKind.gift:
            values["received_fen"] = FundTotal.received_fen - moved
        elif counts_as == TransactionKind.refund:
            values["refunded_fen"] = FundTotal.refunded_fen + moved
        elif counts_as == TransactionKind.disbursement:
            values["disbursed_fen"] = FundTotal.disbursed_fen + moved
        stmt = (update(FundTotal).where(FundTotal.fund_id == leg.account.fund_id).values(**values)
                .execution_options(synchronize_session=False))
        if session.execute(stmt).rowcount != 1:
            # A fund made before its totals existed (or behind ``_fund``'s back): its row, then the move.
            _get_or_create(session, FundTotal, {"fund_id": leg.account.fund_id}, {})
            session.execute(stmt)


def _write(session: Session, actor, kind: TransactionKind, legs: list[Leg], memo: str, reference: str,
           reverses: LedgerTransaction | None = None) -> LedgerTransaction:
    reverses_id = reverses.id if reverses is not None else None
    txn = LedgerTransaction(kind=kind, memo=memo[:500], reference=reference[:64], reverses_id=reverses_id,
                            actor_id=getattr(actor, "id", None))
    session.add(txn)
    session.flush()
    session.add_all([Entry(transaction_id=txn.id, account_id=leg.account.id, amount_fen=leg.amount_fen,
                           currency=CURRENCY) for leg in legs])
    session.flush()
    # Marking it posted is what the database checks: legs summing to zero, at least two of them.
    txn.posted = True
    session.flush()
    _add_to_totals(session, TransactionKind(reverses.kind) if reverses is not None else kind, legs)
    record(session, actor, f"ledger.{kind.value}", "ledger_transaction", txn.id,
           detail={"reference": txn.reference, "reverses": reverses_id,
                   "legs": [[leg.account.code, leg.amount_fen] for leg in legs]})
    return txn


def post(session: Session, actor, kind: TransactionKind | str, legs: Iterable, memo: str = "",
         reference: str = "") -> LedgerTransaction:
    """Book one balanced transaction of ``legs`` (``Leg`` or ``(account, amount_fen)`` pairs).

    Refuses: an unknown kind, and ``reversal`` (use ``reverse``); fewer than two legs; an amount
    that is not an int (floats, Decimals, strings and booleans are refused), zero, or beyond BIGINT;
    an account twice; legs that do not sum to zero; a fund moved by a kind that may not move funds,
    or moved the wrong way; and a refund or disbursement larger than what the fund holds.
    """
    try:
        kind = TransactionKind(kind)
    except ValueError:
        raise DomainError(_l("Unknown kind of ledger transaction.")) from None
    if kind == TransactionKind.reversal:
        raise DomainError(_l("A reversal undoes one transaction: reverse that transaction."))
    checked = _legs(legs)
    _fund_legs(kind, checked)
    _refuse_overdraft(session, checked)
    return _write(session, actor, kind, checked, memo or "", reference or "")


def reverse(session: Session, actor, txn: LedgerTransaction, reason: str) -> LedgerTransaction:
    """Undo ``txn`` with a transaction of the opposite legs; the reason is its memo.

    Refuses: no reason; a transaction that is not posted; a reversal (post the movement again
    instead); a transaction already reversed (the database's unique index refuses it too, however
    the two requests race); and a reversal that would take a fund below zero (a gift already spent).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the transaction is reversed."))
    original = session.scalar(select(LedgerTransaction).where(LedgerTransaction.id == txn.id).with_for_update())
    if original is None or not original.posted:
        raise DomainError(_l("Only a posted transaction can be reversed."))
    if original.kind == TransactionKind.reversal:
        raise Conflict(_l("A reversal cannot itself be reversed."))
    if session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == original.id)):
        raise Conflict(_l("This transaction has already been reversed."))
    rows = session.execute(select(Account, Entry.amount_fen).join(Entry, Entry.account_id == Account.id)
                           .where(Entry.transaction_id == original.id).order_by(Entry.id)).all()
    legs = [Leg(account, -amount) for account, amount in rows]
    _refuse_overdraft(session, legs)
    try:
        with session.begin_nested():
            return _write(session, actor, TransactionKind.reversal, legs, reason, original.reference, original)
    except IntegrityError:
        raise Conflict(_l("This transaction has already been reversed.")) from None


# --- balances and figures -------------------------------------------------------------------------


def _sum(column):
    # PostgreSQL sums a BIGINT as NUMERIC: cast back so Python sees an int, never a float or Decimal.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def balance(session: Session, account: Account) -> int:
    """What ``account`` holds on its normal side (debits for assets and expenses, credits for
    liabilities, income and funds), from the legs of posted transactions."""
    total = session.scalar(select(_sum(Entry.amount_fen)).join(LedgerTransaction,
                           LedgerTransaction.id == Entry.transaction_id)
                           .where(Entry.account_id == account.id, LedgerTransaction.posted.is_(True)))
    total = int(total or 0)
    return total if AccountKind(account.kind) in DEBIT_NORMAL else -total


def _figures_query():
    """Per fund: received, refunded, disbursed and balance, from the legs on its balance account.

    A reversal counts against what it reverses (a reversed gift lowers "received")."""
    original = aliased(LedgerTransaction)
    effective = func.coalesce(original.kind, LedgerTransaction.kind)
    moved = Entry.amount_fen
    legs = (select(Account.fund_id.label("fund_id"), effective.label("kind"), moved.label("amount"))
            .join(Entry, Entry.account_id == Account.id)
            .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
            .outerjoin(original, original.id == LedgerTransaction.reverses_id)
            .where(Account.purpose == AccountPurpose.fund_balance, LedgerTransaction.posted.is_(True))
            .subquery())
    return (select(
        Fund.id,
        _sum(case((legs.c.kind == TransactionKind.gift.value, -legs.c.amount), else_=0)).label("received"),
        _sum(case((legs.c.kind == TransactionKind.refund.value, legs.c.amount), else_=0)).label("refunded"),
        _sum(case((legs.c.kind == TransactionKind.disbursement.value, legs.c.amount), else_=0)).label("disbursed"),
        _sum(-legs.c.amount).label("balance"),
    ).outerjoin(legs, legs.c.fund_id == Fund.id).group_by(Fund.id))


def fund_figures(session: Session, fund: Fund) -> FundFigures:
    """Received, refunded, disbursed and balance of ``fund`` in fen (ints), from its running totals
    (one row; ``ledger-check`` proves they equal the legs)."""
    row = session.execute(select(FundTotal).where(FundTotal.fund_id == fund.id)
                          .execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        return FundFigures(0, 0, 0, 0)
    return FundFigures(int(row.received_fen), int(row.refunded_fen), int(row.disbursed_fen), int(row.balance_fen))


def fund_figures_from_legs(session: Session, fund: Fund) -> FundFigures:
    """The same figures summed from the fund's legs: the truth the running totals are checked against."""
    row = session.execute(_figures_query().where(Fund.id == fund.id)).one()
    return FundFigures(int(row.received), int(row.refunded), int(row.disbursed), int(row.balance))


def all_fund_totals(session: Session) -> dict[int, FundFigures]:
    """Every fund's running totals by fund id."""
    return {row.fund_id: FundFigures(int(row.received_fen), int(row.refunded_fen), int(row.disbursed_fen),
                                     int(row.balance_fen))
            for row in session.scalars(select(FundTotal).execution_options(populate_existing=True))}


def all_fund_figures(session: Session) -> list[tuple[Fund, FundFigures]]:
    """Every fund with its figures summed from the legs, general and programme funds first."""
    figures = {row.id: FundFigures(int(row.received), int(row.refunded), int(row.disbursed), int(row.balance))
               for row in session.execute(_figures_query())}
    order = case((Fund.kind == FundKind.general.value, 0), (Fund.kind == FundKind.programme.value, 1), else_=2)
    funds = session.scalars(select(Fund).order_by(order, Fund.id)).all()
    return [(fund, figures[fund.id]) for fund in funds]


def format_fen(fen: int) -> str:
    """``12345`` → ``"123.45"``: integer arithmetic only, no float ever touches money."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def check(session: Session) -> dict:
    """Every invariant of the ledger checked now: see ``portal.ledger.checks``."""
    from portal.ledger.checks import run

    return run(session)
