"""indexes for /healthz: the last email sent and the oldest open outbox row without scanning the outbox

Revision ID: perf_0001
Revises: merge_0001
Create Date: 2026-12-01 01:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'perf_0001'
down_revision = 'merge_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_notification_channel_state_sent_at", "notification", ["channel", "state", "sent_at"])
    op.create_index("ix_notification_state_channel_created_at", "notification", ["state", "channel", "created_at"])


def downgrade():
    op.drop_index("ix_notification_state_channel_created_at", table_name="notification")
    op.drop_index("ix_notification_channel_state_sent_at", table_name="notification")
