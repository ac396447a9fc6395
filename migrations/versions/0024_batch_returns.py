"""disbursements: a batch can be sent back unpaid (by its checker) or withdrawn (by its maker), with the reason

Revision ID: 0024_batch_returns
Revises: 0022_disbursements
Create Date: 2026-12-06 15:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0024_batch_returns'
down_revision = '0022_disbursements'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disbursement_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_disbursement_batch_returned_by', 'user_account', ['returned_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('disbursement_batch', schema=None) as batch_op:
        batch_op.drop_constraint('fk_disbursement_batch_returned_by', type_='foreignkey')
        batch_op.drop_column('return_reason')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('returned_by_id')
