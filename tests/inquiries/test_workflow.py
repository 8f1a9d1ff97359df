from datetime import datetime, timedelta, timezone

import pytest

from crisiscomm.clock import to_local
from crisiscomm.contacts.models import Contact
from crisiscomm.errors import Conflict, PermissionDenied, ValidationError
from crisiscomm.extensions import db
from crisiscomm.inquiries import deadlines, settings, workflow
from crisiscomm.inquiries.models import Inquiry, RefusalGround
from crisiscomm.statements.models import Statement

from .. import factories
from ..factories import inquiry as make_inquiry


def test_intake_creates_contact_and_due_time_from_department_default(officer, hanoi, clock):
    inquiry = make_inquiry(officer, hanoi)
    contact = db.session.get(Contact, inquiry.contact_id)
    assert contact.full_name == "Nguyễn Thu Trang" and contact.outlet_type == "online"
    assert contact.department_id == hanoi.id
    assert inquiry.state == "received"
    assert inquiry.due_at == clock.now() + timedelta(hours=24)
    assert [e.to_state for e in inquiry.events] == ["received"]


def test_a_journalist_typed_again_is_the_same_contact_not_a_duplicate(officer, hanoi, factory, clock):
    first = make_inquiry(officer, hanoi)
    again = make_inquiry(officer, hanoi, subject="Phúc khảo bài thi")  # same name and outlet, typed again
    other_outlet = make_inquiry(officer, hanoi, outlet="Báo Tuổi Trẻ")
    assert again.contact_id == first.contact_id and other_outlet.contact_id != first.contact_id
    # Another Department typing the same journalist gets its own contact.
    hue_officer = factory.user("comms_officer", department="hue")
    elsewhere = make_inquiry(hue_officer, factory.department("hue"))
    assert elsewhere.contact_id != first.contact_id
    assert db.session.get(Contact, elsewhere.contact_id).department_id == factory.department("hue").id
    names = db.session.scalars(db.select(Contact.outlet).where(Contact.department_id == hanoi.id)).all()
    assert sorted(names) == ["Báo Giáo dục và Thời đại", "Báo Tuổi Trẻ"]


def test_journalist_deadline_wins(officer, hanoi, clock):
    inquiry = make_inquiry(officer, hanoi, deadline="2026-06-26T11:00")  # local
    assert to_local(inquiry.due_at).strftime("%d/%m %H:%M") == "26/06 11:00"
    assert inquiry.deadline_source == "journalist"


def test_overdue_across_days_in_local_time(officer, hanoi, clock, factory):
    from crisiscomm.rules import service as rules

    incident = factories.incident(hanoi, "Lộ đề thi Ngữ văn", category="exam", at=clock.now(), commit=False)
    # The province's regulation (entered by the Department) sets 6 hours for questions about an incident.
    rules.create_rule(user=factory.user("director", email="gd@hanoi.vn"), data={
        "name": "Trả lời báo chí về sự cố (quy chế phát ngôn của Thành phố)", "applies_to": "inquiry_response",
        "duration_minutes": 360, "incident_linked": "yes", "legal_source": "Thời hạn trả lời câu hỏi về sự cố.",
        "source_document": "Quyết định 12/2024/QĐ-UBND", "source_date": "2024-03-15", "confidence": "verified"})
    db.session.commit()
    # Received at 22:00 local on 26/06: the province's 6-hour rule makes it due at 04:00 local on 27/06.
    clock.set(datetime(2026, 6, 26, 15, 30, tzinfo=timezone.utc))
    inquiry = make_inquiry(officer, hanoi, received_at="2026-06-26T22:00", incident_id=incident.id)
    due = to_local(inquiry.due_at)
    assert (due.day, due.hour, due.minute) == (27, 4, 0)
    assert inquiry.deadline_rule.department_id == hanoi.id
    assert inquiry.deadline_rule.authority == "province_regulation"
    clock.set(datetime(2026, 6, 26, 20, 30, tzinfo=timezone.utc))  # 03:30 local on 27/06
    assert deadlines.due_status(inquiry) == "due_soon"
    clock.set(datetime(2026, 6, 26, 21, 1, tzinfo=timezone.utc))  # 04:01 local
    assert deadlines.due_status(inquiry) == "overdue"


def test_without_a_province_rule_an_incident_question_is_not_given_the_ministry_six_hours(officer, hanoi, clock,
                                                                                         factory):
    incident = factories.incident(hanoi, "Lộ đề thi Ngữ văn", category="exam", at=clock.now())
    inquiry = make_inquiry(officer, hanoi, incident_id=incident.id)
    assert inquiry.due_at == clock.now() + timedelta(hours=24)
    assert inquiry.deadline_rule.authority == "product_default"


def test_incident_of_another_department_is_refused(officer, hanoi, clock, factory):
    other = factory.department("ho-chi-minh")
    incident = factories.incident(other, "x", category="exam", at=clock.now(), severity="low")
    with pytest.raises(ValidationError) as exc:
        make_inquiry(officer, hanoi, incident_id=incident.id)
    assert "incident_id" in exc.value.fields


def _walk_to(inquiry, officer, spokesperson, state):
    path = ["assigned", "drafting", "awaiting_approval", "answered"]
    for step in path[:path.index(state) + 1]:
        kw = {"assignee": officer.email} if step == "assigned" else {}
        if step == "awaiting_approval":
            kw["answer_text"] = "Sở giữ ổn định chỉ tiêu tuyển sinh lớp 10."
        workflow.transition(inquiry=inquiry, user=spokesperson if step == "answered" else officer, to=step, **kw)
        db.session.commit()


def test_every_legal_transition_is_recorded(officer, spokesperson, hanoi, clock):
    ground = db.session.query(RefusalGround).filter_by(key="ongoing_investigation").one()
    for source, targets in workflow.TRANSITIONS.items():
        for target in targets:
            inquiry = make_inquiry(officer, hanoi)
            if source != "received":
                _walk_to(inquiry, officer, spokesperson, source)
            assert inquiry.state == source
            kw = {}
            if target == "assigned":
                kw["assignee"] = spokesperson.email
            if target == "declined":
                kw.update(reason="Đang thanh tra", refusal_ground_id=ground.id)
            if target == "drafting" and source == "awaiting_approval":
                kw["note"] = "Bổ sung số liệu"
            if target == "awaiting_approval":
                kw["answer_text"] = "Câu trả lời"
            user = spokesperson if target == "answered" or source == "awaiting_approval" else officer
            workflow.transition(inquiry=inquiry, user=user, to=target, **kw)
            db.session.commit()
            assert inquiry.state == target
            last = inquiry.events[-1]
            assert (last.from_state, last.to_state, last.actor_id) == (source, target, user.id)


def test_illegal_transition_lists_allowed(officer, hanoi, factory):
    client = factory.api(officer)
    inquiry = make_inquiry(officer, hanoi)
    response = client.post(f"/api/v1/inquiries/{inquiry.id}/transitions", json={"to": "answered"})
    assert response.status_code == 409
    body = response.get_json()["error"]
    assert sorted(body["allowed"]) == sorted(["assigned", "declined", "referred_to_ministry"])
    assert db.session.get(Inquiry, inquiry.id).state == "received"


def test_decline_requires_reason_and_ground(officer, hanoi):
    inquiry = make_inquiry(officer, hanoi)
    with pytest.raises(ValidationError) as exc:
        workflow.transition(inquiry=inquiry, user=officer, to="declined", reason="")
    assert set(exc.value.fields) == {"reason", "refusal_ground"}


def test_approval_by_configured_role_and_frozen_text(officer, spokesperson, hanoi, factory):
    director = factory.user("director", email="director@hanoi.vn")
    inquiry = make_inquiry(officer, hanoi)
    _walk_to(inquiry, officer, spokesperson, "awaiting_approval")
    for wrong in (officer, director):
        with pytest.raises(PermissionDenied):
            workflow.transition(inquiry=inquiry, user=wrong, to="answered")
        db.session.rollback()
    # The director changes the setting: now only the director approves.
    settings.update_settings(department=hanoi, user=director, approver="director")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        workflow.transition(inquiry=inquiry, user=spokesperson, to="answered")
    db.session.rollback()
    workflow.transition(inquiry=inquiry, user=director, to="answered", answer_text="Câu trả lời đã duyệt.")
    db.session.commit()
    assert inquiry.approved_text == "Câu trả lời đã duyệt." and inquiry.approved_by_id == director.id
    statement = db.session.query(Statement).filter_by(source_type="inquiry", source_id=inquiry.id).one()
    assert statement.text == "Câu trả lời đã duyệt."
    with pytest.raises(Conflict):
        workflow.save_draft(inquiry=inquiry, user=officer, answer_text="changed")
    assert db.session.get(Inquiry, inquiry.id).approved_text == "Câu trả lời đã duyệt."


def test_optimistic_lock_conflict_keeps_user_text(officer, hanoi, factory):
    from flask import g

    from tests.factories import csrf_token

    other = factory.user("comms_officer", email="other@hanoi.vn")
    inquiry = make_inquiry(officer, hanoi)
    browser = factory.login(other)
    g.pop("csrf_token", None)  # the test's app context outlives requests: drop the pre-login token
    page = browser.get(f"/inquiries/{inquiry.id}")
    v = inquiry.version
    assert f'name="version" value="{v}"' in page.get_data(as_text=True)
    # Meanwhile the first officer saves her draft.
    workflow.save_draft(inquiry=inquiry, user=officer, answer_text="Bản của chị Mai", version=v)
    db.session.commit()
    response = browser.post(f"/inquiries/{inquiry.id}/draft", data={
        "answer": "Bản của anh Nam", "version": v, "csrf_token": csrf_token(page)})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Bản của anh Nam" in html  # the user's text is kept in the form
    assert "Someone else saved" in html or "Người khác đã lưu" in html
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).answer_draft == "Bản của chị Mai"
    # The API refuses a stale version too.
    g.pop("_login_user", None)
    api = factory.api(other)
    r = api.post(f"/api/v1/inquiries/{inquiry.id}/transitions", json={"to": "assigned", "assignee": other.email,
                                                                      "version": v})
    assert r.status_code == 409 and r.get_json()["error"]["fields"] == {"version": "đã có phiên bản mới hơn"}


def test_alert_job_overdue_and_due_soon_once(officer, spokesperson, hanoi, clock, smtp_server, app):
    from crisiscomm.jobs import run_all_once
    from crisiscomm.notifications.models import Notification

    inquiry = make_inquiry(officer, hanoi, deadline="2026-06-26T10:00")  # due 10:00 local, now 08:00
    workflow.transition(inquiry=inquiry, user=officer, to="assigned", assignee=spokesperson.email)
    db.session.commit()
    clock.set(datetime(2026, 6, 26, 1, 30, tzinfo=timezone.utc))  # 08:30 local: due in 90 min
    run_all_once(app)
    run_all_once(app)
    rows = db.session.query(Notification).filter(Notification.kind == "inquiry.due_soon").all()
    assert {(r.recipient_id, r.channel) for r in rows} == {(officer.id, "in_app"), (officer.id, "email"),
                                                            (spokesperson.id, "in_app"), (spokesperson.id, "email")}
    clock.set(datetime(2026, 6, 26, 3, 5, tzinfo=timezone.utc))  # 10:05 local
    run_all_once(app)
    overdue = db.session.query(Notification).filter(Notification.kind == "inquiry.overdue").all()
    assert len(overdue) == 4
    overdue_mail = [m for m in smtp_server.messages if "Tuyển sinh lớp 10" in str(m["message"]["Subject"])
                    and str(m["message"]["Subject"]).startswith(("OVERDUE", "QUÁ HẠN"))]
    assert {addr for m in overdue_mail for addr in m["to"]} == {officer.email, spokesperson.email}
    response = factory_api_list(app, officer)
    assert [i["id"] for i in response] == [inquiry.id]


def factory_api_list(app, user):
    from tests.factories import Factory

    return Factory(app).api(user).get("/api/v1/inquiries?overdue=true").get_json()["items"]


def test_a_save_that_crosses_another_between_check_and_write_is_a_409_not_a_500(officer, hanoi, factory, app):
    """The version check passed, but another officer's save lands before this one's UPDATE."""
    from flask import g
    from sqlalchemy import event, text

    inquiry = make_inquiry(officer, hanoi)
    v = inquiry.version
    g.pop("_login_user", None)
    api = factory.api(officer)

    def other_officer_saves_first(session, flush_context, instances):
        with db.engine.connect() as other:  # a second, real connection commits in between
            other.execute(text("UPDATE inquiry SET version = version + 1, answer_draft = 'Bản của anh Nam' "
                               "WHERE id = :id"), {"id": inquiry.id})
            other.commit()

    event.listen(db.session, "before_flush", other_officer_saves_first, once=True)
    try:
        r = api.post(f"/api/v1/inquiries/{inquiry.id}/transitions",
                     json={"to": "assigned", "assignee": officer.email, "version": v})
    finally:
        if event.contains(db.session, "before_flush", other_officer_saves_first):
            event.remove(db.session, "before_flush", other_officer_saves_first)
    assert r.status_code == 409, r.get_data(as_text=True)
    assert r.get_json()["error"]["fields"] == {"version": "đã có phiên bản mới hơn"}
    db.session.expire_all()
    kept = db.session.get(Inquiry, inquiry.id)
    assert kept.state == "received" and kept.answer_draft == "Bản của anh Nam" and kept.version == v + 1
    assert "assigned" not in [e.to_state for e in kept.events]  # no half-written timeline step
