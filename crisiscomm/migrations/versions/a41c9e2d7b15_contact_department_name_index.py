"""contact(department_id, full_name): a Department's contact search in name order stops after one page

Revision ID: a41c9e2d7b15
Revises: 7eeb2e7c7d66
Create Date: 2026-11-24 22:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a41c9e2d7b15'
down_revision = '7eeb2e7c7d66'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_department_name', ['department_id', 'full_name'], unique=False)


def downgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_department_name')
