"""Contact methods: the ways a person is reached besides the app and their account email.

A method is added unverified; a test message with a six-digit code (and, where it fits, a one-tap link or
push button) goes to it; entering the code or using the link verifies it. Only verified methods get notices.
"""
import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import as_utc, now
from ..errors import NotFound, TooManyRequests, ValidationError
from ..extensions import db
from .models import APPRISE, EMAIL, IN_APP, INSTANT_CHANNELS, PUSH, ContactMethod, NotificationRoute

KINDS = (PUSH, APPRISE, EMAIL)
MAX_METHODS = 20
MAX_CODE_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=30)
# Notices a person may route (escalations are never routable: they reach every verified method).
ROUTABLE = {
    "briefing_reminder": _l("Briefing reminders"),
    "briefing_quarter_gap": _l("No briefing planned this quarter"),
    "inquiry.due_soon": _l("Press inquiry due soon"),
    "inquiry.overdue": _l("Press inquiry overdue"),
    "incident_statement_overdue": _l("First public statement overdue"),
}
DEFAULT_ROUTE = (IN_APP, EMAIL)


def kind_label(kind):
    return {PUSH: _("Push to this phone or browser"), APPRISE: _("Other channel (SMS, Telegram, Teams, ntfy…)"),
            EMAIL: _("Email"), IN_APP: _("In the app")}.get(kind, kind)


def _hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _code_hash(method, code):
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"{method.id}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _b64_bytes(value):
    value = str(value or "")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _valid_push(endpoint, keys, errors):
    parts = urlsplit(endpoint or "")
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.netloc or parts.scheme not in ("https",) + (("http",) if loopback else ()):
        errors["endpoint"] = _("The browser gave no valid push address (https).")
    if len(endpoint or "") > 2000:
        errors["endpoint"] = _("The push address is too long.")
    try:
        p256dh, auth = _b64_bytes((keys or {}).get("p256dh")), _b64_bytes((keys or {}).get("auth"))
        if len(p256dh) != 65 or p256dh[0] != 4 or len(auth) != 16:
            raise ValueError
    except (ValueError, TypeError):
        errors["keys"] = _("The browser gave no valid encryption keys for push.")


def _apprise_plugin(url):
    import apprise

    return apprise.Apprise.instantiate(url) if len(url) <= 2000 else None


def describe(method):
    """What the person sees for a method (secrets in Apprise URLs are masked)."""
    if method.kind == APPRISE:
        plugin = _apprise_plugin(method.address)
        shown = plugin.url(privacy=True) if plugin is not None else method.address.split("://")[0] + "://…"
        return f"{method.label} · {shown}" if method.label else shown
    if method.kind == PUSH:
        return method.label or _("This browser")
    return method.address


def add_method(*, user, kind, address=None, label=None, keys=None, short_form=None):
    """Add (or re-add) a method and send it a test message. Returns the method (unverified unless a push
    subscription of this browser was verified before and only its keys changed)."""
    errors = {}
    if kind not in KINDS:
        raise ValidationError(_("Choose a kind of channel."), fields={"kind": _("unknown kind")})
    address = (address or "").strip()
    label = (label or "").strip()[:120]
    if kind == EMAIL:
        try:
            address = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["address"] = _("Not a valid email address.")
        if not errors and address.lower() == (user.email or "").lower():
            errors["address"] = _("This is your account email: it is always used.")
    elif kind == APPRISE:
        plugin = _apprise_plugin(address) if address else None
        if plugin is None:
            errors["address"] = _("Apprise does not recognise this URL (e.g. tgram://bottoken/chatid, "
                                  "ntfy://topic, json://host/path).")
        elif short_form is None:
            # SMS-type services cap a message at one or a few segments: send them the short form.
            short_form = (getattr(plugin, "body_maxlen", 0) or 0) <= 480
    elif kind == PUSH:
        _valid_push(address, keys, errors)
        label = label or _("Browser")
    if errors:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    existing = db.session.scalar(select(ContactMethod).where(
        ContactMethod.user_id == user.id, ContactMethod.kind == kind, ContactMethod.address_hash == _hash(address)))
    count = db.session.scalar(select(db.func.count(ContactMethod.id)).where(
        ContactMethod.user_id == user.id, ContactMethod.removed_at.is_(None)))
    if existing is None and count >= MAX_METHODS:
        raise ValidationError(_("At most %(n)s channels per person.", n=MAX_METHODS),
                              fields={"address": _("too many channels")})
    if kind == PUSH:
        # One browser belongs to whoever subscribed last on it: nobody else's alerts go to that phone.
        for other in db.session.scalars(select(ContactMethod).where(
                ContactMethod.kind == PUSH, ContactMethod.address_hash == _hash(address),
                ContactMethod.user_id != user.id, ContactMethod.removed_at.is_(None))):
            other.removed_at, other.removed_reason = now(), "subscribed again by another person"
    if existing is not None:
        method = existing
        if method.removed_at is not None:
            method.removed_at = method.removed_reason = method.verified_at = None
        if kind == PUSH and method.keys != keys:
            method.keys = dict(keys)
    else:
        method = ContactMethod(user_id=user.id, kind=kind, address=address, address_hash=_hash(address),
                               keys=dict(keys or {}), created_at=now(), code_attempts=0)
        db.session.add(method)
    method.label = label or method.label or ""
    method.short_form = bool(short_form) if kind == APPRISE else False
    db.session.flush()
    if method.verified_at is None:
        send_test(user=user, method_id=method.id)
    return method


def get_method(user, method_id):
    method = db.session.get(ContactMethod, method_id)
    if method is None or method.user_id != user.id or method.removed_at is not None:
        raise NotFound()
    return method


def send_test(*, user, method_id, force=False):
    """A new code to the method (the last code stops working). Throttled to one every 30 seconds."""
    from .service import enqueue

    method = get_method(user, method_id)
    if not force and method.code_sent_at is not None and as_utc(method.code_sent_at) + RESEND_AFTER > now():
        raise TooManyRequests(_("A test message was just sent. Wait half a minute before asking again."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    method.code_hash, method.code_sent_at, method.code_attempts = _code_hash(method, code), now(), 0
    with force_locale(user.locale or "vi"):
        subject = _("crisiscomm: confirm this channel")
        text = _("Your confirmation code is %(code)s. Enter it on your account page, or tap the link.", code=code)
        title = _("Confirm this channel")
    from .senders import ACTION_URL_MARK

    body = f"{text}\n{ACTION_URL_MARK}" if method.kind == APPRISE else text
    enqueue(kind="contact_verify", channel=method.kind, subject=subject, body_text=body, recipient=user,
            address=method.address if method.kind == EMAIL else describe(method)[:500],
            recipient_label=user.name, contact_method=method,
            payload={"action": "contact_verify" if method.kind != EMAIL else None,
                     "push": {"title": title, "body": text, "url": "/account#channels", "tag": f"verify-{method.id}"},
                     "method_id": method.id},
            dedupe_key=f"contact_verify:{method.id}:{int(now().timestamp())}")
    return method


def confirm_code(*, user, method_id, code):
    method = get_method(user, method_id)
    if method.verified_at is not None:
        return method
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    if method.code_hash is None or as_utc(method.code_sent_at) + timedelta(
            minutes=current_app.config["CONTACT_CODE_MAX_AGE_MINUTES"]) < now():
        raise ValidationError(_("This code has expired. Send a new test message."),
                              fields={"code": _("expired")})
    if method.code_attempts >= MAX_CODE_ATTEMPTS:
        raise ValidationError(_("Too many wrong codes. Send a new test message."), fields={"code": _("too many tries")})
    if not hmac.compare_digest(method.code_hash, _code_hash(method, code)):
        method.code_attempts += 1
        raise ValidationError(_("Wrong code."), fields={"code": _("wrong code")})
    _verified(method)
    return method


def check_code(*, user, method_id, code):
    """``confirm_code`` for a page: (the method, None) when it is confirmed, (None, why not) when the code is
    refused; a wrong code still counts towards the limit (the caller keeps the count)."""
    try:
        return confirm_code(user=user, method_id=method_id, code=code), None
    except ValidationError as exc:
        return None, exc.message


def _verified(method):
    method.verified_at, method.code_hash = now(), None
    db.session.flush()


def confirm_by_action(row):
    """The test message's link or push button was used: the channel demonstrably reaches the person."""
    method = row.contact_method
    if method is None or method.removed_at is not None:
        raise NotFound()
    if method.verified_at is None:
        _verified(method)
    return {"title": _("Channel confirmed"), "message": _("%(channel)s will now receive your alerts.",
                                                           channel=describe(method)), "url": "/account#channels"}


def remove_method(*, user, method_id):
    method = get_method(user, method_id)
    method.removed_at, method.removed_reason = now(), "removed by the person"
    return method


def remove_push_endpoint(*, user, endpoint):
    """The browser unsubscribed (sign-out of push, or the person turned it off)."""
    method = db.session.scalar(select(ContactMethod).where(
        ContactMethod.user_id == user.id, ContactMethod.kind == PUSH,
        ContactMethod.address_hash == _hash(endpoint or ""), ContactMethod.removed_at.is_(None)))
    if method is not None:
        method.removed_at, method.removed_reason = now(), "turned off in the browser"
    return method


def methods_for(user):
    return db.session.scalars(select(ContactMethod).where(
        ContactMethod.user_id == user.id, ContactMethod.removed_at.is_(None)).order_by(ContactMethod.id)).all()


def usable_methods(user):
    if user is None or user.id is None:
        return []
    return usable_methods_by_user([user.id])[user.id]


def usable_methods_by_user(user_ids):
    """{user_id: confirmed methods, oldest first} for several people in one query (an escalation level)."""
    out = {uid: [] for uid in user_ids}
    if out:
        for method in db.session.scalars(select(ContactMethod).where(
                ContactMethod.user_id.in_(list(out)), ContactMethod.removed_at.is_(None),
                ContactMethod.verified_at.is_not(None)).order_by(ContactMethod.id)):
            out[method.user_id].append(method)
    return out


def instant_channel_counts(user_ids):
    """{user_id: number of verified push / Apprise methods} for the policy page and the overview."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(ContactMethod.user_id, db.func.count(ContactMethod.id)).where(
        ContactMethod.user_id.in_(list(user_ids)), ContactMethod.kind.in_(INSTANT_CHANNELS),
        ContactMethod.verified_at.is_not(None), ContactMethod.removed_at.is_(None)).group_by(ContactMethod.user_id))
    counts = {uid: 0 for uid in user_ids}
    counts.update({uid: n for uid, n in rows})
    return counts


def routed_channels(user, kind):
    """The channels a person chose for a kind of notice (in-app and email unless they routed it)."""
    if user is None or user.id is None or kind not in ROUTABLE:
        return set(DEFAULT_ROUTE)
    route = db.session.scalar(select(NotificationRoute).where(NotificationRoute.user_id == user.id,
                                                              NotificationRoute.kind == kind))
    return set(route.channels) | {IN_APP} if route is not None else set(DEFAULT_ROUTE)


def routes_for(user):
    saved = {r.kind: set(r.channels) for r in db.session.scalars(
        select(NotificationRoute).where(NotificationRoute.user_id == user.id))}
    return {kind: saved.get(kind, set(DEFAULT_ROUTE)) for kind in ROUTABLE}


def save_routes(*, user, routes):
    """routes: {kind: [channel, …]} for the routable kinds; the app itself always shows every notice."""
    for kind, channels in routes.items():
        if kind not in ROUTABLE:
            raise ValidationError(_("Unknown kind of notice."), fields={kind: _("unknown")})
        chosen = sorted({c for c in channels if c in (EMAIL, PUSH, APPRISE)})
        route = db.session.scalar(select(NotificationRoute).where(NotificationRoute.user_id == user.id,
                                                                  NotificationRoute.kind == kind))
        if route is None:
            db.session.add(NotificationRoute(user_id=user.id, kind=kind, channels=chosen))
        else:
            route.channels = chosen
    db.session.flush()
