"""Demo accounts (one per role) and, through domain hooks, demo records. Only on an empty database."""
from . import registry
from .permissions import (COMMS_OFFICER, DEPUTY_DIRECTOR, DIRECTOR, MINISTRY_ADMIN, MINISTRY_COMMS, SPOKESPERSON,
                          STEERING_BOARD, VIEWER)
from .users import service as users

DEMO_PASSWORD = "demo-password-2026"

DEMO_USERS = [
    (MINISTRY_ADMIN, "admin@moet.demo", "Trần Quang Minh", "Chánh Văn phòng Bộ", None, "0901 123 401"),
    (MINISTRY_COMMS, "truyenthong@moet.demo", "Lê Thu Hà", "Trung tâm Truyền thông giáo dục", None, "0902 123 402"),
    (DIRECTOR, "giamdoc@hanoi.demo", "Nguyễn Văn Hùng", "Giám đốc Sở GDĐT Hà Nội", "ha-noi", "0903 123 403"),
    (DEPUTY_DIRECTOR, "phogiamdoc@hanoi.demo", "Phạm Thị Lan", "Phó Giám đốc Sở GDĐT Hà Nội", "ha-noi", "0904 123 404"),
    (SPOKESPERSON, "phatngon@hanoi.demo", "Đỗ Minh Tuấn", "Chánh Văn phòng Sở, người phát ngôn", "ha-noi", "0905 123 405"),
    (COMMS_OFFICER, "truyenthong@hanoi.demo", "Vũ Thị Mai", "Chuyên viên truyền thông", "ha-noi", "0906 123 406"),
    (STEERING_BOARD, "bcd@hanoi.demo", "Hoàng Văn Nam", "Thành viên Ban Chỉ đạo thi tỉnh", "ha-noi", "0907 123 407"),
    (VIEWER, "xem@hanoi.demo", "Bùi Thị Ngọc", "Chuyên viên", "ha-noi", "0908 123 408"),
    (DIRECTOR, "giamdoc@hcm.demo", "Lý Văn Phúc", "Giám đốc Sở GDĐT TP Hồ Chí Minh", "ho-chi-minh", "0909 123 409"),
    (COMMS_OFFICER, "truyenthong@hcm.demo", "Trương Thị Hạnh", "Chuyên viên truyền thông", "ho-chi-minh", "0910 123 410"),
]


def create_demo():
    created = []
    for role, email, name, title, department, phone in DEMO_USERS:
        if users.find_by_email(email) is None:
            users.create_user(email=email, name=name, role=role, password=DEMO_PASSWORD, department_code=department,
                              title=title, phone=phone)
        created.append((role, email, department))
    for hook in registry.items("demo"):
        hook()
    return {"password": DEMO_PASSWORD, "users": created}

