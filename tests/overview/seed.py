"""A small, hand-countable school year of data, written directly with the models."""
from datetime import datetime, timedelta, timezone

from crisiscomm.contacts.models import Contact
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident
from crisiscomm.plans import service as plans
from crisiscomm.spokespersons.models import SpokespersonAssignment

YEAR = "2025-2026"
THEMES = ["Kỳ thi tốt nghiệp THPT 2026", "Sách giáo khoa mới", "An toàn trường học"]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def incident(dep, title, *, exam=False, status="open", drill=False, at=None):
    at = at or utc(2026, 6, 20, 3)
    row = Incident(department_id=dep.id, title=title, category="exam" if exam else "school_safety",
                   exam_related=exam, occurred_at=at, reported_at=at, severity="high", status=status, drill=drill,
                   description="")
    db.session.add(row)
    return row


def contact(dep, name, verified=None, archived=False):
    row = Contact(department_id=dep.id, full_name=name, outlet="Báo Giáo dục và Thời đại", outlet_type="central_resident",
                  phones=[], last_verified_at=verified, archived=archived, created_at=utc(2025, 1, 1))
    row.refresh_search_text()
    db.session.add(row)
    return row


def briefing(dep, title, at, status="held"):
    from crisiscomm.briefings.models import Briefing

    row = Briefing(department_id=dep.id, title=title, starts_at=at, ends_at=at + timedelta(hours=1), status=status,
                   attachments=[], internal_units=[])
    db.session.add(row)
    return row


def seed_year(factory, clock):
    """Hà Nội: 3 open incidents (2 exam-related) + 1 closed + 1 open drill; an official spokesperson; 4 active
    contacts of which 3 verified in the last 12 months (+1 archived, verified); plan submitted.
    Briefings: Hà Nội held one in Q3/2025, two in Q4/2025 and one in Q2/2026 (3 of 4 quarters), a cancelled one in
    Q1/2026 and one held in Q2/2025 (the previous school year); Hồ Chí Minh has one planned in Q2/2026 only.
    Hồ Chí Minh: 1 open incident (not exam); no spokesperson; 1 contact verified; plan saved as a draft only."""
    hanoi, hcm = factory.department("ha-noi"), factory.department("ho-chi-minh")
    ministry = factory.user("ministry_comms", name="Lê Thu Hà")
    writer_hn = factory.user("comms_officer", department="ha-noi", name="Vũ Thị Mai")
    writer_hcm = factory.user("comms_officer", department="ho-chi-minh", name="Trương Thị Hạnh")
    spokes = factory.user("spokesperson", department="ha-noi", name="Đỗ Minh Tuấn")

    incident(hanoi, "Nghi lộ đề thi môn Ngữ văn", exam=True)
    incident(hanoi, "Thí sinh mang điện thoại vào phòng thi", exam=True, at=utc(2026, 5, 10, 2))
    incident(hanoi, "Sập mái hiên trường tiểu học")
    incident(hanoi, "Tin giả về lịch thi", exam=True, status="closed")
    incident(hanoi, "Diễn tập lộ đề", exam=True, drill=True)
    incident(hcm, "Ngộ độc thực phẩm bán trú", at=utc(2026, 4, 2, 5))

    db.session.add(SpokespersonAssignment(department_id=hanoi.id, user_id=spokes.id, kind="official", topics=[],
                                          effective_from=utc(2025, 1, 1)))
    now = clock.now()
    for i in range(3):
        contact(hanoi, f"Phóng viên {i}", verified=now - timedelta(days=30 * (i + 1)))
    contact(hanoi, "Phóng viên cũ", verified=now - timedelta(days=400))
    contact(hanoi, "Phóng viên đã nghỉ", verified=now - timedelta(days=3), archived=True)
    contact(hcm, "Phóng viên TP", verified=now - timedelta(days=10))
    briefing(hanoi, "Họp báo quý III", utc(2025, 9, 20, 2))
    briefing(hanoi, "Họp báo quý IV", utc(2025, 11, 15, 2))
    briefing(hanoi, "Họp báo chuyên đề", utc(2025, 12, 30, 2))
    briefing(hanoi, "Họp báo quý I", utc(2026, 3, 10, 2), status="cancelled")
    briefing(hanoi, "Họp báo trước kỳ thi", utc(2026, 6, 5, 2))
    briefing(hanoi, "Họp báo năm học trước", utc(2025, 6, 20, 2))
    briefing(hcm, "Họp báo quý II", utc(2026, 6, 29, 2), status="planned")
    db.session.flush()

    plans.publish_ministry_plan(school_year=YEAR, title="Kế hoạch truyền thông năm học 2025-2026",
                                body="## Mục tiêu\nThông tin kịp thời.", themes=THEMES,
                                key_dates=[{"date": "2025-09-05", "label": "Khai giảng"},
                                           {"date": "2026-06-11", "label": "Thi tốt nghiệp THPT"}], user=ministry)
    plans.save_department_plan(department=hanoi, school_year=YEAR, title="Kế hoạch của Sở GDĐT Hà Nội",
                               body="Họp báo hằng quý.", themes=THEMES[:2], user=writer_hn, submit=True)
    plans.save_department_plan(department=hcm, school_year=YEAR, title="Kế hoạch của Sở GDĐT TP Hồ Chí Minh",
                               body="Đang soạn.", themes=[THEMES[0]], user=writer_hcm)
    db.session.commit()
    return {"hanoi": hanoi, "hcm": hcm, "ministry": ministry, "writer_hn": writer_hn, "writer_hcm": writer_hcm}
