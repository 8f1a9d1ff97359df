"""Web Push: the server's VAPID key and the sender (pywebpush: RFC 8291 payload encryption, RFC 8292 VAPID)."""
import base64
import json

from cryptography.hazmat.primitives import serialization
from flask import current_app
from py_vapid import Vapid02
from sqlalchemy import select

from ..clock import now
from ..extensions import db
from .models import VapidKey

# Push services accept 4 KiB of encrypted payload; stay well under it after encryption overhead.
MAX_PAYLOAD_BYTES = 3000


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_b64(vapid):
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(raw)


def _from_config(value):
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return Vapid02.from_pem(value.encode())
    return Vapid02.from_raw(value.encode())


def current_key(create=False):
    """(Vapid02, public key base64url) or None. The environment's key wins over the stored one."""
    configured = current_app.config.get("VAPID_PRIVATE_KEY")
    if configured:
        vapid = _from_config(configured)
        return vapid, _public_b64(vapid)
    row = db.session.scalar(select(VapidKey).where(VapidKey.retired_at.is_(None))
                            .order_by(VapidKey.created_at.desc(), VapidKey.id.desc()).limit(1))
    if row is None:
        if not create:
            return None
        row = generate_key()
    return Vapid02.from_pem(row.private_pem.encode()), row.public_key


def generate_key(retire_current=False):
    """A new key pair stored in the database (the caller commits). Rotating retires the old one: browsers
    subscribed to it re-subscribe on their next visit (app.js compares the key), and the push services refuse
    messages signed by the new key for old subscriptions until then."""
    if retire_current:
        for row in db.session.scalars(select(VapidKey).where(VapidKey.retired_at.is_(None))):
            row.retired_at = now()
    vapid = Vapid02()
    vapid.generate_keys()
    row = VapidKey(created_at=now(), public_key=_public_b64(vapid), private_pem=vapid.private_pem().decode())
    db.session.add(row)
    db.session.flush()
    return row


def public_key():
    key = current_key(create=False)
    return key[1] if key else None


def encode_payload(data):
    """JSON for the service worker, shortened to fit the push services' limit (the body is cut first)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    while len(body.encode()) > MAX_PAYLOAD_BYTES and len(data.get("body", "")) > 20:
        data = dict(data, body=data["body"][: max(20, len(data["body"]) - 200)].rstrip() + "…")
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return body


def send_push(notification):
    from pywebpush import WebPushException, webpush

    from .senders import PermanentFailure, TemporaryFailure
    from .service import action_url

    method = notification.contact_method
    if method is None or method.removed_at is not None:
        raise PermanentFailure("push subscription removed")
    key = current_key(create=False)
    if key is None:
        raise TemporaryFailure("no VAPID key: run `flask setup`")
    data = dict(notification.payload.get("push") or {})
    data.setdefault("title", notification.subject)
    data.setdefault("body", notification.body_text)
    data["id"] = notification.id
    if notification.payload.get("action"):
        # The notification's button acknowledges without opening the app: signed, single use, this row only.
        data["action_url"] = action_url(notification)
    try:
        response = webpush(
            subscription_info={"endpoint": method.address, "keys": method.keys},
            data=encode_payload(data), vapid_private_key=key[0],
            vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},
            ttl=current_app.config["PUSH_TTL_SECONDS"], timeout=current_app.config["PUSH_TIMEOUT"],
            headers={"Urgency": "high" if notification.payload.get("urgent") else "normal",
                     "Topic": f"n{notification.id}"})
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            # The browser dropped this subscription: forget it so it is never tried again.
            method.removed_at, method.removed_reason = now(), f"push service answered {status}"
            raise PermanentFailure(f"subscription gone (HTTP {status})") from exc
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            raise PermanentFailure(f"push service refused: HTTP {status}") from exc
        raise TemporaryFailure(f"push service: HTTP {status}" if status else str(exc)[:300]) from exc
    except OSError as exc:  # requests' connection errors are OSErrors
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:300]) from exc
    method.last_delivered_at = now()
    return response.headers.get("Location") if hasattr(response, "headers") else None
