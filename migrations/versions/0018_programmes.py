"""programmes: aid programmes with eligibility rules as data, enrolments per child; the child's school stage

Revision ID: 0018_programmes
Revises: 0017_dispute_refunds
Create Date: 2026-12-06 13:41:31
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0018_programmes'
down_revision = '0017_dispute_refunds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('scholarship', 'medical_aid', 'insurance_premium', 'living_allowance', 'relief', name='programmekind', native_enum=False, length=20), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('period_type', sa.Enum('one_off', 'monthly', 'per_term', 'per_year', name='periodtype', native_enum=False, length=12), nullable=False),
    sa.Column('amount_rule', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('required_documents', sa.JSON(), nullable=False),
    sa.Column('owner_region_code', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['fund_id'], ['ledger_fund.id'], ),
    sa.ForeignKeyConstraint(['owner_region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index('ix_programme_owner_active', ['owner_region_code', 'active'], unique=False)

    op.create_table('programme_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('eligible', 'enrolled', 'removed', 'lapsed', name='enrolmentstate', native_enum=False, length=10), nullable=False),
    sa.Column('source', sa.Enum('rules', 'manual', name='enrolmentsource', native_enum=False, length=8), nullable=False),
    sa.Column('eligible_now', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('programme_id', 'child_id', name='uq_programme_enrolment_child')
    )
    with op.batch_alter_table('programme_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_enrolment_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_programme_enrolment_state', ['programme_id', 'state', 'found_on'], unique=False)

    # A plain ADD COLUMN (no table rebuild on SQLite); files already kept have no stage recorded.
    op.add_column('child', sa.Column('school_stage', sa.Enum('none', 'preschool', 'primary', 'junior_secondary', 'senior_secondary', 'vocational_school', 'vocational_college', 'university', name='schoolstage', native_enum=False, length=20), nullable=False, server_default='none'))



def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")  # the rebuilt child table is pointed at by many
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_column('school_stage')

    with op.batch_alter_table('programme_enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_enrolment_state')
        batch_op.drop_index(batch_op.f('ix_programme_enrolment_child_id'))

    op.drop_table('programme_enrolment')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_owner_active')
        batch_op.drop_index(batch_op.f('ix_programme_fund_id'))

    op.drop_table('programme')
