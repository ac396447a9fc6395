"""dashboards: a county's opt-in to its public figures page, and the snapshots of the province's
and cities' dashboards that the summary task keeps (issue 24)

Revision ID: 0028_dashboards
Revises: 0031_comparisons
Create Date: 2026-12-06 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0028_dashboards'
down_revision = '0031_comparisons'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dashboard_public_county',
        sa.Column('county_code', sa.String(length=12), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['county_code'], ['region.code']),
        sa.PrimaryKeyConstraint('county_code'),
    )
    op.create_table(
        'dashboard_snapshot',
        sa.Column('region_code', sa.String(length=12), nullable=False),
        sa.Column('period', sa.String(length=24), nullable=False),
        sa.Column('computed_on', sa.Date(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.PrimaryKeyConstraint('region_code', 'period'),
    )


def downgrade() -> None:
    op.drop_table('dashboard_snapshot')
    op.drop_table('dashboard_public_county')
