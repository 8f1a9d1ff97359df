"""Demo accounts (one per role) and, through domain hooks, demo records. Only on an empty database."""
from flask import current_app

from .users import service as users

DEMO_PASSWORD = "demo-password-2026"

DEMO_USERS = [
    ("ministry_admin", "admin@moet.demo", "Trần Quang Minh", "Chánh Văn phòng Bộ", None, "0901 123 401"),
    ("ministry_comms", "truyenthong@moet.demo", "Lê Thu Hà", "Trung tâm Truyền thông giáo dục", None, "0902 123 402"),
    ("director", "giamdoc@hanoi.demo", "Nguyễn Văn Hùng", "Giám đốc Sở GDĐT Hà Nội", "ha-noi", "0903 123 403"),
    ("deputy_director", "phogiamdoc@hanoi.demo", "Phạm Thị Lan", "Phó Giám đốc Sở GDĐT Hà Nội", "ha-noi", "0904 123 404"),
    ("spokesperson", "phatngon@hanoi.demo", "Đỗ Minh Tuấn", "Chánh Văn phòng Sở, người phát ngôn", "ha-noi", "0905 123 405"),
    ("comms_officer", "truyenthong@hanoi.demo", "Vũ Thị Mai", "Chuyên viên truyền thông", "ha-noi", "0906 123 406"),
    ("steering_board", "bcd@hanoi.demo", "Hoàng Văn Nam", "Thành viên Ban Chỉ đạo thi tỉnh", "ha-noi", "0907 123 407"),
    ("viewer", "xem@hanoi.demo", "Bùi Thị Ngọc", "Chuyên viên", "ha-noi", "0908 123 408"),
    ("director", "giamdoc@hcm.demo", "Lý Văn Phúc", "Giám đốc Sở GDĐT TP Hồ Chí Minh", "ho-chi-minh", "0909 123 409"),
    ("comms_officer", "truyenthong@hcm.demo", "Trương Thị Hạnh", "Chuyên viên truyền thông", "ho-chi-minh", "0910 123 410"),
]


def create_demo():
    created = []
    for role, email, name, title, department, phone in DEMO_USERS:
        if users.find_by_email(email) is None:
            users.create_user(email=email, name=name, role=role, password=DEMO_PASSWORD, department_code=department,
                              title=title, phone=phone)
        created.append((role, email, department))
    for hook in current_app.extensions.get("crisiscomm_demo", []):
        hook()
    return {"password": DEMO_PASSWORD, "users": created}


def register_demo(app, func):
    """A domain's demo records, created after the demo users exist."""
    app.extensions.setdefault("crisiscomm_demo", []).append(func)
