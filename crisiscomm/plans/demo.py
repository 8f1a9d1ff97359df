"""Demo: the Ministry's 2025-2026 communication plan and Hà Nội's submitted plan."""
from ..departments.service import find_by_code
from ..users.service import find_by_email
from . import service
from .years import current_school_year

MINISTRY_BODY = """## Mục tiêu
Chủ động cung cấp thông tin chính thống, kịp thời về các chủ trương, chính sách của ngành Giáo dục;
định hướng dư luận, xử lý kịp thời thông tin sai lệch; nâng cao năng lực phát ngôn của các Sở GDĐT.

## Nhiệm vụ trọng tâm
- Truyền thông về **Kỳ thi tốt nghiệp THPT 2026** theo từng mốc: đăng ký dự thi, tổ chức thi, chấm thi, công bố kết quả.
- Truyền thông về chương trình, sách giáo khoa mới và việc thống nhất một bộ sách giáo khoa.
- Truyền thông về an toàn trường học, phòng chống bạo lực học đường.
- Mỗi Sở GDĐT tổ chức họp báo định kỳ ít nhất mỗi quý một lần và cập nhật danh sách người phát ngôn.

## Phân công
Trung tâm Truyền thông giáo dục đầu mối tổng hợp; các Sở GDĐT gửi kế hoạch của đơn vị trước ngày 15/10/2025.
"""

THEMES = ["Kỳ thi tốt nghiệp THPT 2026", "Chương trình, sách giáo khoa mới", "An toàn trường học",
          "Chuyển đổi số trong giáo dục", "Chính sách đối với nhà giáo"]

KEY_DATES = [{"date": "2025-09-05", "label": "Khai giảng năm học 2025-2026"},
             {"date": "2025-10-15", "label": "Hạn gửi kế hoạch truyền thông của Sở GDĐT"},
             {"date": "2025-11-20", "label": "Ngày Nhà giáo Việt Nam"},
             {"date": "2026-04-01", "label": "Đăng ký dự thi tốt nghiệp THPT"},
             {"date": "2026-06-11", "label": "Kỳ thi tốt nghiệp THPT 2026"},
             {"date": "2026-07-15", "label": "Phát hành sách giáo khoa mới năm học 2026-2027"}]

HANOI_BODY = """## Mục tiêu
Thông tin kịp thời, chính xác về hoạt động của ngành Giáo dục Thủ đô; không để bị động trước thông tin sai lệch
trong mùa thi.

## Hoạt động
- Họp báo định kỳ hằng quý tại Sở; họp báo chuyên đề trước Kỳ thi tốt nghiệp THPT 2026.
- Cập nhật danh bạ phóng viên thường trú, rà soát mỗi 6 tháng.
- Diễn tập xử lý tình huống lộ đề thi trước ngày thi 2 tuần.
"""


def _shift(rows, year):
    """The key dates above, moved into ``year`` (they are written for 2025-2026)."""
    offset = int(year[:4]) - 2025
    return [{"date": f"{int(r['date'][:4]) + offset}{r['date'][4:]}", "label": r["label"].replace(
        "2026-2027", f"{2026 + offset}-{2027 + offset}").replace("2025-2026", year).replace(
        "THPT 2026", f"THPT {2026 + offset}")} for r in rows]


def create_demo():
    year = current_school_year()
    admin = find_by_email("admin@moet.demo")
    if admin is None or service.get_ministry_plan(year) is not None:
        return
    service.publish_ministry_plan(school_year=year, title=f"Kế hoạch truyền thông năm học {year} của Bộ GDĐT",
                                  body=MINISTRY_BODY, themes=THEMES, key_dates=_shift(KEY_DATES, year), user=admin)
    writer = find_by_email("truyenthong@hanoi.demo")
    hanoi = find_by_code("ha-noi")
    if writer is not None and hanoi is not None:
        service.save_department_plan(department=hanoi, school_year=year,
                                     title=f"Kế hoạch truyền thông năm học {year} của Sở GDĐT Hà Nội",
                                     body=HANOI_BODY, themes=THEMES[:3], user=writer, submit=True)
