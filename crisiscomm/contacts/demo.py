"""Demo press contacts of Sở GDĐT Hà Nội (fictitious people at real outlets)."""
from datetime import timedelta

from sqlalchemy import func, select

from ..clock import now
from ..departments.service import find_by_code
from ..extensions import db
from . import service
from .models import BROADCAST, CENTRAL_RESIDENT, MINISTRY_LEVEL, ONLINE, PROVINCIAL, Contact

# (full name, outlet, type, beat, phones ("; " between two), email ("" when none), days since verified)
DEMO_CONTACTS = [
    ("Nguyễn Văn An", "Báo Giáo dục và Thời đại", MINISTRY_LEVEL, "Thi cử, tuyển sinh", "0912 345 601", "an.nv@giaoducthoidai.demo", 20),
    ("Trần Thị Bích Ngọc", "Báo Giáo dục và Thời đại", MINISTRY_LEVEL, "Giáo dục phổ thông", "0912 345 602", "ngoc.ttb@giaoducthoidai.demo", 45),
    ("Lê Minh Đức", "Tạp chí Giáo dục", MINISTRY_LEVEL, "Chính sách nhà giáo", "0912 345 603", "duc.lm@tapchigiaoduc.demo", 400),
    ("Phạm Thu Trang", "VnExpress", ONLINE, "Giáo dục, tuyển sinh đầu cấp", "0983 111 201", "trang.pt@vnexpress.demo", 12),
    ("Hoàng Anh Tuấn", "VnExpress", ONLINE, "Thời sự Hà Nội", "0983 111 202", "tuan.ha@vnexpress.demo", 90),
    ("Đặng Thị Hồng Nhung", "Dân trí", ONLINE, "Giáo dục – khuyến học", "0983 111 203", "nhung.dth@dantri.demo", 30),
    ("Vũ Quang Huy", "VietNamNet", ONLINE, "Giáo dục", "0983 111 204", "huy.vq@vietnamnet.demo", 500),
    ("Bùi Thanh Hà", "Zing News (Znews)", ONLINE, "Học đường", "0983 111 205", "ha.bt@znews.demo", 60),
    ("Ngô Thị Thanh Hương", "Báo Tuổi Trẻ – Văn phòng đại diện tại Hà Nội", CENTRAL_RESIDENT, "Giáo dục", "0904 222 301", "huong.ntt@tuoitre.demo", 15),
    ("Đỗ Văn Khánh", "Báo Thanh Niên – Văn phòng thường trú Hà Nội", CENTRAL_RESIDENT, "Giáo dục, thi cử", "0904 222 302", "khanh.dv@thanhnien.demo", 25),
    ("Lý Thị Mai Anh", "Báo Lao Động", CENTRAL_RESIDENT, "Giáo dục – xã hội", "0904 222 303", "maianh.lt@laodong.demo", 380),
    ("Trịnh Công Sơn", "Báo Nhân Dân", CENTRAL_RESIDENT, "Văn hóa – giáo dục", "0904 222 304", "son.tc@nhandan.demo", 70),
    ("Phan Thị Lệ Quyên", "Báo Tiền Phong", CENTRAL_RESIDENT, "Giáo dục", "0904 222 305", "quyen.ptl@tienphong.demo", 100),
    ("Cao Minh Quân", "Báo Người Lao Động – Văn phòng Hà Nội", CENTRAL_RESIDENT, "Thời sự", "0904 222 306", "quan.cm@nld.demo", 410),
    ("Nguyễn Thị Thu Thủy", "Báo Pháp luật Việt Nam", CENTRAL_RESIDENT, "Pháp luật – học đường", "0904 222 307", "", 200),
    ("Lương Văn Hải", "Báo và Phát thanh, Truyền hình Hà Nội", PROVINCIAL, "Giáo dục Thủ đô", "0936 333 401", "hai.lv@hanoimoi.demo", 10),
    ("Tạ Thị Phương Thảo", "Báo và Phát thanh, Truyền hình Hà Nội", PROVINCIAL, "Tuyển sinh lớp 10", "0936 333 402", "thao.ttp@hanoimoi.demo", 35),
    ("Đinh Quốc Bảo", "Báo và Phát thanh, Truyền hình Hà Nội", PROVINCIAL, "Đô thị – giáo dục", "0936 333 403", "bao.dq@kinhtedothi.demo", 50),
    ("Mai Thị Hằng", "Báo Pháp luật và Thời đại (Hà Nội)", PROVINCIAL, "Xã hội", "0936 333 404", "hang.mt@phapluatthoidai.demo", 420),
    ("Kiều Văn Long", "Tạp chí Người Hà Nội", PROVINCIAL, "Văn hóa", "0936 333 405", "", 150),
    ("Nguyễn Hoài Nam", "Báo và Phát thanh, Truyền hình Hà Nội", BROADCAST, "Bản tin thời sự", "0977 444 501; 024 3825 0001", "nam.nh@hanoitv.demo", 18),
    ("Trần Bảo Ngọc", "Báo và Phát thanh, Truyền hình Hà Nội", BROADCAST, "Chuyên mục Giáo dục", "0977 444 502", "ngoc.tb@hanoitv.demo", 40),
    ("Lê Hải Yến", "VTV1 – Đài Truyền hình Việt Nam", BROADCAST, "Thời sự 19h", "0977 444 503", "yen.lh@vtv.demo", 22),
    ("Phạm Đức Thắng", "VTV24 – Đài Truyền hình Việt Nam", BROADCAST, "Chuyển động 24h", "0977 444 504", "thang.pd@vtv.demo", 390),
    ("Võ Thị Kim Oanh", "VTV7 – Kênh Giáo dục quốc gia", BROADCAST, "Giáo dục", "0977 444 505", "oanh.vtk@vtv7.demo", 80),
    ("Hà Minh Châu", "Đài Tiếng nói Việt Nam (VOV1)", BROADCAST, "Thời sự", "0977 444 506", "chau.hm@vov.demo", 55),
    ("Dương Thị Lan Hương", "VOV Giao thông", BROADCAST, "Giao thông – học đường", "0977 444 507", "", 600),
    ("Chu Văn Thành", "Thông tấn xã Việt Nam (TTXVN)", CENTRAL_RESIDENT, "Xã hội – giáo dục", "0915 555 601", "thanh.cv@vna.demo", 28),
    ("Lâm Thị Ngân", "Báo Vietnam News", CENTRAL_RESIDENT, "Education (English)", "0915 555 602", "ngan.lt@vietnamnews.demo", 75),
    ("Tô Hoàng Việt", "Cổng Thông tin điện tử Chính phủ", ONLINE, "Chính sách", "0915 555 603", "viet.th@chinhphu.demo", 130),
    ("Nguyễn Phương Linh", "Báo Sinh viên Việt Nam – Hoa Học Trò", CENTRAL_RESIDENT, "Học sinh, sinh viên", "0915 555 604", "linh.np@svvn.demo", 450),
    ("Quách Văn Tú", "Báo Đại Đoàn Kết", CENTRAL_RESIDENT, "Giáo dục", "0915 555 605", "tu.qv@daidoanket.demo", 95),
]


def create_demo_contacts():
    department = find_by_code("ha-noi")
    if department is None or db.session.scalar(
            select(func.count(Contact.id)).where(Contact.department_id == department.id)):
        return
    t = now()
    for name, outlet, kind, beat, phones, email, days in DEMO_CONTACTS:
        service.create_contact(department=department, full_name=name, outlet=outlet, outlet_type=kind, beat=beat,
                               phones=phones, email=email, last_verified_at=t - timedelta(days=days))
    db.session.flush()
