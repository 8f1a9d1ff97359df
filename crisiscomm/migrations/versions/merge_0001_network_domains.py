"""join the four packages built on the school network: network, orientation, training, monitoring

Revision ID: merge_0001
Revises: network_0002, orientation_0001, training_0001, monitoring_0002
Create Date: 2026-11-30 22:20:00

"""

# revision identifiers, used by Alembic.
revision = 'merge_0001'
down_revision = ('network_0002', 'orientation_0001', 'training_0001', 'monitoring_0002')
branch_labels = None
depends_on = None


def upgrade():
    pass  # a merge point: each branch's revision holds its own tables


def downgrade():
    pass
