"""The fast report: recipients, urgency, signature and a Vietnamese timeline; DOCX and server-side PDF laid out as
Nghị định 30/2020 prescribes, checked by rendering page 1 (LibreOffice for the DOCX, pdftoppm for both)."""
import io
import os
import shutil
import subprocess
from datetime import datetime, timezone

import pytest

from crisiscomm.extensions import db
from crisiscomm.incidents import report, service
from crisiscomm.incidents.models import Incident

from .conftest import incident_body

CM_AT_100_DPI = 100 / 2.54


def _create(factory, user, **overrides):
    response = factory.api(user).post("/api/v1/incidents", json=incident_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return db.session.get(Incident, response.get_json()["id"])


def test_recipients_urgency_and_no_subject_prefix(world, factory, smtp_server):
    leak = _create(factory, world.officer, title="Lộ đề thi môn Ngữ văn trên mạng xã hội")
    r = report.build(leak)
    assert r["to"] == ["Bộ Giáo dục và Đào tạo", "Ủy ban nhân dân thành phố Hà Nội",
                       "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội",
                       "Ban Chỉ đạo thi tốt nghiệp THPT thành phố Hà Nội"]
    assert r["urgent"] == "KHẨN" and r["issuer"] == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert r["subject"] == leak.title and "V/v" not in str(r)
    other = _create(factory, world.officer, title="Ngộ độc thực phẩm tại trường tiểu học", category="health",
                    exam_related=False, exam=None)
    r = report.build(other)
    assert r["urgent"] is None
    assert not any("Ban Chỉ đạo" in line for line in r["to"]) and len(r["to"]) == 3
    page = factory.login(world.officer).get(f"/incidents/{leak.id}/report").get_data(as_text=True)
    assert "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội;" in page and "KHẨN" in page and "V/v" not in page


def test_date_line_writes_months_as_decree_30_does(world, factory, clock, smtp_server):
    incident = _create(factory, world.officer)
    assert report.build(incident)["place_date"] == "Hà Nội, ngày 26 tháng 6 năm 2026"
    clock.set(datetime(2027, 2, 4, 3, 0, tzinfo=timezone.utc))
    assert report.build(incident)["place_date"] == "Hà Nội, ngày 04 tháng 02 năm 2027"


def test_a_deputy_signs_for_the_director(world, factory, smtp_server):
    incident = _create(factory, world.officer)
    r = report.build(incident)
    assert r["signer_lines"] == ["GIÁM ĐỐC"] and r["signer_name"] == "Nguyễn Văn Hùng"
    client = factory.login(world.officer)
    page = client.get(f"/incidents/{incident.id}/report?signer={world.deputy.id}").get_data(as_text=True)
    assert "KT. GIÁM ĐỐC" in page and "PHÓ GIÁM ĐỐC" in page and "Phạm Thị Lan" in page
    # Someone who may not sign is ignored: the director signs.
    page = client.get(f"/incidents/{incident.id}/report?signer={world.officer.id}").get_data(as_text=True)
    assert "KT. GIÁM ĐỐC" not in page and "Nguyễn Văn Hùng" in page


def test_the_timeline_is_vietnamese_whatever_language_its_author_used(world, factory, smtp_server):
    world.officer.locale = "en"
    db.session.commit()
    incident = _create(factory, world.officer)
    assert incident.events[0].message.startswith("Incident logged by")  # the app spoke English to its author
    r = report.build(incident)
    lines = [message for _, message in r["timeline"]]
    assert lines[0] == "Sự cố được ghi nhận bởi Vũ Thị Mai."
    assert not any("Incident logged" in line or "alerted" in line for line in lines)
    assert all(line.count("Vũ Thị Mai") <= 1 for line in lines)  # the actor is not repeated


def _report_text(r):
    from docx import Document

    doc = Document(io.BytesIO(report.docx_bytes(r)))
    return doc, "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)


def test_docx_has_full_issuer_language_fonts_grid_and_page_numbers(world, factory, smtp_server):
    from docx.oxml.ns import qn

    incident = _create(factory, world.officer)
    doc, text = _report_text(report.build(incident))
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text and "comms_officer" not in text and "Nguyễn Văn Hùng" in text
    styles = doc.styles.element
    assert styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(
        qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert doc.styles["Normal"].font.name == "Times New Roman"
    header = doc.tables[0]
    grid = [int(c.get(qn("w:w"))) for c in header._tbl.tblGrid.findall(qn("w:gridCol"))]
    cells = [c.width.twips for c in header.rows[0].cells]
    assert grid == cells  # grid and cells agree: the national title keeps its width
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml


def _long_incident(factory, world):
    incident = _create(factory, world.officer)
    for n in range(40):  # a long timeline: the report runs to a second page
        service.update_incident(incident=incident, actor=world.officer,
                                data={"description": f"Cập nhật lần {n + 1}: đã xác minh thêm thông tin."})
    db.session.commit()
    return incident


def _pdf_page_text(pdf_path, page):
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), pdf_path, "-"],
                          capture_output=True, text=True, check=True).stdout


def _horizontal_rules(pdf_path, tmp_path):
    """Lengths (cm) of the dark horizontal runs in the top fifth of page 1, left and right halves."""
    from PIL import Image

    prefix = os.path.join(tmp_path, "page")
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", pdf_path, prefix],
                   check=True)
    image = Image.open(prefix + ".png").convert("L")
    width, height = image.size
    pixels = image.load()
    runs = {"left": [], "right": []}
    for y in range(int(height * 0.2)):
        x = 0
        while x < width:
            if pixels[x, y] < 100:
                start = x
                while x < width and pixels[x, y] < 100:
                    x += 1
                length = (x - start) / CM_AT_100_DPI
                if length > 1.0:
                    runs["left" if start < width * 0.45 else "right"].append(round(length, 1))
            x += 1
    return runs


def _check_layout(pdf_path, tmp_path):
    page1 = _pdf_page_text(pdf_path, 1)
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in page1.splitlines())  # one line
    assert "Độc lập - Tự do - Hạnh phúc" in page1 and "BÁO CÁO NHANH" in page1
    first_lines = [line.strip() for line in page1.splitlines() if line.strip()]
    assert not first_lines[0].isdigit()  # no number on page 1
    page2 = [line.strip() for line in _pdf_page_text(pdf_path, 2).splitlines() if line.strip()]
    assert page2[0] == "2"  # the page number, top centre
    runs = _horizontal_rules(pdf_path, tmp_path)
    assert any(1.5 <= r <= 3.0 for r in runs["left"]), runs  # under the issuing body
    assert any(4.5 <= r <= 7.0 for r in runs["right"]), runs  # under the motto
    fonts = subprocess.run(["pdffonts", pdf_path], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    # Times New Roman, or Liberation Serif (its metric twin) where Times is not installed; nothing else.
    assert names and all("Times" in n or "LiberationSerif" in n.replace("-", "") for n in names), fonts


def test_server_pdf_layout(world, factory, smtp_server, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed: .ci/run installs it")
    incident = _long_incident(factory, world)
    response = factory.login(world.officer).get(f"/incidents/{incident.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    path = os.path.join(tmp_path, "report.pdf")
    with open(path, "wb") as f:
        f.write(response.data)
    _check_layout(path, tmp_path)


def test_docx_layout_rendered_by_libreoffice(world, factory, smtp_server, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (libreoffice-writer-nogui): the DOCX cannot be rendered here")
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed: .ci/run installs it")
    incident = _long_incident(factory, world)
    response = factory.login(world.officer).get(f"/incidents/{incident.id}/report.docx")
    docx_path = os.path.join(tmp_path, "report.docx")
    with open(docx_path, "wb") as f:
        f.write(response.data)
    profile = "file://" + os.path.join(tmp_path, "lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), docx_path], check=True, capture_output=True, timeout=180)
    _check_layout(os.path.join(tmp_path, "report.pdf"), tmp_path)
