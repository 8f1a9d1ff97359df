"""Known devices: a signed, HttpOnly cookie set on a successful sign-in. It names the account (by a digest of its
email) and a random device id; sign-in attempts from it are throttled on their own, so an attacker's failures
from elsewhere never slow the owner's phone."""
import hashlib
import secrets

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "cc_device"


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="crisiscomm-known-device")


def _digest(email):
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _read():
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        data = _serializer().loads(raw, max_age=current_app.config["KNOWN_DEVICE_DAYS"] * 86400)
    except BadData:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("d"), str) else None


def known_device(email):
    """The device id of this browser when it signed in to ``email`` before, else None."""
    data = _read()
    return data["d"] if data and data.get("e") == _digest(email) else None


def remember(response, email):
    """Mark this browser as a known device of ``email`` (keeping its device id when it had one)."""
    data = _read()
    device = data["d"] if data else secrets.token_hex(12)
    response.set_cookie(COOKIE, _serializer().dumps({"e": _digest(email), "d": device}),
                        max_age=current_app.config["KNOWN_DEVICE_DAYS"] * 86400, path="/login", httponly=True,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), samesite="Lax")
    return response
