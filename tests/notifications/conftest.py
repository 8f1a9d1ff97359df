"""Real parts for the per-person channels: a local HTTP server that plays a push service (or an Apprise
json:// / form:// target), and a browser's push subscription whose private key the test holds."""
import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crisiscomm.extensions import db

from ..incidents.conftest import world  # noqa: F401  (the Hà Nội people)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Recorder(ThreadingHTTPServer):
    """Answers every POST with the status set for its path (201 by default) and keeps what it got."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests = []
        self.status = {}
        self.lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def at(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status = self.server.status.get(self.path, 201)
        with self.server.lock:
            self.server.requests.append({"path": self.path, "body": body, "status": status,
                                         "headers": {k.lower(): v for k, v in self.headers.items()}})
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_recorder():
    server = Recorder()
    server.thread.start()
    yield server
    server.shutdown()
    server.server_close()


class BrowserSubscription:
    """What a browser's PushManager holds: a P-256 key pair and a 16-byte auth secret; the server gets the
    public half. The test decrypts what the push service received, as the browser would (RFC 8291)."""

    def __init__(self, endpoint):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                          serialization.PublicFormat.UncompressedPoint)
        self.json = {"endpoint": endpoint, "keys": {"p256dh": b64url(raw), "auth": b64url(self.auth)}}

    def decrypt(self, body):
        import http_ece

        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                           version="aes128gcm"))


@pytest.fixture
def subscription(http_recorder):
    def make(path="/push/device-1"):
        return BrowserSubscription(http_recorder.url + path)
    return make


def json_target(server, path):
    return "json://" + server.url.split("://")[1] + path


def form_target(server, path):
    return "form://" + server.url.split("://")[1] + path


def form_fields(request):
    return {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}


def confirm_push(client, sub, recorder, path):
    """Subscribe in the app, then tap the test notification's button (the service worker POSTs its link)."""
    from ..factories import csrf_token

    page = client.get("/account")
    response = client.post("/notifications/push/subscribe", json=sub.json,
                           headers={"X-CSRFToken": csrf_token(page)})
    assert response.status_code == 201, response.get_json()
    [test_message] = recorder.at(path)[-1:]
    payload = sub.decrypt(test_message["body"])
    assert payload["action_url"].startswith("http")
    done = client.post(urlsplit(payload["action_url"]).path, headers={"X-Crisiscomm-Action": "1"})
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.expire_all()
    return payload


def confirm_apprise(client, recorder, path, short_form=False):
    """Add an Apprise json:// target and enter the code its test message carried."""
    import re

    from ..factories import csrf_token

    token = csrf_token(client.get("/account"))
    data = {"csrf_token": token, "kind": "apprise", "address": json_target(recorder, path), "label": "Telegram"}
    if short_form:
        data["short_form"] = "1"
    assert client.post("/notifications/channels", data=data).status_code == 302
    message = json.loads(recorder.at(path)[-1]["body"])["message"]
    code = re.search(r"\b(\d{6})\b", message).group(1)
    from crisiscomm.notifications.models import ContactMethod
    from sqlalchemy import select

    method = db.session.scalars(select(ContactMethod).order_by(ContactMethod.id.desc())).first()
    response = client.post(f"/notifications/channels/{method.id}/confirm", data={"csrf_token": token, "code": code})
    assert response.status_code == 302
    db.session.expire_all()
    return method.id
