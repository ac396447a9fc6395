"""notifications: what a notice asks to act on, and when that was done

Revision ID: 0020_notification_done
Revises: 0018_programmes
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0020_notification_done'
down_revision = '0018_programmes'
branch_labels = None
depends_on = None


# "Need no. 302 is waiting for you to act" stayed unread after 302 was published: a notice that
# asks for something now names it (``about``), and doing it sets ``done_at`` on every such notice.


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('done_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_notification_about', ['about', 'kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_about')
        batch_op.drop_column('done_at')
        batch_op.drop_column('about')
