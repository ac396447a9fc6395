"""ledger: funds, accounts, transactions and their legs; triggers that keep them balanced and append-only

Revision ID: 0012_ledger
Revises: 0011_user_sessions
Create Date: 2026-12-06 11:12:34.701374
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0012_ledger'
down_revision = '0011_user_sessions'
branch_labels = None
depends_on = None


# The guarantees of the ledger, held by the database so that no code path, ORM or raw SQL, breaks them:
# - legs (ledger_entry) are never updated or deleted: a correction is a reversing transaction;
# - a transaction is inserted unposted, its legs are inserted, then it is marked posted; marking it
#   refuses fewer than two legs or legs that do not sum to zero per currency, and a posted
#   transaction takes no new leg, never changes and is never deleted;
# - PostgreSQL also checks every transaction at COMMIT (a constraint trigger, DEFERRABLE INITIALLY
#   DEFERRED, as django-hordak's 0006_check_leg): nothing unposted or unbalanced is ever committed.
#   SQLite cannot defer a trigger: a transaction left unposted there counts in no balance, and
#   `flask ledger-check` reports it.
# - SQLite's INSERT OR REPLACE deletes the row it collides with without firing delete triggers: a
#   new row may not reuse an existing id or reversal target, and no row changes its id.

SQLITE_TRIGGER_NAMES = [
    'ledger_entry_no_update', 'ledger_entry_no_delete', 'ledger_entry_insert',
    'ledger_transaction_insert', 'ledger_transaction_update', 'ledger_transaction_post', 'ledger_transaction_no_delete',
]
SQLITE_TRIGGERS = [
    """CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: post a reversing transaction'); END""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: post a reversing transaction'); END""",
    """CREATE TRIGGER ledger_entry_insert BEFORE INSERT ON ledger_entry
    WHEN EXISTS (SELECT 1 FROM ledger_entry WHERE id = NEW.id)
      OR COALESCE((SELECT posted FROM ledger_transaction WHERE id = NEW.transaction_id), 0) <> 0
    BEGIN SELECT RAISE(ABORT, 'ledger transaction already posted: no leg may be added or replaced'); END""",
    """CREATE TRIGGER ledger_transaction_insert BEFORE INSERT ON ledger_transaction
    WHEN NEW.posted <> 0 OR EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.id)
      OR EXISTS (SELECT 1 FROM ledger_transaction WHERE reverses_id = NEW.reverses_id)
    BEGIN SELECT RAISE(ABORT, 'a ledger transaction is inserted unposted, new, and reverses at most once'); END""",
    """CREATE TRIGGER ledger_transaction_update BEFORE UPDATE ON ledger_transaction
    WHEN OLD.posted <> 0 OR NEW.id IS NOT OLD.id OR NEW.reverses_id IS NOT OLD.reverses_id
    BEGIN SELECT RAISE(ABORT, 'a posted ledger transaction never changes'); END""",
    """CREATE TRIGGER ledger_transaction_post BEFORE UPDATE OF posted ON ledger_transaction
    WHEN NEW.posted <> 0 AND (
      (SELECT COUNT(*) FROM ledger_entry WHERE transaction_id = NEW.id) < 2
      OR EXISTS (SELECT 1 FROM ledger_entry WHERE transaction_id = NEW.id GROUP BY currency HAVING SUM(amount_fen) <> 0))
    BEGIN SELECT RAISE(ABORT, 'ledger transaction does not balance: its legs must be two or more and sum to zero'); END""",
    """CREATE TRIGGER ledger_transaction_no_delete BEFORE DELETE ON ledger_transaction
    WHEN OLD.posted <> 0
    BEGIN SELECT RAISE(ABORT, 'a posted ledger transaction is never deleted: post a reversing transaction'); END""",
]

POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION ledger_assert_balanced(txn integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM ledger_entry WHERE transaction_id = txn) < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has fewer than two legs', txn USING ERRCODE = 'check_violation';
      END IF;
      IF EXISTS (SELECT 1 FROM ledger_entry WHERE transaction_id = txn GROUP BY currency HAVING sum(amount_fen) <> 0) THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: its legs must sum to zero', txn
          USING ERRCODE = 'check_violation';
      END IF;
    END $$""",
    """CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger entries are append-only: post a reversing transaction' USING ERRCODE = 'check_violation';
    END $$""",
    """CREATE FUNCTION ledger_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF COALESCE((SELECT posted FROM ledger_transaction WHERE id = NEW.transaction_id), false) THEN
        RAISE EXCEPTION 'ledger transaction % already posted: no leg may be added', NEW.transaction_id
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE FUNCTION ledger_transaction_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.posted THEN
          RAISE EXCEPTION 'a ledger transaction is posted only after its legs are written' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      IF OLD.posted THEN
        RAISE EXCEPTION 'posted ledger transaction % never changes: post a reversing transaction', OLD.id
          USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN
        RETURN OLD;
      END IF;
      IF NEW.id <> OLD.id OR NEW.reverses_id IS DISTINCT FROM OLD.reverses_id THEN
        RAISE EXCEPTION 'a ledger transaction keeps its id and what it reverses' USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.posted THEN
        PERFORM ledger_assert_balanced(NEW.id);
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE FUNCTION ledger_assert_posted(txn integer) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      is_posted boolean := (SELECT posted FROM ledger_transaction WHERE id = txn);
    BEGIN
      IF is_posted IS NULL THEN
        RETURN;  -- an unposted transaction deleted before COMMIT (a leg would have kept it by its key)
      END IF;
      IF NOT is_posted THEN
        RAISE EXCEPTION 'ledger transaction % was never posted', txn USING ERRCODE = 'check_violation';
      END IF;
      PERFORM ledger_assert_balanced(txn);
    END $$""",
    """CREATE FUNCTION ledger_entry_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_assert_posted(NEW.transaction_id);
      RETURN NULL;
    END $$""",
    """CREATE FUNCTION ledger_transaction_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_assert_posted(NEW.id);
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()""",
    """CREATE TRIGGER ledger_entry_insert BEFORE INSERT ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_insert()""",
    """CREATE TRIGGER ledger_transaction_change BEFORE INSERT OR UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_change()""",
    """CREATE CONSTRAINT TRIGGER ledger_entry_balanced_at_commit AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_at_commit()""",
    """CREATE CONSTRAINT TRIGGER ledger_transaction_posted_at_commit AFTER INSERT OR UPDATE ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_at_commit()""",
]
POSTGRESQL_DROP = [
    'DROP TRIGGER IF EXISTS ledger_entry_balanced_at_commit ON ledger_entry',
    'DROP TRIGGER IF EXISTS ledger_transaction_posted_at_commit ON ledger_transaction',
    'DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry',
    'DROP TRIGGER IF EXISTS ledger_entry_insert ON ledger_entry',
    'DROP TRIGGER IF EXISTS ledger_transaction_change ON ledger_transaction',
    'DROP FUNCTION IF EXISTS ledger_entry_at_commit()',
    'DROP FUNCTION IF EXISTS ledger_transaction_at_commit()',
    'DROP FUNCTION IF EXISTS ledger_assert_posted(integer)',
    'DROP FUNCTION IF EXISTS ledger_transaction_change()',
    'DROP FUNCTION IF EXISTS ledger_entry_insert()',
    'DROP FUNCTION IF EXISTS ledger_entry_append_only()',
    'DROP FUNCTION IF EXISTS ledger_assert_balanced(integer)',
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('ledger_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('gift', 'refund', 'disbursement', 'fee', 'refund_paid', 'disbursement_paid', 'reversal', name='transactionkind', native_enum=False, length=20), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('posted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transaction.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reverses_id')
    )
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transaction_at'), ['at'], unique=False)
        batch_op.create_index('ix_ledger_transaction_reference', ['reference'], unique=False)

    op.create_table('ledger_fund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('general', 'programme', 'need', name='fundkind', native_enum=False, length=20), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'need') = (need_id IS NOT NULL)", name='ck_ledger_fund_need'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('need_id')
    )
    op.create_table('ledger_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.Enum('asset', 'liability', 'income', 'expense', 'equity', name='accountkind', native_enum=False, length=20), nullable=False),
    sa.Column('purpose', sa.Enum('stripe_clearing', 'bank', 'cash', 'fund_balance', 'fees', 'refunds_payable', 'disbursements_payable', 'disbursements_paid', name='accountpurpose', native_enum=False, length=24), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint("(purpose = 'fund_balance') = (fund_id IS NOT NULL)", name='ck_ledger_account_fund'),
    sa.CheckConstraint("currency = 'CNY'", name='ck_ledger_account_currency'),
    sa.ForeignKeyConstraint(['fund_id'], ['ledger_fund.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('fund_id')
    )
    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint("currency = 'CNY'", name='ck_ledger_entry_currency'),
    sa.CheckConstraint('amount_fen <> 0', name='ck_ledger_entry_nonzero'),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'], ),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transaction.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('transaction_id', 'account_id', name='uq_ledger_entry_leg')
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entry_account', ['account_id', 'transaction_id'], unique=False)

    # ### end Alembic commands ###
    for statement in (POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL_DROP:
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entry_account')

    op.drop_table('ledger_entry')
    op.drop_table('ledger_account')
    op.drop_table('ledger_fund')
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_transaction_reference')
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_at'))

    op.drop_table('ledger_transaction')
    # ### end Alembic commands ###
