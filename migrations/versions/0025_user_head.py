"""accounts: the head of a civil-affairs bureau (user_account.is_head), who approves large batches

Revision ID: 0025_user_head
Revises: 0024_batch_returns
Create Date: 2026-12-06 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025_user_head'
down_revision = '0024_batch_returns'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_head', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('is_head')
