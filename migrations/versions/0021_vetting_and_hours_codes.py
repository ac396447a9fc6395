"""helpers: no-criminal-record certificates and organizations vouching for members (close contact
with children needs vetting, 未成年人保护法); issued service certificates and their short codes

Revision ID: 0021_vetting_and_hours_codes
Revises: 0020_notification_done
Create Date: 2026-12-06 14:10:00
"""

from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401


revision = '0021_vetting_and_hours_codes'
down_revision = '0020_notification_done'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every certificate so far backs a skill; a no-criminal-record certificate backs none.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('skill', 'no_criminal_record', name='certificatekind',
                                                      native_enum=False, create_constraint=False, length=20),
                                      server_default='skill', nullable=False))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('holder_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.alter_column('skill', existing_type=sa.String(length=20), nullable=True)
    with op.batch_alter_table('organization_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vouched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('vouched_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_organization_member_vouched_by', 'user_account', ['vouched_by_id'], ['id'])


    op.create_table(
        'hours_certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    with op.batch_alter_table('hours_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_certificate_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hours_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hours_certificate_user_id'))
    op.drop_table('hours_certificate')
    with op.batch_alter_table('organization_member', schema=None) as batch_op:
        batch_op.drop_constraint('fk_organization_member_vouched_by', type_='foreignkey')
        batch_op.drop_column('vouched_by_id')
        batch_op.drop_column('vouched_at')
    op.execute("DELETE FROM certificate WHERE skill IS NULL")
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('skill', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column('holder_hash')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('kind')
