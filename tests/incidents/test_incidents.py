"""Acknowledge links, the never-deleted record, drills, the statement clock, checklists, scoping, validation, pages."""
import io
import re

import pytest
from sqlalchemy import func, select

from crisiscomm.extensions import db
from crisiscomm.incidents import ack_links, escalation, queries, statement_clock
from crisiscomm.incidents.models import AppendOnlyError, ChecklistItem, Incident, IncidentEvent
from crisiscomm.notifications.models import Notification
from crisiscomm.statements.models import Statement

from .. import factories
from ..factories import csrf_token
from .conftest import incident_body

ACK = re.compile(r"http://localhost(/incidents/ack/[A-Za-z0-9_.\-]+)")


def _ack_path(smtp_server, address, index=0):
    body = smtp_server.to(address)[index].get_body(("plain",)).get_content()
    return ACK.search(body).group(1)


def _create(factory, user, **overrides):
    response = factory.api(user).post("/api/v1/incidents", json=incident_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- acknowledge links ---------------------------------------------------------------------------------

def test_acknowledge_link_from_the_email_works_once_without_signing_in(world, factory, smtp_server, app):
    data = _create(factory, world.officer, exam_related=False, category="health")
    path = _ack_path(smtp_server, "giamdoc@hanoi.edu.vn")
    anonymous = app.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Ảnh đề thi Ngữ văn" in page.get_data(as_text=True)
    response = anonymous.post(path, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 200
    detail = factory.api(world.admin).get(f"/api/v1/incidents/{data['id']}").get_json()
    assert detail["status"] == "acknowledged"
    ack = next(a for a in detail["acknowledgements"] if a["recipient"] == "giamdoc@hanoi.edu.vn")
    assert ack["acknowledged_at"] and ack["via"] == "link"
    # Reused: a clear 409 page, on GET and on POST.
    again = anonymous.get(path + "?lang=en")
    assert again.status_code == 409
    assert "already been used" in again.get_data(as_text=True)
    assert anonymous.post(path, data={"csrf_token": csrf_token(page)}).status_code == 409


def test_tampered_acknowledge_link_is_refused(world, factory, smtp_server, app):
    data = _create(factory, world.officer)
    path = _ack_path(smtp_server, "giamdoc@hanoi.edu.vn")
    token = path.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = app.test_client().get(f"/incidents/ack/{tampered}?lang=en")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    # Another person's escalation id with a valid signature is still refused without the right nonce.
    forged = ack_links._serializer().dumps({"e": 2, "n": "guess"})
    assert app.test_client().get(f"/incidents/ack/{forged}").status_code == 400
    incident = db.session.get(Incident, data["id"])
    assert all(e.acknowledged_at is None for e in incident.escalations)


def test_expired_acknowledge_link_is_refused(world, factory, smtp_server, app, clock):
    _create(factory, world.officer)
    path = _ack_path(smtp_server, "bcd1@hanoi.edu.vn")
    clock.advance(hours=app.config["ACK_LINK_MAX_AGE_HOURS"], minutes=1)
    response = app.test_client().get(path + "?lang=en")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_in_app_acknowledge_button(world, factory, smtp_server):
    data = _create(factory, world.officer, exam_related=False, category="health")
    director = factory.login(world.director)
    page = director.get(f"/incidents/{data['id']}")
    assert 'id="ack-button"' in page.get_data(as_text=True)
    response = director.post(f"/incidents/{data['id']}/acknowledge", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    page = director.get(f"/incidents/{data['id']}?lang=en").get_data(as_text=True)
    assert "Level 1 acknowledged at" in page and 'id="ack-button"' not in page
    # Someone who was not alerted has nothing to acknowledge.
    assert factory.api(world.officer).post(f"/api/v1/incidents/{data['id']}/acknowledge").status_code == 403


# --- never hidden, never deleted ------------------------------------------------------------------------

def test_incidents_cannot_be_deleted(world, factory, smtp_server):
    data = _create(factory, world.officer)
    response = factory.api(world.admin).delete(f"/api/v1/incidents/{data['id']}")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    officer = factory.login(world.officer)
    page = officer.get(f"/incidents/{data['id']}").get_data(as_text=True)
    assert "/delete" not in page and "method=\"delete\"" not in page.lower()
    assert officer.post(f"/incidents/{data['id']}/delete").status_code in (404, 405)
    assert db.session.get(Incident, data["id"]) is not None
    with pytest.raises(AppendOnlyError):
        db.session.delete(db.session.get(Incident, data["id"]))
        db.session.flush()
    db.session.rollback()


def test_edits_append_to_an_immutable_timeline(world, factory, smtp_server):
    data = _create(factory, world.officer)
    api = factory.api(world.officer)
    response = api.patch(f"/api/v1/incidents/{data['id']}", json={"title": "Lộ đề thi Ngữ văn tại Hà Nội",
                                                                   "severity": "critical"})
    assert response.status_code == 200
    timeline = response.get_json()["timeline"]
    edit = next(e for e in timeline if e["field"] == "title")
    assert edit["old_value"] == "Ảnh đề thi Ngữ văn lộ trên mạng xã hội"
    assert edit["new_value"] == "Lộ đề thi Ngữ văn tại Hà Nội"
    assert any(e["field"] == "severity" and e["old_value"] == "high" for e in timeline)
    event = db.session.scalar(select(IncidentEvent).where(IncidentEvent.field == "title"))
    event.old_value = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalar(select(IncidentEvent).where(IncidentEvent.field == "title"))
    db.session.delete(event)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(IncidentEvent.old_value).where(IncidentEvent.field == "title")) == \
        "Ảnh đề thi Ngữ văn lộ trên mạng xã hội"


def test_status_moves_forward_and_closing_needs_both_summaries(world, factory, smtp_server):
    data = _create(factory, world.officer)
    api = factory.api(world.officer)
    url = f"/api/v1/incidents/{data['id']}"
    assert api.patch(url, json={"status": "contained"}).get_json()["status"] == "contained"
    response = api.patch(url, json={"status": "open"})
    assert response.status_code == 409
    response = api.patch(url, json={"status": "closed", "closing_summary": "Đã xác định thí sinh chụp đề."})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"closing_public_summary"}
    assert db.session.get(Incident, data["id"]).status == "contained"
    response = api.patch(url, json={"status": "closed", "closing_summary": "Đã xác định thí sinh chụp đề.",
                                    "closing_public_summary": "Họp báo lúc 15h, thông cáo trên cổng thông tin Sở."})
    assert response.status_code == 200 and response.get_json()["status"] == "closed"
    # A director can reopen, with a reason.
    director = factory.api(world.director)
    assert director.patch(url, json={"status": "acknowledged"}).status_code == 422
    assert director.patch(url, json={"status": "acknowledged", "reason": "Có thông tin mới"}).status_code == 200


# --- drills -----------------------------------------------------------------------------------------------

def test_a_drill_reaches_only_the_people_named_and_says_so(world, factory, smtp_server, clock):
    data = _create(factory, world.officer, drill=True, drill_recipients=["bcd1@hanoi.edu.vn", world.spokesperson.id])
    assert smtp_server.recipients() == ["bcd1@hanoi.edu.vn", "phatngon@hanoi.edu.vn"]
    for address in ("bcd1@hanoi.edu.vn", "phatngon@hanoi.edu.vn"):
        [message] = smtp_server.to(address)
        assert "DIỄN TẬP / DRILL" in message["Subject"]
        assert "DIỄN TẬP / DRILL" in message.get_body(("plain",)).get_content()
    in_app = db.session.scalars(select(Notification).where(Notification.channel == "in_app")).all()
    assert in_app and all("DIỄN TẬP / DRILL" in n.subject for n in in_app)
    clock.advance(hours=2)
    escalation.run_escalations()
    statement_clock.run_deadlines()
    db.session.commit()
    assert set(smtp_server.recipients()) == {"bcd1@hanoi.edu.vn", "phatngon@hanoi.edu.vn"}
    # Excluded from lists and statistics by default.
    api = factory.api(world.admin)
    assert api.get("/api/v1/incidents").get_json()["items"] == []
    assert [i["id"] for i in api.get("/api/v1/incidents?drill=only").get_json()["items"]] == [data["id"]]
    assert queries.statistics(select(Incident)) == {}
    assert "Ảnh đề thi" not in factory.login(world.officer).get("/incidents/").get_data(as_text=True)


def test_a_drill_needs_named_people(world, factory):
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(drill=True))
    assert response.status_code == 422
    assert "drill_recipients" in response.get_json()["error"]["fields"]


# --- statement clock ------------------------------------------------------------------------------------

def test_first_statement_clock_stops_when_recorded(world, factory, smtp_server, clock):
    data = _create(factory, world.officer)
    # Occurred 07:50 local, logged (so known to the Department) at 08:00: due 08:00 + 6 h.
    assert data["first_statement_due_at"] == "2026-06-26T07:00:00+00:00"
    api = factory.api(world.officer)
    response = api.post(f"/api/v1/incidents/{data['id']}/statement", json={
        "text": "Sở GDĐT Hà Nội đã nắm thông tin và đang phối hợp với Công an xác minh.",
        "channel": "Cổng thông tin điện tử Sở", "approved_by": "giamdoc@hanoi.edu.vn"})
    assert response.status_code == 201, response.get_json()
    statement = db.session.scalar(select(Statement))
    assert statement.source_type == "incident" and statement.source_id == data["id"]
    assert statement.approved_by_id == world.director.id
    clock.advance(hours=8)
    assert statement_clock.run_deadlines() == 0
    db.session.commit()
    assert smtp_server.to("truyenthong@moet.gov.vn") == []


def test_missed_statement_alerts_the_director_and_the_ministry_centre_once(world, factory, smtp_server, clock):
    data = _create(factory, world.officer)
    clock.advance(hours=5, minutes=59)  # 06:59 UTC: one minute left (known at 01:00 UTC + 6 h)
    assert statement_clock.run_deadlines() == 0
    clock.advance(minutes=2)
    assert statement_clock.run_deadlines() == 1
    db.session.commit()
    assert statement_clock.run_deadlines() == 0
    db.session.commit()
    assert len(smtp_server.to("truyenthong@moet.gov.vn")) == 1
    assert len([m for m in smtp_server.to("giamdoc@hanoi.edu.vn") if "statement" in m["Subject"].lower()
                or "phát ngôn" in m["Subject"].lower() or "thông tin" in m["Subject"].lower()]) == 1
    detail = factory.api(world.admin).get(f"/api/v1/incidents/{data['id']}").get_json()
    assert detail["statement_overdue"] is True
    assert any(e["kind"] == "statement_overdue" for e in detail["timeline"])


def test_statement_validation_names_fields(world, factory, smtp_server):
    data = _create(factory, world.officer)
    response = factory.api(world.officer).post(f"/api/v1/incidents/{data['id']}/statement", json={
        "text": "", "channel": "Báo chí", "approved_by": "nobody@hanoi.edu.vn"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"text", "approved_by"}
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 0


# --- playbook checklist ---------------------------------------------------------------------------------

@pytest.fixture
def scenario(world):
    [v] = factories.scenario("exam-paper-leak", title="Lộ đề thi", body="# Lộ đề thi", checksum="x" * 64, meta={
        "notify": ["spokesperson"],
        "phases": [
            {"name": "15 phút đầu", "due_after": "15m", "items": [
                {"text": "Báo cáo Trưởng Ban Chỉ đạo thi", "owner_role": "director"},
                {"text": "Chuẩn bị thông tin ban đầu", "owner_role": "spokesperson"}]},
            {"name": "1 giờ", "due_after": "1h", "items": [
                {"text": "Rà soát mạng xã hội", "owner_role": "comms_officer"}]},
        ]})
    return v


def test_choosing_a_scenario_creates_the_checklist_with_deadlines(world, factory, smtp_server, clock, scenario):
    data = _create(factory, world.officer, scenario="exam-paper-leak", occurred_at="2026-06-26T08:00:00+07:00")
    detail = factory.api(world.officer).get(f"/api/v1/incidents/{data['id']}").get_json()
    items = {i["text"]: i for i in detail["checklist"]}
    assert items["Báo cáo Trưởng Ban Chỉ đạo thi"]["due_at"] == "2026-06-26T01:15:00+00:00"
    assert items["Rà soát mạng xã hội"]["due_at"] == "2026-06-26T02:00:00+00:00"
    assert items["Chuẩn bị thông tin ban đầu"]["owner_role"] == "spokesperson"
    # The scenario's notify roles were alerted on activation.
    assert any("Lộ đề thi" in m["Subject"] for m in smtp_server.to("phatngon@hanoi.edu.vn"))
    spokesperson_mail = len(smtp_server.to("phatngon@hanoi.edu.vn"))

    # Checking one off records who and when.
    item_id = items["Báo cáo Trưởng Ban Chỉ đạo thi"]["id"]
    response = factory.api(world.director).post(f"/api/v1/incidents/{data['id']}/checklist/{item_id}/done")
    assert response.status_code == 200 and response.get_json()["done_by"] == "giamdoc@hanoi.edu.vn"

    clock.advance(minutes=16)
    assert statement_clock.run_deadlines() == 1  # only the spokesperson's open 15-minute item
    db.session.commit()
    assert statement_clock.run_deadlines() == 0
    db.session.commit()
    assert len(smtp_server.to("phatngon@hanoi.edu.vn")) == spokesperson_mail + 1
    assert smtp_server.to("truyenthong@hanoi.edu.vn") == []  # the 1-hour item is not due yet
    page = factory.login(world.officer).get(f"/incidents/{data['id']}").get_data(as_text=True)
    assert page.count("row-red overdue") == 1
    clock.advance(hours=1)
    statement_clock.run_deadlines()
    db.session.commit()
    assert len(smtp_server.to("truyenthong@hanoi.edu.vn")) == 1
    overdue = db.session.scalars(select(ChecklistItem).where(ChecklistItem.overdue_alerted_at.is_not(None))).all()
    assert len(overdue) == 2


def test_unknown_scenario_is_a_field_error(world, factory):
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(scenario="no-such-scenario"))
    assert response.status_code == 422
    assert "scenario" in response.get_json()["error"]["fields"]


# --- validation and scoping -----------------------------------------------------------------------------

def test_validation_errors_name_fields_and_write_nothing(world, factory, smtp_server):
    api = factory.api(world.officer)
    response = api.post("/api/v1/incidents", json=incident_body(
        occurred_at="2026-06-26T12:00:00+07:00", category="weather", severity="apocalyptic"))
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"occurred_at", "category", "severity"}
    response = factory.api(world.admin).post("/api/v1/incidents", json=incident_body(department="atlantis"))
    assert response.status_code == 422
    assert "department" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert smtp_server.messages == []


def test_departments_see_only_their_incidents_and_the_ministry_sees_all(world, factory, smtp_server):
    data = _create(factory, world.officer)
    other = factory.api(world.other)
    assert other.get(f"/api/v1/incidents/{data['id']}").status_code == 404
    assert other.patch(f"/api/v1/incidents/{data['id']}", json={"title": "x"}).status_code == 404
    assert other.post(f"/api/v1/incidents/{data['id']}/acknowledge").status_code == 404
    assert other.get("/api/v1/incidents").get_json()["items"] == []
    web = factory.login(world.other)
    assert web.get(f"/incidents/{data['id']}").status_code == 404
    assert web.get(f"/incidents/{data['id']}/report").status_code == 404
    assert "Ảnh đề thi" not in web.get("/incidents/").get_data(as_text=True)
    # A Department user cannot log an incident for another Department.
    assert other.post("/api/v1/incidents", json=incident_body(department="ha-noi")).status_code == 422
    for user in (world.admin, world.centre):
        items = factory.api(user).get("/api/v1/incidents?department=ha-noi&exam_related=true").get_json()["items"]
        assert [i["id"] for i in items] == [data["id"]]
    assert factory.login(world.centre).get(f"/incidents/{data['id']}").status_code == 200


def test_viewer_cannot_log_incidents(world, factory):
    assert factory.api(world.viewer).post("/api/v1/incidents", json=incident_body()).status_code == 403


# --- pages ------------------------------------------------------------------------------------------------

def test_logging_an_incident_in_the_web_form(world, factory, smtp_server):
    officer = factory.login(world.officer)
    page = officer.get("/incidents/new?exam=1")
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(page), "title": "", "category": "exam", "severity": "critical",
            "exam_related": "y", "occurred_at": "2026-06-26T07:40", "department": "ha-noi"}
    response = officer.post("/incidents/new", data=form)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    form["title"] = "Thí sinh dùng thiết bị công nghệ cao"
    form["occurred_at"] = "2026-06-27T07:40"
    response = officer.post("/incidents/new?lang=en", data=form)
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    form["occurred_at"] = "2026-06-26T07:40"
    response = officer.post("/incidents/new", data=form)
    assert response.status_code == 302
    incident = db.session.scalar(select(Incident))
    assert incident.exam_related and incident.reporter_id == world.officer.id
    assert smtp_server.recipients() == ["bcd1@hanoi.edu.vn", "bcd2@hanoi.edu.vn", "giamdoc@hanoi.edu.vn"]
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hoàng Văn Nam" in page and 'class="countdown"' in page

    edit = officer.get(f"/incidents/{incident.id}/edit")
    response = officer.post(f"/incidents/{incident.id}/edit", data={
        "csrf_token": csrf_token(edit), "title": "Thí sinh dùng tai nghe siêu nhỏ", "category": "exam",
        "severity": "critical", "exam_related": "y", "occurred_at": "2026-06-26T07:40", "place": "Điểm thi số 5"})
    assert response.status_code == 302
    page = officer.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Thí sinh dùng thiết bị công nghệ cao" in page  # the previous value stays visible in the timeline


def test_fast_report_page_and_docx(world, factory, smtp_server):
    from docx import Document

    data = _create(factory, world.officer)
    officer = factory.login(world.officer)
    page = officer.get(f"/incidents/{data['id']}/report").get_data(as_text=True)
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO NHANH",
                 "Ảnh đề thi Ngữ văn", "UBND THÀNH PHỐ HÀ NỘI", "Hà Nội, ngày 26 tháng 6 năm 2026",
                 "CÁC BƯỚC TIẾP THEO", "Nơi nhận"):
        assert text in page, text
    response = officer.get(f"/incidents/{data['id']}/report.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO NHANH" in text
    assert "Nguyễn Văn Hùng" in text  # who was alerted, in the actions taken


def test_escalation_policy_is_editable_by_the_director_only(world, factory, smtp_server):
    director = factory.login(world.director)
    page = director.get("/incidents/policy")
    assert page.status_code == 200 and "Hoàng Văn Nam" in page.get_data(as_text=True)
    response = director.post("/incidents/policy", data={
        "csrf_token": csrf_token(page), "timeout_minutes": "0", "critical_timeout_minutes": "5"})
    assert response.status_code == 422
    response = director.post("/incidents/policy", data={
        "csrf_token": csrf_token(page), "timeout_minutes": "15", "critical_timeout_minutes": "5",
        "members_2": "Chánh Thanh tra Sở <thanhtra@hanoi.edu.vn>"})
    assert response.status_code == 302
    officer = factory.login(world.officer)
    page = officer.get("/incidents/policy")
    assert officer.post("/incidents/policy", data={"csrf_token": csrf_token(page), "timeout_minutes": "1",
                                                   "critical_timeout_minutes": "1"}).status_code == 403
    data = _create(factory, world.officer, exam_related=False, category="health")
    assert db.session.get(Incident, data["id"]).timeout_minutes == 15
    escalation.run_escalations()
    db.session.commit()
    from crisiscomm.incidents.models import Escalation

    assert db.session.scalar(select(Escalation).where(Escalation.email == "thanhtra@hanoi.edu.vn")) is None


def test_ministry_pages_and_the_ministry_office_list(world, factory, smtp_server, clock):
    _create(factory, world.officer, exam_related=False, category="health")
    admin = factory.login(world.admin)
    home = admin.get("/?lang=en").get_data(as_text=True)
    assert "Level 1 has not acknowledged yet." in home and "Ảnh đề thi" in home
    assert "Ảnh đề thi" in admin.get("/incidents/?department=ha-noi").get_data(as_text=True)
    assert admin.get("/incidents/policy").status_code == 200
    assert "Nguyễn Văn Hùng" in admin.get("/incidents/policy?department=ha-noi").get_data(as_text=True)
    page = admin.get("/incidents/ministry-office")
    response = admin.post("/incidents/ministry-office", data={
        "csrf_token": csrf_token(page), "members": "Chánh Văn phòng Bộ <cvp@moet.gov.vn>\nnot an email@"})
    assert response.status_code == 422
    response = admin.post("/incidents/ministry-office", data={
        "csrf_token": csrf_token(page), "members": "Chánh Văn phòng Bộ <cvp@moet.gov.vn>"})
    assert response.status_code == 302
    centre = factory.login(world.centre)
    page = centre.get("/incidents/ministry-office")
    assert page.status_code == 200
    assert centre.post("/incidents/ministry-office", data={"csrf_token": csrf_token(page),
                                                           "members": ""}).status_code == 403
    # Level 3 now reaches the saved list instead of the Ministry administrators.
    clock.advance(minutes=21)
    escalation.run_escalations()
    db.session.commit()
    clock.advance(minutes=10)
    escalation.run_escalations()
    db.session.commit()
    assert len(smtp_server.to("cvp@moet.gov.vn")) == 1 and smtp_server.to("admin@moet.gov.vn") == []
    paths = factory.api(world.admin).get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/incidents"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/incidents/{incident_id}"])
    assert "post" in paths["/api/v1/incidents/{incident_id}/checklist/{item_id}/done"]


def test_webhook_is_signed_with_the_department_secret(world, factory, smtp_server):
    import hashlib
    import hmac
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Crisiscomm-Signature"], body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        department = factory.department("ha-noi")
        department.webhook_url = f"http://127.0.0.1:{server.server_port}/hook"
        department.webhook_secret = "bi-mat-cua-so"
        db.session.commit()
        data = _create(factory, world.officer)
    finally:
        server.shutdown()
        server.server_close()
    [(signature, body)] = received
    assert signature == "sha256=" + hmac.new(b"bi-mat-cua-so", body, hashlib.sha256).hexdigest()
    assert json.loads(body)["incident"]["id"] == data["id"]
    assert any(e["channel"] == "webhook" and e["status"] == "sent" for e in data["escalations"])


def test_statement_playbook_checklist_and_closing_from_the_incident_page(world, factory, smtp_server, scenario):
    data = _create(factory, world.officer)
    officer = factory.login(world.officer)
    url = f"/incidents/{data['id']}"
    token = csrf_token(officer.get(url))
    # Bad statement input re-renders the page with the error under the field.
    response = officer.post(f"{url}/statement?lang=en", data={"csrf_token": token, "text": "Thông tin ban đầu",
                                                              "channel": "Họp báo", "published_at": "2026-06-27T09:00",
                                                              "approved_by": str(world.director.id)})
    assert response.status_code == 422 and "cannot be in the future" in response.get_data(as_text=True)
    response = officer.post(f"{url}/statement", data={"csrf_token": token, "text": "Sở đã nắm thông tin.",
                                                      "channel": "Họp báo", "published_at": "2026-06-26T07:55",
                                                      "approved_by": str(world.director.id)})
    assert response.status_code == 302
    assert officer.post(f"{url}/scenario", data={"csrf_token": token, "scenario": "exam-paper-leak"}).status_code == 302
    item = db.session.scalar(select(ChecklistItem).order_by(ChecklistItem.id))
    assert officer.post(f"{url}/checklist/{item.id}/done", data={"csrf_token": token}).status_code == 302
    response = officer.post(f"{url}/status?lang=en", data={"csrf_token": token, "status": "closed",
                                                           "closing_summary": "Đã xử lý thí sinh vi phạm."})
    assert response.status_code == 422
    assert "required: what was said publicly" in response.get_data(as_text=True)
    response = officer.post(f"{url}/status", data={"csrf_token": token, "status": "closed",
                                                   "closing_summary": "Đã xử lý thí sinh vi phạm.",
                                                   "closing_public_summary": "Thông cáo báo chí lúc 10h."})
    assert response.status_code == 302
    page = officer.get(f"{url}?lang=en").get_data(as_text=True)
    assert "Sở đã nắm thông tin." in page and "Thông cáo báo chí lúc 10h." in page
    assert "Mark done" in page  # the other actions stay visible
    incident = db.session.get(Incident, data["id"])
    db.session.refresh(incident)
    assert incident.status == "closed" and incident.first_statement_at is not None
    assert [i.done_by_id for i in incident.checklist if i.done_at] == [world.officer.id]


def test_marking_an_incident_exam_related_alerts_the_steering_board(world, factory, smtp_server):
    data = _create(factory, world.officer, exam_related=False, category="health")
    assert smtp_server.to("bcd1@hanoi.edu.vn") == []
    factory.api(world.officer).patch(f"/api/v1/incidents/{data['id']}", json={"exam_related": True})
    assert len(smtp_server.to("bcd1@hanoi.edu.vn")) == 1 and len(smtp_server.to("bcd2@hanoi.edu.vn")) == 1
    assert len(smtp_server.to("giamdoc@hanoi.edu.vn")) == 1
