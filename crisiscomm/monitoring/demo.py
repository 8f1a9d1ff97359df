"""Demo: a month of press mentions of Hà Nội and TP Hồ Chí Minh, triaged the way a desk would, the newest still new."""
from datetime import timedelta

from sqlalchemy import func, select

from ..clock import now
from ..departments.service import find_by_code
from ..extensions import db
from ..text import fold
from .matching import build_matcher
from .models import HANDLED, IGNORED, NEW, SEEN, Mention, Sighting
from .settings import generate_all

OUTLETS = [("VnExpress", "https://vnexpress.net/giao-duc/"), ("Báo Tuổi Trẻ", "https://tuoitre.vn/giao-duc/"),
           ("Báo Thanh Niên", "https://thanhnien.vn/giao-duc/"), ("Báo Dân trí", "https://dantri.com.vn/giao-duc/"),
           ("Báo Giáo dục và Thời đại", "https://giaoducthoidai.vn/"), ("Báo Hànộimới", "https://hanoimoi.vn/"),
           ("Báo Người Lao Động", "https://nld.com.vn/giao-duc-khoa-hoc/"),
           ("Nhóm Facebook Phụ huynh Hà Nội", "https://www.facebook.com/groups/phuhuynhhanoi/posts/")]

# (department, title, excerpt, tone once triaged)
ITEMS = [
    ("ha-noi", "Hà Nội công bố chỉ tiêu tuyển sinh lớp 10 công lập năm học 2026-2027",
     "Sở GDĐT Hà Nội cho biết năm nay thành phố tuyển khoảng 80.000 học sinh vào lớp 10 công lập.", "neutral"),
    ("ha-noi", "Phụ huynh phản ánh lạm thu đầu năm tại một trường tiểu học ở Hà Nội",
     "Nhiều khoản thu ngoài quy định được phụ huynh đăng tải lên mạng xã hội, Sở GDĐT Hà Nội đã yêu cầu kiểm tra.",
     "negative"),
    ("ha-noi", "Học sinh Hà Nội giành 4 huy chương vàng Olympic Vật lí quốc tế",
     "Đoàn học sinh Hà Nội đạt thành tích cao nhất từ trước đến nay.", "positive"),
    ("ha-noi", "Thông tin lộ đề thi vào lớp 10 ở Hà Nội là sai sự thật",
     "Sở GDĐT Hà Nội khẳng định hình ảnh lan truyền trên mạng không phải đề thi chính thức.", "false_information"),
    ("ha-noi", "Nghi ngộ độc thực phẩm sau bữa trưa bán trú tại trường tiểu học ở Hà Nội",
     "Hơn 20 học sinh có biểu hiện đau bụng, nôn sau bữa trưa; ngành y tế đã lấy mẫu xét nghiệm.", "negative"),
    ("ha-noi", "Giám đốc Sở GDĐT Hà Nội Nguyễn Văn Hùng đối thoại với phụ huynh về học phí",
     "Buổi đối thoại trực tuyến thu hút hàng nghìn lượt xem.", "neutral"),
    ("ha-noi", "Clip bạo lực học đường tại một trường THCS ở Hà Nội gây bức xúc",
     "Đoạn video ghi lại cảnh nữ sinh bị đánh hội đồng được chia sẻ trên TikTok.", "negative"),
    ("ha-noi", "Hà Nội triển khai sách giáo khoa điện tử cho học sinh lớp 1",
     "Sở GDĐT Hà Nội thí điểm tại 30 trường.", "positive"),
    ("ho-chi-minh", "TP Hồ Chí Minh điều chỉnh lịch thi tuyển sinh lớp 10",
     "Sở GDĐT TP Hồ Chí Minh thông báo lịch thi mới để tránh trùng kỳ nghỉ.", "neutral"),
    ("ho-chi-minh", "Phụ huynh Bình Dương lo lắng vì thiếu chỗ học lớp 6",
     "Từ sau sáp nhập, học sinh Bình Dương nộp hồ sơ theo hướng dẫn của Sở GDĐT TP Hồ Chí Minh.", "negative"),
    ("ho-chi-minh", "Học sinh Bà Rịa - Vũng Tàu đuối nước khi đi dã ngoại",
     "Nhà trường và chính quyền địa phương đang làm rõ trách nhiệm.", "negative"),
    ("ho-chi-minh", "TPHCM khen thưởng giáo viên cứu học sinh khỏi đám cháy",
     "Cô giáo đã kịp thời sơ tán 30 học sinh.", "positive"),
]


def create_demo():
    generate_all()  # the demo directors and spokespersons now exist: their names become terms
    if db.session.scalar(select(func.count()).select_from(Mention)):
        return
    matcher = build_matcher()
    t = now()
    n = 0
    for day in range(30, -1, -1):
        for k in range(2 if day % 3 else 3):
            department_code, title, excerpt, tone = ITEMS[n % len(ITEMS)]
            n += 1
            department = find_by_code(department_code)
            if department is None:
                continue
            outlet, base = OUTLETS[(n * 7) % len(OUTLETS)]
            at = t - timedelta(days=day, hours=3 + 5 * k, minutes=(n * 13) % 60)
            if at > t:
                continue
            _found, crisis, severity = matcher.match(f"{title} {excerpt}")
            state = NEW if day <= 1 else (IGNORED if tone == "neutral" and n % 4 == 0 else
                                          HANDLED if tone in ("negative", "false_information") else SEEN)
            mention = Mention(department_id=department.id, title=title, title_key=fold(title), outlet=outlet,
                              link=f"{base}bai-{n}.html", guid=f"{base}bai-{n}.html", excerpt=excerpt,
                              published_at=at, created_at=at, source="manual" if "facebook" in base else "feed",
                              terms=sorted(set(crisis) | {department.province}), severity=severity, state=state,
                              tone=None if state == NEW else tone, alerted_at=at if severity == "high" else None,
                              note="Đã báo cáo lãnh đạo Sở." if state == HANDLED else "")
            mention.sightings.append(Sighting(source=mention.source, url=mention.link, guid=mention.guid,
                                              outlet=outlet, seen_at=at))
            if n % 5 == 0:  # picked up by a second outlet
                other, other_base = OUTLETS[(n * 3 + 1) % len(OUTLETS)]
                mention.sightings.append(Sighting(source="feed", url=f"{other_base}lai-{n}.html", outlet=other,
                                                  seen_at=at + timedelta(hours=2)))
            db.session.add(mention)
    db.session.flush()
