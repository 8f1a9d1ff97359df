"""Demo: a Ministry spokesperson-skills course last school year (Hà Nội and TP Hồ Chí Minh attended), a Hà Nội
crisis-communication course this year (staff and school focal points; the communication officer was absent, so
she shows as untrained) and an upcoming Ministry course on exam communication."""
from datetime import timedelta

from sqlalchemy import select

from ..clock import local_today, to_local
from ..departments.service import find_by_code
from ..extensions import db
from ..models import acting_as
from ..network.models import FocalPoint
from ..plans.years import bounds, current_school_year, first_year
from ..users.service import find_by_email
from . import service
from .models import ABSENT, ATTENDED, Course


def _year_start(offset=0):
    y = first_year(current_school_year()) + offset
    return to_local(bounds(f"{y}-{y + 1}")[0]).date()


def _add(course, user, people, attendance, note=""):
    for email in people:
        person = find_by_email(email)
        if person is not None:
            row = service.add_participant(course=course, user=user, person_id=person.id)
            service.set_attendance(course=course, user=user, participant=row, attendance=attendance,
                                   certificate_note=note)


def create_demo():
    ministry = find_by_email("truyenthong@moet.demo")
    hanoi, hcm = find_by_code("ha-noi"), find_by_code("ho-chi-minh")
    if ministry is None or hanoi is None or db.session.scalar(select(Course.id).limit(1)) is not None:
        return
    today = local_today()
    with acting_as(ministry):
        start = _year_start(-1) + timedelta(days=110)  # mid-October of the last school year
        skills = service.create_course(
            user=ministry, title="Bồi dưỡng kỹ năng phát ngôn và cung cấp thông tin cho báo chí",
            starts_on=start, ends_on=start + timedelta(days=1), place="Hội trường Bộ GDĐT, 35 Đại Cồ Việt, Hà Nội",
            topics=["spokesperson_skills", "press_relations", "information_law"],
            trainers=["TS. Nguyễn Thị Minh Hương", "Nhà báo Trần Đức Long"],
            description="Khung pháp lý về phát ngôn (Nghị định 09/2017/NĐ-CP), thực hành trả lời phỏng vấn trước "
                        "ống kính.",
            invited=[d.code for d in (hanoi, hcm) if d is not None])
        service.add_link(course=skills, user=ministry, title="Tài liệu bồi dưỡng (bản điện tử)",
                         url="https://moet.gov.vn/tin-tuc/Pages/tap-huan-phat-ngon.aspx")
        _add(skills, ministry, ["phatngon@hanoi.demo", "giamdoc@hanoi.demo", "truyenthong@hcm.demo",
                                "giamdoc@hcm.demo"], ATTENDED, "Giấy chứng nhận số 112/GCN-BGDĐT")
        upcoming = today + timedelta(days=30)
        service.create_course(
            user=ministry, title="Truyền thông kỳ thi tốt nghiệp THPT: phối hợp với báo chí", starts_on=upcoming,
            ends_on=upcoming, online=True, topics=["exam_communication", "social_media"],
            trainers=["Lê Thu Hà"], description="Trực tuyến qua hệ thống hội nghị truyền hình của Bộ.",
            invited=[d.code for d in (hanoi, hcm) if d is not None])
    director = find_by_email("giamdoc@hanoi.demo")
    if director is None:
        return
    with acting_as(director):
        start = max(_year_start() + timedelta(days=1), today - timedelta(days=20))
        if start > today:  # the first days of a school year: the course is still to come
            start = today
        crisis = service.create_course(
            user=director, title="Tập huấn truyền thông xử lý khủng hoảng trong trường học", starts_on=start,
            ends_on=start, place="Sở GDĐT Hà Nội, 23 Quang Trung", topics=["crisis_communication", "social_media"],
            trainers=["Đỗ Minh Tuấn"], description="Diễn tập xử lý tin giả về trường học trên mạng xã hội.")
        _add(crisis, director, ["giamdoc@hanoi.demo", "phogiamdoc@hanoi.demo", "phatngon@hanoi.demo"], ATTENDED)
        _add(crisis, director, ["truyenthong@hanoi.demo"], ABSENT)
        focal_points = db.session.scalars(select(FocalPoint).where(FocalPoint.department_id == hanoi.id,
                                                                    FocalPoint.archived_at.is_(None))
                                          .order_by(FocalPoint.id).limit(3)).all()
        for fp in focal_points:
            row = service.add_participant(course=crisis, user=director, focal_point_id=fp.id)
            service.set_attendance(course=crisis, user=director, participant=row, attendance=ATTENDED)
