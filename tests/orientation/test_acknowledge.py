"""Acknowledging an orientation: the email link (no sign-in, once, expires), the push button and SMS link, the
app (inbox, start page) — and the sender seeing who acknowledged, how and when."""
import json
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.orientation.models import OrientationRecipient

from .. import factories
from ..factories import csrf_token


def _link(smtp_server, address):
    [mail] = smtp_server.to(address)
    return urlsplit(re.search(r"http\S+/orientation/ack/\S+", mail.get_body(("plain",)).get_content()).group(0)).path


def test_email_link_acknowledges_without_sign_in_once(hanoi, app, smtp_server, factory):
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    person = hanoi["schools"][1].focal_points[0]
    link = _link(smtp_server, person.email)
    anonymous = app.test_client()
    page = anonymous.get(link)
    assert page.status_code == 200 and "Kỳ thi diễn ra an toàn, đúng quy chế." in page.get_data(as_text=True)
    done = anonymous.post(link)
    assert done.status_code == 200 and 'id="ack-done"' in done.get_data(as_text=True)
    row = db.session.scalar(select(OrientationRecipient).where(OrientationRecipient.focal_point_id == person.id))
    assert row.acknowledged_at is not None and row.ack_channel == "email"
    assert anonymous.post(link).status_code == 409  # once
    invalid = anonymous.get(link[:-3] + "xyz")  # like the incident alert's link: 400, a page in Vietnamese
    assert invalid.status_code == 400 and "Liên kết xác nhận này không hợp lệ" in invalid.get_data(as_text=True)
    assert anonymous.post(link[:-3] + "xyz").status_code == 400
    status = factory.api(hanoi["officer"]).get(f"/api/v1/orientation/messages/{message.id}").get_json()
    assert status["acknowledged"] == 1


def test_email_link_expires(hanoi, app, smtp_server, clock):
    factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    link = _link(smtp_server, hanoi["schools"][2].focal_points[0].email)
    clock.advance(hours=app.config["ACK_LINK_MAX_AGE_HOURS"] + 1)
    anonymous = app.test_client()
    assert anonymous.get(link).status_code == 410
    assert anonymous.post(link).status_code == 410
    assert db.session.scalar(select(db.func.count(OrientationRecipient.acknowledged_at))) == 0


def test_push_button_and_sms_link_acknowledge(hanoi, factory, app, smtp_server, http_recorder, subscription):
    from ..notifications.conftest import confirm_apprise, confirm_push

    member = hanoi["member"]
    member_client = factory.login(member)
    sub = subscription("/push/member")
    confirm_push(member_client, sub, http_recorder, "/push/member")
    confirm_apprise(member_client, http_recorder, "/sms/member", short_form=True)
    first = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    pushed = sub.decrypt(http_recorder.at("/push/member")[-1]["body"])
    anonymous = app.test_client()
    done = anonymous.post(urlsplit(pushed["action_url"]).path, headers={"X-Crisiscomm-Action": "1"})
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalar(select(OrientationRecipient).where(OrientationRecipient.message_id == first.id,
                                                               OrientationRecipient.user_id == member.id))
    assert row.ack_channel == "push"
    second = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]},
                                           subject="Lần hai")
    sms = json.loads(http_recorder.at("/sms/member")[-1]["body"])["message"]
    link = urlsplit(re.search(r"http\S+/n/\S+", sms).group(0)).path
    assert anonymous.get(link).status_code == 200
    assert anonymous.post(link).status_code == 200
    assert anonymous.post(link).status_code == 409
    db.session.expire_all()
    row = db.session.scalar(select(OrientationRecipient).where(OrientationRecipient.message_id == second.id,
                                                               OrientationRecipient.user_id == member.id))
    assert row.ack_channel == "apprise"
    page = factory.login(hanoi["officer"]).get(f"/orientation/{second.id}").get_data(as_text=True)
    assert "bằng liên kết trong SMS" in page or "SMS" in page


def test_member_acknowledges_in_the_app_from_the_start_page(hanoi, factory, smtp_server):
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    member = factory.login(hanoi["member"])
    home = member.get("/")
    html = home.get_data(as_text=True)
    assert home.status_code == 200 and "Định hướng thông tin về đề thi" in html
    [row] = db.session.scalars(select(OrientationRecipient).where(
        OrientationRecipient.user_id == hanoi["member"].id)).all()
    assert member.get("/orientation/inbox").status_code == 200
    response = member.post(f"/orientation/inbox/{row.id}/ack", data={"csrf_token": csrf_token(home)})
    assert response.status_code == 302
    db.session.expire_all()
    assert row.acknowledged_at is not None and row.ack_channel == "app"
    assert "Định hướng thông tin về đề thi" not in member.get("/").get_data(as_text=True).split("home-orientation")[1]
    # Someone else's copy is a 404, and the sender's pages are not the member's.
    other = db.session.scalar(select(OrientationRecipient).where(OrientationRecipient.user_id.is_(None)))
    assert member.get(f"/orientation/inbox/{other.id}").status_code == 404
    assert member.post(f"/orientation/inbox/{other.id}/ack", data={"csrf_token": csrf_token(home)}).status_code == 404
    assert member.get(f"/orientation/{message.id}").status_code == 404
    api = factory.api(hanoi["member"])
    assert api.get("/api/v1/orientation/inbox").get_json()["items"][0]["acknowledged_at"] is not None
    assert api.post(f"/api/v1/orientation/inbox/{other.id}/acknowledge").status_code == 404
