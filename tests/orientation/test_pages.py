"""The incident page's orientation section, the form pre-filled from the incident, scoping, and the demo."""
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.orientation.models import OrientationMessage, OrientationRecipient

from .. import factories
from ..factories import csrf_token


def test_incident_page_lists_orientation_with_ack_counts_and_prefills_the_form(hanoi, factory, smtp_server):
    incident = factories.incident("ha-noi", exam_related=True, title="Ảnh đề thi Ngữ văn trên mạng")
    client = factory.login(hanoi["officer"])
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Định hướng thông tin tới các trường" in page and "Chưa có định hướng thông tin nào" in page
    form = client.get(f"/orientation/new?incident={incident.id}")
    html = form.get_data(as_text=True)
    assert "Định hướng thông tin: Ảnh đề thi Ngữ văn trên mạng" in html
    response = client.post(f"/orientation/new?incident={incident.id}", data={
        "csrf_token": csrf_token(form), "subject": "Định hướng: ảnh đề thi", "holding_line": "Đang xác minh.",
        "group_ids": [str(hanoi["group"].id)], "send": "1"})
    assert response.status_code == 302
    message = db.session.scalar(select(OrientationMessage))
    assert message.incident_id == incident.id
    message.recipients[0].acknowledged_at = message.sent_at
    db.session.commit()
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Định hướng: ảnh đề thi" in page and "1/3 đã xác nhận" in page
    # Another Department's incident cannot be linked.
    other = factories.incident("ho-chi-minh", title="Sự cố khác")
    assert client.get(f"/orientation/new?incident={other.id}").status_code == 404
    bad = factory.api(hanoi["officer"]).post("/api/v1/orientation/messages", json={
        "subject": "x", "holding_line": "y", "targets": {"all": True}, "incident_id": other.id})
    assert bad.status_code == 422 and "incident_id" in bad.get_json()["error"]["fields"]


def test_another_departments_message_is_a_404(hanoi, factory, smtp_server):
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    hcm = factory.user("comms_officer", department="ho-chi-minh")
    api = factory.api(hcm)
    assert api.get(f"/api/v1/orientation/messages/{message.id}").status_code == 404
    assert api.post(f"/api/v1/orientation/messages/{message.id}/remind").status_code == 404
    assert api.post(f"/api/v1/orientation/messages/{message.id}/send").status_code == 404
    assert factory.login(hcm).get(f"/orientation/{message.id}").status_code == 404
    assert api.get("/api/v1/orientation/messages").get_json()["messages"] == []
    # A viewer of Hà Nội sees it but cannot send or remind.
    viewer = factory.api(factory.user("viewer", department="ha-noi"))
    assert viewer.get(f"/api/v1/orientation/messages/{message.id}").status_code == 200
    assert viewer.post(f"/api/v1/orientation/messages/{message.id}/remind").status_code == 403
    spec = factory.api(hanoi["officer"]).get("/api/v1/openapi.json").get_json()
    assert "/api/v1/orientation/messages/{message_id}/remind" in spec["paths"]


def test_demo_sends_one_orientation_for_the_exam_incident(app, departments):
    from crisiscomm import demo

    app.config["NOTIFY_DISPATCH"] = "off"
    demo.create_demo()
    db.session.commit()
    [message] = db.session.scalars(select(OrientationMessage)).all()
    assert message.incident.exam_related and message.state == "sent"
    rows = db.session.scalars(select(OrientationRecipient)).all()
    acked = [r for r in rows if r.acknowledged_at]
    assert 0 < len(acked) < len(rows)


def test_a_draft_is_edited_then_sent_from_its_page(hanoi, factory, smtp_server):
    message = factories.orientation_message(hanoi["officer"], send=False, targets={"all": True})
    client = factory.login(hanoi["officer"])
    page = client.get(f"/orientation/{message.id}")
    assert "Gửi tới 4 trường, đơn vị." in page.get_data(as_text=True)
    form = client.get(f"/orientation/{message.id}/edit")
    assert form.status_code == 200 and "Kỳ thi diễn ra an toàn, đúng quy chế." in form.get_data(as_text=True)
    bad = client.post(f"/orientation/{message.id}/edit", data={"csrf_token": csrf_token(form), "subject": "x",
                                                               "holding_line": "y", "send": "1"})
    assert bad.status_code == 422  # no recipients chosen: nothing saved
    db.session.expire_all()
    assert message.subject == "Định hướng thông tin về đề thi" and message.state == "drafted"
    done = client.post(f"/orientation/{message.id}/edit", data={
        "csrf_token": csrf_token(form), "subject": "Định hướng đã sửa", "holding_line": "Câu trả lời mới.",
        "school_ids": [str(hanoi["outside"].id)], "send": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert message.state == "sent" and [r.school_id for r in message.recipients] == [hanoi["outside"].id]
    assert "Định hướng đã sửa" in smtp_server.to(hanoi["outside"].focal_points[0].email)[0]["Subject"]
    assert client.get(f"/orientation/{message.id}/edit").status_code == 302
