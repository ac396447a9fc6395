"""Reports are computed from the ledger's payment legs and equal them to the fen; they read in the
seeds' sentence; regions roll up; only civil-affairs staff over the region see them; donors see a
number, never a child."""

import pytest
from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import aliased

from portal import db
from portal.disbursements import reports, rules
from portal.disbursements.models import Entitlement
from portal.errors import DomainError, NotAllowed
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose, Entry, LedgerTransaction, TransactionKind
from portal.programmes.models import Programme
from tests.disbursements.conftest import ALLOWANCE, as_user, enrol_all, give, years_ago
from tests.disbursements.test_batches import approve, make_batch, rows


def pay_all(app, users, batch_id, fail=(), reverse=()):
    with app.app_context(), db.write_session() as s:
        actor = as_user(s, users, "county_b")
        for i, row in enumerate(s.scalars(select(Entitlement).where(Entitlement.batch_id == batch_id)
                                          .order_by(Entitlement.id)).all()):
            if i in fail:
                rules.record_failed(s, actor, row, "closed account")
            else:
                rules.record_paid(s, actor, row, f"B{batch_id}-{i}")
                if i in reverse:
                    rules.reverse_payment(s, actor, row, "paid in error")


def ledger_paid_total(session) -> int:
    """Straight from the ledger: every disbursement_paid leg on payable, less the reversed ones."""
    payable = ledger.system_account(session, AccountPurpose.disbursements_payable)
    reversal = aliased(LedgerTransaction)
    return int(session.scalar(select(cast(func.coalesce(func.sum(Entry.amount_fen), 0), BigInteger))
                              .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
                              .outerjoin(reversal, reversal.reverses_id == LedgerTransaction.id)
                              .where(Entry.account_id == payable.id, reversal.id.is_(None),
                                     LedgerTransaction.kind == TransactionKind.disbursement_paid)))


def test_the_report_equals_the_ledger_to_the_fen_and_reads_in_the_seeds_words(app, users, make_child, make_programme,
                                                                                scholarship):
    programme, students = scholarship
    for _ in range(2):
        make_child(categories=["orphan"], birth_date=years_ago(9))
    make_child("county", categories=["unsupported"], birth_date=years_ago(7), region_code="371302101201")
    allowance = make_programme(ALLOWANCE)
    enrol_all(app, users, allowance.id)
    give(app, allowance.fund_id, 10_000_000)
    year = make_batch(app, users, programme.id)
    approve(app, users, year, "county_b")
    pay_all(app, users, year, fail=(1,), reverse=(2,))
    for month in ("2026-01", "2026-02"):
        batch_id = make_batch(app, users, allowance.id, period=month)
        approve(app, users, batch_id, "county_b")
        pay_all(app, users, batch_id)
    with app.app_context(), db.new_session() as s:
        county = reports.report(s, as_user(s, users, "county"), "371302000000", "2026")
        assert county.amount_fen == ledger_paid_total(s) == 1_000_000 + 2 * (2 * 180_000 + 150_000)
        assert (county.children, county.person_times) == (4, 7)
        assert {(line.category, line.children, line.person_times, line.amount_fen) for line in county.lines} == {
            ("orphan", 3, 5, 1_000_000 + 4 * 180_000), ("unsupported", 1, 2, 300_000)}
        city = reports.report(s, as_user(s, users, "city"), "371300000000", "2026")
        assert (city.children, city.amount_fen) == (county.children, county.amount_fen)  # rolled up
        town = reports.report(s, as_user(s, users, "county"), "371302101000", "2026-02")  # one town, one month
        assert (town.children, town.person_times, town.amount_fen) == (1, 1, 150_000)
        one = reports.report(s, as_user(s, users, "county"), "371302000000", "2026", s.get(Programme, programme.id))
        assert (one.children, one.amount_fen) == (1, 1_000_000)
        assert reports.report(s, as_user(s, users, "county"), "371302000000", "2025").amount_fen == 0
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert county.sentence() == "为4名儿童发放20,200元"


@pytest.mark.parametrize("key, region", [("county2", "371302000000"), ("town", "371302105000"),
                                         ("donor", "371302000000"), ("admin", "371302000000"),
                                         ("county", "371300000000")])
def test_reports_are_refused_outside_the_region_and_to_other_roles(app, users, key, region):
    with app.app_context(), db.new_session() as s, pytest.raises(NotAllowed):
        reports.report(s, as_user(s, users, key), region, "2026")


@pytest.mark.parametrize("region, period", [("371302000000", "2026年"), ("371302000000", "２０２６"),
                                            ("3713", "2026"), ("３７１３０２０００００００", "2026")])
def test_a_period_or_region_in_another_shape_is_refused(app, users, region, period):
    with app.app_context(), db.new_session() as s, pytest.raises(DomainError) as refused:
        reports.report(s, as_user(s, users, "city"), region, period)
    assert refused.value.status == 400


def test_donors_of_a_fund_see_how_many_children_it_helped(app, users, scholarship):
    programme, students = scholarship
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    pay_all(app, users, batch_id, fail=(0,))
    with app.app_context(), db.new_session() as s:
        assert reports.helped_by_fund(s, programme.fund_id, "2026") == 2
        assert reports.helped_by_fund(s, programme.fund_id, "2025") == 0
    assert len(rows(app, batch_id)) == 3


def test_a_donor_to_the_scholarship_fund_sees_the_count_and_no_child(app, client, users, scholarship):
    from datetime import date

    from portal.children.models import Child
    from portal.donations import rules as donations
    from tests.conftest import login

    programme, students = scholarship
    with app.app_context(), db.write_session() as s:
        donations.record_offline_gift(s, as_user(s, users, "county"), donations.OfflineGift(
            amount_fen=500_000, channel="bank", payer="吴磊", paid_on=date.today(), reference="T-1",
            fund_code="scholarship", donor_id=users["donor"].id))
    batch_id = make_batch(app, users, programme.id, period=str(date.today().year))
    approve(app, users, batch_id, "county_b")
    pay_all(app, users, batch_id, fail=(0,))
    login(client, "donor")
    page = client.get("/donations/mine").get_data(as_text=True)
    assert "您捐赠的助学金今年帮助了2名儿童" in page
    with app.app_context(), db.new_session() as s:
        names = [s.get(Child, i).name for i in students]
    assert not any(name in page for name in names)
