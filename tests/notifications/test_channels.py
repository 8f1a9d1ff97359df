"""Contact methods on the account page: an Apprise channel is added, gets a test message with a code through
real Apprise to a local HTTP server, and is used only once the code is entered."""
import json
import re

from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.notifications.models import ContactMethod

from ..factories import csrf_token
from .conftest import form_fields, form_target, json_target


def _add(client, **form):
    page = client.get("/account")
    return client.post("/notifications/channels", data={"csrf_token": csrf_token(page), **form})


def test_an_apprise_channel_is_used_only_after_its_code_is_confirmed(world, factory, http_recorder, smtp_server):
    client = factory.login(world.board1)
    response = _add(client, kind="apprise", address=json_target(http_recorder, "/hook/board1"), label="Telegram")
    assert response.status_code == 302
    [test] = http_recorder.at("/hook/board1")
    message = json.loads(test["body"])
    code = re.search(r"\b(\d{6})\b", message["message"]).group(1)
    assert "Mã xác nhận của bạn là" in message["message"]
    page = client.get("/account").get_data(as_text=True)
    assert "đang chờ mã" in page

    method = db.session.scalar(select(ContactMethod).where(ContactMethod.user_id == world.board1.id))
    token = csrf_token(client.get("/account"))
    wrong = client.post(f"/notifications/channels/{method.id}/confirm", data={"csrf_token": token, "code": "000000"
                        if code != "000000" else "111111"}, follow_redirects=True)
    assert "Sai mã." in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ContactMethod, method.id).verified_at is None
    ok = client.post(f"/notifications/channels/{method.id}/confirm", data={"csrf_token": token, "code": code},
                     follow_redirects=True)
    assert "Đã xác nhận" in ok.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ContactMethod, method.id).verified_at is not None


def test_a_mistyped_channel_is_refused_with_the_field_named(world, factory):
    client = factory.login(world.director)
    response = _add(client, kind="apprise", address="telegram bot 12345", label="")
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Apprise không nhận ra địa chỉ này" in page
    assert db.session.scalar(select(ContactMethod)) is None
    api_like = client.post("/notifications/push/subscribe", json={"endpoint": "ftp://x", "keys": {}},
                           headers={"X-CSRFToken": csrf_token(client.get("/account")),
                                    "Accept": "application/json"})
    assert api_like.status_code == 422
    assert set(api_like.get_json()["error"]["fields"]) == {"endpoint", "keys"}


def test_an_sms_gateway_gets_a_code_in_one_short_message(world, factory, http_recorder):
    client = factory.login(world.director)
    _add(client, kind="apprise", address=form_target(http_recorder, "/sms"), short_form="1")
    [request] = http_recorder.at("/sms")
    fields = form_fields(request)
    assert re.search(r"\b\d{6}\b", fields["message"])
    assert "http://localhost/n/" in fields["message"]  # the one-tap confirmation link


def test_other_notices_follow_the_persons_routes_but_escalations_are_never_muted(
        world, factory, http_recorder, smtp_server, clock):
    from crisiscomm.incidents import statement_clock

    from ..incidents.conftest import incident_body
    from .conftest import confirm_apprise

    client = factory.login(world.director)
    confirm_apprise(client, http_recorder, "/hook/director")
    # The director wants "statement overdue" on the chat channel only, not by email.
    token = csrf_token(client.get("/account"))
    assert client.post("/notifications/routes", data={"csrf_token": token,
                                                      "route-incident_statement_overdue": "apprise"}).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'name="route-incident_statement_overdue" value="apprise"' in page

    incident_id = factory.api(world.officer).post("/api/v1/incidents", json=incident_body()).get_json()["id"]
    # The escalation ignores routes: email and chat both.
    assert len(smtp_server.to(world.director.email)) == 1
    assert len(http_recorder.at("/hook/director")) == 2  # the test message, then the alert
    clock.advance(hours=6)
    statement_clock.run_deadlines()
    db.session.commit()
    assert len(smtp_server.to(world.director.email)) == 1  # no email for the routed notice
    [*_, overdue] = http_recorder.at("/hook/director")
    assert "quá hạn" in json.loads(overdue["body"])["title"].lower() or \
        "quá hạn" in json.loads(overdue["body"])["message"].lower()
    assert f"/incidents/{incident_id}" in json.loads(overdue["body"])["message"]
    # The board member, who routed nothing, gets nothing new by chat (none confirmed) and the app shows it.
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert "Quá hạn" in inbox or "quá hạn" in inbox


def test_another_persons_channel_is_not_found(world, factory, http_recorder):
    _add(factory.login(world.director), kind="apprise", address=json_target(http_recorder, "/hook/director"))
    method = db.session.scalar(select(ContactMethod).where(ContactMethod.user_id == world.director.id))
    other = factory.login(world.board1)
    token = csrf_token(other.get("/account"))
    for action, data in (("confirm", {"code": "123456"}), ("test", {}), ("remove", {})):
        response = other.post(f"/notifications/channels/{method.id}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == 404, action
    db.session.expire_all()
    assert db.session.get(ContactMethod, method.id).removed_at is None
