"""A small, hand-countable school year of data, written directly with the models."""
from datetime import datetime, timedelta, timezone

from crisiscomm.extensions import db
from crisiscomm.plans import service as plans

from ..factories import briefing, contact, incident, spokesperson_assignment

YEAR = "2025-2026"
THEMES = ["Kỳ thi tốt nghiệp THPT 2026", "Sách giáo khoa mới", "An toàn trường học"]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# seed_year writes its rows directly and commits once at the end; the contacts are resident since 2025.
RESIDENT = {"outlet": "Báo Giáo dục và Thời đại", "outlet_type": "central_resident", "email": None,
            "created_at": utc(2025, 1, 1), "raw": True, "commit": False}
SEEDED = {"raw": True, "commit": False}


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

    incident(hanoi, "Nghi lộ đề thi môn Ngữ văn", exam_related=True, commit=False)
    incident(hanoi, "Thí sinh mang điện thoại vào phòng thi", exam_related=True, at=utc(2026, 5, 10, 2), commit=False)
    incident(hanoi, "Sập mái hiên trường tiểu học", commit=False)
    incident(hanoi, "Tin giả về lịch thi", exam_related=True, status="closed", commit=False)
    incident(hanoi, "Diễn tập lộ đề", exam_related=True, drill=True, commit=False)
    incident(hcm, "Ngộ độc thực phẩm bán trú", at=utc(2026, 4, 2, 5), commit=False)

    spokesperson_assignment(hanoi, spokes, "official", effective_from=utc(2025, 1, 1), **SEEDED)
    now = clock.now()
    for i in range(3):
        contact(hanoi, f"Phóng viên {i}", last_verified_at=now - timedelta(days=30 * (i + 1)), archived=False,
                **RESIDENT)
    contact(hanoi, "Phóng viên cũ", last_verified_at=now - timedelta(days=400), archived=False, **RESIDENT)
    contact(hanoi, "Phóng viên đã nghỉ", last_verified_at=now - timedelta(days=3), archived=True, **RESIDENT)
    contact(hcm, "Phóng viên TP", last_verified_at=now - timedelta(days=10), archived=False, **RESIDENT)
    briefing(hanoi, "Họp báo quý III", utc(2025, 9, 20, 2), "held", **SEEDED)
    briefing(hanoi, "Họp báo quý IV", utc(2025, 11, 15, 2), "held", **SEEDED)
    briefing(hanoi, "Họp báo chuyên đề", utc(2025, 12, 30, 2), "held", **SEEDED)
    briefing(hanoi, "Họp báo quý I", utc(2026, 3, 10, 2), "cancelled", **SEEDED)
    briefing(hanoi, "Họp báo trước kỳ thi", utc(2026, 6, 5, 2), "held", **SEEDED)
    briefing(hanoi, "Họp báo năm học trước", utc(2025, 6, 20, 2), "held", **SEEDED)
    briefing(hcm, "Họp báo quý II", utc(2026, 6, 29, 2), "planned", **SEEDED)
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
