"""The fast report ("Báo cáo nhanh") sent upward, laid out as Nghị định 30/2020/NĐ-CP lays out an administrative
document: printable page, DOCX and a PDF drawn on the server (WeasyPrint). The document is Vietnamese whatever the
interface language, timeline included."""
import io

from flask_babel import force_locale

from .. import permissions
from ..clock import format_datetime, now, to_local
from ..rules.service import describe
from ..text import fold
from .common import DRILL_LABEL, department_holders
from .models import AUD_DRILL, AUD_EXTRA, AUD_MINISTRY, CLOSED

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
ISSUER = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
_CITIES = {"ha noi", "tp ho chi minh", "ho chi minh", "hai phong", "da nang", "can tho", "hue"}
_LEAK_WORDS = ("lo de", "lot de", "lo dap an", "de thi bi lo", "anh chup de thi", "de thi xuat hien")

_VI_SEVERITY = {"low": "thấp", "medium": "trung bình", "high": "cao", "critical": "nghiêm trọng"}
_VI_STATUS = {"open": "mới ghi nhận", "acknowledged": "lãnh đạo đã nắm thông tin", "contained": "đã kiểm soát",
              "closed": "đã kết thúc"}
_VI_CATEGORY = {"exam": "Thi cử", "school_safety": "An toàn trường học", "health": "Y tế, sức khỏe",
                "misinformation": "Thông tin sai lệch", "finance": "Tài chính", "curriculum": "Chương trình, SGK",
                "data_protection": "Bảo vệ dữ liệu"}
# Who a line is about, in full: escalation audiences not named after a role, then the role's title (the
# audiences of people alerted for their role, and the roles a playbook action is given to).
_VI_AUDIENCE = {AUD_MINISTRY: "Văn phòng Bộ", AUD_EXTRA: "Theo quy chế báo cáo của Sở",
                AUD_DRILL: "Người tham gia diễn tập"}


def _vi_who(value):
    return _VI_AUDIENCE.get(value) or permissions.ROLE_TITLES_VI.get(value, value)


def _province(department):
    """(kind, name): ("thành phố", "Hà Nội") or ("tỉnh", "Nghệ An")."""
    name = department.province.replace("TP ", "").strip()
    city = fold(department.province) in _CITIES or fold(name) in _CITIES
    return ("thành phố" if city else "tỉnh"), name


def _province_line(department):
    kind, name = _province(department)
    return f"UBND {kind.upper()} {name.upper()}"


def _place(department):
    kind, name = _province(department)
    return f"Thành phố {name}" if name == "Hồ Chí Minh" else name


def _vn_date(at):
    """'ngày 05 tháng 3 năm 2026': days below 10 and the months 1 and 2 take a leading zero (Nghị định 30)."""
    local = to_local(at)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def _local_date_line(department, at):
    return f"{_place(department)}, {_vn_date(at)}"


def is_exam_leak(incident):
    slug = (incident.scenario_version.scenario.slug if incident.scenario_version is not None
            and incident.scenario_version.scenario is not None else "")
    return slug == "exam-paper-leak" or (incident.category == "exam" and any(
        w in fold(f"{incident.title} {incident.description or ''}") for w in _LEAK_WORDS))


def recipients(incident):
    """Kính gửi: the Ministry, the provincial People's Committee, the Provincial Party Committee's Propaganda and
    Mass Mobilisation Board, and for an exam incident the provincial exam steering board."""
    kind, name = _province(incident.department)
    party = "Thành ủy" if kind == "thành phố" else "Tỉnh ủy"
    out = ["Bộ Giáo dục và Đào tạo", f"Ủy ban nhân dân {kind} {name}", f"Ban Tuyên giáo và Dân vận {party} {name}"]
    if incident.exam_related:
        exam = "thi tốt nghiệp THPT " if "tot nghiep" in fold(incident.exam or "") else "thi "
        out.append(f"Ban Chỉ đạo {exam}{kind} {name}")
    return out


def signers(incident):
    """The Department's director and deputy directors, who may sign the report (director first)."""
    people = department_holders(incident.department_id, "incident.report.sign")
    return sorted(people, key=lambda u: (not permissions.can(u, "department.head"), u.name))


def _signature(signer):
    """(lines above the signature, name): 'KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC' when a deputy signs."""
    if signer is not None and permissions.can(signer, "incident.report.sign_for_head"):
        return ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], signer.name
    return ["GIÁM ĐỐC"], signer.name if signer is not None else ""


def _timeline_line(ev):
    message = (ev.data or {}).get("message_vi") or ev.message
    who = "Hệ thống" if ev.actor_label == "crisiscomm" else ev.actor_label
    if who and who not in message:
        message = f"{message.rstrip()} ({who})"
    return format_datetime(ev.at), message


def _deadline_source(incident):
    if incident.first_statement_rule is None:
        return ""
    return f" (căn cứ: {describe(incident.first_statement_rule)})"


def build(incident, signer=None):
    """The report's content as plain data (page, DOCX and PDF draw the same thing), always in Vietnamese."""
    with force_locale("vi"):
        return _build(incident, signer)


def _build(incident, signer):
    dep = incident.department
    facts = [
        ("Thời điểm xảy ra", format_datetime(incident.occurred_at)),
        ("Thời điểm Sở nắm được thông tin", format_datetime(incident.known_at or incident.reported_at)),
        ("Địa điểm", incident.place or "Chưa xác định"),
        ("Lĩnh vực", _VI_CATEGORY.get(incident.category, incident.category)),
        ("Mức độ", _VI_SEVERITY.get(incident.severity, incident.severity)),
        ("Liên quan đến kỳ thi", ("Có" + (f" — {incident.exam}" if incident.exam else "")) if incident.exam_related
         else "Không"),
        ("Tình trạng hiện nay", _VI_STATUS.get(incident.status, incident.status)),
    ]
    timeline = [_timeline_line(ev) for ev in incident.events]
    actions = []
    for esc in incident.escalations:
        line = f"Đã báo cáo {esc.recipient_label} ({_vi_who(esc.audience)}, cấp {esc.level}) " \
               f"lúc {format_datetime(esc.notified_at)}"
        line += f"; đã xác nhận nắm thông tin lúc {format_datetime(esc.acknowledged_at)}." if esc.acknowledged_at \
            else "; chưa xác nhận."
        actions.append(line)
    for item in incident.checklist:
        if item.done_at:
            actions.append(f"{item.text} (hoàn thành lúc {format_datetime(item.done_at)}"
                           f"{', ' + item.done_by.name if item.done_by else ''}).")
    due = format_datetime(incident.first_statement_due_at)
    communicated = []
    if incident.first_statement is not None:
        st = incident.first_statement
        communicated.append(f"Thông tin ban đầu công bố lúc {format_datetime(st.published_at)} qua {st.channel}"
                            f"{', do ' + st.approved_by.name + ' duyệt' if st.approved_by else ''}: “{st.text}”")
    else:
        communicated.append(f"Chưa công bố thông tin chính thức; hạn cung cấp thông tin ban đầu: {due}"
                            f"{_deadline_source(incident)}.")
    if incident.status == CLOSED and incident.closing_public_summary:
        communicated.append(incident.closing_public_summary)
    next_steps = [f"{i.text} (hạn {format_datetime(i.due_at)}"
                  f"{', phụ trách: ' + _vi_who(i.owner_role) if i.owner_role else ''})."
                  for i in incident.checklist if not i.done_at]
    if incident.first_statement is None and incident.status != CLOSED:
        next_steps.insert(0, f"Cung cấp thông tin ban đầu cho báo chí trước {due}.")
    if incident.exam_related:
        next_steps.append("Mọi thông tin công bố liên quan đến đề thi của kỳ thi quốc gia được thống nhất với Bộ "
                          "Giáo dục và Đào tạo trước khi công bố.")
    if not next_steps:
        next_steps.append("Tiếp tục theo dõi, báo cáo bổ sung khi có diễn biến mới.")
    if signer is None:
        found = signers(incident)
        signer = found[0] if found else None
    signer_lines, signer_name = _signature(signer)
    issuer_name = f"Sở Giáo dục và Đào tạo {_place(dep)}"
    return {
        "drill": DRILL_LABEL if incident.drill else None,
        "urgent": "KHẨN" if is_exam_leak(incident) else None,
        "issuer_parent": _province_line(dep),
        "issuer": ISSUER,
        "issuer_name": issuer_name,
        "number": "Số:        /BC-SGDĐT",
        "place_date": _local_date_line(dep, now()),
        "title": "BÁO CÁO NHANH",
        "subject": incident.title,
        "to": recipients(incident),
        "intro": f"{issuer_name} báo cáo nhanh về sự cố “{incident.title}” như sau:",
        "description": incident.description or "",
        "facts": facts,
        "timeline": timeline,
        "actions": actions,
        "communicated": communicated,
        "summary": incident.closing_summary if incident.status == CLOSED else None,
        "next_steps": next_steps,
        "recipients": ["Như trên;", "Giám đốc, các Phó Giám đốc Sở;", "Lưu: VT, VP."],
        "signer_lines": signer_lines,
        "signer_name": signer_name,
        "signer_id": signer.id if signer is not None else None,
    }


# A4, margins per Nghị định 30/2020 (top/bottom 2 cm, left 3 cm, right 2 cm): 16 cm of text width.
_HEADER_LEFT_CM, _HEADER_RIGHT_CM = 6.0, 10.0


def _docx_fixed_table(table, widths_cm):
    """A table whose grid and cell widths agree, with fixed layout: Word and LibreOffice then draw the columns
    as wide as asked (the national title stays on one line)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    tbl = table._tbl
    tbl_pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(Cm(w).twips for w in widths_cm)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "0")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(Cm(w).twips))
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)


def _docx_rule(container, length_cm, column_cm):
    """The short horizontal rule under the motto or the issuing body: an empty paragraph whose bottom border is
    ``length_cm`` long, centred in its column."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    p = container.add_paragraph()
    indent = Cm(max(column_cm - length_cm, 0) / 2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = indent
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(6)
    p.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)
    return p


def _docx_page_numbers(section):
    """Page number centred in the top margin, not on the first page (Nghị định 30/2020)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)


def _docx_language_and_font(doc):
    """Times New Roman for every script and the document language vi-VN (spell checking, hyphenation)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    for target in (rpr, doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))):
        for old in target.findall(qn("w:lang")):
            target.remove(old)
        lang = OxmlElement("w:lang")
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attr), "vi-VN")
        target.append(lang)
    doc.core_properties.language = "vi-VN"


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
    section.header_distance = Cm(1)
    _docx_language_and_font(doc)
    _docx_page_numbers(section)

    def para(text="", bold=False, italic=False, align=None, size=None, container=None, space_after=4,
             first_line=None):
        p = (container or doc).add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        if first_line is not None:
            p.paragraph_format.first_line_indent = Cm(first_line)
        return p

    def body(text):
        return para(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=1, space_after=6)

    center = WD_ALIGN_PARAGRAPH.CENTER
    if r["drill"]:
        para(r["drill"], bold=True, align=center, size=14)
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _docx_fixed_table(header, (_HEADER_LEFT_CM, _HEADER_RIGHT_CM))
    left, right = header.rows[0].cells
    left.paragraphs[0].add_run(r["issuer_parent"]).font.size = Pt(12)
    left.paragraphs[0].alignment = center
    left.paragraphs[0].paragraph_format.space_after = Pt(0)
    para(r["issuer"], bold=True, align=center, size=12, container=left, space_after=0)
    _docx_rule(left, 2.0, _HEADER_LEFT_CM)
    para(r["number"], align=center, container=left)
    if r["urgent"]:
        urgent = para(r["urgent"], bold=True, align=center, size=13, container=left)
        urgent.paragraph_format.left_indent = urgent.paragraph_format.right_indent = Cm(2)
        _docx_box(urgent)
    run = right.paragraphs[0].add_run(QUOC_HIEU)
    run.bold, run.font.size = True, Pt(12)
    right.paragraphs[0].alignment = center
    right.paragraphs[0].paragraph_format.space_after = Pt(0)
    para(TIEU_NGU, bold=True, align=center, size=13, container=right, space_after=0)
    _docx_rule(right, 5.7, _HEADER_RIGHT_CM)
    para(r["place_date"], italic=True, align=center, container=right)
    para()
    para(r["title"], bold=True, align=center, size=14, space_after=0)
    para(r["subject"], bold=True, align=center, space_after=12)
    if len(r["to"]) == 1:
        para(f"Kính gửi: {r['to'][0]}.", align=center)
    else:
        p = para("Kính gửi:", align=None, space_after=0)
        p.paragraph_format.left_indent = Cm(2.5)
        for i, line in enumerate(r["to"]):
            q = para(f"- {line}{'.' if i == len(r['to']) - 1 else ';'}", space_after=0)
            q.paragraph_format.left_indent = Cm(4.5)
        para(space_after=0)
    body(r["intro"])
    para("I. THÔNG TIN VỀ SỰ CỐ", bold=True)
    for label, value in r["facts"]:
        body(f"- {label}: {value}.")
    if r["description"]:
        body(f"- Nội dung: {r['description']}")
    para("II. DIỄN BIẾN", bold=True)
    for at, message in r["timeline"]:
        body(f"- {at}: {message}")
    para("III. CÁC BIỆN PHÁP ĐÃ TRIỂN KHAI", bold=True)
    for line in r["actions"] or ["Chưa có."]:
        body(f"- {line}")
    para("IV. THÔNG TIN ĐÃ CUNG CẤP CHO BÁO CHÍ, DƯ LUẬN", bold=True)
    for line in r["communicated"]:
        body(f"- {line}")
    if r["summary"]:
        para("V. KẾT QUẢ XỬ LÝ", bold=True)
        body(r["summary"])
    para(("VI" if r["summary"] else "V") + ". CÁC BƯỚC TIẾP THEO", bold=True)
    for line in r["next_steps"]:
        body(f"- {line}")
    body(f"{r['issuer_name']} trân trọng báo cáo./.")
    sign = doc.add_table(rows=1, cols=2)
    _docx_fixed_table(sign, (8.0, 8.0))
    left, right = sign.rows[0].cells
    first = left.paragraphs[0]
    run = first.add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    first.paragraph_format.space_after = Pt(0)
    for line in r["recipients"]:
        para(f"- {line}", size=11, container=left, space_after=0)
    right.paragraphs[0].paragraph_format.space_after = Pt(0)
    right.paragraphs[0].alignment = center
    for i, line in enumerate(r["signer_lines"]):
        target = right.paragraphs[0] if i == 0 else para(container=right, align=center, space_after=0)
        target.add_run(line).bold = True
    for _ in range(4):
        para(container=right, space_after=0)
    para(r["signer_name"], bold=True, align=center, container=right)
    if r["drill"]:
        para(r["drill"], bold=True, align=center, size=14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_box(paragraph):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        b = OxmlElement(f"w:{side}")
        for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "2"), ("w:color", "000000")):
            b.set(qn(k), v)
        borders.append(b)
    paragraph._p.get_or_add_pPr().append(borders)


PDF_STYLESHEET = "css/fast-report.css"


def pdf_bytes(r):
    """The same report as a PDF, drawn on the server by WeasyPrint (so it can be attached to an email)."""
    import os

    from flask import current_app, render_template
    from weasyprint import CSS, HTML

    html = render_template("incidents/report_document.html", r=r)
    css = CSS(filename=os.path.join(current_app.static_folder, PDF_STYLESHEET))
    return HTML(string=html, base_url=current_app.static_folder).write_pdf(stylesheets=[css])


__all__ = ["build", "docx_bytes", "pdf_bytes", "recipients", "signers", "QUOC_HIEU", "TIEU_NGU"]
