"""Sending an orientation message: who it reaches, on which channels, and the delivery state the sender sees."""
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.network.models import FocalPoint
from crisiscomm.notifications.models import Notification
from crisiscomm.orientation.models import OrientationRecipient

from .. import factories
from ..factories import csrf_token


def test_send_to_a_group_reaches_its_schools_active_focal_points_only(hanoi, factory, smtp_server, clock):
    group, schools = hanoi["group"], hanoi["schools"]
    archived = FocalPoint(department_id=schools[1].department_id, school=schools[1], full_name="Đã nghỉ",
                          email="danghi@truong.example.vn", archived_at=clock.now())
    db.session.add(archived)
    db.session.commit()
    client = factory.login(hanoi["officer"])
    form = client.get("/orientation/new")
    assert form.status_code == 200
    response = client.post("/orientation/new", data={
        "csrf_token": csrf_token(form), "subject": "Định hướng: tin đồn lộ đề", "holding_line": "Kỳ thi an toàn.",
        "may_say": "Đúng quy chế.", "may_not_say": "Không bình luận đề thi.", "group_ids": [str(group.id)],
        "send": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    rows = db.session.scalars(select(OrientationRecipient).order_by(OrientationRecipient.id)).all()
    assert sorted(r.school_id for r in rows) == sorted(s.id for s in schools)
    assert "danghi@truong.example.vn" not in [r.email for r in rows]
    # Two without an account: an email each, with the acknowledge link; the outside school got nothing.
    no_account = [r.email for r in rows if r.user_id is None]
    for address in no_account:
        [mail] = smtp_server.to(address)
        assert "Định hướng: tin đồn lộ đề" in mail["Subject"]
        body = mail.get_body(("plain",)).get_content()
        assert "Kỳ thi an toàn." in body and "Không bình luận đề thi." in body
        assert "/orientation/ack/" in body
    assert hanoi["outside"].focal_points[0].email not in smtp_server.recipients()
    # The one with an account: the app and their account email (no link to sign in with).
    member = hanoi["member"]
    mine = db.session.scalars(select(Notification).where(Notification.recipient_id == member.id)).all()
    assert sorted(n.channel for n in mine) == ["email", "in_app"]
    assert all(n.payload.get("action") == "orientation.ack" for n in mine)
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert html.count('data-silent') == 3 and html.count("delivery-delivered") == 3


def test_the_spokesperson_is_prefilled_and_bad_input_names_the_field(hanoi, factory):
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn", email="tuan@hanoi.example.vn")
    factories.spokesperson_assignment("ha-noi", spokesperson)
    client = factory.login(hanoi["officer"])
    form = client.get("/orientation/new")
    assert "Đỗ Minh Tuấn" in form.get_data(as_text=True)
    response = client.post("/orientation/new", data={"csrf_token": csrf_token(form), "subject": "",
                                                     "holding_line": "x", "send": "1"})
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(OrientationRecipient)) == 0
    api = factory.api(hanoi["officer"])
    bad = api.post("/api/v1/orientation/messages", json={"subject": "A", "holding_line": "B",
                                                          "targets": {"school_ids": [999999]}})
    assert bad.status_code == 422 and "school_ids" in bad.get_json()["error"]["fields"]
    other_group, _ = factories.orientation_network("ho-chi-minh", 1)
    bad = api.post("/api/v1/orientation/messages", json={"subject": "A", "holding_line": "B",
                                                          "targets": {"group_ids": [other_group.id]}})
    assert bad.status_code == 422 and "group_ids" in bad.get_json()["error"]["fields"]
    bad = api.post("/api/v1/orientation/messages", json={"subject": "A", "holding_line": "B", "targets": {}})
    assert bad.status_code == 422 and "group_ids" in bad.get_json()["error"]["fields"]
    bad = api.post("/api/v1/orientation/messages", json={"subject": "A" * 301, "holding_line": "B",
                                                          "targets": {"all": True}, "colour": 1})
    assert bad.status_code == 422 and "colour" in bad.get_json()["error"]["fields"]
    bad = api.post("/api/v1/orientation/messages", json={"subject": "A" * 301, "holding_line": "B",
                                                          "targets": {"all": True}})
    assert bad.status_code == 422 and "subject" in bad.get_json()["error"]["fields"]


def test_the_ministry_sends_to_every_departments_network(app, factory, smtp_server, clock):
    factories.orientation_network("ha-noi", 2)
    factories.orientation_network("ho-chi-minh", 1)
    factories.orientation_network("da-nang", 1)
    centre = factory.user("ministry_comms")
    api = factory.api(centre)
    response = api.post("/api/v1/orientation/messages", json={
        "subject": "Định hướng toàn ngành", "holding_line": "Bộ đã chỉ đạo.", "targets": {"all": True},
        "send": True})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["recipients"] == 4 and response.get_json()["from"] == "ministry"
    assert len(smtp_server.recipients()) == 4
    chosen = api.post("/api/v1/orientation/messages", json={
        "subject": "Riêng hai Sở", "holding_line": "Bộ đã chỉ đạo.", "targets": {"departments": ["ho-chi-minh",
                                                                                               "da-nang"]},
        "send": True})
    assert chosen.get_json()["recipients"] == 2
    bad = api.post("/api/v1/orientation/messages", json={
        "subject": "x", "holding_line": "y", "targets": {"departments": ["khong-co"]}})
    assert bad.status_code == 422 and "departments" in bad.get_json()["error"]["fields"]
    # A Department does not see the Ministry's messages in its list; the Ministry sees them.
    officer = factory.user("comms_officer", department="ha-noi")
    assert factory.api(officer).get("/api/v1/orientation/messages").get_json()["messages"] == []
    assert len(api.get("/api/v1/orientation/messages").get_json()["messages"]) == 2


def test_delivery_per_channel_push_and_apprise_with_failed_email(hanoi, factory, smtp_server, http_recorder,
                                                                 subscription, clock):
    from ..notifications.conftest import confirm_apprise, confirm_push

    member = hanoi["member"]
    member_client = factory.login(member)
    sub = subscription("/push/member")
    confirm_push(member_client, sub, http_recorder, "/push/member")
    confirm_apprise(member_client, http_recorder, "/sms/member", short_form=True)
    # One focal point's address is refused by nobody but has none at all: shown as not delivered.
    hanoi["schools"][2].focal_points[0].email = None
    db.session.commit()
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    pushed = sub.decrypt(http_recorder.at("/push/member")[-1]["body"])
    assert "Định hướng thông tin về đề thi" in pushed["title"] and pushed["action_url"].startswith("http")
    import json

    sms = json.loads(http_recorder.at("/sms/member")[-1]["body"])["message"]
    assert "/n/" in sms
    status = factory.api(hanoi["officer"]).get(f"/api/v1/orientation/messages/{message.id}").get_json()
    by_name = {r["name"]: r for r in status["recipient_status"]}
    assert by_name[member.name]["delivery"] == "delivered"
    assert {c["channel"] for c in by_name[member.name]["channels"]} == {"in_app", "email", "push", "apprise"}
    missing = by_name[hanoi["schools"][2].focal_points[0].full_name]
    assert missing["delivery"] == "failed" and missing["delivered_at"] is None


def test_sending_is_one_transaction_and_twice_is_refused(hanoi, factory, smtp_server):
    message = factories.orientation_message(hanoi["officer"], send=False, targets={"group_ids": [hanoi["group"].id]})
    api = factory.api(hanoi["officer"])
    assert api.post(f"/api/v1/orientation/messages/{message.id}/send").status_code == 200
    again = api.post(f"/api/v1/orientation/messages/{message.id}/send")
    assert again.status_code == 409
    assert db.session.scalar(select(db.func.count()).select_from(OrientationRecipient)) == 3
    assert api.patch(f"/api/v1/orientation/messages/{message.id}", json={"subject": "x"}).status_code == 409
