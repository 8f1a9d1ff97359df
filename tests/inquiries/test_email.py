"""Emails as a provincial office receives them: forwards from every common mail client, attachments, files that
are not emails, hostile headers."""
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest

from crisiscomm.contacts.models import Contact
from crisiscomm.extensions import db
from crisiscomm.inquiries import service
from crisiscomm.inquiries.models import Inquiry

from ..factories import contact
from .conftest import (CLERK, JOURNALIST, JOURNALIST_EMAIL, PDF_BYTES, PNG_BYTES, SUBJECT, forwarded_eml,
                       thunderbird_attached_eml)

ORIGINAL_AT = datetime(2026, 6, 26, 0, 45, tzinfo=timezone.utc)  # 07:45 in Hà Nội


def _upload(client, data, filename="thu.eml"):
    import io

    page = client.get("/inquiries/new").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0] if 'name="csrf_token" type' \
        in page else page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/inquiries/import", data={"csrf_token": token, "department": "ha-noi",
                                                  "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _count(model):
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.mark.parametrize("client_name", ["outlook", "outlook_vi", "gmail", "apple_mail", "thunderbird",
                                         "thunderbird_attached"])
def test_a_forward_is_filed_under_the_journalist_with_the_original_date(client_name, officer, hanoi, factory, clock,
                                                                       attachment_dir):
    clock.set(datetime(2026, 6, 26, 4, 0, tzinfo=timezone.utc))
    known = contact(hanoi, JOURNALIST, "Báo điện tử VnExpress", "online", email=JOURNALIST_EMAIL, raw=True)
    contacts_before = _count(Contact)
    data = (thunderbird_attached_eml(pdf=PDF_BYTES) if client_name == "thunderbird_attached"
            else forwarded_eml(client_name, pdf=PDF_BYTES, decomposed=client_name == "apple_mail"))
    client = factory.login(officer)
    response = _upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    # The journalist, not the clerk who forwarded it; the outlet of the known contact, not the mail domain.
    assert inquiry.contact_id == known.id and _count(Contact) == contacts_before
    assert inquiry.journalist_name == JOURNALIST and inquiry.sender_email == JOURNALIST_EMAIL
    assert inquiry.outlet == "Báo điện tử VnExpress"
    assert inquiry.subject == SUBJECT
    assert inquiry.received_at == ORIGINAL_AT  # the original's date, not the forward's nor the import's
    questions = inquiry.questions
    assert questions.startswith("Kính gửi Sở GDĐT Hà Nội") and questions.endswith("Trân trọng.")
    for leftover in ("From:", "Sent:", "Từ:", "Đã gửi:", "Subject:", "Chuyển phòng", "\r", "____"):
        assert leftover not in questions
    assert CLERK[1] not in (inquiry.sender_email or "")
    import unicodedata
    assert unicodedata.is_normalized("NFC", questions) and unicodedata.is_normalized("NFC", inquiry.subject)
    # The request letter came along and downloads as a PDF attachment.
    assert [f.filename for f in inquiry.files] == ["Công văn đề nghị.pdf"]
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Công văn đề nghị.pdf" in page and "26/06/2026 07:45" in page
    download = client.get(f"/inquiries/{inquiry.id}/attachments/{inquiry.files[0].id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_an_unknown_journalist_becomes_a_contact_and_the_officer_can_correct_the_time(officer, hanoi, factory,
                                                                                     clock, attachment_dir):
    clock.set(datetime(2026, 6, 26, 4, 0, tzinfo=timezone.utc))
    client = factory.login(officer)
    assert _upload(client, forwarded_eml("gmail")).status_code == 302
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    contact = db.session.get(Contact, inquiry.contact_id)
    assert contact.full_name == JOURNALIST and contact.email == JOURNALIST_EMAIL
    assert not db.session.scalar(db.select(Contact.id).where(Contact.email == CLERK[1]))
    due_before = inquiry.due_at
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/inquiries/{inquiry.id}/received", data={"csrf_token": token,
                                                                     "received_at": "2026-06-26T06:15"})
    assert response.status_code == 302
    db.session.expire_all()
    inquiry = db.session.get(Inquiry, inquiry.id)
    assert inquiry.received_at == datetime(2026, 6, 25, 23, 15, tzinfo=timezone.utc)
    assert inquiry.due_at == due_before - (ORIGINAL_AT - inquiry.received_at)
    assert "06:15" in inquiry.events[-1].note
    # The same email again is not a second inquiry: the officer is taken to the first one.
    again = _upload(client, forwarded_eml("gmail"))
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/inquiries/{inquiry.id}")
    assert _count(Inquiry) == 1


def test_attachments_are_scoped_to_the_department_and_never_rendered(officer, hanoi, factory, clock,
                                                                     attachment_dir):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = f"{JOURNALIST} <{JOURNALIST_EMAIL}>", "vp@hanoi.edu.vn", "Ảnh hiện trường"
    msg["Date"], msg["Message-ID"] = "Fri, 26 Jun 2026 07:45:00 +0700", "<photos@vnexpress.net>"
    msg.set_content("Gửi Sở ảnh hiện trường.")
    msg.add_attachment(PNG_BYTES, maintype="image", subtype="png", filename="anh-1.png")
    msg.add_attachment(b"<script>alert(1)</script>", maintype="text", subtype="html", filename="trang.html")
    msg.add_attachment(b"not really a pdf", maintype="application", subtype="pdf", filename="gia.pdf")
    client = factory.login(officer)
    assert _upload(client, msg.as_bytes()).status_code == 302
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    types = {f.filename: f.content_type for f in inquiry.files}
    assert types == {"anh-1.png": "image/png", "trang.html": "application/octet-stream",
                     "gia.pdf": "application/octet-stream"}
    html_file = next(f for f in inquiry.files if f.filename == "trang.html")
    response = client.get(f"/inquiries/{inquiry.id}/attachments/{html_file.id}")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert os.path.dirname(os.path.join(str(attachment_dir), html_file.storage_key)).endswith(str(hanoi.id))
    # Another Department's officer gets a 404, as for the inquiry itself.
    other = factory.login(factory.user("comms_officer", department="da-nang", email="o@danang.vn"))
    assert other.get(f"/inquiries/{inquiry.id}/attachments/{html_file.id}").status_code == 404


def test_an_oversized_attachment_is_reported_not_kept(app, officer, hanoi, factory, clock, attachment_dir):
    app.config["INQUIRY_ATTACHMENT_MAX_BYTES"] = 1000
    inquiry = service.import_eml(user=officer, department=hanoi, data=forwarded_eml("gmail", pdf=PDF_BYTES * 20))
    db.session.commit()
    assert inquiry.files == [] and "Công văn đề nghị.pdf" in inquiry.events[-1].note


@pytest.mark.parametrize("name,data", [
    ("notes.eml", "Ghi chú cuộc họp giao ban\nNgày 26/6: tuyển sinh lớp 10\n".encode()),
    ("cong-van.eml", PDF_BYTES),
    ("anh.eml", PNG_BYTES),
    ("header-only-words.eml", b"Hello: world\n\nthis has a header-like line but no email headers\n"),
    ("tu-outlook.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
])
def test_a_file_that_is_not_an_email_is_refused_and_nothing_is_created(name, data, officer, hanoi, factory,
                                                                      attachment_dir):
    client = factory.login(officer)
    contacts, inquiries = _count(Contact), _count(Inquiry)
    response = _upload(client, data, filename=name)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert ("không phải là một email" in text) or ("tệp .msg của Outlook" in text and "Outlook trên web" in text)
    assert (_count(Contact), _count(Inquiry)) == (contacts, inquiries)


def test_the_cli_refuses_a_non_email_and_an_oversized_file(app, officer, hanoi, runner, tmp_path):
    path = tmp_path / "anh.eml"
    path.write_bytes(PNG_BYTES)
    result = runner.invoke(args=["inquiries", "import-eml", str(path), "--department", "ha-noi"])
    assert result.exit_code != 0 and "không phải là một email" in result.output
    app.config["MAX_EML_BYTES"] = 50_000
    big = tmp_path / "big.eml"
    big.write_bytes(forwarded_eml("gmail", pdf=b"%PDF-" + os.urandom(60_000)))
    result = runner.invoke(args=["inquiries", "import-eml", str(big), "--department", "ha-noi"])
    assert result.exit_code != 0 and "Email quá lớn" in result.output
    assert _count(Inquiry) == 0


HOSTILE = {
    # 140 KB of Subject: 10,000 encoded words
    "encoded_words": lambda: (b"From: a@b.vn\r\nDate: Fri, 26 Jun 2026 07:45:00 +0700\r\nSubject: "
                              + b"\r\n ".join([b"=?UTF-8?B?4bqj?="] * 10_000) + b"\r\n\r\nbody\r\n"),
    # a 4 MB header folded over 100,000 lines
    "folded_header": lambda: (b"From: a@b.vn\r\nSubject: x\r\nX-Long: "
                              + b"\r\n ".join([b"a" * 38] * 100_000) + b"\r\n\r\nbody\r\n"),
    # 20,000 nested comments in an address header
    "parentheses": lambda: (b"From: " + b"(" * 20_000 + b"a@b.vn\r\nSubject: x\r\nDate: Fri, 26 Jun 2026 07:45:00 "
                            b"+0700\r\n\r\nbody\r\n"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_headers_are_refused_before_parsing_in_bounded_memory(kind, tmp_path):
    path = tmp_path / f"{kind}.eml"
    path.write_bytes(HOSTILE[kind]())
    # A fresh interpreter, so its peak memory (ru_maxrss) is this parse's alone.
    script = textwrap.dedent(f"""
        import resource, sys
        from crisiscomm.inquiries import mail
        from crisiscomm.errors import ValidationError
        data = open({str(path)!r}, "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            mail.parse(data)
            print("ACCEPTED")
        except ValidationError as exc:
            print("REFUSED", exc.fields.get("file"))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("GROWTH_KB", after - before)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.split("\n")
    assert lines[0].startswith("REFUSED"), out.stdout
    growth_kb = int(next(line for line in lines if line.startswith("GROWTH_KB")).split()[1])
    assert growth_kb < 30 * 1024, f"peak memory grew by {growth_kb} KB"


def test_a_file_too_large_for_the_web_is_refused_with_the_limit(app, officer, hanoi, factory):
    app.config["MAX_EML_BYTES"] = 10_000
    client = factory.login(officer)
    response = _upload(client, forwarded_eml("gmail", pdf=b"%PDF-" + b"x" * 20_000))
    assert response.status_code == 422 and "MB" in response.get_data(as_text=True)
    assert _count(Inquiry) == 0


def test_damaged_emails_are_refused_or_read_never_a_crash():
    """Forwards from every client, damaged at random (bytes flipped, cut, brackets, encoded words, boundaries and
    charsets inserted): each is read or refused with a message, never an exception the officer would see as a 500."""
    import random

    from crisiscomm.errors import ValidationError
    from crisiscomm.inquiries import mail

    seeds = [forwarded_eml(n, pdf=PDF_BYTES) for n in ("outlook", "outlook_vi", "gmail", "apple_mail",
                                                        "thunderbird")] + [thunderbird_attached_eml(pdf=PDF_BYTES)]
    rnd = random.Random(19)
    inserts = [b"(", b"=?utf-8?b?", b"\n", b"\r\n\r\n", b"Content-Type: multipart/mixed; boundary=x\n", b"--x\n",
               b"?=", b"\x00", b"<", b'"', b";charset=ut\xf0-8", b"From: a:;\n"]
    refused = 0
    for _ in range(400):
        data = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 20)):
            pos, op = rnd.randrange(len(data)), rnd.random()
            if op < 0.4:
                data[pos] = rnd.randrange(256)
            elif op < 0.7:
                del data[pos:pos + rnd.randint(1, 50)]
            else:
                data[pos:pos] = rnd.choice(inserts)
        try:
            parsed = mail.parse(bytes(data))
        except ValidationError as exc:
            assert exc.fields.get("file")
            refused += 1
        else:
            assert isinstance(parsed["subject"], str) and isinstance(parsed["body"], str)
    assert 0 < refused < 400


@pytest.mark.parametrize("block,expected_at", [
    # Gmail in Vietnamese
    ("---------- Thư đã chuyển tiếp ---------\nTừ: *Trần Minh Đức* <duc.tran@vnexpress.net>\n"
     "Date: Th 6, 26 thg 6, 2026 vào lúc 07:45\nSubject: Hỏi về tuyển sinh lớp 10\nTo: <vp@hanoi.edu.vn>\n\n",
     ORIGINAL_AT),
    # Outlook desktop's older "Original Message" with [mailto:] and an afternoon time
    ("-----Original Message-----\nFrom: Trần Minh Đức [mailto:duc.tran@vnexpress.net]\n"
     "Sent: Friday, June 26, 2026 2:05 PM\nTo: Văn phòng Sở\nSubject: Hỏi về tuyển sinh lớp 10\n\n",
     datetime(2026, 6, 26, 7, 5, tzinfo=timezone.utc)),
    # Apple Mail in Vietnamese
    ("Bắt đầu thư được chuyển tiếp:\n\nTừ: Trần Minh Đức <duc.tran@vnexpress.net>\n"
     "Chủ đề: Hỏi về tuyển sinh lớp 10\nNgày: 26 tháng 6, 2026 lúc 07:45\nĐến: vp@hanoi.edu.vn\n\n", ORIGINAL_AT),
])
def test_more_forward_variants(block, expected_at):
    from email.message import EmailMessage

    from crisiscomm.inquiries import mail

    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Date"] = "Vũ Thị Mai <vtmai@hanoi.edu.vn>", "Fwd: x", "Fri, 26 Jun 2026 10:30 +0700"
    msg.set_content("Xử lý giúp.\n\n" + block + "Kính gửi Sở,\nXin hỏi điểm chuẩn.")
    parsed = mail.parse(msg.as_bytes())
    assert (parsed["name"], parsed["email"]) == (JOURNALIST, JOURNALIST_EMAIL)
    assert parsed["subject"] == SUBJECT and parsed["sent_at"] == expected_at
    assert parsed["body"] == "Kính gửi Sở,\nXin hỏi điểm chuẩn."


def test_the_original_and_its_forward_as_attachment_are_one_inquiry(officer, hanoi, factory, clock, attachment_dir):
    from .conftest import original_message

    clock.set(datetime(2026, 6, 26, 4, 0, tzinfo=timezone.utc))
    client = factory.login(officer)
    assert _upload(client, thunderbird_attached_eml()).status_code == 302
    again = _upload(client, original_message().as_bytes())
    first = db.session.scalars(db.select(Inquiry)).one()
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/inquiries/{first.id}")
    assert "đã được nhập thành câu hỏi số" in client.get(again.headers["Location"]).get_data(as_text=True)


def _cp1258(text):
    """Windows-1258 as Vietnamese Windows writes it: precomposed letters (ơ, ư, â…) with the tone as a combining
    mark."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", decomposed[:-1]).encode("cp1258") + decomposed[-1].encode("cp1258")
    return out


def test_a_windows_1258_email_is_read_in_nfc():
    """Old Outlook in Vietnamese writes Windows-1258, where tones are combining marks: stored composed (NFC)."""
    import unicodedata

    from crisiscomm.inquiries import mail

    body = _cp1258("Kính gửi Sở,\r\nXin hỏi về điểm thi lớp 10.\r\n")
    assert not unicodedata.is_normalized("NFC", body.decode("cp1258"))  # the file really holds combining tones
    subject = "=?windows-1258?Q?" + "".join(f"={b:02X}" for b in _cp1258(SUBJECT)) + "?="
    data = (f"From: Tran Minh Duc <{JOURNALIST_EMAIL}>\r\nTo: vp@hanoi.edu.vn\r\n"
            f"Subject: {subject}\r\nDate: Fri, 26 Jun 2026 07:45:00 +0700\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=windows-1258\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode() + body
    parsed = mail.parse(data)
    assert parsed["email"] == JOURNALIST_EMAIL and parsed["sent_at"] == ORIGINAL_AT
    assert parsed["subject"] == SUBJECT and unicodedata.is_normalized("NFC", parsed["subject"])
    assert parsed["body"] == "Kính gửi Sở,\nXin hỏi về điểm thi lớp 10."
