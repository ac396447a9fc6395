"""needs: the board version, a counter bumped after every committed change to a need, which tells
each process when its rendered copies of the anonymous board are stale (issue 22)

Revision ID: 0027_board_version
Revises: 0025_user_head
Create Date: 2026-12-06 17:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0027_board_version'
down_revision = '0025_user_head'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'board_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('board_version')
