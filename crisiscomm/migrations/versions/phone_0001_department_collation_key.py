"""department.sort_name holds a Vietnamese collation key (Cà Mau, Cao Bằng, Cần Thơ; Đ after D)

Revision ID: phone_0001
Revises: law_0001
Create Date: 2026-11-30 14:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'phone_0001'
down_revision = 'law_0001'
branch_labels = None
depends_on = None


def _recompute(key):
    conn = op.get_bind()
    department = sa.table('department', sa.column('id', sa.Integer), sa.column('province', sa.String),
                          sa.column('sort_name', sa.String))
    for row in conn.execute(sa.select(department.c.id, department.c.province)).all():
        conn.execute(department.update().where(department.c.id == row.id).values(sort_name=key(row.province)))


def upgrade():
    from crisiscomm.text import collation_key

    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.alter_column('sort_name', existing_type=sa.String(length=120), type_=sa.String(length=400),
                              existing_nullable=False)
    _recompute(collation_key)


def downgrade():
    from crisiscomm.text import fold

    _recompute(fold)
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.alter_column('sort_name', existing_type=sa.String(length=400), type_=sa.String(length=120),
                              existing_nullable=False)
