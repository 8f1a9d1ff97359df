"""Deadline rules carry their source as data and may belong to one province; incidents record when the
Department learned of them (the statement clock starts there) and which rule set the deadline.

Also: the 6-hour rule is relabelled as the Ministry's benchmark, the 'every inquiry linked to an incident'
rule is withdrawn (Decision 22 does not say it), and refusal grounds citing the 2016 Press Law cite the 2025 one.

Revision ID: law_0001
Revises: contacts_import_0001
Create Date: 2026-11-30 14:30:00.000000

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

from crisiscomm.types import UTCDateTime

# The refusal grounds as earlier versions seeded them: rows still equal to these are refreshed (admins' edits stay).
_OLD_GROUNDS = {
    'state_secret': ('Thông tin thuộc bí mật nhà nước',
        'Luật Báo chí 2016, Điều 9 khoản 2; Luật Bảo vệ bí mật nhà nước 2018; Nghị định 09/2017/NĐ-CP, Điều 9 khoản 1 điểm a.'),
    'ongoing_investigation': ('Vụ việc đang trong quá trình thanh tra, điều tra, chưa có kết luận',
        'Nghị định 09/2017/NĐ-CP, Điều 9 khoản 1 điểm b (vụ việc đang thanh tra, điều tra, chưa có kết luận chính thức).'),
    'exam_confidential': ('Đề thi, đáp án chưa công bố (thông tin mật của kỳ thi)',
        'Quy chế thi tốt nghiệp THPT của Bộ GDĐT; Luật Bảo vệ bí mật nhà nước 2018.'),
    'minor_privacy': ('Bảo vệ đời tư, danh tính của người chưa thành niên',
        'Luật Báo chí 2016, Điều 9 khoản 7; Luật Trẻ em 2016, Điều 21 và Điều 33.'),
    'personal_privacy': ('Bí mật đời tư của cá nhân',
        'Luật Báo chí 2016, Điều 9 khoản 7; Bộ luật Dân sự 2015, Điều 38.'),
    'not_competent': ('Không thuộc thẩm quyền của Sở (đề nghị hỏi cơ quan có thẩm quyền)',
        'Nghị định 09/2017/NĐ-CP, Điều 9 khoản 1.'),
}

# revision identifiers, used by Alembic.
revision = 'law_0001'
down_revision = 'contacts_import_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deadline_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('authority', sa.String(length=32), nullable=False,
                                      server_default='product_default'))
        batch_op.add_column(sa.Column('source_document', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_article', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('confidence', sa.String(length=16), nullable=False,
                                      server_default='product_default'))
        batch_op.create_index(batch_op.f('ix_deadline_rule_department_id'), ['department_id'], unique=False)
        batch_op.create_foreign_key('fk_deadline_rule_department_id_department', 'department', ['department_id'],
                                    ['id'])
    with op.batch_alter_table('deadline_rule', schema=None) as batch_op:
        for name in ('authority', 'source_document', 'source_article', 'confidence'):
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('known_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_statement_rule_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_incident_first_statement_rule_id_deadline_rule', 'deadline_rule',
                                    ['first_statement_rule_id'], ['id'])
    op.execute("UPDATE incident SET known_at = reported_at")
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.alter_column('known_at', existing_type=UTCDateTime(), nullable=False)

    # The seeded rules: what they really are (admin-made rules stay product defaults until an admin says more).
    from crisiscomm.rules.service import SEED, WITHDRAWN

    rule = sa.table('deadline_rule', sa.column('key', sa.String), sa.column('name', sa.String),
                    sa.column('legal_source', sa.Text), sa.column('source_status', sa.String),
                    sa.column('authority', sa.String), sa.column('source_document', sa.String),
                    sa.column('source_article', sa.String), sa.column('source_date', sa.Date),
                    sa.column('confidence', sa.String), sa.column('active', sa.Boolean))
    for spec in SEED:
        op.execute(rule.update().where(rule.c.key == spec["key"]).values(
            name=spec["name"], legal_source=spec["legal_source"], source_status=spec["source_status"],
            authority=spec["authority"], source_document=spec.get("source_document", ""),
            source_article=spec.get("source_article", ""), source_date=spec.get("source_date"),
            confidence=spec["confidence"]))
    op.execute(rule.update().where(rule.c.key.in_(WITHDRAWN)).values(
        active=False, authority='ministry_benchmark', confidence='reported',
        source_document='Quyết định 22/QĐ-BGDĐT', source_date=date(2019, 1, 8),
        source_status='withdrawn: the decision does not set a deadline for every inquiry linked to an incident'))

    from crisiscomm.inquiries.grounds import REFUSAL_GROUNDS

    ground = sa.table('refusal_ground', sa.column('key', sa.String), sa.column('name', sa.String),
                      sa.column('legal_source', sa.Text))
    for spec in REFUSAL_GROUNDS:
        old_name, old_source = _OLD_GROUNDS.get(spec["key"], (None, None))
        op.execute(ground.update().where(ground.c.key == spec["key"], ground.c.legal_source == old_source)
                   .values(legal_source=spec["legal_source"]))
        op.execute(ground.update().where(ground.c.key == spec["key"], ground.c.name == old_name)
                   .values(name=spec["name"]))


def downgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_constraint('fk_incident_first_statement_rule_id_deadline_rule', type_='foreignkey')
        batch_op.drop_column('first_statement_rule_id')
        batch_op.drop_column('known_at')
    with op.batch_alter_table('deadline_rule', schema=None) as batch_op:
        batch_op.drop_constraint('fk_deadline_rule_department_id_department', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_deadline_rule_department_id'))
        batch_op.drop_column('confidence')
        batch_op.drop_column('source_date')
        batch_op.drop_column('source_article')
        batch_op.drop_column('source_document')
        batch_op.drop_column('authority')
        batch_op.drop_column('department_id')
