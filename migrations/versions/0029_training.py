"""training: sessions for child directors and supervisors, their materials and attendance, and the
day an account's holder took up the post (user_account.in_post_since) (issue 24)

Revision ID: 0029_training
Revises: 0027_board_version
Create Date: 2026-12-06 19:40:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0029_training'
down_revision = '0027_board_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_post_since', sa.Date(), nullable=True))

    op.create_table(
        'training_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('trainer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('checkin_token', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('checkin_token'),
    )
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_session_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_session_region_code'), ['region_code'], unique=False)

    op.create_table(
        'training_material',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], ),
        sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('training_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_material_session_id'), ['session_id'], unique=False)

    op.create_table(
        'training_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('via_qr', sa.Boolean(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
        sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'user_id'),
    )
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attendance_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_attendance_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_training_attendance_session_id'))
    op.drop_table('training_attendance')
    with op.batch_alter_table('training_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_material_session_id'))
    op.drop_table('training_material')
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_session_region_code'))
        batch_op.drop_index(batch_op.f('ix_training_session_held_on'))
    op.drop_table('training_session')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('in_post_since')
