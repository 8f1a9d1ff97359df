"""The fast report ("Báo cáo nhanh") sent upward, in Vietnamese administrative style (Nghị định 30/2020/NĐ-CP
layout): printable page and DOCX. The document is Vietnamese whatever the interface language."""
import io

from ..clock import format_datetime, now, to_local
from ..text import fold
from .models import CLOSED
from .service import DRILL_LABEL, audience_label, category_label, severity_label, status_label

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
_CITIES = {"ha noi", "tp ho chi minh", "ho chi minh", "hai phong", "da nang", "can tho", "hue"}

_VI_SEVERITY = {"low": "thấp", "medium": "trung bình", "high": "cao", "critical": "nghiêm trọng"}
_VI_STATUS = {"open": "mới ghi nhận", "acknowledged": "lãnh đạo đã nắm thông tin", "contained": "đã kiểm soát",
              "closed": "đã kết thúc"}
_VI_CATEGORY = {"exam": "Thi cử", "school_safety": "An toàn trường học", "health": "Y tế, sức khỏe",
                "misinformation": "Thông tin sai lệch", "finance": "Tài chính", "curriculum": "Chương trình, SGK",
                "data_protection": "Bảo vệ dữ liệu"}
_VI_AUDIENCE = {"director": "Giám đốc Sở", "steering_board": "Thành viên Ban Chỉ đạo thi",
                "deputy_director": "Phó Giám đốc Sở", "spokesperson": "Người phát ngôn",
                "ministry_office": "Văn phòng Bộ", "policy_member": "Theo quy chế báo cáo của Sở",
                "drill": "Người tham gia diễn tập"}


def _province_line(department):
    province = department.province.replace("TP ", "")
    kind = "THÀNH PHỐ" if fold(department.province) in _CITIES or fold(province) in _CITIES else "TỈNH"
    return f"UBND {kind} {province.upper()}"


def _local_date_line(department, at):
    local = to_local(at)
    place = department.province.replace("TP ", "")
    return f"{place}, ngày {local.day:02d} tháng {local.month:02d} năm {local.year}"


def build(incident):
    """The report's content as plain data (page and DOCX draw the same thing)."""
    dep = incident.department
    facts = [
        ("Thời điểm xảy ra", format_datetime(incident.occurred_at)),
        ("Thời điểm tiếp nhận thông tin", format_datetime(incident.reported_at)),
        ("Địa điểm", incident.place or "Chưa xác định"),
        ("Lĩnh vực", _VI_CATEGORY.get(incident.category, incident.category)),
        ("Mức độ", _VI_SEVERITY.get(incident.severity, incident.severity)),
        ("Liên quan đến kỳ thi", ("Có" + (f" — {incident.exam}" if incident.exam else "")) if incident.exam_related
         else "Không"),
        ("Tình trạng hiện nay", _VI_STATUS.get(incident.status, incident.status)),
    ]
    timeline = [(format_datetime(ev.at), ev.actor_label, ev.message) for ev in incident.events]
    actions = []
    for esc in incident.escalations:
        line = f"Đã báo cáo {esc.recipient_label} ({_VI_AUDIENCE.get(esc.audience, esc.audience)}, cấp {esc.level}) " \
               f"lúc {format_datetime(esc.notified_at)}"
        line += f"; đã xác nhận nắm thông tin lúc {format_datetime(esc.acknowledged_at)}." if esc.acknowledged_at \
            else "; chưa xác nhận."
        actions.append(line)
    for item in incident.checklist:
        if item.done_at:
            actions.append(f"{item.text} (hoàn thành lúc {format_datetime(item.done_at)}"
                           f"{', ' + item.done_by.name if item.done_by else ''}).")
    communicated = []
    if incident.first_statement is not None:
        st = incident.first_statement
        communicated.append(f"Thông tin ban đầu công bố lúc {format_datetime(st.published_at)} qua {st.channel}"
                            f"{', do ' + st.approved_by.name + ' duyệt' if st.approved_by else ''}: “{st.text}”")
    else:
        communicated.append("Chưa công bố thông tin chính thức; hạn cung cấp thông tin ban đầu: "
                            f"{format_datetime(incident.first_statement_due_at)}.")
    if incident.status == CLOSED and incident.closing_public_summary:
        communicated.append(incident.closing_public_summary)
    next_steps = [f"{i.text} (hạn {format_datetime(i.due_at)}"
                  f"{', phụ trách: ' + _VI_AUDIENCE.get(i.owner_role, i.owner_role) if i.owner_role else ''})."
                  for i in incident.checklist if not i.done_at]
    if incident.first_statement is None and incident.status != CLOSED:
        next_steps.insert(0, "Cung cấp thông tin ban đầu cho báo chí trước "
                             f"{format_datetime(incident.first_statement_due_at)}.")
    if not next_steps:
        next_steps.append("Tiếp tục theo dõi, báo cáo bổ sung khi có diễn biến mới.")
    return {
        "drill": DRILL_LABEL if incident.drill else None,
        "issuer_parent": _province_line(dep),
        "issuer": dep.name.upper(),
        "issuer_name": dep.name,
        "number": "Số:        /BC-SGDĐT",
        "place_date": _local_date_line(dep, now()),
        "title": "BÁO CÁO NHANH",
        "subject": f"V/v {incident.title}",
        "to": "Bộ Giáo dục và Đào tạo (Văn phòng Bộ; Trung tâm Truyền thông giáo dục)",
        "intro": f"{dep.name} báo cáo nhanh về sự cố “{incident.title}” như sau:",
        "description": incident.description or "",
        "facts": facts,
        "timeline": timeline,
        "actions": actions,
        "communicated": communicated,
        "summary": incident.closing_summary if incident.status == CLOSED else None,
        "next_steps": next_steps,
        "recipients": ["Như trên;", "Lãnh đạo Sở;", "Lưu: VT, VP."],
        "signer_title": "GIÁM ĐỐC",
    }


def docx_bytes(r):
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def para(text="", bold=False, italic=False, align=None, size=None, container=None, space_after=4):
        p = (container or doc).add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        return p

    if r["drill"]:
        para(r["drill"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    left.paragraphs[0].add_run(r["issuer_parent"]).font.size = Pt(12)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(r["issuer"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=12, container=left)
    para(r["number"], align=WD_ALIGN_PARAGRAPH.CENTER, container=left)
    run = right.paragraphs[0].add_run(QUOC_HIEU)
    run.bold, run.font.size = True, Pt(12)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(TIEU_NGU, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, container=right)
    para(r["place_date"], italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, container=right)
    para()
    para(r["title"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, space_after=0)
    para(r["subject"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"Kính gửi: {r['to']}.", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(r["intro"], align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para("I. THÔNG TIN VỀ SỰ CỐ", bold=True)
    for label, value in r["facts"]:
        para(f"- {label}: {value}.", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if r["description"]:
        para(f"- Nội dung: {r['description']}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para("II. DIỄN BIẾN", bold=True)
    for at, who, message in r["timeline"]:
        para(f"- {at}: {message} ({who})", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para("III. CÁC BIỆN PHÁP ĐÃ TRIỂN KHAI", bold=True)
    for line in r["actions"] or ["Chưa có."]:
        para(f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para("IV. THÔNG TIN ĐÃ CUNG CẤP CHO BÁO CHÍ, DƯ LUẬN", bold=True)
    for line in r["communicated"]:
        para(f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if r["summary"]:
        para("V. KẾT QUẢ XỬ LÝ", bold=True)
        para(r["summary"], align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para(("VI" if r["summary"] else "V") + ". CÁC BƯỚC TIẾP THEO", bold=True)
    for line in r["next_steps"]:
        para(f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para(f"{r['issuer_name']} trân trọng báo cáo./.", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    para("Nơi nhận:", bold=True, italic=True, size=12, container=left, space_after=0)
    for line in r["recipients"]:
        para(f"- {line}", size=11, container=left, space_after=0)
    right.paragraphs[0].add_run(r["signer_title"]).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para("(Ký, ghi rõ họ tên, đóng dấu)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, container=right)
    if r["drill"]:
        para(r["drill"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = ["build", "docx_bytes", "QUOC_HIEU", "TIEU_NGU", "audience_label", "category_label", "severity_label",
           "status_label"]
