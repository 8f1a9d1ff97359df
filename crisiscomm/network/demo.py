"""Demo: the network of Hà Nội (about 25 schools and units, every level, several wards and communes, four
groups, a few unverified for over a year) and a smaller one for TP Hồ Chí Minh; the demo network member is the
focal point of Trường THPT Kim Liên."""
from datetime import timedelta

from sqlalchemy import select

from ..clock import now
from ..departments.service import find_by_code
from ..extensions import db
from ..models import acting_as
from ..users.service import find_by_email
from . import service
from .models import FocalPoint

MEMBER_EMAIL = "hieupho@kimlien.demo"

# One school a line: name | level | commune | focal point | kind | title | phone | "x" when unverified for a year
HA_NOI = """
Trường THPT Kim Liên | upper_secondary | Phường Kim Liên | Nguyễn Thị Hoa | comms_contact | Phó Hiệu trưởng | 0911 123 411 |
Trường THPT Chu Văn An | upper_secondary | Phường Tây Hồ | Phạm Quốc Bảo | principal | Hiệu trưởng | 0912 200 001 |
Trường THPT Việt Đức | upper_secondary | Phường Hoàn Kiếm | Lê Thị Thanh | comms_contact | Bí thư Đoàn trường | 0912 200 002 |
Trường THPT Phan Đình Phùng | upper_secondary | Phường Ba Đình | Trần Văn Dũng | principal | Hiệu trưởng | 0912 200 003 | x
Trường THPT Mỹ Đức A | upper_secondary | Xã Mỹ Đức | Đinh Thị Lụa | comms_contact | Giáo viên | 0912 200 004 |
Trường THPT Ba Vì | upper_secondary | Xã Ba Vì | Nguyễn Văn Sơn | principal | Hiệu trưởng | 0912 200 005 |
Trường THPT Sơn Tây | upper_secondary | Phường Sơn Tây | Khuất Thị Hằng | collaborator | Giáo viên Ngữ văn | 0912 200 006 |
Trường THCS Sơn Đà | lower_secondary | Xã Cổ Đô | Lê Văn Khải | comms_contact | Giáo viên Vật lí | 0912 200 007 |
Trường THCS Trưng Vương | lower_secondary | Phường Hoàn Kiếm | Vũ Thị Minh | principal | Hiệu trưởng | 0912 200 008 |
Trường THCS Giảng Võ | lower_secondary | Phường Giảng Võ | Hoàng Anh Tuấn | comms_contact | Phó Hiệu trưởng | 0912 200 009 | x
Trường THCS Cầu Giấy | lower_secondary | Phường Cầu Giấy | Bùi Thu Hà | principal | Hiệu trưởng | 0912 200 010 |
Trường THCS Mỹ Đức | lower_secondary | Xã Mỹ Đức | Đỗ Văn Long | principal | Hiệu trưởng | 0912 200 011 |
Trường Tiểu học Ba Trại A | primary | Xã Ba Trại | Nguyễn Thị Thu Hằng | collaborator | Giáo viên chủ nhiệm | 0912 200 012 |
Trường Tiểu học Kim Liên | primary | Phường Kim Liên | Phan Thị Nga | principal | Hiệu trưởng | 0912 200 013 |
Trường Tiểu học Điện Biên | primary | Phường Ba Đình | Lương Văn Hải | comms_contact | Tổng phụ trách Đội | 0912 200 014 |
Trường Tiểu học Dịch Vọng | primary | Phường Cầu Giấy | Tạ Thị Hương | principal | Hiệu trưởng | 0912 200 015 | x
Trường Tiểu học Tây Hồ | primary | Phường Tây Hồ | Ngô Minh Châu | comms_contact | Phó Hiệu trưởng | 0912 200 016 |
Trường Mầm non Hoa Sen | preschool | Phường Giảng Võ | Đào Thị Mai | principal | Hiệu trưởng | 0912 200 017 |
Trường Mầm non Ba Vì | preschool | Xã Ba Vì | Kiều Thị Lan | principal | Hiệu trưởng | 0912 200 018 |
Trường Mầm non Sơn Tây | preschool | Phường Sơn Tây | Chu Thị Yến | principal | Hiệu trưởng | 0912 200 019 |
Trường Phổ thông Dân tộc nội trú Hà Nội | multi_level | Xã Ba Vì | Đinh Công Thành | principal | Hiệu trưởng | 0912 200 020 |
Trường Liên cấp Ngôi Sao Hà Nội | multi_level | Phường Thanh Xuân | Mai Phương Anh | comms_contact | Trưởng phòng Truyền thông | 0912 200 021 |
Trung tâm GDNN-GDTX Cầu Giấy | continuing | Phường Cầu Giấy | Vương Đình Khoa | principal | Giám đốc | 0912 200 022 |
Trung tâm GDNN-GDTX Mỹ Đức | continuing | Xã Mỹ Đức | Lã Thị Bích | comms_contact | Phó Giám đốc | 0912 200 023 |
Trung tâm Khảo thí và Kiểm định chất lượng | unit | Phường Hoàn Kiếm | Trịnh Văn Quang | comms_contact | Phó Giám đốc Trung tâm | 0912 200 024 |
"""
HO_CHI_MINH = """
Trường THPT Lê Hồng Phong | upper_secondary | Phường Chợ Quán | Nguyễn Hoàng Nam | principal | Hiệu trưởng | 0913 300 001 |
Trường THPT Nguyễn Thị Minh Khai | upper_secondary | Phường Xuân Hòa | Lê Thị Ngọc Hân | comms_contact | Phó Hiệu trưởng | 0913 300 002 |
Trường THCS Bình Chánh | lower_secondary | Xã Bình Chánh | Võ Thị Mỹ Linh | collaborator | Nhân viên thư viện | 0913 300 003 | x
Trường Tiểu học Bình Chánh | primary | Xã Bình Chánh | Huỳnh Văn Tâm | principal | Hiệu trưởng | 0913 300 004 |
Trường Mầm non Hoa Mai | preschool | Phường Sài Gòn | Đặng Thị Thu | principal | Hiệu trưởng | 0913 300 005 |
"""


def _rows(text):
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


# (name, description, level or None, schools by name)
GROUPS = {
    "ha-noi": [
        ("Trường THPT", "Mọi trường trung học phổ thông của Sở.", "upper_secondary", ()),
        ("Điểm thi tốt nghiệp THPT 2026", "Các trường đặt điểm thi kỳ thi tốt nghiệp THPT năm 2026.", None,
         ("Trường THPT Kim Liên", "Trường THPT Chu Văn An", "Trường THPT Việt Đức", "Trường THPT Mỹ Đức A",
          "Trường THCS Cầu Giấy", "Trường Phổ thông Dân tộc nội trú Hà Nội")),
        ("Trường mầm non", "Các trường mầm non.", "preschool", ()),
        ("Xã Mỹ Đức", "Các trường trên địa bàn xã Mỹ Đức.", None,
         ("Trường THPT Mỹ Đức A", "Trường THCS Mỹ Đức", "Trung tâm GDNN-GDTX Mỹ Đức")),
    ],
    "ho-chi-minh": [("Trường THPT", "Mọi trường trung học phổ thông của Sở.", "upper_secondary", ())],
}


def create_demo():
    t = now()
    for code, rows, writer in (("ha-noi", HA_NOI, "truyenthong@hanoi.demo"),
                               ("ho-chi-minh", HO_CHI_MINH, "truyenthong@hcm.demo")):
        department, actor = find_by_code(code), find_by_email(writer)
        if department is None or actor is None:
            continue
        with acting_as(actor):
            by_name = {}
            for i, (name, level, commune, person, kind, title, phone, stale) in enumerate(_rows(rows)):
                school = service.create_school(department=department, data={
                    "name": name, "level": level, "commune": commune, "ownership": "private" if "Ngôi Sao" in name
                    else "public", "address": f"{commune}, {department.province}"})
                service.create_focal_point(school=school, data={
                    "full_name": person, "kind": kind, "title": title, "phone": phone,
                    "email": f"daumoi{i + 1}@{code}.truong.demo"})
                verified = t - timedelta(days=400 + i) if stale else t - timedelta(days=20 + i)
                school.last_verified_at = verified
                for focal in school.focal_points:
                    focal.last_verified_at = verified
                by_name[name] = school
            for name, description, level, members in GROUPS[code]:
                group = service.create_group(department=department, data={"name": name, "description": description})
                if level:
                    service.add_matching(group=group, level=level)
                service.add_schools(group=group, schools=[by_name[m] for m in members])
    member = find_by_email(MEMBER_EMAIL)
    if member is not None:
        focal = db.session.scalar(select(FocalPoint).where(FocalPoint.full_name == "Nguyễn Thị Hoa",
                                                           FocalPoint.user_id.is_(None)))
        if focal is not None:
            focal.user = member
            focal.email = MEMBER_EMAIL
            focal.refresh_search_text()
    db.session.flush()
