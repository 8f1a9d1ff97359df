"""Vietnamese vocabulary for `flask demo generate`: names, outlets, inquiry subjects, incident templates.

Fictitious people at real outlets, as in the domains' demo modules (whose outlets and beats are reused here).
Placeholders in templates: {province}, {year}, {sy} (school year), {next_sy}, {school}, {subject}, {grade},
{local_office} and {tuition_answer} (both depend on the date: see LOCAL_OFFICE and TUITION_ANSWER).
"""
import csv
import os

from ..contacts.demo import DEMO_CONTACTS
from ..contacts.models import BROADCAST, CENTRAL_RESIDENT, MINISTRY_LEVEL, ONLINE, PROVINCIAL

# --- people -----------------------------------------------------------------------------------------

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2), ("Phan", 4.5),
            ("Vũ", 2.5), ("Võ", 1.5), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
            ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.8), ("Trương", 0.8), ("Lương", 0.5), ("Mai", 0.5), ("Tạ", 0.3),
            ("Cao", 0.4), ("Lâm", 0.4), ("Hà", 0.5), ("Chu", 0.3), ("Kiều", 0.2), ("Quách", 0.2), ("Tô", 0.3)]
MIDDLE_MALE = ["Văn", "Minh", "Đức", "Quốc", "Hữu", "Thành", "Công", "Anh", "Hoàng", "Quang", "Xuân", "Mạnh",
               "Tuấn", "Trọng", "Ngọc", "Đình"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Phương", "Hồng", "Mai", "Bích", "Kim", "Thùy", "Minh", "Lan",
                 "Thị Thu", "Thị Hồng", "Diệu", "Khánh"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong",
              "Quân", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Hiếu", "Đạt", "Tùng", "Kiên", "Lâm", "Hoàng",
              "Phúc", "Thành", "Vinh", "Khoa", "Nghĩa", "Toàn", "Hưng", "Quang", "Bảo", "Duy"]
GIVEN_FEMALE = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hương", "Lan", "Linh", "Loan", "Mai", "Nga",
                "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Uyên", "Vân", "Yến", "Hiền",
                "Huyền", "Liên", "My", "Nhi", "Tâm", "Thư", "Vy", "Ánh", "Diệp", "Khuê", "Ngân"]
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033", "035", "037",
                   "038", "039", "070", "076", "077", "079", "081", "083", "084", "085"]



def _staffing():
    """Ministry rows (role, accounts, email prefix, title) and Department rows (role, accounts of an active
    Department, of a merged one, email prefix, title) from data/staffing.csv."""
    with open(os.path.join(os.path.dirname(__file__), "data", "staffing.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ministry = [(r["role"], int(r["accounts_active"]), r["email_prefix"], r["title"])
                for r in rows if r["ministry"] == "yes"]
    department = [(r["role"], int(r["accounts_active"]), int(r["accounts_former"]), r["email_prefix"], r["title"])
                  for r in rows if r["ministry"] != "yes"]
    return ministry, department


MINISTRY_STAFF, STAFF = _staffing()
ACCOUNT_ROLES = [row[0] for row in MINISTRY_STAFF + STAFF]  # every role the generator gives an account

# --- outlets ----------------------------------------------------------------------------------------


def _demo_outlets():
    """National outlets of the contacts demo (Hà Nội's local ones left out), with their mail domains."""
    out = {}
    for _name, outlet, kind, _beat, _phones, email, _days in DEMO_CONTACTS:
        if kind == PROVINCIAL or "Hà Nội" in outlet or not email:
            continue
        out.setdefault(outlet, (outlet, kind, email.split("@", 1)[1]))
    return list(out.values())


NATIONAL_OUTLETS = _demo_outlets() + [
    ("Báo Tuổi Trẻ", CENTRAL_RESIDENT, "tuoitre.demo"),
    ("Báo Thanh Niên", CENTRAL_RESIDENT, "thanhnien.demo"),
    ("Báo Người Lao Động", CENTRAL_RESIDENT, "nld.demo"),
    ("Báo Công an nhân dân", CENTRAL_RESIDENT, "cand.demo"),
    ("Báo Phụ nữ Việt Nam", CENTRAL_RESIDENT, "phunuvietnam.demo"),
    ("Báo điện tử VTC News", ONLINE, "vtcnews.demo"),
    ("Báo điện tử Vietnamplus", ONLINE, "vietnamplus.demo"),
    ("Báo điện tử Giáo dục Việt Nam", ONLINE, "giaoduc.demo"),
    ("Báo điện tử Tiền Phong", ONLINE, "tienphongonline.demo"),
    ("Tạp chí Giáo dục và Xã hội", MINISTRY_LEVEL, "giaoducxahoi.demo"),
]
BEATS = sorted({beat for _n, _o, kind, beat, _p, _e, _d in DEMO_CONTACTS if beat and kind != PROVINCIAL
                and "Hà Nội" not in beat and "English" not in beat} |
               {"Giáo dục mầm non", "Giáo dục nghề nghiệp", "Tuyển sinh đầu cấp", "Học đường", "Thời sự địa phương"})
NOTES = ["Phóng viên thường trú, phụ trách mảng giáo dục.", "Liên hệ qua Zalo ngoài giờ hành chính.",
         "Thường dự họp báo định kỳ của Sở.", "Cộng tác viên, gửi câu hỏi qua email.",
         "Biên tập viên chuyên mục giáo dục."]


def provincial_outlets(province, code, merged=True):
    """A province's own press. In 2025-2026 each province's newspaper and radio-television station were merged into
    one "Báo và Phát thanh, Truyền hình <province>" under the Provincial Party Committee (reported for most
    provinces, confirmed for Hà Nội: Quyết định 1115-QĐ/TU of 30/1/2026); ``merged=False`` gives the names before."""
    slug = code.replace("-", "")
    if merged:
        body = f"Báo và Phát thanh, Truyền hình {province}"
        return [(body, PROVINCIAL, f"bao{slug}.demo"), (body, ONLINE, f"bao{slug}.demo"),
                (body, BROADCAST, f"bao{slug}.demo")]
    return [(f"Báo {province}", PROVINCIAL, f"bao{slug}.demo"),
            (f"Báo {province} điện tử", ONLINE, f"bao{slug}.demo"),
            (f"Đài Phát thanh và Truyền hình {province}", BROADCAST, f"{slug}tv.demo")]


# --- schools, exams ---------------------------------------------------------------------------------

SCHOOL_NAMES = ["Nguyễn Trãi", "Lê Quý Đôn", "Chu Văn An", "Trần Phú", "Nguyễn Du", "Lê Lợi", "Quang Trung",
                "Nguyễn Huệ", "Hùng Vương", "Phan Bội Châu", "Lý Thường Kiệt", "Trần Hưng Đạo", "Nguyễn Bỉnh Khiêm",
                "Võ Thị Sáu", "Kim Đồng", "Lê Hồng Phong", "Ngô Quyền", "Hai Bà Trưng", "Nguyễn Văn Trỗi",
                "Đinh Tiên Hoàng", "Phan Chu Trinh", "Lương Thế Vinh", "Nguyễn Thị Minh Khai", "Hoa Sen", "Sơn Ca"]
SCHOOL_LEVELS = ["Mầm non", "Tiểu học", "Tiểu học", "THCS", "THCS", "THPT"]
EXAM_SUBJECTS = ["Ngữ văn", "Toán", "Tiếng Anh", "Vật lí", "Hóa học", "Sinh học", "Lịch sử", "Địa lí",
                 "Giáo dục kinh tế và pháp luật"]
EXAM_GRADUATION = "Kỳ thi tốt nghiệp THPT năm {year}"
# The structure valid on the generated date: no district level from 1 July 2025 (two-level local government).
LOCAL_OFFICE = {"before": "Phòng GDĐT cấp huyện", "after": "UBND cấp xã (Phòng Văn hóa - Xã hội)"}
# Public-school tuition is exempt nationally from the 2025-2026 school year (Resolution of the National Assembly of
# 26/6/2025); before, exemptions followed the provincial People's Council's resolution.
TUITION_FREE_FROM_SY = 2025
TUITION_ANSWER = {
    "before": "Học sinh thuộc diện được miễn, giảm học phí theo nghị quyết của HĐND tỉnh; các trường đã thu sẽ hoàn "
              "trả trong học kỳ I.",
    "after": "Từ năm học 2025-2026, học sinh trường công lập được miễn học phí theo Nghị quyết của Quốc hội; học sinh "
             "trường dân lập, tư thục được hỗ trợ học phí theo mức HĐND tỉnh quy định. Khoản đã thu sẽ được hoàn trả "
             "trong học kỳ I."}
EXAM_GRADE10 = "Kỳ thi tuyển sinh vào lớp 10 năm học {next_sy}"
EXAM_GIFTED = "Kỳ thi chọn học sinh giỏi cấp tỉnh năm học {sy}"

# --- press inquiries --------------------------------------------------------------------------------

# (subject, questions, approved answer, months when it is asked most)
INQUIRY_TOPICS = [
    ("Tuyển sinh lớp 10 công lập năm học {next_sy}",
     "Sở có điều chỉnh chỉ tiêu tuyển sinh lớp 10 không? Khi nào công bố điểm chuẩn?",
     "Sở GDĐT {province} giữ ổn định chỉ tiêu tuyển sinh lớp 10 công lập; điểm chuẩn dự kiến công bố trong tháng 7 "
     "trên cổng thông tin điện tử của Sở.", (3, 4, 5, 6, 7)),
    ("Các khoản thu đầu năm học {sy}",
     "Phụ huynh phản ánh khoản thu quỹ lớp, quỹ trường vượt quy định tại {school}. Sở đã kiểm tra chưa?",
     "Sở đã chỉ đạo kiểm tra; các khoản thu không đúng quy định đã được dừng và hoàn trả cho phụ huynh.", (8, 9, 10)),
    ("Thiếu giáo viên năm học {sy}",
     "Toàn tỉnh còn thiếu bao nhiêu giáo viên, tập trung ở môn nào? Giải pháp của Sở?",
     "Sở GDĐT {province} đang phối hợp với Sở Nội vụ tuyển dụng bổ sung và hợp đồng giáo viên; ưu tiên các môn "
     "Tiếng Anh, Tin học, Nghệ thuật.", (7, 8, 9)),
    ("Kỳ thi tốt nghiệp THPT năm {year} tại {province}",
     "Xin xác nhận số thí sinh, số điểm thi và phương án bảo đảm an toàn kỳ thi.",
     "Kỳ thi tốt nghiệp THPT năm {year} tại {province} được tổ chức đúng quy chế; Sở đã bố trí đủ điểm thi, lực lượng "
     "công an và y tế hỗ trợ tại từng điểm thi.", (4, 5, 6)),
    ("Ngộ độc thực phẩm tại bếp ăn bán trú {school}",
     "Bao nhiêu học sinh phải nhập viện? Nguồn cung cấp thực phẩm? Sở xử lý thế nào?",
     "Các học sinh đã được điều trị kịp thời, sức khỏe ổn định; Sở đã yêu cầu tạm dừng bếp ăn và phối hợp với cơ quan "
     "y tế xác định nguyên nhân.", (3, 4, 5, 9, 10, 11)),
    ("Dạy thêm, học thêm ngoài nhà trường",
     "Sở đã kiểm tra việc dạy thêm, học thêm chưa? Có trường hợp vi phạm nào bị xử lý?",
     "Sở đã thành lập đoàn kiểm tra liên ngành; các trường hợp vi phạm được xử lý theo quy định và công khai trên cổng "
     "thông tin của Sở.", (2, 3, 9, 10)),
    ("Giá sách giáo khoa năm học {next_sy}",
     "Giá sách giáo khoa năm nay tăng bao nhiêu? Có hỗ trợ học sinh có hoàn cảnh khó khăn không?",
     "Sở đã chỉ đạo các trường bảo đảm đủ sách giáo khoa trước năm học mới; học sinh có hoàn cảnh khó khăn được mượn "
     "sách từ tủ sách dùng chung của nhà trường.", (6, 7, 8)),
    ("Bạo lực học đường tại {school}",
     "Clip học sinh đánh nhau lan truyền trên mạng: Sở đã xác minh chưa? Hình thức xử lý?",
     "Sở đã yêu cầu nhà trường xác minh, làm việc với gia đình các em; các em học sinh liên quan được tư vấn tâm lý, "
     "hỗ trợ kịp thời.", (3, 4, 10, 11, 12)),
    ("Chuyển đổi số, học bạ số",
     "Tiến độ triển khai học bạ số và sổ điểm điện tử tại {province} đến đâu?",
     "Đến nay toàn bộ trường THPT và phần lớn trường THCS của {province} đã triển khai học bạ số; Sở tiếp tục tập huấn "
     "cho giáo viên.", (1, 2, 3, 10, 11)),
    ("Kỳ thi chọn học sinh giỏi cấp tỉnh năm học {sy}",
     "Kết quả và số giải của {province} năm nay? Có điều chỉnh cách tổ chức không?",
     "Kỳ thi chọn học sinh giỏi cấp tỉnh năm học {sy} đã diễn ra an toàn; kết quả được công bố trên cổng thông tin "
     "điện tử của Sở.", (1, 2, 3, 12)),
    ("Lịch nghỉ Tết Nguyên đán của học sinh",
     "Học sinh {province} được nghỉ Tết bao nhiêu ngày? Có trùng với lịch của tỉnh lân cận không?",
     "Học sinh {province} nghỉ Tết Nguyên đán theo khung kế hoạch thời gian năm học đã được phê duyệt; Sở đã có văn "
     "bản hướng dẫn các trường.", (12, 1, 2)),
    ("Tuyển sinh đầu cấp trực tuyến",
     "Hệ thống tuyển sinh trực tuyến lớp 1, lớp 6 có bị quá tải không? Phụ huynh cần lưu ý gì?",
     "Sở đã nâng cấp hệ thống, bố trí tổ hỗ trợ kỹ thuật trong suốt thời gian đăng ký; phụ huynh có thể đăng ký trực "
     "tiếp tại trường nếu gặp khó khăn.", (5, 6, 7)),
    ("Sắp xếp, sáp nhập điểm trường lẻ",
     "Sở có kế hoạch sáp nhập các điểm trường lẻ không? Học sinh có phải đi học xa hơn?",
     "Việc sắp xếp điểm trường được thực hiện theo lộ trình, bảo đảm quyền lợi học tập của học sinh; các điểm trường "
     "ở vùng khó khăn vẫn được duy trì.", (4, 5, 6, 7, 8)),
    ("An toàn giao thông cho học sinh",
     "Tình trạng học sinh chưa đủ tuổi đi xe máy điện đến trường: Sở có biện pháp gì?",
     "Sở đã phối hợp với Công an tỉnh tuyên truyền, yêu cầu nhà trường ký cam kết với phụ huynh và không cho học sinh "
     "chưa đủ tuổi đi xe máy đến trường.", (9, 10, 11)),
    ("Chế độ, chính sách đối với giáo viên",
     "Việc chi trả phụ cấp ưu đãi và tiền lương tăng thêm cho giáo viên đã thực hiện chưa?",
     "Các khoản phụ cấp được chi trả đầy đủ theo quy định; Sở đã đề nghị bố trí kinh phí cho các khoản còn chậm.",
     (1, 5, 11)),
    ("Ngày Nhà giáo Việt Nam 20/11",
     "Sở có chỉ đạo gì về việc không tổ chức quà tặng, phong bì dịp 20/11?",
     "Sở đã ban hành văn bản hướng dẫn các trường tổ chức các hoạt động tri ân nhà giáo thiết thực, tiết kiệm, không "
     "phô trương hình thức.", (10, 11)),
    ("Trường học bị ảnh hưởng bởi mưa lũ",
     "Bao nhiêu trường phải cho học sinh nghỉ học? Kế hoạch khắc phục và dạy bù?",
     "Sở đã cho học sinh các vùng bị ảnh hưởng nghỉ học để bảo đảm an toàn; các trường sẽ dạy bù theo kế hoạch và hỗ "
     "trợ học sinh bị thiệt hại.", (8, 9, 10, 11)),
    ("Phòng học xuống cấp tại {school}",
     "Phản ánh phòng học xuống cấp, nguy hiểm: Sở đã kiểm tra chưa?",
     "Sở đã kiểm tra hiện trường, yêu cầu dừng sử dụng các phòng học không bảo đảm an toàn và đề xuất kinh phí sửa "
     "chữa trước năm học mới.", (5, 6, 7, 8)),
    ("Chương trình giáo dục phổ thông mới ở lớp {grade}",
     "Việc triển khai chương trình mới gặp những khó khăn gì? Giáo viên đã được tập huấn đầy đủ chưa?",
     "Sở đã tập huấn đầy đủ cho giáo viên, bảo đảm sách giáo khoa và thiết bị dạy học tối thiểu; các khó khăn được "
     "tổng hợp báo cáo Bộ GDĐT.", (8, 9, 10)),
    ("Tiếng Anh là ngôn ngữ thứ hai trong trường học",
     "Lộ trình đưa tiếng Anh thành ngôn ngữ thứ hai tại {province} thế nào?",
     "Sở đang xây dựng kế hoạch theo hướng dẫn của Bộ GDĐT, ưu tiên bồi dưỡng giáo viên và tăng thời lượng học tiếng "
     "Anh ở các trường đủ điều kiện.", (1, 2, 3, 4, 9, 10)),
    ("Miễn, giảm học phí năm học {sy}",
     "Học sinh nào được miễn học phí? Khi nào phụ huynh được hoàn lại khoản đã nộp?",
     "{tuition_answer}", (8, 9, 10)),
    ("Tin đồn lộ đề thi trên mạng xã hội",
     "Thông tin lộ đề thi môn {subject} lan truyền trên mạng có chính xác không?",
     "Sở đã tiếp nhận thông tin, báo cáo Ban Chỉ đạo thi và đang cùng cơ quan công an đối chiếu nội dung lan truyền "
     "với đề thi; kết quả xác minh sẽ được công bố ngay khi có. Đề nghị không chia sẻ nội dung chưa được kiểm chứng, "
     "chỉ sử dụng thông tin chính thức của ngành giáo dục.", (5, 6, 12)),
    ("Lộ thông tin cá nhân học sinh",
     "Dữ liệu học sinh bị lộ từ phần mềm quản lý trường học? Sở đã làm việc với đơn vị cung cấp chưa?",
     "Sở đã yêu cầu đơn vị cung cấp phần mềm rà soát, khắc phục lỗ hổng và phối hợp với cơ quan công an xác minh; "
     "phụ huynh được khuyến cáo cảnh giác với cuộc gọi lừa đảo.", (3, 8, 9, 10)),
    ("Kết quả kỳ thi tốt nghiệp THPT năm {year}",
     "Tỷ lệ tốt nghiệp của {province} năm nay? Có bao nhiêu bài thi bị điểm liệt?",
     "Tỷ lệ tốt nghiệp THPT năm {year} của {province} đạt trên 99%; Sở sẽ công bố số liệu chi tiết sau khi kết quả "
     "được phê duyệt.", (7, 8)),
]
INCIDENT_QUESTIONS = "Đề nghị Sở cho biết diễn biến, nguyên nhân và hướng xử lý vụ việc. Đã có ai bị xử lý chưa?"
INCIDENT_ANSWER = ("Sở GDĐT {province} đã chỉ đạo xác minh, xử lý vụ việc và sẽ thông tin kết quả đến báo chí, "
                   "phụ huynh ngay khi có kết luận.")
RETURN_NOTES = ["Bổ sung số liệu cụ thể và thời gian hoàn thành.", "Rút gọn, bỏ phần chưa được xác minh.",
                "Nêu rõ trách nhiệm của nhà trường và biện pháp khắc phục.", "Thống nhất số liệu với Phòng Kế hoạch "
                "- Tài chính trước khi gửi."]
DECLINE_REASONS = {
    "state_secret": "Nội dung thuộc danh mục bí mật nhà nước của ngành.",
    "ongoing_investigation": "Vụ việc đang được thanh tra, Sở sẽ thông tin khi có kết luận.",
    "exam_confidential": "Đề thi dự bị và đáp án chưa được công bố theo quy chế thi.",
    "minor_privacy": "Câu hỏi đề nghị cung cấp danh tính, hình ảnh của học sinh chưa thành niên.",
    "personal_privacy": "Thông tin thuộc đời tư của giáo viên liên quan.",
    "not_competent": "Nội dung thuộc thẩm quyền của UBND cấp xã, đề nghị phóng viên liên hệ trực tiếp.",
}
REFER_NOTES = ["Nội dung thuộc thẩm quyền của Bộ GDĐT (quy chế thi).",
               "Câu hỏi về chính sách chung của ngành, đề nghị Bộ GDĐT trả lời.",
               "Liên quan đến sách giáo khoa do Bộ GDĐT phê duyệt."]

# --- incidents --------------------------------------------------------------------------------------

CATEGORY_WEIGHTS = {"exam": 12, "school_safety": 25, "health": 15, "misinformation": 15, "finance": 12,
                    "curriculum": 8, "data_protection": 5}
# (category, title, description, severity weights low/medium/high/critical); exam-related: see exam_related
INCIDENT_TABLE = [
    ("exam",
     "Ảnh chụp đề thi môn {subject} xuất hiện trên mạng xã hội trong giờ thi",
     "Khoảng 30 phút sau khi tính giờ làm bài, một tài khoản mạng xã hội đăng ảnh chụp đề thi. Ban Chỉ đạo thi đã "
     "khoanh vùng điểm thi, đang xác minh thí sinh liên quan cùng cơ quan công an.",
     (0, 1, 4, 5)),
    ("exam",
     "Thí sinh mang điện thoại vào phòng thi môn {subject}",
     "Cán bộ coi thi phát hiện thí sinh mang điện thoại vào phòng thi; đã lập biên bản theo quy chế.",
     (3, 5, 2, 0)),
    ("exam",
     "Phát hiện thiết bị công nghệ cao hỗ trợ gian lận tại điểm thi {school}",
     "Thí sinh sử dụng tai nghe siêu nhỏ và camera gắn trên áo; điểm thi đã đình chỉ thí sinh và báo cơ quan công an.",
     (0, 2, 5, 2)),
    ("exam",
     "Sai sót trong đề thi môn {subject} của {exam}",
     "Giáo viên phát hiện một câu hỏi có hai đáp án đúng; Hội đồng ra đề đang rà soát và thống nhất cách chấm.",
     (1, 4, 4, 1)),
    ("exam",
     "Thí sinh bị tai nạn giao thông trên đường đến điểm thi",
     "Thí sinh bị va chạm xe máy, được người dân đưa đi cấp cứu; gia đình đề nghị xét đặc cách.",
     (2, 6, 2, 0)),
    ("exam",
     "Mất điện tại điểm thi {school} trong giờ làm bài",
     "Điểm thi mất điện khoảng 40 phút trong buổi thi; phòng thi vẫn đủ ánh sáng, thí sinh làm bài bình thường.",
     (4, 5, 1, 0)),
    ("exam",
     "Phúc khảo làm thay đổi lớn điểm bài thi môn {subject}",
     "Kết quả phúc khảo tăng nhiều điểm so với chấm lần đầu; phụ huynh đề nghị làm rõ trách nhiệm cán bộ chấm thi.",
     (1, 5, 3, 0)),
    ("misinformation",
     "Tin giả về việc hoãn {exam} lan truyền trên mạng xã hội",
     "Nhiều trang mạng đăng thông tin hoãn thi kèm văn bản giả mạo; phụ huynh, thí sinh hoang mang.",
     (1, 4, 4, 1)),
    ("misinformation",
     "Trang giả mạo Sở GDĐT {province} đăng thông báo tuyển sinh sai sự thật",
     "Trang mạng xã hội dùng tên, logo của Sở đăng thông báo thu phí tuyển sinh; nhiều phụ huynh đã chuyển tiền.",
     (1, 4, 4, 1)),
    ("misinformation",
     "Tin đồn học sinh bị bắt cóc trước cổng {school}",
     "Bài đăng về việc học sinh bị bắt cóc được chia sẻ hàng nghìn lượt; công an xác minh ban đầu là không có.",
     (2, 5, 3, 0)),
    ("misinformation",
     "Bài đăng sai sự thật về các khoản thu tại {school}",
     "Bài đăng nêu nhà trường thu tiền trái quy định; nhà trường khẳng định các khoản thu đã được phê duyệt.",
     (4, 5, 1, 0)),
    ("school_safety",
     "Clip học sinh lớp {grade} bị đánh hội đồng lan truyền trên mạng",
     "Clip dài hơn một phút, đã có hàng trăm nghìn lượt xem; nhà trường đang xác minh và làm việc với phụ huynh.",
     (0, 3, 6, 1)),
    ("school_safety",
     "Sập mái hiên tại {school}",
     "Mái hiên dãy phòng học bị sập sau mưa lớn, không có học sinh bị thương; nhà trường đã phong tỏa khu vực.",
     (1, 4, 4, 1)),
    ("school_safety",
     "Học sinh {school} đuối nước khi đi tắm sông",
     "Nhóm học sinh rủ nhau đi tắm sông sau giờ học, một em bị đuối nước; lực lượng chức năng đang tìm kiếm.",
     (0, 1, 5, 4)),
    ("school_safety",
     "Cây xanh bật gốc trong sân trường {school}",
     "Cây xanh bật gốc trong giờ ra chơi, hai học sinh bị thương nhẹ đã được sơ cứu.",
     (1, 5, 3, 1)),
    ("school_safety",
     "Phụ huynh xông vào lớp hành hung giáo viên tại {school}",
     "Phụ huynh vào lớp xúc phạm, hành hung giáo viên trước mặt học sinh; nhà trường đã báo công an địa phương.",
     (0, 3, 6, 1)),
    ("health",
     "Nhiều học sinh {school} nhập viện nghi ngộ độc thực phẩm",
     "Sau bữa trưa bán trú, nhiều học sinh có biểu hiện đau bụng, nôn; các em đã được đưa đến cơ sở y tế.",
     (0, 2, 6, 2)),
    ("health",
     "Ổ dịch sốt xuất huyết gần {school}",
     "Trung tâm y tế ghi nhận nhiều ca sốt xuất huyết là học sinh của trường; đã phun hóa chất diệt muỗi.",
     (2, 6, 2, 0)),
    ("health",
     "Học sinh tiểu học có biểu hiện bất thường sau khi uống sữa học đường",
     "Một số học sinh buồn nôn, đau bụng sau khi uống sữa; nhà trường tạm dừng cấp sữa, gửi mẫu đi kiểm nghiệm.",
     (1, 5, 4, 0)),
    ("finance",
     "Phụ huynh phản ánh lạm thu đầu năm học tại {school}",
     "Phụ huynh phản ánh danh sách khoản thu đầu năm lên tới hàng chục khoản; {local_office} đang kiểm tra.",
     (3, 6, 1, 0)),
    ("finance",
     "Thu tiền liên kết dạy học ngoài giờ không đúng quy định",
     "Nhà trường ký liên kết dạy kỹ năng sống, thu tiền bắt buộc; phụ huynh phản ánh trên báo.",
     (3, 5, 2, 0)),
    ("curriculum",
     "Tranh cãi về nội dung bài học trong sách giáo khoa lớp {grade}",
     "Một đoạn ngữ liệu trong sách bị cho là không phù hợp lứa tuổi; mạng xã hội tranh luận gay gắt.",
     (3, 5, 2, 0)),
    ("curriculum",
     "Tài liệu giáo dục địa phương {province} có nhiều sai sót",
     "Giáo viên phát hiện nhiều lỗi kiến thức, lỗi chính tả trong tài liệu giáo dục địa phương.",
     (3, 5, 2, 0)),
    ("data_protection",
     "Lộ dữ liệu cá nhân học sinh từ phần mềm quản lý trường học",
     "Thông tin họ tên, ngày sinh, số điện thoại phụ huynh bị rao bán; nhiều phụ huynh nhận cuộc gọi lừa đảo.",
     (0, 2, 6, 2)),
    ("data_protection",
     "Tài khoản phụ huynh bị mạo danh để lừa đảo học phí",
     "Đối tượng mạo danh giáo viên chủ nhiệm nhắn tin yêu cầu chuyển tiền học phí vào tài khoản cá nhân.",
     (1, 5, 3, 1)),
]
INCIDENTS = {}  # category: [(title, description, severity weights)]
for _category, *_incident in INCIDENT_TABLE:
    INCIDENTS.setdefault(_category, []).append(tuple(_incident))


def exam_related(category, title):
    """Whether an incident of the table is exam-related: the exam category's, and any other naming the exam."""
    return category == "exam" or "{exam}" in title


STATEMENT_CHANNELS = ["Cổng thông tin điện tử của Sở", "Thông cáo báo chí", "Trang Facebook chính thức của Sở",
                      "Họp báo", "Trả lời phỏng vấn trực tiếp"]
STATEMENT_TEXT = ("Sở GDĐT {province} đã nắm được sự việc và chỉ đạo xác minh ngay. Các đơn vị liên quan đang phối hợp "
                  "xử lý; Sở sẽ thông tin kết quả đến báo chí và phụ huynh trong thời gian sớm nhất.")
CLOSING_SUMMARY = ("Sự việc đã được xác minh, xử lý theo quy định; đơn vị liên quan đã kiểm điểm, rút kinh nghiệm và "
                   "báo cáo Sở.")
CLOSING_PUBLIC = "Sở GDĐT {province} đã thông tin kịp thời cho báo chí và phụ huynh về kết quả xác minh, xử lý."
DRILL_SUMMARY = "Kết thúc diễn tập: các cấp nhận tin và xác nhận đúng thời gian quy định."

# --- briefings --------------------------------------------------------------------------------------

BRIEFING_TOPICS = {
    1: ["Tổng kết học kỳ I", "Công tác tuyển sinh đầu cấp", "Kỳ thi chọn học sinh giỏi cấp tỉnh"],
    2: ["Chuẩn bị kỳ thi tốt nghiệp THPT", "Tuyển sinh vào lớp 10", "Phòng chống đuối nước dịp hè"],
    3: ["Kết quả kỳ thi tốt nghiệp THPT", "Chuẩn bị năm học mới", "Sách giáo khoa và các khoản thu đầu năm"],
    4: ["Khai giảng năm học mới", "An toàn trường học, phòng chống bạo lực học đường", "Ngày Nhà giáo Việt Nam 20/11"],
}
BRIEFING_REASONS = {"postponed": "Trùng lịch làm việc của lãnh đạo UBND tỉnh, dời sang tuần sau.",
                    "cancelled": "Nội dung đã được thông tin tại họp báo của UBND tỉnh trong quý."}
BRIEFING_MINUTES = """## Nội dung chính

1. Sở GDĐT {province} thông tin kết quả triển khai nhiệm vụ năm học trong quý.
2. {topic}.
3. Trả lời câu hỏi của phóng viên về các vấn đề dư luận quan tâm.

## Câu hỏi của báo chí

- Phóng viên các cơ quan báo chí hỏi về {topic_lower}; lãnh đạo Sở trả lời trực tiếp tại họp báo.
- Các câu hỏi chưa trả lời được, Sở sẽ trả lời bằng văn bản trong 3 ngày làm việc."""
INTERNAL_UNITS = ["Văn phòng Sở", "Phòng Giáo dục Trung học", "Phòng Giáo dục Tiểu học",
                  "Phòng Khảo thí và Quản lý chất lượng", "Phòng Kế hoạch - Tài chính"]
