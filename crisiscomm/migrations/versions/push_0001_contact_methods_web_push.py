"""Contact methods per person (extra email, Web Push, Apprise), routes per notice kind, the VAPID key,
and the escalation policy's "level 1 needs an instant channel"

Revision ID: push_0001
Revises: a41c9e2d7b15
Create Date: 2026-11-30 14:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

from crisiscomm.types import JSONType, UTCDateTime

# revision identifiers, used by Alembic.
revision = 'push_0001'
down_revision = 'a41c9e2d7b15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contact_method',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('keys', JSONType, nullable=False),
        sa.Column('short_form', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('verified_at', UTCDateTime(), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('code_sent_at', UTCDateTime(), nullable=True),
        sa.Column('code_attempts', sa.Integer(), nullable=False),
        sa.Column('last_delivered_at', UTCDateTime(), nullable=True),
        sa.Column('removed_at', UTCDateTime(), nullable=True),
        sa.Column('removed_reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'kind', 'address_hash', name='uq_contact_method_address'),
    )
    with op.batch_alter_table('contact_method', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_method_user_id'), ['user_id'], unique=False)

    op.create_table(
        'notification_route',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('channels', JSONType, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'kind', name='uq_notification_route'),
    )
    with op.batch_alter_table('notification_route', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_route_user_id'), ['user_id'], unique=False)

    op.create_table(
        'vapid_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('public_key', sa.String(length=200), nullable=False),
        sa.Column('private_pem', sa.Text(), nullable=False),
        sa.Column('retired_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_method_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('action_used_at', UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_contact_method_id'), ['contact_method_id'], unique=False)
        batch_op.create_foreign_key('fk_notification_contact_method_id', 'contact_method', ['contact_method_id'],
                                    ['id'], ondelete='SET NULL')

    with op.batch_alter_table('escalation_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_instant_channel', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('escalation_policy', schema=None) as batch_op:
        batch_op.drop_column('require_instant_channel')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_contact_method_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_contact_method_id'))
        batch_op.drop_column('action_used_at')
        batch_op.drop_column('contact_method_id')
    op.drop_table('vapid_key')
    with op.batch_alter_table('notification_route', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_route_user_id'))
    op.drop_table('notification_route')
    with op.batch_alter_table('contact_method', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_method_user_id'))
    op.drop_table('contact_method')
