"""Creating an incident alerts level 1 at once; the clock drives reminders and escalation to levels 2 and 3."""
import re

from sqlalchemy import func, select

from crisiscomm.extensions import db
from crisiscomm.incidents import escalation, policies
from crisiscomm.incidents.models import Escalation, Incident
from crisiscomm.notifications.models import Notification
from crisiscomm.notifications.service import sweep

from .conftest import incident_body


def _emails(smtp_server, address):
    return smtp_server.to(address)


def _run_escalation():
    escalation.run_escalations()
    db.session.commit()


def test_exam_incident_alerts_the_director_and_every_steering_board_member(world, factory, smtp_server):
    api = factory.api(world.officer)
    response = api.post("/api/v1/incidents", json=incident_body())
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["status"] == "open"
    level1_email = {e["recipient"] for e in data["escalations"] if e["channel"] == "email" and e["level"] == 1}
    assert level1_email == {"giamdoc@hanoi.edu.vn", "bcd1@hanoi.edu.vn", "bcd2@hanoi.edu.vn"}
    assert all(e["status"] == "sent" for e in data["escalations"])
    assert {e["channel"] for e in data["escalations"]} == {"email", "in_app"}
    roles = {e["recipient"]: e["role"] for e in data["escalations"]}
    assert roles["giamdoc@hanoi.edu.vn"] == "director" and roles["bcd1@hanoi.edu.vn"] == "steering_board"
    for address in level1_email:
        [message] = _emails(smtp_server, address)
        assert "Ảnh đề thi Ngữ văn lộ trên mạng xã hội" in message["Subject"]
    # Level 2 is not bothered yet.
    assert _emails(smtp_server, "phogiamdoc@hanoi.edu.vn") == []
    # The director sees it in the app too.
    director = factory.login(world.director)
    assert "Ảnh đề thi Ngữ văn" in director.get("/notifications/").get_data(as_text=True)


def test_non_exam_incident_alerts_only_the_director(world, factory, smtp_server):
    api = factory.api(world.officer)
    data = api.post("/api/v1/incidents", json=incident_body(
        title="Ngộ độc thực phẩm tại bếp ăn bán trú", category="health", exam_related=False, exam=None)).get_json()
    assert {e["recipient"] for e in data["escalations"]} == {"giamdoc@hanoi.edu.vn"}
    assert smtp_server.recipients() == ["giamdoc@hanoi.edu.vn"]


def test_acknowledgement_by_director_and_steering_board_stops_escalation(world, factory, smtp_server, clock):
    incident_id = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()["id"]
    # The director alone is not enough for an exam incident: both audiences must have seen it.
    body = factory.api(world.director).post(f"/api/v1/incidents/{incident_id}/acknowledge").get_json()
    assert body["status"] == "open" and body["level1_acknowledged_at"] is None
    body = factory.api(world.board2).post(f"/api/v1/incidents/{incident_id}/acknowledge").get_json()
    assert body["status"] == "acknowledged"
    assert body["level1_acknowledged_at"] is not None
    before = len(smtp_server.messages)
    clock.advance(minutes=45)
    _run_escalation()
    assert len(smtp_server.messages) == before
    assert _emails(smtp_server, "phogiamdoc@hanoi.edu.vn") == []
    # board1 never acknowledged, but the level is: no reminder for them either.
    assert len(_emails(smtp_server, "bcd1@hanoi.edu.vn")) == 1
    kinds = [e["kind"] for e in factory.api(world.admin).get(f"/api/v1/incidents/{incident_id}").get_json()["timeline"]]
    assert kinds.count("acknowledged") == 2 and "level_acknowledged" in kinds and "escalated" in kinds


def test_without_acknowledgement_the_clock_escalates_to_level_2_then_3(world, factory, smtp_server, clock):
    body = incident_body(title="Clip bạo lực học đường", category="school_safety", exam_related=False, exam=None)
    incident_id = factory.api(world.officer).post("/api/v1/incidents", json=body).get_json()["id"]
    clock.advance(minutes=9)
    _run_escalation()
    assert _emails(smtp_server, "phogiamdoc@hanoi.edu.vn") == []

    clock.advance(minutes=1, seconds=1)
    _run_escalation()
    _run_escalation()  # the job is idempotent: a second run at the same time does nothing
    assert len(_emails(smtp_server, "giamdoc@hanoi.edu.vn")) == 2  # first alert + one reminder
    assert "REMINDER" in _emails(smtp_server, "giamdoc@hanoi.edu.vn")[1]["Subject"].upper() or \
        "NHẮC" in _emails(smtp_server, "giamdoc@hanoi.edu.vn")[1]["Subject"].upper()
    assert len(_emails(smtp_server, "phogiamdoc@hanoi.edu.vn")) == 1
    assert len(_emails(smtp_server, "phatngon@hanoi.edu.vn")) == 1
    assert _emails(smtp_server, "admin@moet.gov.vn") == []

    clock.advance(minutes=10)
    _run_escalation()
    assert len(_emails(smtp_server, "admin@moet.gov.vn")) == 1
    assert len(_emails(smtp_server, "giamdoc@hanoi.edu.vn")) == 3
    assert len(_emails(smtp_server, "phogiamdoc@hanoi.edu.vn")) == 1  # level 2 is alerted once, not reminded

    data = factory.api(world.admin).get(f"/api/v1/incidents/{incident_id}").get_json()
    assert data["escalation_level"] == 3
    levels = {(e["recipient"], e["level"]) for e in data["escalations"] if e["channel"] == "email"}
    assert ("phogiamdoc@hanoi.edu.vn", 2) in levels and ("admin@moet.gov.vn", 3) in levels
    escalations = [e for e in data["timeline"] if e["kind"] == "escalated"]
    assert len(escalations) == 3
    # Once the director acknowledges, reminders stop.
    factory.api(world.director).post(f"/api/v1/incidents/{incident_id}/acknowledge")
    before = len(smtp_server.messages)
    clock.advance(minutes=30)
    _run_escalation()
    assert len(smtp_server.messages) == before


def test_critical_incident_escalates_after_five_minutes(world, factory, smtp_server, clock):
    factory.api(world.officer).post("/api/v1/incidents", json=incident_body(severity="critical"))
    clock.advance(minutes=5, seconds=1)
    _run_escalation()
    assert len(_emails(smtp_server, "phogiamdoc@hanoi.edu.vn")) == 1


def test_exam_incident_keeps_reminding_the_steering_board_until_one_acknowledges(world, factory, smtp_server, clock):
    incident_id = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()["id"]
    factory.api(world.director).post(f"/api/v1/incidents/{incident_id}/acknowledge")
    clock.advance(minutes=10, seconds=1)
    _run_escalation()
    assert len(_emails(smtp_server, "bcd1@hanoi.edu.vn")) == 2
    assert len(_emails(smtp_server, "bcd2@hanoi.edu.vn")) == 2
    assert len(_emails(smtp_server, "giamdoc@hanoi.edu.vn")) == 1  # already acknowledged: no reminder
    assert len(_emails(smtp_server, "phogiamdoc@hanoi.edu.vn")) == 1


def test_smtp_down_then_up_loses_nothing_and_doubles_nothing(world, factory, smtp_server, clock):
    smtp_server.stop()
    data = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()
    email_states = {e["status"] for e in data["escalations"] if e["channel"] == "email"}
    assert email_states == {"failed_temporary"}
    smtp_server.start()
    assert sweep() == 0  # backoff not elapsed yet
    clock.advance(seconds=31)
    assert sweep() == 3
    clock.advance(minutes=1)
    assert sweep() == 0
    assert smtp_server.recipients() == ["bcd1@hanoi.edu.vn", "bcd2@hanoi.edu.vn", "giamdoc@hanoi.edu.vn"]
    page = factory.login(world.officer).get(f"/incidents/{data['id']}?lang=en").get_data(as_text=True)
    assert "accepted by the mail server at" in page
    detail = factory.api(world.officer).get(f"/api/v1/incidents/{data['id']}").get_json()
    email_rows = [e for e in detail["escalations"] if e["channel"] == "email"]
    assert all(e["status"] == "sent" and e["attempts"] == 2 for e in email_rows)


def test_pending_notifications_survive_a_restart(world, factory, smtp_server, clock, backend):
    from tests.conftest import make_app

    token = factory.token(world.officer)
    crashed = make_app(backend, NOTIFY_DISPATCH="off", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    crashed.extensions["clock"] = clock
    with crashed.app_context():
        response = crashed.test_client().post("/api/v1/incidents", json=incident_body(),
                                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
        status = {(e["channel"], e["status"]) for e in response.get_json()["escalations"]}
        # In-app messages are in the inbox with the incident's commit; the emails wait for a sender.
        assert status == {("email", "pending"), ("in_app", "sent")}
        db.session.remove()
    assert smtp_server.messages == []

    restarted = make_app(backend, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    restarted.extensions["clock"] = clock
    with restarted.app_context():
        assert sweep() == 3  # the 3 emails
        assert sweep() == 0
        db.session.remove()
    assert smtp_server.recipients() == ["bcd1@hanoi.edu.vn", "bcd2@hanoi.edu.vn", "giamdoc@hanoi.edu.vn"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.state != "sent")) == 0


def test_recipient_without_email_is_shown_as_not_notified(world, factory, smtp_server, app):
    from crisiscomm.departments.service import find_by_code

    policies.save_policy(actor=world.director, department=find_by_code("ha-noi"), timeout_minutes=10,
                        critical_timeout_minutes=5, members_text={1: "Thư ký Ban Chỉ đạo thi (chưa có email)"})
    db.session.commit()
    data = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()
    row = next(e for e in data["escalations"] if e["recipient"].startswith("Thư ký"))
    assert row["status"] == "not_notified"
    page = factory.login(world.officer).get(f"/incidents/{data['id']}?lang=en").get_data(as_text=True)
    assert "NOT NOTIFIED" in page and "Thư ký Ban Chỉ đạo thi" in page


def test_escalation_rows_are_written_with_the_incident(world, factory, smtp_server):
    data = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()
    incident = db.session.get(Incident, data["id"])
    assert {e.recipient_label for e in incident.escalations} == {"Nguyễn Văn Hùng", "Hoàng Văn Nam", "Trần Thị Bích"}
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 3
    assert re.search(r"/incidents/ack/\S+", _emails(smtp_server, "giamdoc@hanoi.edu.vn")[0].get_body(
        ("plain",)).get_content())
