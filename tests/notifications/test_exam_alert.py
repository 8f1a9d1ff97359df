"""Issue 17's "done when": an exam incident logged through the API reaches the director's and a board member's
phones (push), their other channels (Apprise) and their email; each acknowledges from a different channel and the
incident shows who acknowledged how and when. And the faults: a push service down, a subscription gone,
an Apprise target failing — everything else delivered, states right, nothing sent twice."""
import json
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.notifications.models import ContactMethod, Notification
from crisiscomm.notifications.service import sweep
from crisiscomm.notifications.shortform import is_single_segment

from ..incidents.conftest import incident_body
from .conftest import confirm_apprise, confirm_push


def _setup_phones(factory, world, http_recorder, subscription):
    phones = {}
    for name, user in (("director", world.director), ("board1", world.board1)):
        client = factory.login(user)
        sub = subscription(f"/push/{name}")
        confirm_push(client, sub, http_recorder, f"/push/{name}")
        confirm_apprise(client, http_recorder, f"/hook/{name}", short_form=(name == "board1"))
        phones[name] = (client, sub)
    return phones


def test_exam_incident_reaches_every_channel_and_each_person_acknowledges_from_another(
        world, factory, smtp_server, http_recorder, subscription, clock):
    phones = _setup_phones(factory, world, http_recorder, subscription)
    before = {path: len(http_recorder.at(path)) for path in ("/push/director", "/push/board1", "/hook/director",
                                                              "/hook/board1")}
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(known_at="2026-06-26T07:50:00+07:00"))
    assert response.status_code == 201
    incident_id = response.get_json()["id"]

    # Push: one encrypted message per phone, with everything the alert must say.
    director_push = phones["director"][1].decrypt(http_recorder.at("/push/director")[-1]["body"])
    board_push = phones["board1"][1].decrypt(http_recorder.at("/push/board1")[-1]["body"])
    for payload in (director_push, board_push):
        assert "Hà Nội" in payload["title"] and "Kỳ thi tốt nghiệp THPT năm 2026" in payload["title"]
        assert "cao" in payload["title"].lower()  # severity "high"
        assert "Ảnh đề thi Ngữ văn lộ trên mạng xã hội" in payload["body"]
        assert "Điểm thi THPT Chu Văn An" in payload["body"]
        assert "Vũ Thị Mai" in payload["body"]  # who logged it
        assert "còn 5 giờ 50 phút" in payload["body"]  # 6 h from 07:50 (known since), now 08:00
        assert "Xác nhận đã nắm thông tin" in payload["body"]
    assert "Giám đốc Sở" in director_push["body"] and "Ban Chỉ đạo thi" in board_push["body"]

    # Apprise: the director's chat gets the full alert, the board member's SMS gateway one GSM-7 segment.
    chat = json.loads(http_recorder.at("/hook/director")[-1]["body"])["message"]
    for text in ("Sở GDĐT Hà Nội", "Kỳ thi tốt nghiệp THPT năm 2026", "Điểm thi THPT Chu Văn An", "Vũ Thị Mai",
                 "còn 5 giờ 50 phút", "Giám đốc Sở, cấp 1", "http://localhost/n/"):
        assert text in chat, text
    sms = json.loads(http_recorder.at("/hook/board1")[-1]["body"])["message"]
    assert is_single_segment(sms), sms
    assert "Ha Noi" in sms and "Anh de thi Ngu van" in sms and "http://localhost/n/" in sms

    # Email: the same facts, with the one-click link.
    [mail] = smtp_server.to(world.director.email)
    text = mail.get_body(("plain",)).get_content()
    for fact in ("Người ghi nhận: Vũ Thị Mai", "Hạn thông tin chính thức đầu tiên", "còn 5 giờ 50 phút",
                 "Vai trò của bạn trong cảnh báo này: Giám đốc Sở, cấp 1"):
        assert fact in text, fact
    for path, n in before.items():
        assert len(http_recorder.at(path)) == n + 1, path  # exactly one alert per channel

    # The director taps the push button (no session); board1 clicks the email link; board2 uses the app.
    clock.advance(minutes=2)
    anonymous = factory.app.test_client()
    assert anonymous.post(urlsplit(director_push["action_url"]).path,
                          headers={"X-Crisiscomm-Action": "1"}).status_code == 200
    clock.advance(minutes=1)
    [board_mail] = smtp_server.to(world.board1.email)
    link = re.search(r"http://localhost(/incidents/ack/\S+)", board_mail.get_body(("plain",)).get_content()).group(1)
    confirm_page = anonymous.get(link)
    from ..factories import csrf_token

    assert anonymous.post(link, data={"csrf_token": csrf_token(confirm_page)}).status_code == 200
    clock.advance(minutes=1)
    assert factory.api(world.board2).post(f"/api/v1/incidents/{incident_id}/acknowledge").status_code == 200

    data = factory.api(world.admin).get(f"/api/v1/incidents/{incident_id}").get_json()
    acks = {a["recipient"]: (a["via"], a["acknowledged_at"]) for a in data["acknowledgements"]}
    assert acks[world.director.email] == ("push", "2026-06-26T01:02:00+00:00")
    assert acks[world.board1.email] == ("link", "2026-06-26T01:03:00+00:00")
    assert acks[world.board2.email] == ("api", "2026-06-26T01:04:00+00:00")
    assert data["status"] == "acknowledged"
    channels = {(e["recipient"], e["channel"]): e["status"] for e in data["escalations"]}
    for who in (world.director.email, world.board1.email):
        for channel in ("in_app", "email", "push", "apprise"):
            assert channels[(who, channel)] == "sent", (who, channel)

    page = factory.login(world.officer).get(f"/incidents/{incident_id}").get_data(as_text=True)
    section = page[page.index('id="escalation"'):]
    assert "nút trên thông báo đẩy" in section and "đường dẫn trong email" in section
    assert section.count('data-channel="push"') == 2 and section.count('data-channel="apprise"') == 2


def test_faults_on_one_channel_never_stop_the_others_and_nothing_is_sent_twice(
        world, factory, smtp_server, http_recorder, subscription, clock):
    phones = _setup_phones(factory, world, http_recorder, subscription)
    # The director's phone dropped its subscription (410); board1's push service is down (500);
    # the director's chat target fails.
    http_recorder.status.update({"/push/director": 410, "/push/board1": 503, "/hook/director": 500})
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body())
    incident_id = response.get_json()["id"]
    rows = {(e["recipient"], e["channel"]): e for e in response.get_json()["escalations"]}
    assert rows[(world.director.email, "push")]["status"] == "failed_permanent"
    assert rows[(world.board1.email, "push")]["status"] == "failed_temporary"
    assert rows[(world.director.email, "apprise")]["status"] == "failed_temporary"
    assert rows[(world.board1.email, "apprise")]["status"] == "sent"
    for who in (world.director.email, world.board1.email, world.board2.email):
        assert rows[(who, "email")]["status"] == "sent"
        assert len(smtp_server.to(who)) == 1
    gone = db.session.scalar(select(ContactMethod).where(ContactMethod.user_id == world.director.id,
                                                         ContactMethod.kind == "push"))
    assert gone.removed_at is not None and "410" in gone.removed_reason

    # The services recover; the sweep retries after the backoff, and only what failed.
    http_recorder.status.clear()
    sent_before = len(http_recorder.requests)
    clock.advance(minutes=1)
    sweep()
    new = [r["path"] for r in http_recorder.requests[sent_before:]]
    assert sorted(new) == ["/hook/director", "/push/board1"]
    assert phones["board1"][1].decrypt(http_recorder.at("/push/board1")[-1]["body"])["url"] == \
        f"/incidents/{incident_id}"
    clock.advance(minutes=10)
    sweep()
    assert len(http_recorder.requests) == sent_before + 2  # nothing doubled
    assert len(smtp_server.to(world.director.email)) == 1
    states = {(n.recipient_id, n.channel, n.contact_method_id): n.state for n in db.session.scalars(
        select(Notification).where(Notification.source_id == incident_id, Notification.kind == "incident_escalation"))}
    assert "failed_temporary" not in states.values()
    # A later incident no longer tries the removed subscription.
    factory.api(world.officer).post("/api/v1/incidents", json=incident_body(title="Lộ đề môn Toán"))
    assert len(http_recorder.at("/push/director")) == 2  # the test message and the first alert only
