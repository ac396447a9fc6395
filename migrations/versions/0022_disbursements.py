"""disbursements: batches, entitlements, the once-per-period claims (unique programme, period, child), children's bank accounts (encrypted), bank columns per programme and bank result imports

Revision ID: 0022_disbursements
Revises: 0021_vetting_and_hours_codes
Create Date: 2026-12-06 14:08:27.956924
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0022_disbursements'
down_revision = '0021_vetting_and_hours_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('child_bank_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('bank_name', sa.String(length=60), nullable=False),
    sa.Column('account_number', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('child_id')
    )
    op.create_table('disbursement_bank_columns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('success_words', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('programme_id')
    )
    op.create_table('disbursement_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'awaiting_head', 'approved', name='batchstate', native_enum=False, length=14), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('head_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('head_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['head_approved_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disbursement_batch', schema=None) as batch_op:
        batch_op.create_index('ix_disbursement_batch_programme', ['programme_id', 'period'], unique=False)

    op.create_table('disbursement_bank_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['disbursement_batch.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('disbursement_bank_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disbursement_bank_import_batch_id'), ['batch_id'], unique=False)

    op.create_table('disbursement_entitlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('missing_documents', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('listed', 'flagged', 'approved', 'paid', 'failed', 'reversed', name='entitlementstate', native_enum=False, length=10), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('disbursement_txn_id', sa.Integer(), nullable=True),
    sa.Column('payment_txn_id', sa.Integer(), nullable=True),
    sa.Column('bank_reference', sa.String(length=64), nullable=False),
    sa.Column('failure_reason', sa.String(length=300), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen >= 0', name='ck_disbursement_entitlement_amount'),
    sa.ForeignKeyConstraint(['batch_id'], ['disbursement_batch.id'], ),
    sa.ForeignKeyConstraint(['carried_from_id'], ['disbursement_entitlement.id'], ),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['disbursement_txn_id'], ['ledger_transaction.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['payment_txn_id'], ['ledger_transaction.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('carried_from_id')
    )
    with op.batch_alter_table('disbursement_entitlement', schema=None) as batch_op:
        batch_op.create_index('ix_disbursement_entitlement_batch', ['batch_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_disbursement_entitlement_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disbursement_entitlement_payment_txn_id'), ['payment_txn_id'], unique=False)
        batch_op.create_index('ix_disbursement_entitlement_report', ['programme_id', 'state', 'region_code'], unique=False)

    op.create_table('disbursement_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('entitlement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['entitlement_id'], ['disbursement_entitlement.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entitlement_id'),
    sa.UniqueConstraint('programme_id', 'period', 'child_id', name='uq_disbursement_claim')
    )


def downgrade() -> None:
    op.drop_table('disbursement_claim')
    with op.batch_alter_table('disbursement_entitlement', schema=None) as batch_op:
        batch_op.drop_index('ix_disbursement_entitlement_report')
        batch_op.drop_index(batch_op.f('ix_disbursement_entitlement_payment_txn_id'))
        batch_op.drop_index(batch_op.f('ix_disbursement_entitlement_child_id'))
        batch_op.drop_index('ix_disbursement_entitlement_batch')

    op.drop_table('disbursement_entitlement')
    with op.batch_alter_table('disbursement_bank_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disbursement_bank_import_batch_id'))

    op.drop_table('disbursement_bank_import')
    with op.batch_alter_table('disbursement_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_disbursement_batch_programme')

    op.drop_table('disbursement_batch')
    op.drop_table('disbursement_bank_columns')
    op.drop_table('child_bank_account')
