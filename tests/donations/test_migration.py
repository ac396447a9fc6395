"""Migration 0013 on a database that already holds money needs: amounts kept, now 64-bit, the rows
pointing at needs still valid, and the ledger's guarantees still in force."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from portal import migrate

NOW = "2026-11-01 00:00:00+00:00"


def test_upgrading_keeps_money_needs_and_the_ledger_guards(fresh_database_url):
    url = fresh_database_url()
    migrate.upgrade(url, "0012_ledger")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            run = lambda sql, **p: conn.execute(text(sql), p)  # noqa: E731
            run("INSERT INTO region (code, level, name) VALUES ('371302105259', 'village', '屠苏村')")
            run("INSERT INTO user_account (id, username, display_name, password_hash, role, locale, is_active, "
                "must_change_password, created_at, password_changed_at) VALUES (1, 'v', 'v', '!', "
                "'child_director', 'zh', true, false, :now, :now)", now=NOW)
            run("INSERT INTO need (id, region_code, town_code, county_code, category, kind, urgency, description, "
                "public_summary, age_band, slots, slots_taken, target_fen, raised_fen, pairing_months, status, "
                "level_since, resolution, reported_by_id, created_at) VALUES (7, '371302105259', '371302105000', "
                "'371302000000', 'medical', 'money', 2, 'x', '', '', 1, 0, 2000000000, 1500000000, 0, "
                "'published', :now, '', 1, :now)", now=NOW)
            run("INSERT INTO ledger_fund (id, kind, code, name_zh, name_en, need_id, created_at) "
                "VALUES (3, 'need', 'need-7', '需求 7', 'Need 7', 7, :now)", now=NOW)
        migrate.upgrade(url)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT raised_fen, target_fen FROM need WHERE id = 7")).one() == \
                (1_500_000_000, 2_000_000_000)
            conn.execute(text("UPDATE need SET target_fen = 5000000000, raised_fen = 4000000000 WHERE id = 7"))
            assert conn.execute(text("SELECT need_id FROM ledger_fund WHERE id = 3")).scalar() == 7
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        with pytest.raises(DBAPIError), engine.begin() as conn:  # legs are still append-only
            conn.execute(text("INSERT INTO ledger_transaction (id, at, kind, memo, reference, posted) "
                              "VALUES (1, :now, 'gift', '', '', false)"), {"now": NOW})
            conn.execute(text("INSERT INTO ledger_account (id, code, kind, purpose, currency) "
                              "VALUES (1, 'bank', 'asset', 'bank', 'CNY')"))
            conn.execute(text("INSERT INTO ledger_entry (id, transaction_id, account_id, amount_fen, currency) "
                              "VALUES (1, 1, 1, 5, 'CNY')"))
            conn.execute(text("UPDATE ledger_transaction SET posted = true WHERE id = 1"))  # one leg: refused
    finally:
        engine.dispose()
