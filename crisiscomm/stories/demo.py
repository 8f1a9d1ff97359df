"""Demo: good stories of Hà Nội and TP Hồ Chí Minh at every step, with consent, photos and coverage."""
import io
from datetime import timedelta

from ..clock import local_today
from ..departments.service import find_by_code
from ..models import acting_as
from ..users.service import find_by_email
from . import service

STORIES = [
    # (department, owner, title, summary, body, unit, commune, topics, people, final state, coverage, featured)
    ("ha-noi", "truyenthong@hanoi.demo",
     "Cô giáo 20 năm dạy chữ cho trẻ khuyết tật ở Ba Vì",
     "Cô Nguyễn Thị Thu Hằng, giáo viên Trường Tiểu học Ba Trại A, hai mươi năm đến tận nhà dạy chữ cho học sinh "
     "khuyết tật không thể đến lớp. Nhiều em đã đọc thông viết thạo và học tiếp lên trung học cơ sở.",
     "Mỗi chiều thứ Ba và thứ Năm, cô **Nguyễn Thị Thu Hằng** đạp xe hơn 10 km đến nhà các học sinh khuyết tật.\n\n"
     "- 14 học sinh đã hoàn thành chương trình tiểu học\n- 3 em đang học trung học cơ sở\n\n"
     "Phòng GDĐT đã xác minh qua hồ sơ học sinh và trao đổi với Ban giám hiệu.",
     "Trường Tiểu học Ba Trại A", "Xã Ba Trại", ["difficult_circumstances", "teaching_excellence",
                                                  "inclusive_education"],
     [("Nguyễn Thị Thu Hằng", "teacher", "Trường Tiểu học Ba Trại A", "Giáo viên chủ nhiệm", False,
       ("Nguyễn Thị Thu Hằng", "self", ["name", "photo", "school"]))],
     "published", [("Báo Giáo dục và Thời đại", "https://giaoducthoidai.vn/co-giao-ba-vi-day-chu-tre-khuyet-tat.html", 12)],
     True),
    ("ha-noi", "truyenthong@hanoi.demo",
     "Học sinh lớp 9 sáng chế máy lọc nước mưa cho trường vùng cao",
     "Nhóm học sinh Trường THCS Sơn Đà chế tạo máy lọc nước mưa giá 2 triệu đồng, đạt giải Nhất cuộc thi Khoa học "
     "kỹ thuật cấp thành phố và đã lắp cho hai điểm trường vùng cao.",
     "Máy lọc dùng vật liệu sẵn có: cát, than hoạt tính và đèn UV. Thầy hướng dẫn là **Lê Văn Khải**.",
     "Trường THCS Sơn Đà", "Xã Cổ Đô", ["innovation", "digital_transformation"],
     [("Lê Văn Khải", "teacher", "Trường THCS Sơn Đà", "Vật lí", False,
       ("Lê Văn Khải", "self", ["name", "photo", "school"])),
      ("Phạm Minh Đức", "student", "Trường THCS Sơn Đà", "Lớp 9A", True,
       ("Phạm Văn Tài", "parent", ["name", "photo", "school"]))],
     "approved", [], False),
    ("ha-noi", "phatngon@hanoi.demo",
     "Đội tình nguyện “Tiếp sức mùa thi” của Trường THPT Kim Liên",
     "120 học sinh và giáo viên Trường THPT Kim Liên đưa đón thí sinh, phát nước miễn phí tại 6 điểm thi trong hai "
     "ngày thi tốt nghiệp THPT, hỗ trợ hơn 3.000 thí sinh và phụ huynh.",
     "Đội tình nguyện do Đoàn trường tổ chức phối hợp với Công an phường.",
     "Trường THPT Kim Liên", "Phường Kim Liên", ["volunteering", "exam"],
     [("Trần Thu Trang", "school_leader", "Trường THPT Kim Liên", "Bí thư Đoàn trường", False,
       ("Trần Thu Trang", "self", ["name", "school"]))],
     "verified", [], False),
    ("ha-noi", "truyenthong@hanoi.demo",
     "Em Hoàng Gia Bảo vượt khó đạt thủ khoa khối A00",
     "Mồ côi cha từ nhỏ, em Hoàng Gia Bảo vừa phụ mẹ bán hàng vừa tự học, đạt 29,5 điểm khối A00 trong kỳ thi tốt "
     "nghiệp THPT.",
     "Câu chuyện đang chờ phụ huynh ký phiếu đồng ý.",
     "Trường THPT Mỹ Đức A", "Xã Mỹ Đức", ["exam", "difficult_circumstances"],
     [("Hoàng Gia Bảo", "student", "Trường THPT Mỹ Đức A", "Lớp 12A1", False, None)],
     "proposed", [], False),
    ("ho-chi-minh", "truyenthong@hcm.demo",
     "Thư viện số mở cửa 24/7 cho học sinh ngoại thành",
     "Trường THCS Bình Chánh đưa vào sử dụng thư viện số với 12.000 đầu sách, học sinh mượn sách bằng mã QR và đọc "
     "miễn phí trên điện thoại, kể cả trong kỳ nghỉ hè.",
     "Thư viện do phụ huynh và doanh nghiệp địa phương cùng đóng góp.",
     "Trường THCS Bình Chánh", "Xã Bình Chánh", ["digital_transformation", "innovation"],
     [("Võ Thị Mỹ Linh", "staff", "Trường THCS Bình Chánh", "Nhân viên thư viện", False,
       ("Võ Thị Mỹ Linh", "self", ["name", "photo", "school"]))],
     "published", [("Báo Tuổi Trẻ", "https://tuoitre.vn/thu-vien-so-binh-chanh.htm", 5)], False),
]


def _photo(color, caption):
    """A placeholder picture: the colour fading to light, a school building's outline and the caption."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (960, 640), color)
    draw = ImageDraw.Draw(img)
    for y in range(640):
        t = y / 640
        draw.line([(0, y), (960, y)], fill=tuple(int(c + (255 - c) * t * 0.7) for c in color))
    draw.rectangle([280, 260, 680, 520], outline="white", width=6)
    draw.polygon([(260, 260), (480, 140), (700, 260)], outline="white", width=6)
    draw.rectangle([450, 400, 510, 520], fill="white")
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 34)
    except OSError:  # no DejaVu on this machine: Pillow's own font
        font = ImageFont.load_default()
    draw.text((40, 570), caption, fill="white", font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def create_demo():
    today = local_today()
    colors = [(46, 125, 50), (21, 101, 192), (198, 40, 40), (106, 27, 154), (239, 108, 0)]
    for i, (code, owner_email, title, summary, body, unit, commune, topics, people, final, coverage, featured) in \
            enumerate(STORIES):
        department, owner = find_by_code(code), find_by_email(owner_email)
        approver = find_by_email("phatngon@hanoi.demo" if code == "ha-noi" else "giamdoc@hcm.demo")
        ministry = find_by_email("truyenthong@moet.demo")
        if department is None or owner is None:
            continue
        with acting_as(owner):
            story = service.create_story(department=department, user=owner, title=title, summary=summary, body=body,
                                         unit=unit, commune=commune, topics=topics, story_date=today - timedelta(days=30 + i),
                                         proposed_by_name=f"Phòng GDĐT, {unit}")
            for name, role, school, klass, under_16, consent in people:
                person = service.add_person(story=story, user=owner, name=name, role=role, school=school,
                                            class_or_subject=klass, under_16=under_16)
                if consent:
                    service.record_consent(person=person, user=owner, given_by=consent[0], given_as=consent[1],
                                           scope=consent[2], consented_on=today - timedelta(days=20))
            if people and people[0][5] and "photo" in people[0][5][2]:
                service.add_photo(story=story, user=owner, data=_photo(colors[i % len(colors)], unit),
                                  caption=f"{unit}", person_ids=[story.people[0].id])
        steps = {"proposed": [], "verified": ["verify"], "approved": ["verify", "approve"],
                 "published": ["verify", "approve", "publish"]}[final]
        for step in steps:
            actor = owner if step == "verify" else approver
            with acting_as(actor):
                service.transition(story=story, user=actor, action=step,
                                   note="Đã xác minh với Ban giám hiệu và hồ sơ của trường." if step == "verify" else "")
        for outlet, url, days in coverage:
            with acting_as(owner):
                service.add_coverage(story=story, user=owner, outlet=outlet, url=url,
                                     published_on=today - timedelta(days=days))
        if featured and ministry is not None:
            with acting_as(ministry):
                service.set_featured(story=story, user=ministry)
