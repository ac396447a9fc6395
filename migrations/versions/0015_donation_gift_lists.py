"""donations: indexes for the newest gifts of a fund or a need (the public transparency pages)

Revision ID: 0015_donation_gift_lists
Revises: 0014_stripe_events
Create Date: 2026-12-06 12:50:00
"""

from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401


revision = '0015_donation_gift_lists'
down_revision = '0014_stripe_events'
branch_labels = None
depends_on = None


# A fund's or a need's public page lists its 100 newest settled gifts. With only (fund_id, status)
# the database read every gift of the fund and sorted them (125,000 gifts of the general fund at a
# million ledger legs: about 0.36 s); in (paid_at, id) order it reads the newest and stops.


def upgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index('ix_donation_fund_paid', ['fund_id', 'paid_at', 'id'], unique=False)
        batch_op.create_index('ix_donation_need_paid', ['need_id', 'paid_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index('ix_donation_need_paid')
        batch_op.drop_index('ix_donation_fund_paid')
