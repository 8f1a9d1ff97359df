"""incident awaiting confirmation (reported by a school's focal point); archived network groups

Revision ID: network_0002
Revises: network_0001
Create Date: 2026-11-30 21:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import crisiscomm.types

# revision identifiers, used by Alembic.
revision = 'network_0002'
down_revision = 'network_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_confirmation', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_incident_awaiting_confirmation'), ['awaiting_confirmation'],
                              unique=False)
    with op.batch_alter_table('network_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', crisiscomm.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_network_group_archived_at'), ['archived_at'], unique=False)


def downgrade():
    with op.batch_alter_table('network_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_group_archived_at'))
        batch_op.drop_column('archived_at')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_awaiting_confirmation'))
        batch_op.drop_column('awaiting_confirmation')
