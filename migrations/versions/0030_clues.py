"""clues: reports that a child may be in difficulty (from the public, by telephone, from partner
departments), routed to a town and tracked to an outcome, with their history (issue 25)

Revision ID: 0030_clues
Revises: 0029_training
Create Date: 2026-12-06 19:20:00.047096
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


revision = '0030_clues'
down_revision = '0029_training'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=True),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('level', sa.Enum('town', 'county', name='cluelevel', native_enum=False, length=8), nullable=False),
    sa.Column('level_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('source', sa.Enum('public', 'phone', 'school', 'police', 'hospital', 'court', 'procuratorate', 'grid_worker', 'department', 'partner_list', name='cluesource', native_enum=False, length=20), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('received', 'checking', 'closed', name='cluestatus', native_enum=False, length=10), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('new_child', 'reassessed', 'transferred', 'unfounded', name='clueoutcome', native_enum=False, length=12), nullable=True),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('receiving_unit', sa.String(length=200), nullable=False),
    sa.Column('transferred_on', sa.Date(), nullable=True),
    sa.Column('receipt', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'closed' OR outcome IS NOT NULL", name='ck_clue_closed_outcome'),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_key'),
    sa.UniqueConstraint('tracking_hash')
    )
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clue_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clue_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clue_county_code'), ['county_code'], unique=False)
        batch_op.create_index('ix_clue_region_closed', ['region_code', 'closed_at'], unique=False)
        batch_op.create_index('ix_clue_region_created', ['region_code', 'created_at'], unique=False)
        batch_op.create_index('ix_clue_status_region', ['status', 'region_code', 'level_since'], unique=False)
        batch_op.create_index(batch_op.f('ix_clue_town_code'), ['town_code'], unique=False)

    op.create_table('clue_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clue_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['clue_id'], ['clue.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clue_event', schema=None) as batch_op:
        batch_op.create_index('ix_clue_event_clue', ['clue_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('clue_event', schema=None) as batch_op:
        batch_op.drop_index('ix_clue_event_clue')

    op.drop_table('clue_event')
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clue_town_code'))
        batch_op.drop_index('ix_clue_status_region')
        batch_op.drop_index('ix_clue_region_created')
        batch_op.drop_index('ix_clue_region_closed')
        batch_op.drop_index(batch_op.f('ix_clue_county_code'))
        batch_op.drop_index(batch_op.f('ix_clue_child_id'))
        batch_op.drop_index(batch_op.f('ix_clue_assigned_to_id'))

    op.drop_table('clue')
