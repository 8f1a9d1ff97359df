"""Demo: the demo Department's exam incident gets an orientation message to a group of schools; some focal points
acknowledged (by the email link, in the app), the others are silent."""
from sqlalchemy import select

from ..departments.service import find_by_code
from ..extensions import db
from ..incidents.models import Incident
from ..models import acting_as
from ..network.models import COMMS_CONTACT, PRINCIPAL, UPPER_SECONDARY, FocalPoint, NetworkGroup, School
from ..users.service import find_by_email
from . import service, tracking
from .models import ACK_APP, ACK_EMAIL, OrientationMessage

GROUP = "Điểm thi tốt nghiệp THPT"
# Used only when the Department's network is still empty (the network's own demo fills it otherwise).
SCHOOLS = [("Trường THPT Chu Văn An", "Phường Ba Đình", "Nguyễn Thị Hoa", "hoa.cva@truong.demo"),
           ("Trường THPT Phan Đình Phùng", "Phường Ba Đình", "Trần Văn Bình", "binh.pdp@truong.demo"),
           ("Trường THPT Kim Liên", "Phường Kim Liên", "Lê Thị Thu", "thu.kimlien@truong.demo"),
           ("Trường THPT Việt Đức", "Phường Cửa Nam", "Phạm Quốc Việt", "viet.vietduc@truong.demo"),
           ("Trường THPT Trần Phú", "Phường Hoàn Kiếm", "Đỗ Thị Lan", "lan.tranphu@truong.demo")]


def _ensure_network(department):
    """The Department's group of exam-site schools: the network demo's, or a small one made here."""
    group = db.session.scalar(select(NetworkGroup).where(NetworkGroup.department_id == department.id)
                              .order_by(NetworkGroup.id))
    if group is not None and group.schools:
        return {"all": False, "group_ids": [group.id], "school_ids": []}
    if db.session.scalar(select(School.id).where(School.department_id == department.id).limit(1)):
        return {"all": True, "group_ids": [], "school_ids": []}
    group = NetworkGroup(department_id=department.id, name=GROUP, description="Các trường đặt điểm thi năm 2026")
    for name, commune, person, email in SCHOOLS:
        school = School(department_id=department.id, name=name, level=UPPER_SECONDARY, commune=commune)
        school.refresh_search_text()
        point = FocalPoint(department_id=department.id, school=school, kind=COMMS_CONTACT, full_name=person,
                           title="Phó Hiệu trưởng", email=email)
        point.refresh_search_text()
        principal = FocalPoint(department_id=department.id, school=school, kind=PRINCIPAL,
                               full_name=f"Hiệu trưởng {name.removeprefix('Trường ')}", title="Hiệu trưởng")
        principal.refresh_search_text()
        group.schools.append(school)
        db.session.add_all([school, point, principal])
    db.session.add(group)
    db.session.flush()
    return {"all": False, "group_ids": [group.id], "school_ids": []}


def create_demo():
    department = find_by_code("ha-noi")
    officer = find_by_email("truyenthong@hanoi.demo")
    if department is None or officer is None:
        return
    incident = db.session.scalar(select(Incident).where(Incident.department_id == department.id,
                                                        Incident.exam_related.is_(True)).order_by(Incident.id))
    if incident is None or db.session.scalar(select(OrientationMessage.id).where(
            OrientationMessage.incident_id == incident.id).limit(1)):
        return
    with acting_as(officer):
        targets = _ensure_network(department)
        message = service.create_message(user=officer, data={
            "incident_id": incident.id, "subject": "Định hướng thông tin: ảnh đề thi Ngữ văn trên mạng xã hội",
            "holding_line": "Ban Chỉ đạo thi thành phố đã nắm được sự việc và đang phối hợp với Công an thành phố "
                            "xác minh. Kỳ thi tại các điểm thi vẫn diễn ra an toàn, đúng quy chế.",
            "may_say": "Nhà trường thực hiện đúng quy chế thi; mọi thông tin chính thức do Sở GDĐT cung cấp.",
            "may_not_say": "Không bình luận về nội dung đề thi, danh tính thí sinh hay cán bộ coi thi; không "
                           "phỏng đoán nguyên nhân.",
            "targets": targets})
        service.send(message=message, user=officer)
        # Deterministic: one focal point with an account answered in the app (when the network demo made
        # accounts), the first two without one by the email link; the others are silent.
        with_account = [r for r in message.recipients if r.user_id]
        by_email = [r for r in message.recipients if not r.user_id and r.email]
        for r in with_account[:1]:
            tracking.acknowledge(recipient=r, channel=ACK_APP)
        for r in by_email[:2]:
            tracking.acknowledge(recipient=r, channel=ACK_EMAIL)
    db.session.flush()
