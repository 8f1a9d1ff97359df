"""Web Push end to end: a push service on loopback receives what the app sends; the test decrypts it with the
subscription's private key (RFC 8291, as a browser does) and checks the VAPID JWT (RFC 8292)."""
import json
import time
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.notifications.models import ContactMethod

from ..factories import csrf_token
from ..incidents.conftest import incident_body
from .conftest import b64url_decode, confirm_push


def check_vapid(request, audience):
    """The Authorization header is `vapid t=<JWT>, k=<public key>`: ES256 over header.claims, right audience,
    expiry within 24 hours."""
    auth = request["headers"]["authorization"]
    assert auth.startswith("vapid ")
    parts = dict(p.strip().split("=", 1) for p in auth[len("vapid "):].split(","))
    header_b64, claims_b64, sig_b64 = parts["t"].split(".")
    header, claims = json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(claims_b64))
    assert header == {"typ": "JWT", "alg": "ES256"}
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith("mailto:")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
    sig = b64url_decode(sig_b64)
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    try:  # and a tampered claim does not verify
        public.verify(der, f"{header_b64}.{claims_b64}x".encode(), ec.ECDSA(hashes.SHA256()))
        raise AssertionError("a tampered JWT verified")
    except InvalidSignature:
        pass
    return parts["k"]


def test_a_phone_subscribes_confirms_and_receives_an_exam_alert_it_can_acknowledge(
        world, factory, smtp_server, http_recorder, subscription, clock):
    sub = subscription("/push/director-phone")
    director = factory.login(world.director)
    test_payload = confirm_push(director, sub, http_recorder, "/push/director-phone")
    assert "xác nhận" in test_payload["body"].lower() or "mã" in test_payload["body"].lower()
    method = db.session.scalar(select(ContactMethod).where(ContactMethod.user_id == world.director.id))
    assert method.verified_at is not None

    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(severity="critical"))
    assert response.status_code == 201
    incident_id = response.get_json()["id"]
    alert = http_recorder.at("/push/director-phone")[-1]
    assert alert["headers"]["content-encoding"] == "aes128gcm"
    assert alert["headers"]["urgency"] == "high"
    assert int(alert["headers"]["ttl"]) > 0
    key = check_vapid(alert, http_recorder.url)
    assert key == director.post("/notifications/push/key", headers={
        "X-CSRFToken": csrf_token(director.get("/account"))}).get_json()["public_key"]

    payload = sub.decrypt(alert["body"])
    assert "Sở GDĐT Hà Nội" in payload["title"] or "Hà Nội" in payload["title"]
    assert "Kỳ thi tốt nghiệp THPT năm 2026" in payload["title"]
    assert "Ảnh đề thi Ngữ văn lộ trên mạng xã hội" in payload["body"]
    assert "Xác nhận đã nắm thông tin" in payload["body"] and payload["ack_label"] == "Xác nhận đã nắm thông tin"
    assert payload["url"] == f"/incidents/{incident_id}"

    # The notification's button: no session, no CSRF token, just the signed single-use link.
    anonymous = factory.app.test_client()
    path = urlsplit(payload["action_url"]).path
    assert anonymous.post(path, headers={"X-Crisiscomm-Action": "1"}).status_code == 200
    assert anonymous.post(path, headers={"X-Crisiscomm-Action": "1"}).status_code == 409
    # A link whose id is not ASCII digits is refused like any forged one, never a 500.
    forged = path.replace("/n/", "/n/²", 1)
    assert anonymous.post(forged, headers={"X-Crisiscomm-Action": "1"}).status_code in (400, 404)
    data = factory.api(world.admin).get(f"/api/v1/incidents/{incident_id}").get_json()
    [ack] = [a for a in data["acknowledgements"] if a["recipient"] == world.director.email]
    assert ack["via"] == "push" and ack["acknowledged_at"]
    push_rows = [e for e in data["escalations"] if e["channel"] == "push"]
    assert [(r["recipient"], r["status"]) for r in push_rows] == [(world.director.email, "sent")]


def test_setup_makes_one_vapid_key_and_rotation_replaces_it(app, runner, factory):
    from crisiscomm.notifications.models import VapidKey

    factory.departments(merger=False)
    assert runner.invoke(args=["setup", "--no-merger"]).exit_code == 0
    assert runner.invoke(args=["setup", "--no-merger"]).exit_code == 0
    [key] = db.session.scalars(select(VapidKey)).all()
    shown = runner.invoke(args=["push", "public-key"]).output.strip()
    assert shown == key.public_key and len(b64url_decode(shown)) == 65
    rotated = runner.invoke(args=["push", "rotate-key"]).output.strip()
    db.session.expire_all()
    assert rotated != shown
    assert runner.invoke(args=["push", "public-key"]).output.strip() == rotated
    assert db.session.get(VapidKey, key.id).retired_at is not None


def test_a_key_from_the_environment_signs_instead(world, factory, http_recorder, subscription):
    from py_vapid import Vapid02

    from ..factories import csrf_token

    vapid = Vapid02()
    vapid.generate_keys()
    factory.app.config["VAPID_PRIVATE_KEY"] = vapid.private_pem().decode()
    try:
        client = factory.login(world.director)
        key = client.post("/notifications/push/key",
                          headers={"X-CSRFToken": csrf_token(client.get("/account"))}).get_json()["public_key"]
        sub = subscription("/push/env")
        confirm_push(client, sub, http_recorder, "/push/env")
        assert check_vapid(http_recorder.at("/push/env")[-1], http_recorder.url) == key
    finally:
        factory.app.config["VAPID_PRIVATE_KEY"] = None


def test_a_person_who_chose_english_gets_the_alert_in_english(world, factory, smtp_server, http_recorder,
                                                              subscription, clock):
    world.board1.locale = "en"
    db.session.commit()
    sub = subscription("/push/board1")
    confirm_push(factory.login(world.board1), sub, http_recorder, "/push/board1")
    factory.api(world.officer).post("/api/v1/incidents", json=incident_body())
    payload = sub.decrypt(http_recorder.at("/push/board1")[-1]["body"])
    assert "Confirm you have the information" in payload["body"]
    assert "6 h left" in payload["body"] and "Exam steering board member" in payload["body"]
