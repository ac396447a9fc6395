"""donations: a refund row says when it books a lost dispute (its Stripe dispute id); an index of the
need gifts that gave above their target (the general fund's page lists them)

Revision ID: 0017_dispute_refunds
Revises: 0016_fund_totals
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017_dispute_refunds'
down_revision = '0016_fund_totals'
branch_labels = None
depends_on = None


# Stripe's charge.refunded carries the refunds of a charge, never what a lost dispute took back:
# the two are told apart so that one is never booked as the other (rows before this are refunds,
# except those booking a lost dispute, which carry the reason written for them).


def upgrade() -> None:
    with op.batch_alter_table('donation_refund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_dispute_id', sa.String(length=255), nullable=True))
    op.execute("UPDATE donation_refund SET stripe_dispute_id = 'unknown' "
               "WHERE reason = 'Dispute lost: refunded through Stripe'")
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index('ix_donation_excess_paid', ['paid_at', 'id'], unique=False,
                              sqlite_where=sa.text('general_fen > 0'), postgresql_where=sa.text('general_fen > 0'))


def downgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index('ix_donation_excess_paid')
    with op.batch_alter_table('donation_refund', schema=None) as batch_op:
        batch_op.drop_column('stripe_dispute_id')
