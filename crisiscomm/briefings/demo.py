"""Demo briefings: Hà Nội with held briefings (minutes, attendance) and one planned next month;
a few other Departments with some held and some missing."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..clock import from_local, now, to_local
from ..contacts.models import CENTRAL_RESIDENT, PROVINCIAL, BROADCAST, ONLINE, Contact
from ..departments.service import find_by_code
from ..extensions import db
from .models import HELD, PLANNED, Briefing
from . import quarters, service

DEMO_CONTACTS = [
    ("Nguyễn Thu Trang", "Báo và Phát thanh, Truyền hình Hà Nội", PROVINCIAL, "trang.nt@hanoimoi.demo"),
    ("Trần Đức Anh", "Báo Tuổi Trẻ – Văn phòng đại diện tại Hà Nội", CENTRAL_RESIDENT, "anh.td@tuoitre.demo"),
    ("Lê Minh Châu", "Báo Thanh Niên – Văn phòng miền Bắc", CENTRAL_RESIDENT, "chau.lm@thanhnien.demo"),
    ("Phạm Quốc Bảo", "Báo và Phát thanh, Truyền hình Hà Nội", BROADCAST, "bao.pq@hanoitv.demo"),
    ("Đặng Thị Hồng", "VnExpress", ONLINE, None),
]

MINUTES = """## Nội dung chính

1. Sở GDĐT thông tin kết quả triển khai nhiệm vụ năm học trong quý.
2. Công tác chuẩn bị **kỳ thi tuyển sinh lớp 10** và kỳ thi tốt nghiệp THPT.
3. Trả lời câu hỏi của phóng viên về các khoản thu đầu năm học.

## Câu hỏi của báo chí

- *Báo Tuổi Trẻ*: lộ trình tuyển sinh trực tuyến — Sở cam kết công bố trước 15 ngày.
- *Báo và Phát thanh, Truyền hình Hà Nội*: tình trạng dạy thêm, học thêm — Sở đã kiểm tra 42 cơ sở.

Người ghi biên bản: Vũ Thị Mai, chuyên viên truyền thông."""


def _contacts(department):
    rows = db.session.scalars(select(Contact).where(Contact.department_id == department.id,
                                                    Contact.archived.is_(False))).all()
    if rows:
        return rows
    for name, outlet, kind, email in DEMO_CONTACTS:
        c = Contact(department_id=department.id, full_name=name, outlet=outlet, outlet_type=kind, email=email,
                    phones=[], archived=False)
        c.refresh_search_text()
        db.session.add(c)
        rows.append(c)
    db.session.flush()
    return rows


def _at(key, day_offset, hour=9):
    first, _last = quarters.quarter_dates(key)
    day = first + timedelta(days=day_offset)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return from_local(datetime.combine(day, time(hour)))


def _briefing(department, title, starts_at, status, contacts=(), attended=(), minutes=None, topics=None):
    b = service.create_briefing(department=department, user=None, data={
        "title": title, "starts_at": starts_at.isoformat(), "status": status, "place": department.address or
        f"Hội trường {department.name}", "topics": topics, "minutes": minutes,
        "contact_ids": [c.id for c in contacts], "internal_units": ["Phòng Giáo dục Trung học", "Văn phòng Sở"]})
    for inv in b.invitations:
        inv.attended = inv.contact_id in {c.id for c in attended}
    return b


def create_demo():
    if db.session.scalar(select(Briefing.id).limit(1)) is not None:
        return
    this_q = quarters.current_quarter()
    hanoi = find_by_code("ha-noi")
    if hanoi is not None:
        contacts = _contacts(hanoi)
        with_email = [c for c in contacts if c.email]
        for n, topic in ((-3, "Tổng kết học kỳ I và công tác tuyển sinh"), (-2, "Chuẩn bị kỳ thi tốt nghiệp THPT"),
                         (-1, "Kết quả kỳ thi và kế hoạch năm học mới")):
            key = quarters.shift_quarter(this_q, n)
            year, q = quarters.parse_quarter(key)
            _briefing(hanoi, f"Họp báo định kỳ quý {q}/{year}: {topic}", _at(key, 40), HELD, contacts=contacts,
                      attended=with_email[:3], minutes=MINUTES, topics=topic)
        next_month = to_local(now()).date().replace(day=1) + timedelta(days=45)
        _briefing(hanoi, "Họp báo định kỳ: công tác chuẩn bị năm học và phòng chống bạo lực học đường",
                  from_local(datetime.combine(next_month, time(9))), PLANNED, contacts=contacts,
                  topics="- Khai giảng năm học mới\n- Phòng chống bạo lực học đường\n- Trả lời câu hỏi báo chí")
    for code, held_quarters, planned_now in (("ho-chi-minh", (-2, -1), True), ("da-nang", (-1,), False),
                                             ("hai-phong", (-3,), False), ("can-tho", (), False)):
        dep = find_by_code(code)
        if dep is None:
            continue
        for n in held_quarters:
            key = quarters.shift_quarter(this_q, n)
            year, q = quarters.parse_quarter(key)
            _briefing(dep, f"Họp báo định kỳ quý {q}/{year}", _at(key, 35), HELD,
                      minutes="Sở GDĐT thông tin tình hình giáo dục trong quý và trả lời câu hỏi của báo chí.")
        if planned_now:
            year, q = quarters.parse_quarter(this_q)
            _briefing(dep, f"Họp báo định kỳ quý {q}/{year}", _at(this_q, 75), PLANNED)
    db.session.flush()
