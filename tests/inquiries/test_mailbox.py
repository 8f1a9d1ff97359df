"""The press mailbox against a real IMAP server (dovecot): each new message a received inquiry exactly once."""
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from crisiscomm.extensions import db
from crisiscomm.inquiries import mailbox as press
from crisiscomm.inquiries.models import Inquiry, PressMailbox
from crisiscomm.notifications.models import Notification

from .conftest import IMAP_PASSWORD, IMAP_USER, JOURNALIST_EMAIL, PDF_BYTES, forwarded_eml

ADDRESS = "baochi@hanoi.edu.vn"


def _mail(sender, subject, body, message_id, *, date="Mon, 30 Nov 2026 08:10:00 +0700", headers=None, pdf=None):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = sender, ADDRESS, subject, date
    msg["Message-ID"] = message_id
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    if pdf:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="de-nghi.pdf")
    return msg.as_bytes()


def _csrf(page):
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def _connect(client, dovecot, **extra):
    page = client.get("/inquiries/settings").get_data(as_text=True)
    data = {"csrf_token": _csrf(page), "department": "ha-noi", "address": ADDRESS, "host": "127.0.0.1",
            "port": str(dovecot.port), "security": "plain", "username": IMAP_USER, "password": IMAP_PASSWORD,
            "folder": "INBOX", "enabled": "1", "import_since": "2026-11-01", "action": "save", **extra}
    return client.post("/inquiries/settings/mailbox", data=data)


def _inquiries():
    db.session.expire_all()
    return db.session.scalars(db.select(Inquiry).order_by(Inquiry.id)).all()


def test_each_new_message_becomes_an_inquiry_once_and_replies_do_not(app, backend, dovecot, officer, hanoi,
                                                                    factory, clock, attachment_dir):
    clock.set(datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc))
    director = factory.user("director", email="gd@hanoi.vn")
    client = factory.login(director)
    assert _connect(client, dovecot).status_code == 302
    box = db.session.scalar(db.select(PressMailbox))
    assert IMAP_PASSWORD not in box.password_encrypted and press.decrypt(box.password_encrypted) == IMAP_PASSWORD

    first = "<q1@vnexpress.net>"
    dovecot.append(_mail(f"Trần Minh Đức <{JOURNALIST_EMAIL}>", "Điểm thi lớp 10 bị sai?",
                         "Kính gửi Sở,\nPhụ huynh phản ánh điểm thi bị sai. Sở trả lời giúp.", first, pdf=PDF_BYTES))
    dovecot.append(forwarded_eml("gmail"))  # a clerk forwarded a journalist's email to the press address
    dovecot.append(_mail(f"Trần Minh Đức <{JOURNALIST_EMAIL}>", "Trả lời tự động: Điểm thi", "Tôi đang đi công tác.",
                         "<auto@vnexpress.net>", headers={"Auto-Submitted": "auto-replied"}))
    dovecot.append(_mail(f"Phòng Truyền thông <{ADDRESS}>", "Re: Điểm thi lớp 10 bị sai?", "Sở đã nhận.",
                         "<our-reply@hanoi.edu.vn>", headers={"In-Reply-To": first, "References": first}))
    dovecot.append(_mail(f"Trần Minh Đức <{JOURNALIST_EMAIL}>", "Re: Điểm thi lớp 10 bị sai?",
                         "Xin bổ sung: có bao nhiêu bài thi bị ảnh hưởng?", "<q1-followup@vnexpress.net>",
                         headers={"In-Reply-To": first, "References": first}))

    assert press.poll_all() == 2
    db.session.commit()
    rows = _inquiries()
    assert [(i.subject, i.channel, i.state) for i in rows] == [
        ("Điểm thi lớp 10 bị sai?", "email", "received"), ("Hỏi về tuyển sinh lớp 10", "email", "received")]
    assert rows[0].received_at == datetime(2026, 11, 30, 1, 10, tzinfo=timezone.utc)
    assert [f.filename for f in rows[0].files] == ["de-nghi.pdf"]
    assert rows[1].journalist_name == "Trần Minh Đức"
    # The journalist's follow-up is on the first inquiry's timeline, not a third inquiry.
    assert "bao nhiêu bài thi" in rows[0].events[-1].note

    # Polling again, after a restart that lost the position, or from a second scheduler: nothing twice.
    assert press.poll_all() == 0
    box = db.session.scalar(db.select(PressMailbox))
    box.last_uid, box.uidvalidity = 0, None
    db.session.commit()
    from tests.conftest import make_app

    other = make_app(backend, ATTACHMENT_DIR=app.config["ATTACHMENT_DIR"])
    with other.app_context():
        assert press.poll_all() == 0
        db.session.commit()
        db.session.remove()
    assert press.poll_all() == 0
    db.session.commit()
    assert len(_inquiries()) == 2
    assert sum("bao nhiêu bài thi" in (e.note or "") for e in _inquiries()[0].events) == 1

    dovecot.append(_mail("Lê Hoa <hoa@tuoitre.vn>", "Học phí năm học mới", "Xin hỏi mức học phí.", "<q2@tuoitre.vn>"))
    # Larger than the limit: logged from its header, with a note to read the rest in the mailbox.
    app.config["MAX_EML_BYTES"] = 5000
    dovecot.append(_mail("Lê Hoa <hoa@tuoitre.vn>", "Ảnh hiện trường", "Ảnh đính kèm.", "<q3@tuoitre.vn>",
                         pdf=PDF_BYTES * 100))
    assert press.poll_all() == 2
    db.session.commit()
    rows = _inquiries()
    assert [i.subject for i in rows][-2:] == ["Học phí năm học mới", "Ảnh hiện trường"]
    assert "lớn hơn giới hạn" in rows[-1].questions and rows[-1].files == []


def test_a_mailbox_that_cannot_be_read_is_shown_and_alerts_the_officers_once(dovecot, officer, hanoi, factory,
                                                                              clock, attachment_dir):
    director = factory.user("director", email="gd@hanoi.vn")
    client = factory.login(director)
    assert _connect(client, dovecot).status_code == 302
    assert press.poll_all() == 0
    db.session.commit()

    def alerts():
        db.session.expire_all()
        return db.session.scalars(db.select(Notification).where(Notification.kind == "inquiries.mailbox_failed",
                                                                Notification.recipient_id == officer.id)).all()

    dovecot.stop()
    press.poll_all()
    db.session.commit()
    clock.advance(seconds=120)
    press.poll_all()
    db.session.commit()
    assert len(alerts()) == 1 and "Không đọc được hộp thư báo chí" in alerts()[0].subject
    page = client.get("/inquiries/settings").get_data(as_text=True)
    assert "mailbox-failing" in page and "Không đọc được từ" in page
    # The officers, who cannot open the settings, see it on their inquiry list.
    listing = factory.login(officer).get("/inquiries").get_data(as_text=True)
    assert "mailbox-down" in listing and ADDRESS in listing

    dovecot.start()
    press.poll_all()
    db.session.commit()
    assert "mailbox-ok" in client.get("/inquiries/settings").get_data(as_text=True)
    assert "mailbox-down" not in factory.login(officer).get("/inquiries").get_data(as_text=True)
    dovecot.stop()
    clock.advance(seconds=120)
    press.poll_all()
    db.session.commit()
    assert len(alerts()) == 2  # a new failure streak alerts again


def test_wrong_password_and_plain_imap_to_another_host_are_refused(dovecot, officer, hanoi, factory, clock):
    client = factory.login(factory.user("director", email="gd@hanoi.vn"))
    response = _connect(client, dovecot, host="imap.example.gov.vn")
    assert response.status_code == 422 and "chỉ được dùng với chính máy này" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(PressMailbox)) is None
    response = _connect(client, dovecot, password="sai-mat-khau", action="check")
    assert response.status_code == 302
    page = client.get("/inquiries/settings").get_data(as_text=True)
    assert "mailbox-failing" in page
    # Officers cannot see or change the mailbox settings.
    assert factory.login(officer).get("/inquiries/settings").status_code == 403


def test_passwords_are_re_encrypted_when_the_key_is_rotated(app, officer, hanoi, factory, clock):
    from cryptography.fernet import Fernet

    director = factory.user("director", email="gd@hanoi.vn")
    box = press.save_mailbox(department=hanoi, user=director, host="imap.hanoi.edu.vn", username="baochi",
                             password="bi-mat")
    db.session.commit()
    old = press.derived_key(app.config["SECRET_KEY"]).decode()
    new = Fernet.generate_key().decode()
    app.config["MAILBOX_KEYS"] = f"{new},{old}"
    assert press.rotate_keys() == 1
    db.session.commit()
    app.config["MAILBOX_KEYS"] = new
    assert press.decrypt(box.password_encrypted) == "bi-mat"
    with pytest.raises(Exception):
        Fernet(old.encode()).decrypt(box.password_encrypted.encode())


@pytest.mark.browser
def test_a_director_connects_the_press_mailbox_on_a_phone(page, live_server, dovecot, factory, setup_data,
                                                          attachment_dir):
    from datetime import date, timedelta

    from tests.factories import browser_sign_in

    dovecot.append(_mail(f"Trần Minh Đức <{JOURNALIST_EMAIL}>", "Điểm thi lớp 10 bị sai?", "Sở trả lời giúp.",
                         "<q-phone@vnexpress.net>", pdf=PDF_BYTES))
    browser_sign_in(page, factory.user("director", email="gd@hanoi.vn").email, viewport={"width": 390, "height": 844})
    page.goto("/inquiries/settings")
    page.fill("#mb-address", ADDRESS)
    page.fill("#mb-host", "127.0.0.1")
    page.fill("#mb-port", str(dovecot.port))
    page.select_option("#mb-security", "plain")
    page.fill("#mb-username", IMAP_USER)
    page.fill("#mb-password", IMAP_PASSWORD)
    page.fill("#mb-import_since", (date.today() - timedelta(days=2)).isoformat())
    page.click("button[value=check]")
    page.wait_for_url("**/inquiries/settings?department=ha-noi")
    assert page.locator("text=Đã kiểm tra hộp thư báo chí: 1 câu hỏi mới").is_visible()
    assert page.locator(".mailbox-ok").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for button in page.locator("#press-mailbox button").all():
        assert button.bounding_box()["height"] >= 44
    page.goto("/inquiries")
    page.click("text=Điểm thi lớp 10 bị sai?")
    link = page.locator(".attachment-list a")
    assert link.inner_text() == "de-nghi.pdf" and link.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_imap_over_tls_checks_the_certificate(app, dovecot, officer, hanoi, factory, clock, attachment_dir):
    director = factory.user("director", email="gd@hanoi.vn")
    dovecot.append(_mail(f"Trần Minh Đức <{JOURNALIST_EMAIL}>", "Học phí", "Xin hỏi học phí.", "<tls-1@vnexpress.net>",
                         date="Mon, 30 Nov 2026 08:10:00 +0700"))
    box = press.save_mailbox(department=hanoi, user=director, address=ADDRESS, host="localhost",
                             port=dovecot.tls_port, security="tls", username=IMAP_USER, password=IMAP_PASSWORD,
                             import_since="2026-11-01")
    db.session.commit()
    # A certificate no one vouches for: refused, and shown.
    press.poll(box)
    db.session.commit()
    assert box.failing_since is not None and "certificate" in box.last_error.lower()
    # The Department's mail server's CA, configured: read over TLS.
    app.config["MAILBOX_CA_FILE"] = str(dovecot.ca_file)
    assert press.poll(box).get("imported") == 1
    db.session.commit()
    assert box.failing_since is None and [i.subject for i in _inquiries()] == ["Học phí"]
