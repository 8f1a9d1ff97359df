"""Emails as inquiries: the Message-ID of an imported email (once per Department), the files that came with it,
and a Department's press mailbox polled over IMAP

Revision ID: mail_0001
Revises: push_0001
Create Date: 2026-11-30 14:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import crisiscomm.types

# revision identifiers, used by Alembic.
revision = 'mail_0001'
down_revision = 'push_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=True))
        batch_op.create_unique_constraint('uq_inquiry_department_message_id', ['department_id', 'message_id'])

    op.create_table(
        'inquiry_attachment',
        sa.Column('inquiry_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('created_at', crisiscomm.types.UTCDateTime(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('origin_department_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
        sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], ),
        sa.ForeignKeyConstraint(['origin_department_id'], ['department.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('storage_key'),
    )
    with op.batch_alter_table('inquiry_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiry_attachment_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiry_attachment_inquiry_id'), ['inquiry_id'], unique=False)

    op.create_table(
        'press_mailbox',
        sa.Column('address', sa.String(length=200), nullable=True),
        sa.Column('host', sa.String(length=200), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('security', sa.String(length=8), nullable=False),
        sa.Column('username', sa.String(length=200), nullable=False),
        sa.Column('password_encrypted', sa.Text(), nullable=False),
        sa.Column('folder', sa.String(length=200), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('import_since', sa.Date(), nullable=True),
        sa.Column('uidvalidity', sa.Integer(), nullable=True),
        sa.Column('last_uid', sa.Integer(), nullable=False),
        sa.Column('last_checked_at', crisiscomm.types.UTCDateTime(), nullable=True),
        sa.Column('last_success_at', crisiscomm.types.UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('failing_since', crisiscomm.types.UTCDateTime(), nullable=True),
        sa.Column('imported_count', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', crisiscomm.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', crisiscomm.types.UTCDateTime(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('origin_department_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
        sa.ForeignKeyConstraint(['origin_department_id'], ['department.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('department_id', name='uq_press_mailbox_department'),
    )
    with op.batch_alter_table('press_mailbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_mailbox_department_id'), ['department_id'], unique=False)


def downgrade():
    with op.batch_alter_table('press_mailbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_mailbox_department_id'))
    op.drop_table('press_mailbox')
    with op.batch_alter_table('inquiry_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_attachment_inquiry_id'))
        batch_op.drop_index(batch_op.f('ix_inquiry_attachment_department_id'))
    op.drop_table('inquiry_attachment')
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inquiry_department_message_id', type_='unique')
        batch_op.drop_column('message_id')
