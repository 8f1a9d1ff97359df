"""composite indexes for Department lists: newest-first lists of one Department over ten years of data

Revision ID: 7eeb2e7c7d66
Revises: 7926f012b34a
Create Date: 2026-11-24 20:58:06.800998

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '7eeb2e7c7d66'
down_revision = '7926f012b34a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_department_occurred', ['department_id', 'occurred_at'], unique=False)

    with op.batch_alter_table('incident_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_escalation_notified_at'), ['notified_at'], unique=False)

    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.create_index('ix_inquiry_department_received', ['department_id', 'received_at'], unique=False)
        batch_op.create_index('ix_inquiry_state_due', ['state', 'due_at'], unique=False)

    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index('ix_statement_department_published', ['department_id', 'published_at'], unique=False)


def downgrade():
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_department_published')

    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiry_state_due')
        batch_op.drop_index('ix_inquiry_department_received')

    with op.batch_alter_table('incident_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_escalation_notified_at'))

    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_department_occurred')
