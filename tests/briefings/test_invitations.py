import base64
from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from crisiscomm.extensions import db
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import Notification

from ..factories import briefing, contact
from .helpers import post


def _calendar_part(message):
    """The invitation as mail clients read it: a text/calendar alternative of the text, not a file."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_content_disposition() is None
    return parts[0]


def _ics(message):
    return Calendar.from_ical(_calendar_part(message).get_payload(decode=True))


def _rows(b):
    db.session.expire_all()
    return db.session.scalars(db.select(Notification).where(Notification.source_type == "briefing",
                                                            Notification.source_id == b.id)).all()


def test_invitations_arrive_over_smtp_with_a_parseable_ics(departments, factory, smtp_server, clock):
    trang = contact(raw=True)
    anh = contact(raw=True, name="Trần Đức Anh", outlet="Báo Tuổi Trẻ", outlet_type="central_resident",
                  email="anh@tuoitre.example")
    hong = contact(raw=True, name="Đặng Thị Hồng", outlet="VnExpress", outlet_type="online", email=None)
    # 09:00–11:00 on 15 October 2026, Hà Nội time.
    b = briefing(starts_at=datetime(2026, 10, 15, 2, 0, tzinfo=timezone.utc), contacts=[trang, anh, hong],
                 place="Hội trường Sở GDĐT Hà Nội, 23 Quang Trung", topics="Tuyển sinh lớp 10")
    client = factory.login(factory.user("comms_officer"))
    response = post(client, f"/briefings/{b.id}/invitations")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]

    assert smtp_server.recipients() == ["anh@tuoitre.example", "trang@hanoimoi.example"]
    message = smtp_server.to("trang@hanoimoi.example")[0]
    assert "Họp báo định kỳ" in message["Subject"]
    cal = _ics(message)
    assert str(cal["method"]) == "REQUEST"
    event = next(iter(cal.walk("VEVENT")))
    assert event.decoded("dtstart").astimezone(timezone.utc) == datetime(2026, 10, 15, 2, 0, tzinfo=timezone.utc)
    assert event.decoded("dtend").astimezone(timezone.utc) == datetime(2026, 10, 15, 4, 0, tzinfo=timezone.utc)
    assert event.decoded("dtstart").hour == 9  # written in Asia/Ho_Chi_Minh
    assert str(event["location"]).startswith("Hội trường Sở GDĐT Hà Nội")
    assert "Tuyển sinh lớp 10" in str(event["description"])
    assert str(event["uid"]) == f"briefing-{b.id}@crisiscomm"
    assert str(event["organizer"]).startswith("mailto:")
    # The same UID in everyone's invitation, so a later update replaces the event.
    other = next(iter(_ics(smtp_server.to("anh@tuoitre.example")[0]).walk("VEVENT")))
    assert str(other["uid"]) == str(event["uid"])

    states = {r.address: r.state for r in _rows(b)}
    assert states == {"trang@hanoimoi.example": "sent", "anh@tuoitre.example": "sent", None: "not_notified"}
    page = client.get(f"/briefings/{b.id}").get_data(as_text=True)
    assert page.count("delivery-sent") == 2 and "delivery-not_notified" in page

    # Sending again without changes sends nothing; moving the briefing sends an update with a higher SEQUENCE.
    post(client, f"/briefings/{b.id}/invitations")
    assert len(smtp_server.messages) == 2
    api = factory.api(factory.user("comms_officer"))
    assert api.patch(f"/api/v1/briefings/{b.id}", json={"starts_at": "2026-10-16T14:00",
                                                         "ends_at": "2026-10-16T16:00"}).status_code == 200
    post(client, f"/briefings/{b.id}/invitations")
    assert len(smtp_server.messages) == 4
    updated = next(iter(_ics(smtp_server.to("trang@hanoimoi.example")[-1]).walk("VEVENT")))
    assert updated.decoded("dtstart").astimezone(timezone.utc) == datetime(2026, 10, 16, 7, 0, tzinfo=timezone.utc)
    assert int(updated["sequence"]) > int(event["sequence"])


def test_a_failed_send_is_shown_and_retried_until_delivered_once(departments, factory, smtp_server, clock):
    trang = contact(raw=True)
    b = briefing(contacts=[trang, contact(raw=True, name="Trần Đức Anh", outlet="Báo Tuổi Trẻ",
                                          outlet_type="central_resident", email=None)])
    client = factory.login(factory.user("spokesperson"))
    smtp_server.stop()
    post(client, f"/briefings/{b.id}/invitations")
    row = next(r for r in _rows(b) if r.address == "trang@hanoimoi.example")
    assert row.state == "failed_temporary" and row.last_error
    page = client.get(f"/briefings/{b.id}").get_data(as_text=True)
    # A temporary failure shows as such, with the button that retries it now rather than at the next sweep.
    assert "delivery-failed_temporary" in page and f"/briefings/{b.id}/invitations/retry" in page

    smtp_server.start()
    assert outbox.sweep() == 0  # still backing off: nothing is sent early
    clock.advance(seconds=31)
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0
    assert smtp_server.recipients() == ["trang@hanoimoi.example"]
    row = next(r for r in _rows(b) if r.address == "trang@hanoimoi.example")
    assert row.state == "sent" and row.attempts == 2
    cal = _ics(smtp_server.to("trang@hanoimoi.example")[0])
    assert next(iter(cal.walk("VEVENT"))).decoded("dtstart").astimezone(timezone.utc) == b.starts_at


def test_retry_now_requeues_a_permanently_failed_invitation(app, departments, factory, smtp_server, clock):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 1
    b = briefing(contacts=[contact(raw=True)])
    client = factory.login(factory.user("comms_officer"))
    smtp_server.stop()
    post(client, f"/briefings/{b.id}/invitations")
    assert _rows(b)[0].state == "failed_permanent"
    page = client.get(f"/briefings/{b.id}").get_data(as_text=True)
    assert "delivery-failed_permanent" in page and f"/briefings/{b.id}/invitations/retry" in page
    smtp_server.start()
    response = post(client, f"/briefings/{b.id}/invitations/retry", page=f"/briefings/{b.id}")
    assert response.status_code == 302
    assert _rows(b)[0].state == "sent"
    assert smtp_server.recipients() == ["trang@hanoimoi.example"]


def test_cancelling_sends_a_cancel_to_those_invited(departments, factory, smtp_server, clock):
    b = briefing(contacts=[contact(raw=True)])
    client = factory.login(factory.user("comms_officer"))
    post(client, f"/briefings/{b.id}/invitations")
    api = factory.api(factory.user("comms_officer"))
    response = api.patch(f"/api/v1/briefings/{b.id}", json={"status": "cancelled"})
    assert response.status_code == 422 and "status_reason" in response.get_json()["error"]["fields"]
    assert api.patch(f"/api/v1/briefings/{b.id}", json={"status": "cancelled",
                                                         "status_reason": "Trùng lịch kỳ thi"}).status_code == 200
    post(client, f"/briefings/{b.id}/invitations")
    cal = _ics(smtp_server.to("trang@hanoimoi.example")[-1])
    assert str(cal["method"]) == "CANCEL"
    assert base64  # attachments are base64 in the outbox row
    assert timedelta  # noqa


def test_an_invitation_is_one_outlook_and_gmail_treat_as_an_invitation(departments, factory, smtp_server, clock):
    from crisiscomm.departments.service import find_by_code
    from crisiscomm.inquiries.models import PressMailbox
    from crisiscomm.briefings import ical

    hanoi = find_by_code("ha-noi")
    db.session.add(PressMailbox(department_id=hanoi.id, address="baochi@hanoi.edu.vn", host="imap.hanoi.edu.vn",
                                port=993, security="tls", username="baochi", password_encrypted="x",
                                folder="INBOX", enabled=False, last_uid=0, imported_count=0))
    db.session.commit()
    b = briefing(title="Họp báo định kỳ quý I/2027", contacts=[contact(raw=True)], place="Hội trường Sở",
                 topics="Tuyển sinh lớp 10")
    client = factory.login(factory.user("comms_officer"))
    post(client, f"/briefings/{b.id}/invitations")
    message = smtp_server.to("trang@hanoimoi.example")[-1]
    # multipart/mixed [multipart/alternative [text/plain, text/calendar; method=REQUEST], hop-bao.ics]
    assert message.get_content_type() == "multipart/mixed"
    alternative = message.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/calendar"]
    part = _calendar_part(message)
    assert part.get_param("method") == "REQUEST" and part.get_param("charset").upper() == "UTF-8"
    files = [p for p in message.iter_attachments() if p.get_filename() == "hop-bao.ics"]
    assert len(files) == 1 and files[0].get_content_type() == "application/ics"
    raw = part.get_payload(decode=True)
    cal = Calendar.from_ical(raw)
    # The VTIMEZONE its TZID refers to, with Hà Nội's +07:00.
    zones = list(cal.walk("VTIMEZONE"))
    assert [str(z["tzid"]) for z in zones] == ["Asia/Ho_Chi_Minh"]
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20261015T090000" in raw
    assert b"TZOFFSETTO:+0700" in raw
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["organizer"]) == "mailto:baochi@hanoi.edu.vn"  # the Department's real address
    first_sequence = int(event["sequence"])
    assert b"BEGIN:VTIMEZONE" in ical.build_ics([b], method="PUBLISH")  # the feed and the download too

    # A new title is shown in the invitation: a new SEQUENCE, sent again.
    api = factory.api(factory.user("comms_officer"))
    assert api.patch(f"/api/v1/briefings/{b.id}", json={"title": "Họp báo định kỳ quý I/2027 (đã đổi tên)"}
                     ).status_code == 200
    post(client, f"/briefings/{b.id}/invitations")
    renamed = next(iter(_ics(smtp_server.to("trang@hanoimoi.example")[-1]).walk("VEVENT")))
    assert int(renamed["sequence"]) == first_sequence + 1
    assert str(renamed["summary"]).startswith("Họp báo định kỳ quý I/2027 (đã đổi tên)")
    assert str(renamed["uid"]) == str(event["uid"])
    # So are new topics.
    assert api.patch(f"/api/v1/briefings/{b.id}", json={"topics": "Tuyển sinh lớp 10 và lớp 6"}).status_code == 200
    post(client, f"/briefings/{b.id}/invitations")
    assert int(next(iter(_ics(smtp_server.to("trang@hanoimoi.example")[-1]).walk("VEVENT")))["sequence"]) == \
        first_sequence + 2

    # The cancellation: method=CANCEL in the MIME part and the calendar, and the subject keeps its spaces.
    assert api.patch(f"/api/v1/briefings/{b.id}", json={"status": "cancelled", "status_reason": "Trùng lịch thi"}
                     ).status_code == 200
    post(client, f"/briefings/{b.id}/invitations")
    cancel = smtp_server.to("trang@hanoimoi.example")[-1]
    assert cancel["Subject"] == "Hủy: Họp báo định kỳ quý I/2027 (đã đổi tên)"
    assert _calendar_part(cancel).get_param("method") == "CANCEL"
    assert str(_ics(cancel)["method"]) == "CANCEL"
    assert len(smtp_server.to("trang@hanoimoi.example")) == 4


def test_editing_what_the_invitation_shows_asks_for_the_update_to_be_sent(departments, factory, smtp_server, clock):
    trang = contact(raw=True)
    b = briefing(contacts=[trang])
    client = factory.login(factory.user("comms_officer"))
    post(client, f"/briefings/{b.id}/invitations")
    response = post(client, f"/briefings/{b.id}/edit", {"title": "Họp báo về tuyển sinh lớp 10",
                                                         "starts_at": "2026-10-15T09:00", "ends_at": "2026-10-15T11:00",
                                                         "status": "planned", "contact_ids": [str(trang.id)]},
                    page=f"/briefings/{b.id}/edit")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nội dung giấy mời đã thay đổi" in page
    post(client, f"/briefings/{b.id}/invitations")
    assert len(smtp_server.to("trang@hanoimoi.example")) == 2
    assert "Họp báo về tuyển sinh lớp 10" in smtp_server.to("trang@hanoimoi.example")[-1]["Subject"]


def test_a_line_separator_in_a_briefing_title_never_blocks_its_invitations(departments, factory, smtp_server, clock):
    # pasted from a phone: U+2028 in the title and a CR/LF in the place
    b = briefing(title="Họp báo\u2028quý IV\r\nnăm 2026", place="Hội trường\nSở GDĐT", contacts=[contact(raw=True)])
    assert b.title == "Họp báo quý IV năm 2026" and b.place == "Hội trường Sở GDĐT"
    # and a title stored before input was normalised still goes out, its header built from a sanitised copy
    db.session.execute(db.update(type(b)).where(type(b).id == b.id).values(title="Họp báo\u2028quý IV\nnăm 2026"))
    db.session.commit()
    client = factory.login(factory.user("comms_officer"))
    assert post(client, f"/briefings/{b.id}/invitations").status_code == 302
    [message] = smtp_server.to("trang@hanoimoi.example")
    assert "Họp báo quý IV năm 2026" in message["Subject"]
    assert {r.state for r in _rows(b)} == {"sent"}
