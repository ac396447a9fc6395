"""stripe events stored once by id, anomalies of online gifts for staff, a monthly gift's cancellation

Revision ID: 0014_stripe_events
Revises: 0013_donations
Create Date: 2026-12-06 12:12:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0014_stripe_events'
down_revision = '0013_donations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly_cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('stripe_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_event_donation_id'), ['donation_id'], unique=False)

    op.create_table('donation_anomaly',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('donation_anomaly', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_anomaly_donation_id'), ['donation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('donation_anomaly', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_anomaly_donation_id'))
    op.drop_table('donation_anomaly')
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_event_donation_id'))
    op.drop_table('stripe_event')
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_column('monthly_cancelled_at')
