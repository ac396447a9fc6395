"""What keeps the money pages and ``ledger-check`` fast with a million ledger legs (bench/donations.py):
each check run reads the whole ledger's figures and the donations once, not once per check, and a
fund's public page reads its newest gifts in order from an index instead of sorting all of them."""

import re

import pytest
from sqlalchemy import event

from portal import db
from portal.donations import queries
from portal.ledger import rules as ledger
from portal.needs.models import Need
from tests.donations.conftest import record


class Statements:
    """The SQL the app's engine runs while inside the ``with`` block."""

    def __init__(self, app):
        self.engine, self.seen = app.extensions["db_engine"], []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append((" ".join(statement.split()), parameters))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def count(self, pattern: str) -> int:
        return sum(re.search(pattern, sql) is not None for sql, _p in self.seen)


def test_a_ledger_check_reads_every_funds_figures_and_the_donations_once(app, act, money_need):
    for n in range(3):
        record(act, need_id=money_need, amount_fen=10_000, reference=f"B{n}")
    with app.app_context():
        session = db.new_session()
        try:
            with Statements(app) as statements:
                report = ledger.check(session)
        finally:
            session.close()
    assert report["violations"] == 0 and {"paid_donations_posted_once", "donations_match_ledger"} <= set(report["checks"])
    assert statements.count("GROUP BY ledger_fund.id") == 1  # the figures of every fund
    assert statements.count(r"FROM donation\b(?!_)") == 1  # every gift, compared by all the donation checks


def test_a_funds_page_reads_its_newest_gifts_from_an_index_without_sorting_them(app, act, money_need):
    for n in range(3):
        record(act, need_id=money_need, amount_fen=10_000, reference=f"B{n}")
    with app.app_context():
        engine = app.extensions["db_engine"]
        if engine.dialect.name != "sqlite":
            pytest.skip("the plan of an almost empty table on PostgreSQL depends on its statistics, not the indexes")
        session = db.new_session()
        try:
            fund = ledger.fund_for_need(session, session.get(Need, money_need))
            with Statements(app) as statements:
                gifts, _givers = queries.public_gifts(session, fund_id=fund.id)
                need_gifts, _givers = queries.public_gifts(session, need_id=money_need)
            assert len(gifts) == len(need_gifts) == 3
            listed = [(sql, p) for sql, p in statements.seen if "ORDER BY donation.paid_at DESC" in sql]
            assert len(listed) == 2
            for sql, params in listed:
                plan = " | ".join(str(row[-1]) for row in session.connection().exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + sql, params))
                assert "TEMP B-TREE" not in plan, plan  # no sort of all the fund's gifts
                assert "_paid" in plan, plan
        finally:
            session.close()


def test_a_funds_public_page_reads_its_figures_from_one_row_not_from_its_legs(app, act, money_need, client):
    for n in range(3):
        record(act, need_id=money_need, amount_fen=10_000, reference=f"B{n}")
    record(act, fund_code="general", amount_fen=2_500, reference="G1")
    for path in ("/funds/general", f"/needs/{money_need}/money"):
        with Statements(app) as statements:
            assert client.get(path).status_code == 200
        assert statements.count(r"FROM ledger_entry|JOIN ledger_entry") == 0, path  # no leg is summed
        assert statements.count(r"FROM ledger_fund_total") == 1, path
        assert statements.count(r"count\(DISTINCT|SELECT DISTINCT") == 0, path  # givers are counted once each already
