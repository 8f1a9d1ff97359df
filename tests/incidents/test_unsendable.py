"""No message that can never leave: single-line fields are normalised at input, headers are built from a
sanitised copy, and a message that cannot be built fails for good at once, shows on the incident page and
alerts the Department in the app — never a silent retry loop."""
from sqlalchemy import select, update

from crisiscomm.extensions import db
from crisiscomm.incidents import escalation
from crisiscomm.incidents.models import Incident
from crisiscomm.notifications.models import Notification
from crisiscomm.notifications.service import sweep
from crisiscomm.users.models import User

from .conftest import incident_body


def test_a_line_separator_in_a_title_is_normalised_and_the_escalation_emails_leave(world, factory, smtp_server):
    # U+2028 pasted from a phone, CR/LF through the API
    title = "Lộ đề thi\u2028môn Ngữ văn\r\ntại Hà Nội\u2029"
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(title=title,
                                                                                     place="Điểm thi\nChu Văn An"))
    assert response.status_code == 201, response.get_json()
    incident = db.session.get(Incident, response.get_json()["id"])
    assert incident.title == "Lộ đề thi môn Ngữ văn tại Hà Nội" and incident.place == "Điểm thi Chu Văn An"
    assert {e["status"] for e in response.get_json()["escalations"]} == {"sent"}
    for address in ("giamdoc@hanoi.edu.vn", "bcd1@hanoi.edu.vn", "bcd2@hanoi.edu.vn"):
        [message] = smtp_server.to(address)
        assert "Lộ đề thi môn Ngữ văn tại Hà Nội" in message["Subject"]


def test_control_characters_in_a_title_are_refused_naming_the_field(world, factory, smtp_server):
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(title="Lộ đề\x07thi"))
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"title"}
    assert db.session.scalar(select(Incident.id)) is None and smtp_server.messages == []


def test_a_title_stored_before_the_fix_still_gets_its_reminders_out(world, factory, smtp_server, clock):
    incident_id = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(
        title="Clip bạo lực", category="school_safety", exam_related=False, exam=None)).get_json()["id"]
    # a row written before titles were normalised (bypasses the ORM, as old data would)
    db.session.execute(update(Incident).where(Incident.id == incident_id).values(title="Clip bạo lực\u2028học đường\n"))
    db.session.commit()
    db.session.expire_all()
    clock.advance(minutes=10, seconds=1)
    escalation.run_escalations()
    db.session.commit()
    reminders = smtp_server.to("giamdoc@hanoi.edu.vn")
    assert len(reminders) == 2 and "Clip bạo lực học đường" in reminders[1]["Subject"]
    states = set(db.session.scalars(select(Notification.state).where(Notification.channel == "email")))
    assert states == {"sent"}


def test_a_message_that_cannot_be_built_fails_at_once_shows_and_alerts_the_department(world, factory, smtp_server,
                                                                                     clock, app):
    # an address stored with a header injection in it (old data, or a direct database edit)
    db.session.execute(update(User).where(User.id == world.director.id)
                       .values(email="giamdoc@hanoi.edu.vn\r\nBcc: attacker@example.com"))
    db.session.commit()
    db.session.expire_all()
    data = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(
        title="Ngộ độc thực phẩm", category="health", exam_related=False, exam=None)).get_json()
    row = db.session.scalar(select(Notification).where(Notification.channel == "email",
                                                       Notification.recipient_id == world.director.id))
    assert (row.state, row.attempts) == ("failed_permanent", 1)
    assert smtp_server.messages == []  # nothing reached the server, attacker included

    # no retry loop: the sweep leaves it alone however long we wait
    for _ in range(3):
        clock.advance(hours=1)
        sweep()
    db.session.refresh(row)
    assert (row.state, row.attempts) == ("failed_permanent", 1)

    # the Department is alerted in the app, with a link to the incident
    alerts = db.session.scalars(select(Notification).where(Notification.kind == "notification.undeliverable")).all()
    assert {a.recipient_id for a in alerts} == {world.director.id, world.spokesperson.id, world.officer.id}
    assert all(a.payload["url"] == f"/incidents/{data['id']}" for a in alerts)
    inbox = factory.login(world.officer).get("/notifications/").get_data(as_text=True)
    assert "Không gửi được" in inbox and "Ngộ độc thực phẩm" in inbox

    # and the incident page says so, in Vietnamese
    page = factory.login(world.officer).get(f"/incidents/{data['id']}").get_data(as_text=True)
    assert "không dựng được thư từ dữ liệu đã lưu" in page
    assert "Header values" not in page and "ValueError" not in page


def test_every_failure_stops_at_the_maximum_number_of_attempts(world, factory, smtp_server, clock, app):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    smtp_server.stop()
    factory.api(world.officer).post("/api/v1/incidents", json=incident_body(
        title="Ngộ độc thực phẩm", category="health", exam_related=False, exam=None))
    row = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    for _ in range(10):
        clock.advance(hours=1)
        sweep()
    db.session.refresh(row)
    assert (row.state, row.attempts) == ("failed_permanent", 3)


def test_a_sender_that_dies_on_the_last_attempt_is_not_claimed_again(world, factory, smtp_server, clock, app):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    factory.api(world.officer).post("/api/v1/incidents", json=incident_body(
        title="Ngộ độc thực phẩm", category="health", exam_related=False, exam=None))
    row = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    # a worker was killed mid-send on the last allowed attempt
    db.session.execute(update(Notification).where(Notification.id == row.id).values(
        state="sending", attempts=3, claimed_at=clock.now()))
    db.session.commit()
    sent_before = len(smtp_server.messages)
    clock.advance(hours=1)
    sweep()
    db.session.refresh(row)
    assert (row.state, row.attempts) == ("failed_permanent", 3)
    assert len(smtp_server.messages) == sent_before
