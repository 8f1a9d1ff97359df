"""Demo press inquiries: about thirty for Hà Nội over recent months, in every state, and two for TP HCM."""
from datetime import timedelta

from sqlalchemy import select

from ..models import acting_as
from ..clock import now
from ..contacts.models import Contact
from ..departments.service import find_by_code
from ..extensions import db
from ..statements.service import statements_of
from ..users.service import find_by_email
from . import grounds, service, workflow
from .models import Inquiry, RefusalGround

JOURNALISTS = [
    ("Nguyễn Thu Trang", "Báo Giáo dục và Thời đại", "ministry"),
    ("Trần Minh Đức", "VnExpress", "online"),
    ("Lê Hoàng Anh", "Báo Tuổi Trẻ (thường trú Hà Nội)", "central_resident"),
    ("Phạm Ngọc Bích", "Báo và Phát thanh, Truyền hình Hà Nội", "provincial"),
    ("Đặng Quốc Việt", "Báo và Phát thanh, Truyền hình Hà Nội", "broadcast"),
    ("Hoàng Thị Yến", "Báo Dân trí", "online"),
    ("Vũ Đình Khoa", "Báo Thanh Niên (thường trú Hà Nội)", "central_resident"),
]

SUBJECTS = [
    ("Tuyển sinh lớp 10 công lập năm học 2026-2027", "Sở có điều chỉnh chỉ tiêu tuyển sinh lớp 10 không? Khi nào công bố điểm chuẩn?"),
    ("Thu phí đầu năm học tại trường tiểu học", "Phụ huynh phản ánh khoản thu quỹ lớp vượt quy định. Sở đã kiểm tra chưa?"),
    ("Thiếu giáo viên tiếng Anh ở ngoại thành", "Số giáo viên còn thiếu là bao nhiêu? Giải pháp của Sở?"),
    ("Lịch thi tốt nghiệp THPT 2026", "Xin xác nhận lịch thi, số điểm thi và số thí sinh tại Hà Nội."),
    ("An toàn thực phẩm bếp ăn bán trú", "Vụ ngộ độc tại trường mầm non: bao nhiêu trẻ phải nhập viện? Sở xử lý thế nào?"),
    ("Dạy thêm, học thêm theo Thông tư 29", "Sở đã kiểm tra việc dạy thêm ngoài nhà trường chưa? Có trường hợp vi phạm nào?"),
    ("Sách giáo khoa lớp 1 mới", "Giá sách giáo khoa năm nay tăng bao nhiêu? Có hỗ trợ học sinh khó khăn không?"),
    ("Bạo lực học đường tại trường THCS", "Clip học sinh đánh nhau lan truyền trên mạng: Sở đã xác minh chưa?"),
    ("Chuyển đổi số trong quản lý trường học", "Tiến độ triển khai học bạ số ở Hà Nội đến đâu?"),
    ("Kỳ thi chọn học sinh giỏi thành phố", "Kết quả và số giải của Hà Nội năm nay?"),
]

ANSWERS = [
    "Sở GDĐT Hà Nội giữ ổn định chỉ tiêu tuyển sinh lớp 10 công lập; điểm chuẩn dự kiến công bố trong tháng 7/2026 "
    "trên cổng thông tin của Sở.",
    "Sở đã phối hợp UBND phường (Phòng Văn hóa - Xã hội) kiểm tra; các khoản thu ngoài quy định đã được dừng và "
    "hoàn trả cho phụ huynh.",
    "Thành phố còn thiếu khoảng 300 giáo viên tiếng Anh ở các xã ngoại thành; Sở đang phối hợp với Sở Nội vụ "
    "tuyển dụng bổ sung và hợp đồng giáo viên.",
    "Kỳ thi tốt nghiệp THPT 2026 diễn ra ngày 11-12/6/2026; Hà Nội có hơn 120.000 thí sinh dự thi.",
]


def create_demo():
    hanoi = find_by_code("ha-noi")
    hcm = find_by_code("ho-chi-minh")
    officer = find_by_email("truyenthong@hanoi.demo")
    spokesperson = find_by_email("phatngon@hanoi.demo")
    if hanoi is None or officer is None or spokesperson is None:
        return
    if db.session.scalar(select(Inquiry.id).where(Inquiry.department_id == hanoi.id).limit(1)):
        return
    grounds.seed_refusal_grounds()
    ground = db.session.scalar(select(RefusalGround).where(RefusalGround.key == "ongoing_investigation"))
    t = now()
    plan = ["answered"] * 10 + ["declined"] * 3 + ["referred_to_ministry"] * 2 + ["awaiting_approval"] * 3 + \
           ["drafting"] * 4 + ["assigned"] * 4 + ["received"] * 4
    with acting_as(officer):
        journalists = _journalists(hanoi)
        for n, final in enumerate(plan):
            contact = journalists[n % len(journalists)]
            subject, questions = SUBJECTS[n % len(SUBJECTS)]
            open_state = final in ("received", "assigned", "drafting", "awaiting_approval")
            # closed ones spread over the last four months; open ones recent, some already overdue
            received = t - (timedelta(hours=1 + 4 * (n - 15)) if open_state else timedelta(days=4 + 4 * n, hours=n % 7))
            deadline = received + timedelta(hours=8) if n % 3 == 0 else None
            inquiry = service.create_inquiry(
                user=officer, department=hanoi, subject=subject, channel=("phone", "email", "social_media")[n % 3],
                received_at=received, contact_id=contact.id, questions=questions, deadline=deadline, priority=("normal", "high", "normal", "urgent")[n % 4],
                source="form")
            _walk(inquiry, final, officer, spokesperson, ground, n)
    if hcm is not None:
        hcm_officer = find_by_email("truyenthong@hcm.demo")
        if hcm_officer is not None:
            with acting_as(hcm_officer):
                for n, (subject, questions) in enumerate(SUBJECTS[:2]):
                    service.create_inquiry(user=hcm_officer, department=hcm, subject=subject, channel="phone",
                                           received_at=t - timedelta(hours=5 + 30 * n),
                                           journalist_name="Lâm Gia Huy", outlet="Báo Người Lao Động",
                                           outlet_type="central_resident", questions=questions)
    db.session.flush()


def _journalists(department):
    """The Department's own press contacts when it has some (the contacts demo), else a few of ours, once each."""
    existing = db.session.scalars(select(Contact).where(Contact.department_id == department.id,
                                                        Contact.archived.is_(False)).order_by(Contact.id)).all()
    if existing:
        return existing
    return [service.create_contact(department=department, full_name=name, outlet=outlet, outlet_type=outlet_type)
            for name, outlet, outlet_type in JOURNALISTS]


def _walk(inquiry, final, officer, spokesperson, ground, n):
    order = ["assigned", "drafting", "awaiting_approval", "answered"]
    if final == "received":
        return
    if final == "declined":
        workflow.transition(inquiry=inquiry, user=officer, to="declined", reason="Vụ việc đang được thanh tra, "
                            "Sở sẽ thông tin khi có kết luận.", refusal_ground_id=ground.id)
    elif final == "referred_to_ministry":
        workflow.transition(inquiry=inquiry, user=officer, to="referred_to_ministry",
                            note="Nội dung thuộc thẩm quyền của Bộ GDĐT (quy chế thi).")
    else:
        for step in order[:order.index(final) + 1]:
            kwargs = {}
            if step == "assigned":
                kwargs["assignee"] = officer
            if step == "awaiting_approval":
                kwargs["answer_text"] = ANSWERS[n % len(ANSWERS)]
            workflow.transition(inquiry=inquiry, user=spokesperson if step == "answered" else officer, to=step,
                                **kwargs)
    if not inquiry.is_open:
        # Closed in the past: answered within a realistic time (most on time, some late).
        closed = inquiry.received_at + timedelta(hours=(5, 20, 30, 3)[n % 4])
        inquiry.closed_at = closed
        if final == "answered":
            inquiry.answered_at = inquiry.approved_at = closed
            for statement in statements_of("inquiry", inquiry.id):
                statement.published_at = closed
        for e in inquiry.events[1:]:
            e.at = closed
