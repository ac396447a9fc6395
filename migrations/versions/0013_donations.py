"""donations: gifts into a fund or towards a money need, receipts numbered per year, refunds; need amounts as BIGINT

Revision ID: 0013_donations
Revises: 0012_ledger
Create Date: 2026-12-06 11:34:55.759288
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0013_donations'
down_revision = '0012_ledger'
branch_labels = None
depends_on = None


# A need's target and raised amounts were 32-bit, which overflows at 21,474,836.47 yuan on
# PostgreSQL. SQLite stores 64 bits in any INTEGER but declares the type in the table, so there the
# table is rebuilt (batch); the rows pointing at needs are checked at commit (defer_foreign_keys),
# when the rebuilt table carries the old name again. The ledger's SQLite triggers are on the ledger
# tables, not on need, and survive.


def _need_amounts(type_) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("need", schema=None) as batch_op:
        for column in ("target_fen", "raised_fen"):
            batch_op.alter_column(column, type_=type_, existing_nullable=False)


def upgrade() -> None:
    _need_amounts(sa.BigInteger())
    op.create_table('receipt_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('donation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('guest_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('channel', sa.Enum('online', 'bank', 'cash', name='channel', native_enum=False, length=8), nullable=False),
    sa.Column('status', sa.Enum('pending', 'awaiting_confirmation', 'paid', 'failed', 'refunded', 'partially_refunded', 'disputed', name='donationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('need_fen', sa.BigInteger(), nullable=False),
    sa.Column('general_fen', sa.BigInteger(), nullable=False),
    sa.Column('refunded_fen', sa.BigInteger(), nullable=False),
    sa.Column('payer', sa.String(length=100), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('receipt_scan_path', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('stripe_checkout_session_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_charge_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_subscription_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_invoice_id', sa.String(length=255), nullable=True),
    sa.Column('ledger_transaction_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("currency = 'CNY'", name='ck_donation_currency'),
    sa.CheckConstraint('amount_fen > 0', name='ck_donation_amount'),
    sa.CheckConstraint('need_fen >= 0 AND general_fen >= 0', name='ck_donation_split'),
    sa.CheckConstraint('refunded_fen >= 0 AND refunded_fen <= amount_fen', name='ck_donation_refunded'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['donor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['fund_id'], ['ledger_fund.id'], ),
    sa.ForeignKeyConstraint(['ledger_transaction_id'], ['ledger_transaction.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ledger_transaction_id'),
    sa.UniqueConstraint('stripe_charge_id'),
    sa.UniqueConstraint('stripe_checkout_session_id'),
    sa.UniqueConstraint('stripe_invoice_id'),
    sa.UniqueConstraint('stripe_payment_intent_id')
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index('ix_donation_donor', ['donor_id', 'created_at'], unique=False)
        batch_op.create_index('ix_donation_fund', ['fund_id', 'status'], unique=False)
        batch_op.create_index('ix_donation_need', ['need_id', 'status'], unique=False)
        batch_op.create_index('ix_donation_region_status', ['region_code', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_stripe_subscription_id'), ['stripe_subscription_id'], unique=False)

    op.create_table('donation_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('awaiting_confirmation', 'done', 'cancelled', name='refundstatus', native_enum=False, length=24), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('ledger_transaction_id', sa.Integer(), nullable=True),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount_fen > 0', name='ck_donation_refund_amount'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], ),
    sa.ForeignKeyConstraint(['ledger_transaction_id'], ['ledger_transaction.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ledger_transaction_id'),
    sa.UniqueConstraint('stripe_refund_id')
    )
    with op.batch_alter_table('donation_refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_refund_donation_id'), ['donation_id'], unique=False)

    op.create_table('receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refunded_fen', sa.BigInteger(), nullable=False),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('donation_id'),
    sa.UniqueConstraint('year', 'number', name='uq_receipt_year_number')
    )


def downgrade() -> None:
    op.drop_table('receipt')
    with op.batch_alter_table('donation_refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_refund_donation_id'))

    op.drop_table('donation_refund')
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_stripe_subscription_id'))
        batch_op.drop_index('ix_donation_region_status')
        batch_op.drop_index('ix_donation_need')
        batch_op.drop_index('ix_donation_fund')
        batch_op.drop_index('ix_donation_donor')

    op.drop_table('donation')
    op.drop_table('receipt_counter')
    _need_amounts(sa.Integer())
