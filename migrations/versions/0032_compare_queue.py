"""compare queue: a partner list's comparison runs in the worker; the comparison keeps its state
(queued, running, done, failed), the error a failed run met, and the list's rows (encrypted)
until they are placed

Revision ID: 0032_compare_queue
Revises: 0028_dashboards
Create Date: 2026-12-06 20:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0032_compare_queue'
down_revision = '0028_dashboards'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comparison', schema=None) as batch_op:
        # Comparisons made before the queue ran in their upload's request: all are done.
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='done'))
        batch_op.add_column(sa.Column('error', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('pending', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('comparison', schema=None) as batch_op:
        batch_op.drop_column('started_at')
        batch_op.drop_column('pending')
        batch_op.drop_column('error')
        batch_op.drop_column('status')
