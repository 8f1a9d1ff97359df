"""Grounds for refusing information to the press: the legal ones seeded, more entered by the Ministry administrator."""
import re

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..errors import ValidationError
from ..extensions import db
from ..text import fold
from .models import RefusalGround


# Luật Báo chí 2025 (in force 1 July 2026, replaces the 2016 law) lists when information may be refused: state
# secrets; personal and family secrets; cases under investigation or not yet tried; inspections, complaints and
# denunciations not yet concluded. Its article numbers could not be read in the published text: said so below.
_PRESS_LAW_2025 = ("Luật Báo chí 2025 (thông qua ngày 10/12/2025, hiệu lực từ 01/7/2026, thay thế Luật Báo chí 2016), "
                   "quy định các trường hợp được từ chối cung cấp thông tin cho báo chí — số điều chưa đối chiếu "
                   "được với văn bản gốc (theo tin đã đăng, chưa kiểm chứng)")
REFUSAL_GROUNDS = [
    dict(key="state_secret", name="Thông tin thuộc bí mật nhà nước",
         legal_source=f"{_PRESS_LAW_2025}; Luật Bảo vệ bí mật nhà nước 2018."),
    dict(key="ongoing_investigation",
         name="Vụ án đang điều tra, chưa xét xử; vụ việc đang thanh tra, giải quyết khiếu nại, tố cáo chưa có kết luận",
         legal_source=f"{_PRESS_LAW_2025}: vụ án đang điều tra hoặc chưa xét xử (trừ khi phục vụ đấu tranh phòng, "
                      "chống tội phạm); vụ việc đang thanh tra, giải quyết khiếu nại, tố cáo, tranh chấp khi chưa có "
                      "kết luận chính thức và chưa được phép công bố."),
    dict(key="exam_confidential", name="Đề thi, đáp án chưa công bố (thông tin mật của kỳ thi)",
         legal_source=f"Quy chế thi tốt nghiệp THPT của Bộ GDĐT; Luật Bảo vệ bí mật nhà nước 2018; {_PRESS_LAW_2025}."),
    dict(key="minor_privacy", name="Bảo vệ đời tư, danh tính của người chưa thành niên",
         legal_source=f"{_PRESS_LAW_2025}: bí mật cá nhân, bí mật gia đình; Luật Trẻ em 2016, Điều 21 và Điều 33; "
                      "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 (hiệu lực 01/01/2026)."),
    dict(key="personal_privacy", name="Bí mật đời tư của cá nhân",
         legal_source=f"{_PRESS_LAW_2025}: bí mật cá nhân, bí mật gia đình; Bộ luật Dân sự 2015, Điều 38; "
                      "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15."),
    dict(key="not_competent", name="Không thuộc thẩm quyền của Sở (đề nghị hỏi cơ quan có thẩm quyền)",
         legal_source="Nghị định 09/2017/NĐ-CP, Điều 9 khoản 1 (còn hiệu lực đến khi có nghị định hướng dẫn Luật Báo "
                      "chí 2025 — chưa kiểm chứng)."),
]


def seed_refusal_grounds():
    existing = set(db.session.scalars(select(RefusalGround.key)))
    for spec in REFUSAL_GROUNDS:
        if spec["key"] not in existing:
            db.session.add(RefusalGround(**spec))
    db.session.flush()


def refusal_grounds(active_only=True):
    stmt = select(RefusalGround).order_by(RefusalGround.id)
    if active_only:
        stmt = stmt.where(RefusalGround.active.is_(True))
    return db.session.scalars(stmt).all()


def save_refusal_ground(*, user, name, legal_source="", active=True, ground=None):
    permissions.require(user, "inquiry.refusal_grounds.edit")
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A name is required."), fields={"name": _("required")})
    if ground is None:
        key = re.sub(r"[^a-z0-9]+", "_", fold(name))[:50].strip("_") or "ground"
        base, n = key, 2
        while db.session.scalar(select(RefusalGround.id).where(RefusalGround.key == key)):
            key, n = f"{base}_{n}", n + 1
        ground = RefusalGround(key=key, name=name)
        db.session.add(ground)
    ground.name, ground.legal_source, ground.active = name, (legal_source or "").strip(), bool(active)
    db.session.flush()
    return ground
