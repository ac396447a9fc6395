"""``flask ledger-check`` and /ledger/check: the same report, on a good ledger and on one made bad."""

import json

from portal import db
from portal.ledger import rules
from portal.ledger.models import AccountPurpose, TransactionKind
from tests.conftest import login
from tests.ledger.conftest import give, give_to_need, take


def _good_ledger(app, need_id):
    with app.app_context(), db.write_session() as s:
        give_to_need(s, need_id, 30_000)
        fund = rules.programme_fund(s, "scholarship")
        give(s, fund, 1_000_000, source=AccountPurpose.stripe_clearing)
        take(s, fund, TransactionKind.disbursement, 250_000)


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_ledger_check_passes_on_a_good_ledger(app, money_need):
    _good_ledger(app, money_need)
    result = app.test_cli_runner().invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output
    report = _last_json(result.output)
    assert (report["transactions"], report["funds"], report["violations"]) == (3, 2, 0)
    assert "fund scholarship: received 10,000.00, refunded 0.00, disbursed 2,500.00, balance 7,500.00 CNY" \
        in result.output


def test_ledger_check_fails_when_a_needs_raised_amount_moved_behind_the_ledger(app, money_need, raw):
    _good_ledger(app, money_need)
    raw("UPDATE need SET raised_fen = raised_fen + 1 WHERE id = :n", n=money_need)
    result = app.test_cli_runner().invoke(args=["ledger-check"])
    assert result.exit_code == 1
    report = _last_json(result.output)
    assert report["violations"] == 1
    assert report["problems"] == [{"check": "needs_match_ledger", "need": money_need, "raised_fen": 30_001,
                                   "ledger_fen": 30_000,
                                   "message": f"need {money_need} shows 30001 fen raised, the ledger holds 30000"}]
    assert "VIOLATION [needs_match_ledger]" in result.output


def test_money_raised_on_a_need_with_no_fund_is_a_violation(app, money_need, raw):
    raw("UPDATE need SET raised_fen = 5000 WHERE id = :n", n=money_need)
    result = app.test_cli_runner().invoke(args=["ledger-check"])
    assert result.exit_code == 1
    assert _last_json(result.output)["problems"][0]["ledger_fen"] == 0


def test_ledger_check_finds_a_fund_below_zero_booked_around_the_rules(app, regions, raw):
    """A database without the rules' overdraft check (raw SQL) still cannot hide a negative fund."""
    with app.app_context(), db.write_session() as s:
        give(s, rules.general_fund(s), 100)
        fund, payable = rules.fund_account(s, rules.general_fund(s)).id, rules.system_account(s, "refunds_payable").id
    with raw.transaction() as run:
        txn = run("INSERT INTO ledger_transaction (at, kind, memo, reference, posted) "
                  "VALUES ('2026-12-01 08:00:00+00:00', 'refund', '', '', :p) RETURNING id", p=False).scalar_one()
        for account, amount in ((fund, 300), (payable, -300)):
            run("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) VALUES (:t, :a, :n, 'CNY')",
                t=txn, a=account, n=amount)
        run("UPDATE ledger_transaction SET posted = :p WHERE id = :t", p=True, t=txn)
    result = app.test_cli_runner().invoke(args=["ledger-check"])
    assert result.exit_code == 1
    # Booked behind ``post``'s back, the refund also left the fund's running totals behind.
    assert [p["check"] for p in _last_json(result.output)["problems"]] == ["fund_totals_match", "funds_not_negative"]


def test_a_reversal_that_does_not_undo_its_original_is_a_violation(app, regions, raw):
    with app.app_context(), db.write_session() as s:
        gift = give(s, rules.general_fund(s), 1_000)
        bank, fund = rules.system_account(s, "bank").id, rules.fund_account(s, rules.general_fund(s)).id
    with raw.transaction() as run:
        txn = run("INSERT INTO ledger_transaction (at, kind, memo, reference, posted, reverses_id) "
                  "VALUES ('2026-12-01 08:00:00+00:00', 'reversal', '', '', :p, :r) RETURNING id",
                  p=False, r=gift.id).scalar_one()
        for account, amount in ((fund, 400), (bank, -400)):
            run("INSERT INTO ledger_entry (transaction_id, account_id, amount_fen, currency) VALUES (:t, :a, :n, 'CNY')",
                t=txn, a=account, n=amount)
        run("UPDATE ledger_transaction SET posted = :p WHERE id = :t", p=True, t=txn)
    with app.app_context(), db.new_session() as s:
        report = rules.check(s)
    assert [(p["check"], p.get("transaction")) for p in report["problems"]] == [
        ("reversals_exact", txn), ("fund_totals_match", None)]


def test_administrator_sees_the_ledger_check_in_chinese(app, as_user, money_need):
    _good_ledger(app, money_need)
    page = as_user("admin").get("/ledger/check").get_data(as_text=True)
    assert "账目核对" in page and "每项核对均通过" in page
    assert "7,500.00" in page and "2,500.00" in page


def test_the_ledger_check_page_shows_violations(app, as_user, money_need, raw):
    _good_ledger(app, money_need)
    raw("UPDATE need SET raised_fen = 0 WHERE id = :n", n=money_need)
    page = as_user("admin").get("/ledger/check").get_data(as_text=True)
    assert "发现 1 处违规" in page and f"need {money_need} shows 0 fen raised" in page


def test_only_administrators_open_the_ledger_check(app, client, users):
    assert client.get("/ledger/check").status_code == 302  # to the sign-in page
    for key in ("city", "county", "village", "donor", "org"):
        other = app.test_client()
        login(other, key)
        assert other.get("/ledger/check").status_code == 403, key


def test_running_totals_that_differ_from_the_legs_are_a_violation(app, regions, raw):
    """The public pages read a fund's running totals: changed behind the ledger's back (raw SQL,
    keeping their identity so the row's own check lets it through), ``ledger-check`` finds it."""
    with app.app_context(), db.write_session() as s:
        fund = rules.general_fund(s)
        give(s, fund, 1_000)
        fund_id = fund.id
    raw("UPDATE ledger_fund_total SET received_fen = received_fen + 1, balance_fen = balance_fen + 1 "
        "WHERE fund_id = :f", f=fund_id)
    with app.app_context(), db.new_session() as s:
        report = rules.check(s)
        assert rules.fund_figures(s, s.get(rules.Fund, fund_id)).balance == 1_001
        assert rules.fund_figures_from_legs(s, s.get(rules.Fund, fund_id)).balance == 1_000
    assert [p["check"] for p in report["problems"]] == ["fund_totals_match"]
