"""monitoring: the screenshot of a captured post

Revision ID: monitoring_0002
Revises: network_0001
Create Date: 2026-11-30 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import crisiscomm.types

# revision identifiers, used by Alembic.
revision = 'monitoring_0002'
down_revision = 'network_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitoring_screenshot',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', crisiscomm.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', crisiscomm.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['monitoring_mention.id'],
                            name=op.f('fk_monitoring_screenshot_mention_id_monitoring_mention')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_screenshot')),
    sa.UniqueConstraint('mention_id', name=op.f('uq_monitoring_screenshot_mention_id'))
    )


def downgrade():
    op.drop_table('monitoring_screenshot')
