from datetime import datetime, timezone

import pytest

from crisiscomm.extensions import db
from crisiscomm.inquiries import service
from crisiscomm.rules.service import seed_defaults


@pytest.fixture
def setup_data(app, departments, clock):
    seed_defaults()
    service.seed_refusal_grounds()
    db.session.commit()
    return departments


@pytest.fixture
def officer(factory, setup_data):
    return factory.user("comms_officer", email="officer@hanoi.vn", name="Vũ Thị Mai")


@pytest.fixture
def spokesperson(factory, setup_data):
    return factory.user("spokesperson", email="spokes@hanoi.vn", name="Đỗ Minh Tuấn")


@pytest.fixture
def hanoi(factory, setup_data):
    return factory.department("ha-noi")


def make_inquiry(user, department, **kw):
    data = dict(subject="Tuyển sinh lớp 10", journalist_name="Nguyễn Thu Trang", outlet="Báo Giáo dục và Thời đại",
                questions="Khi nào công bố điểm chuẩn?")
    data.update(kw)
    inquiry = service.create_inquiry(user=user, department=department, **data)
    db.session.commit()
    return inquiry


# --- emails as offices receive them ---------------------------------------------------------------

from email.message import EmailMessage  # noqa: E402
from email.utils import format_datetime  # noqa: E402

JOURNALIST = "Trần Minh Đức"
JOURNALIST_EMAIL = "duc.tran@vnexpress.net"
SUBJECT = "Hỏi về tuyển sinh lớp 10"
QUESTION = "Kính gửi Sở GDĐT Hà Nội,\nXin cho biết khi nào công bố điểm chuẩn lớp 10 năm 2026?\nTrân trọng."
CLERK = ("Vũ Thị Mai", "vtmai@hanoi.edu.vn")

# The header block each mail client writes above a forwarded message (the original: 26/06/2026 07:45 Hà Nội).
FORWARD_BLOCKS = {
    "outlook": ("________________________________\n"
                f"From: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                "Sent: Friday, June 26, 2026 7:45 AM\n"
                "To: Văn phòng Sở <vanphong@hanoi.edu.vn>\n"
                f"Subject: {SUBJECT}\n\n"),
    "outlook_vi": ("________________________________\n"
                   f"Từ: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                   "Đã gửi: Thứ Sáu, 26 tháng 6, 2026 7:45 SA\n"
                   "Đến: Văn phòng Sở <vanphong@hanoi.edu.vn>\n"
                   f"Chủ đề: {SUBJECT}\n\n"),
    "gmail": ("---------- Forwarded message ---------\n"
              f"From: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
              "Date: Fri, Jun 26, 2026 at 7:45 AM\n"
              f"Subject: {SUBJECT}\n"
              "To: <vanphong@hanoi.edu.vn>\n\n\n"),
    "apple_mail": ("Begin forwarded message:\n\n"
                   f"From: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                   f"Subject: {SUBJECT}\n"
                   "Date: 26 June 2026 at 07:45:00 GMT+7\n"
                   "To: vanphong@hanoi.edu.vn\n\n"),
    "thunderbird": ("-------- Forwarded Message --------\n"
                    f"Subject: \t{SUBJECT}\n"
                    "Date: \tFri, 26 Jun 2026 07:45:00 +0700\n"
                    f"From: \t{JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                    "To: \tvanphong@hanoi.edu.vn\n\n"),
}
FORWARDED_AT = datetime(2026, 6, 26, 3, 30, tzinfo=timezone.utc)  # 10:30 Hà Nội, when the clerk forwarded it


def forwarded_eml(client_name, *, pdf=None, crlf=True, decomposed=False):
    """A clerk's forward of the journalist's email, as that mail client writes it (plain text + HTML)."""
    import unicodedata

    note = "Chuyển phòng Truyền thông xử lý giúp.\n\n"
    text = note + FORWARD_BLOCKS[client_name] + QUESTION
    if decomposed:  # macOS and some webmails send decomposed Vietnamese (NFD)
        text = unicodedata.normalize("NFD", text)
    if crlf:
        text = text.replace("\n", "\r\n")
    msg = EmailMessage()
    msg["From"] = f"{CLERK[0]} <{CLERK[1]}>"
    msg["To"] = "truyenthong@hanoi.edu.vn"
    msg["Subject"] = ("TR: " if client_name == "outlook_vi" else "Fwd: ") + SUBJECT
    msg["Date"] = format_datetime(FORWARDED_AT)
    msg["Message-ID"] = f"<fwd-{client_name}@hanoi.edu.vn>"
    msg.set_content(text)
    if client_name.startswith("outlook"):
        html_block = FORWARD_BLOCKS[client_name].replace("________________________________\n", "<hr>")
        msg.add_alternative("<html><body><p>Chuyển phòng Truyền thông xử lý giúp.</p><div id=divRplyFwdMsg>"
                            + html_block.replace("\n", "<br>") + "</div><p>"
                            + QUESTION.replace("\n", "<br>") + "</p></body></html>", subtype="html")
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="Công văn đề nghị.pdf")
    return msg.as_bytes()


def original_message(*, pdf=None):
    msg = EmailMessage()
    msg["From"] = f"{JOURNALIST} <{JOURNALIST_EMAIL}>"
    msg["To"] = "vanphong@hanoi.edu.vn"
    msg["Subject"] = SUBJECT
    msg["Date"] = "Fri, 26 Jun 2026 07:45:00 +0700"
    msg["Message-ID"] = "<original-1@vnexpress.net>"
    msg.set_content(QUESTION)
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="Công văn đề nghị.pdf")
    return msg


def thunderbird_attached_eml(*, pdf=None):
    """Thunderbird's (and Outlook's) "Forward as attachment": the original is a message/rfc822 part."""
    msg = EmailMessage()
    msg["From"] = f"{CLERK[0]} <{CLERK[1]}>"
    msg["To"] = "truyenthong@hanoi.edu.vn"
    msg["Subject"] = "Fwd: " + SUBJECT
    msg["Date"] = format_datetime(FORWARDED_AT)
    msg["Message-ID"] = "<fwd-attached@hanoi.edu.vn>"
    msg.set_content("Chuyển phòng Truyền thông xử lý giúp.")
    msg.add_attachment(original_message(pdf=pdf))
    return msg.as_bytes()


PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
             b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def attachment_dir(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"
