"""ledger and donations: running totals per fund and each fund's givers once, for the public pages

Revision ID: 0016_fund_totals
Revises: 0015_donation_gift_lists
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016_fund_totals'
down_revision = '0015_donation_gift_lists'
branch_labels = None
depends_on = None


# A fund's public page summed every leg of the fund and counted its distinct givers over every gift:
# at a million legs the general fund's page took 1.4 s. From here ``post`` and ``reverse`` keep each
# fund's received, refunded, disbursed and balance in one row, in the posting transaction, and the
# first settled gift of each giver to a fund adds one row to ``donation_giver`` and one to the fund's
# count in ``donation_fund_givers``. The legs and the
# gifts stay the truth: ``ledger-check`` compares both with them. This migration fills both from
# what is already booked (a reversal counts against what it reverses, as in the ledger's figures).

BACKFILL_TOTALS = """
INSERT INTO ledger_fund_total (fund_id, received_fen, refunded_fen, disbursed_fen, balance_fen)
SELECT f.id,
  COALESCE(SUM(CASE WHEN COALESCE(o.kind, t.kind) = 'gift' THEN -e.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN COALESCE(o.kind, t.kind) = 'refund' THEN e.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN COALESCE(o.kind, t.kind) = 'disbursement' THEN e.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(-e.amount_fen), 0)
FROM ledger_fund f
LEFT JOIN ledger_account a ON a.fund_id = f.id AND a.purpose = 'fund_balance'
LEFT JOIN ledger_entry e ON e.account_id = a.id
  AND e.transaction_id IN (SELECT id FROM ledger_transaction WHERE posted)
LEFT JOIN ledger_transaction t ON t.id = e.transaction_id
LEFT JOIN ledger_transaction o ON o.id = t.reverses_id
GROUP BY f.id
"""

BACKFILL_GIVERS = """
INSERT INTO donation_giver (fund_id, giver)
SELECT DISTINCT fund_id,
  CASE WHEN donor_id IS NOT NULL THEN 'user:' || CAST(donor_id AS VARCHAR(20))
       ELSE 'guest:' || COALESCE(guest_name, '') END
FROM donation
WHERE status IN ('paid', 'refunded', 'partially_refunded', 'disputed')
"""

BACKFILL_COUNTS = """
INSERT INTO donation_fund_givers (fund_id, givers)
SELECT fund_id, COUNT(*) FROM donation_giver GROUP BY fund_id
"""


def upgrade() -> None:
    op.create_table(
        'ledger_fund_total',
        sa.Column('fund_id', sa.Integer(), sa.ForeignKey('ledger_fund.id'), primary_key=True, autoincrement=False),
        sa.Column('received_fen', sa.BigInteger(), nullable=False),
        sa.Column('refunded_fen', sa.BigInteger(), nullable=False),
        sa.Column('disbursed_fen', sa.BigInteger(), nullable=False),
        sa.Column('balance_fen', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('balance_fen >= 0', name='ck_ledger_fund_total_not_negative'),
        sa.CheckConstraint('received_fen - refunded_fen - disbursed_fen = balance_fen',
                           name='ck_ledger_fund_total_identity'),
    )
    op.create_table(
        'donation_giver',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fund_id', sa.Integer(), sa.ForeignKey('ledger_fund.id'), nullable=False),
        sa.Column('giver', sa.String(length=120), nullable=False),
        sa.UniqueConstraint('fund_id', 'giver', name='uq_donation_giver'),
    )
    op.create_table(
        'donation_fund_givers',
        sa.Column('fund_id', sa.Integer(), sa.ForeignKey('ledger_fund.id'), primary_key=True, autoincrement=False),
        sa.Column('givers', sa.Integer(), nullable=False),
        sa.CheckConstraint('givers >= 0', name='ck_donation_fund_givers'),
    )
    op.execute(BACKFILL_TOTALS)
    op.execute(BACKFILL_GIVERS)
    op.execute(BACKFILL_COUNTS)


def downgrade() -> None:
    op.drop_table('donation_fund_givers')
    op.drop_table('donation_giver')
    op.drop_table('ledger_fund_total')
