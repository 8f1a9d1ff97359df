"""The outbox: enqueue in the caller's transaction, deliver after commit, retry until done.

A row is claimed with one conditional UPDATE (state and claim time), so the after-commit
dispatcher, the scheduler's sweep and several workers never send the same row twice at once.
A row left in ``sending`` by a killed process is reclaimed after NOTIFY_SENDING_LEASE_SECONDS.
"""
import base64
import hashlib
import hmac
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from .. import inputs, permissions, registry
from ..clock import as_utc, now
from ..errors import LinkExpired, LinkInvalid, LinkUsed
from ..extensions import db
from ..priority import alert_running
from ..users.service import department_users, ministry_users
from .models import (EMAIL, FAILED_PERMANENT, FAILED_TEMPORARY, IN_APP, NOT_NOTIFIED, OPEN_STATES, PENDING,
                     SENDING, SENT, Notification)
from .senders import SENDERS, PermanentFailure, TemporaryFailure, Unbuildable, smtp_session

log = logging.getLogger(__name__)
_executors = {}  # lane -> the threads that deliver it
_executor_lock = threading.Lock()


def enqueue(*, kind, channel, subject, body_text="", body_html=None, recipient=None, address=None,
            recipient_label=None, department_id=None, payload=None, attachments=None, source=None,
            dedupe_key=None, contact_method=None, stored=None):
    """Queue one message in the current transaction. Returns the row (existing one for a known dedupe_key).

    A missing address is not an error: the row is stored as ``not_notified`` so the gap shows. The row is
    written with the transaction's next flush: an incident's dozen messages go in one batch, not one by one.
    ``stored``: the rows already stored under the caller's dedupe keys ({key: row}, see ``stored_rows``), looked
    up together instead of one query per message.
    """
    if dedupe_key:
        for pending in db.session.new:
            if isinstance(pending, Notification) and pending.dedupe_key == dedupe_key:
                return pending
        existing = (stored if stored is not None else stored_rows([dedupe_key])).get(dedupe_key)
        if existing is not None:
            return existing
    if channel == EMAIL and address is None and recipient is not None:
        address = recipient.email
    state = PENDING
    last_error = None
    sent_at = None
    if channel == IN_APP:
        # The row is the in-app message: it is delivered when this transaction commits, not by the dispatcher.
        state, sent_at = SENT, now()
    elif not address:
        state, last_error = NOT_NOTIFIED, "no address"
    row = Notification(
        created_at=now(), kind=kind, channel=channel, state=state, subject=subject[:300],
        body_text=body_text, body_html=body_html, recipient=recipient, address=address,
        recipient_label=recipient_label or (recipient.name if recipient is not None else address),
        department_id=department_id, payload=payload or {}, attachments=attachments or [],
        source_type=source[0] if source else None, source_id=source[1] if source else None,
        dedupe_key=dedupe_key, next_attempt_at=now(), last_error=last_error, sent_at=sent_at,
        contact_method=contact_method,
    )
    db.session.add(row)
    return row


def stored_rows(dedupe_keys):
    """{dedupe key: row} of the outbox rows already stored under ``dedupe_keys`` (one query)."""
    with db.session.no_autoflush:
        rows = db.session.scalars(select(Notification).where(Notification.dedupe_key.in_(list(dedupe_keys))))
        return {row.dedupe_key: row for row in rows}


def _backoff(attempts):
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


def _claimable(t):
    lease = timedelta(seconds=current_app.config["NOTIFY_SENDING_LEASE_SECONDS"])
    return and_(
        Notification.attempts < current_app.config["NOTIFY_MAX_ATTEMPTS"],
        or_(and_(Notification.state.in_((PENDING, FAILED_TEMPORARY)),
                 or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= t)),
            and_(Notification.state == SENDING, Notification.claimed_at < t - lease)))


def claim_many(ids):
    """Atomically take the rows of ``ids`` that are due, in one transaction; returns the ids taken, in order.
    A row another process holds, or one that is done, is left out."""
    if not ids:
        return []
    t, table = now(), Notification.__table__
    taken = sorted(db.session.execute(
        update(table).where(table.c.id.in_(list(ids)), _claimable(t))
        .values(state=SENDING, claimed_at=t, attempts=table.c.attempts + 1)
        .returning(table.c.id)).scalars().all())
    db.session.commit()
    return taken


def deliver_many(ids):
    """Claim ``ids`` in one transaction, then send them one after another (emails over one SMTP connection) and
    record each result as soon as it is known. A crash leaves the rows not yet sent to their lease
    (NOTIFY_SENDING_LEASE_SECONDS): nothing is lost, and only the row in flight can arrive twice.
    Returns {id: final state} of the rows claimed."""
    states = {}
    with smtp_session():
        taken = claim_many(ids)
        if not taken:
            return states
        rows = db.session.scalars(select(Notification).where(Notification.id.in_(taken)).order_by(Notification.id)
                                  .execution_options(populate_existing=True)).all()
        # The claimed rows are this sender's until their lease ends: each result's commit need not expire them
        # (and reload the next one from the database).
        session = db.session()
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            for row in rows:
                states[row.id] = _send(row)
        finally:
            session.expire_on_commit = expire
    return states


def _send(row):
    sender = SENDERS[row.channel]
    try:
        message_id = sender(row)
    except TemporaryFailure as exc:
        _retry_or_give_up(row, str(exc))
    except Unbuildable as exc:
        row.state, row.last_error = FAILED_PERMANENT, f"{UNBUILDABLE}: {exc}"[:2000]
        alert_undeliverable(row)
    except PermanentFailure as exc:
        row.state, row.last_error = FAILED_PERMANENT, str(exc)[:2000]
    except Exception as exc:  # a bug in a sender must not strand the row in "sending", nor loop forever
        log.exception("sender crashed for notification %s", row.id)
        if _retry_or_give_up(row, f"{type(exc).__name__}: {exc}") == FAILED_PERMANENT:
            alert_undeliverable(row)
    else:
        row.state, row.sent_at, row.last_error = SENT, now(), None
        row.message_id = message_id
    db.session.commit()
    return row.state


def _retry_or_give_up(row, error):
    """Retry with backoff until NOTIFY_MAX_ATTEMPTS, then fail for good. Returns the new state."""
    if row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        row.state = FAILED_PERMANENT
    else:
        row.state = FAILED_TEMPORARY
        row.next_attempt_at = now() + _backoff(row.attempts)
    row.last_error = error[:2000]
    return row.state


UNBUILDABLE = "unbuildable"
_SOURCE_PATHS = {"incident": "/incidents/{}", "briefing": "/briefings/{}", "inquiry": "/inquiries/{}"}


def alert_undeliverable(row):
    """Tell the row's Department in the app (the Ministry admins for a Ministry message) that a message
    will never leave, so someone calls the person instead. Once per row."""
    from flask_babel import force_locale, gettext as _

    people = department_users(row.department_id, roles=permissions.holders("alert.receive")) if row.department_id \
        else ministry_users(roles=permissions.holders("alert.receive.ministry"))
    path = _SOURCE_PATHS.get(row.source_type or "", "").format(row.source_id) if row.source_id else None
    for person in people:
        with force_locale(person.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
            subject = _("Not sent: %(subject)s", subject=row.subject)
            channel = {EMAIL: _("email"), "webhook": _("webhook")}.get(row.channel, row.channel)
            body = _("The %(channel)s message to %(who)s (“%(subject)s”) could not be built from the stored "
                     "data and will not be retried. Reach this person another way and correct the record.",
                     channel=channel, who=row.recipient_label or row.address or "—", subject=row.subject)
        enqueue(kind="notification.undeliverable", channel=IN_APP, subject=subject, body_text=body,
                recipient=person, department_id=row.department_id, source=(row.source_type, row.source_id),
                payload={"url": path, "notification_id": row.id} if path else {"notification_id": row.id},
                dedupe_key=f"undeliverable:{row.id}:{person.id}")


def failure_text(row):
    """Why a message failed for good, in the reader's language (the stored error is for operators)."""
    from flask_babel import gettext as _

    error = row.last_error or ""
    if row.state == NOT_NOTIFIED or error in ("no address", "no email address"):
        return _("no email address")
    if error.startswith(UNBUILDABLE):
        return _("could not be built from the stored data; not retried (the Department was alerted)")
    if error.startswith("recipient refused"):
        return _("the mail server refused this address")
    return _("gave up after %(n)s attempts", n=row.attempts)


def due_ids(limit=500):
    stmt = select(Notification.id).where(_claimable(now())).order_by(Notification.id).limit(limit)
    return list(db.session.scalars(stmt))


def give_up_stale():
    """A row whose sender died mid-send on its last allowed attempt is never claimed again: fail it for good."""
    t = now()
    lease = timedelta(seconds=current_app.config["NOTIFY_SENDING_LEASE_SECONDS"])
    db.session.execute(
        update(Notification)
        .where(Notification.state == SENDING, Notification.claimed_at < t - lease,
               Notification.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"])
        .values(state=FAILED_PERMANENT, last_error="the sender did not finish its last attempt")
        .execution_options(synchronize_session=False))
    db.session.commit()


def sweep(limit=500):
    """Send everything due: new rows missed by a crash, retries whose backoff elapsed. Returns count sent."""
    give_up_stale()
    sent, ids = 0, due_ids(limit)
    for start in range(0, len(ids), SWEEP_BATCH):
        # A batch per SMTP connection: a long backlog does not hold one connection for minutes.
        sent += sum(1 for state in deliver_many(ids[start:start + SWEEP_BATCH]).values() if state == SENT)
    return sent


SWEEP_BATCH = 20


def backlog():
    return db.session.scalar(select(db.func.count(Notification.id)).where(Notification.state.in_(OPEN_STATES)))


# --- after-commit hand-off -------------------------------------------------------------------

def _after_flush(session, flush_context):
    for o in session.new:
        if isinstance(o, Notification) and o.state == PENDING:
            lane = "outbox_urgent" if (o.payload or {}).get("urgent") else "outbox_new"
            session.info.setdefault(lane, {}).setdefault(o.channel, []).append(o.id)


def _after_commit(session):
    urgent, ordinary = session.info.pop("outbox_urgent", None), session.info.pop("outbox_new", None)
    for lane, by_channel in (("urgent", urgent), ("ordinary", ordinary)):
        for ids in (by_channel or {}).values():
            dispatch_soon(ids, urgent=lane == "urgent")


def _after_rollback(session):
    session.info.pop("outbox_urgent", None)
    session.info.pop("outbox_new", None)


def _deliver_all(app, ids):
    with app.app_context():
        try:
            deliver_many(ids)
        except Exception:  # the sweep will retry whatever this missed
            log.exception("immediate dispatch failed; the sweep will retry")
        finally:
            db.session.remove()


def dispatch_soon(ids, urgent=False):
    """Deliver ``ids`` (one channel's rows) after the commit, off the request thread: each channel's batch on a
    thread of its own, so an escalation's emails do not wait for its push messages. Escalations (``urgent``)
    have their own senders: they never wait behind a batch of reminders or invitations (the alert lane, see
    lanes.py)."""
    app = current_app._get_current_object()
    mode = app.config["NOTIFY_DISPATCH"]
    if mode == "off":
        return
    if mode == "sync":
        # A fresh app context gives a fresh session: the committing one is mid-commit.
        _deliver_all(app, ids)
        return
    lane = "urgent" if urgent else "ordinary"
    with _executor_lock:
        if lane not in _executors:
            _executors[lane] = ThreadPoolExecutor(max_workers=4, thread_name_prefix=f"outbox-{lane}")
    _executors[lane].submit(_deliver_urgent if urgent else _deliver_all, app, list(ids))


def _deliver_urgent(app, ids):
    with alert_running():  # fresh requests of this process wait for the escalation to leave (priority.py)
        _deliver_all(app, ids)


def install():
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)


def inbox(user, unread_only=False, limit=50):
    stmt = (select(Notification).where(Notification.recipient_id == user.id, Notification.channel == IN_APP)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return db.session.scalars(stmt).all()


def unread_count(user):
    return db.session.scalar(select(db.func.count(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.channel == IN_APP, Notification.read_at.is_(None)))


def mark_read(*, user, notification_id):
    from ..errors import NotFound

    row = db.session.get(Notification, notification_id)
    if row is None or row.recipient_id != user.id:
        raise NotFound()
    if row.read_at is None:
        row.read_at = now()
    return row


# --- one person, every channel they chose ---------------------------------------------------------

def person_keys(dedupe_key, methods):
    """The dedupe keys of one ``notify_user`` call: the in-app row, the account's email, then each method's."""
    return [f"{dedupe_key}:{IN_APP}", f"{dedupe_key}:{EMAIL}"] + [f"{dedupe_key}:{m.kind}:{m.id}" for m in methods]


def prefetch_people(people):
    """What ``notify_user`` looks up, for several people at once in two queries instead of two each:
    ``people`` is [(user, dedupe_key)]; pass the result as ``notify_user(prefetched=...)``."""
    from .methods import usable_methods_by_user

    with db.session.no_autoflush:
        methods = usable_methods_by_user([user.id for user, _ in people])
        stored = stored_rows([k for user, key in people for k in person_keys(key, methods[user.id])])
    return methods, stored


def notify_user(*, user, kind, subject, body_text, dedupe_key, body_html=None, short_text=None, chat_text=None,
                push=None, department_id=None, source=None, payload=None, urgent=False, action=None,
                email_address=None, in_app=True, prefetched=None):
    """Queue one notice to a person on every verified contact method they have, in the caller's transaction.

    ``body_text``/``body_html``: the email (account email and verified extra addresses); ``chat_text``: full-size
    Apprise channels (Telegram, Teams…; defaults to body_text); ``short_text``: push and SMS-sized channels;
    ``push``: extra fields for the service worker (title, url, tag). ``action`` names a handler registered with
    ``registry.action``: push gets a button and short channels a link (ACTION_URL_MARK) that runs it for this
    person without sign-in. ``urgent`` (escalations) ignores the person's routes: every verified method, always;
    other kinds go where the person routed them (in-app and email by default). ``prefetched``: from
    ``prefetch_people`` when the caller notifies several people.
    Returns the rows (one per channel and method). Dedupe keys: ``{dedupe_key}:{channel}[:{method id}]``.
    """
    from .methods import describe, routed_channels, usable_methods
    from .models import APPRISE, PUSH
    from .senders import ACTION_URL_MARK

    channels = None if urgent else routed_channels(user, kind)
    base = dict(payload or {})
    if action:
        base["action"] = action
    if urgent:
        base["urgent"] = True
    with db.session.no_autoflush:  # the rows queued so far go in one batch at the end, not one flush per person
        usable = prefetched[0][user.id] if prefetched else usable_methods(user)
        methods = [m for m in usable if channels is None or m.kind in channels]
        stored = prefetched[1] if prefetched else stored_rows(person_keys(dedupe_key, methods))
    method_keys = list(zip(methods, person_keys(dedupe_key, methods)[2:]))
    common = dict(kind=kind, recipient=user, department_id=department_id, source=source, stored=stored)
    rows = []
    if in_app:
        rows.append(enqueue(channel=IN_APP, subject=subject, body_text=body_text, payload=dict(base),
                            dedupe_key=f"{dedupe_key}:{IN_APP}", **common))
    if channels is None or EMAIL in channels:
        rows.append(enqueue(channel=EMAIL, subject=subject, body_text=body_text, body_html=body_html,
                            address=email_address or user.email, payload=dict(base),
                            dedupe_key=f"{dedupe_key}:{EMAIL}", **common))
    short = short_text or subject
    for method, key in method_keys:
        if method.kind == EMAIL:
            rows.append(enqueue(channel=EMAIL, subject=subject, body_text=body_text, body_html=body_html,
                                address=method.address, payload=dict(base), contact_method=method,
                                recipient_label=user.name, dedupe_key=key, **common))
        elif method.kind == PUSH:
            data = dict(push or {})
            data.setdefault("body", short.replace(ACTION_URL_MARK, "").strip())
            rows.append(enqueue(channel=PUSH, subject=subject, body_text=data["body"],
                                address=describe(method)[:500], payload=dict(base, push=data),
                                contact_method=method, recipient_label=user.name, dedupe_key=key, **common))
        elif method.kind == APPRISE:
            text = short if method.short_form else (chat_text or body_text)
            if action and ACTION_URL_MARK not in text:
                text = f"{text}\n{ACTION_URL_MARK}"
            rows.append(enqueue(channel=APPRISE, subject=subject, body_text=text, address=describe(method)[:500],
                                payload=dict(base), contact_method=method, recipient_label=user.name,
                                dedupe_key=key, **common))
    return rows


# --- signed one-time actions (acknowledge from a push button or an SMS link) -------------------------

# The handlers are registered with registry.action(app, name, handler).

def _action_signature(row_id):
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"notification-action:{row_id}".encode(),
                      hashlib.sha256).digest()
    # 80 bits in 16 base32 characters: short enough for a 160-character SMS, too long to guess.
    return base64.b32encode(digest[:10]).decode().lower()


def action_token(row):
    return f"{row.id}.{_action_signature(row.id)}"


def action_url(row):
    return f"{current_app.config.get('BASE_URL', '').rstrip('/')}/n/{action_token(row)}"


def action_row(token):
    """The outbox row a token names, if the token is genuine, fresh and unused."""
    from flask_babel import gettext as _

    row_id, _sep, signature = str(token or "").partition(".")
    row_id = inputs.id_or_none(row_id)  # '²'.isdigit() is true but int() refuses it
    row = db.session.get(Notification, row_id) if row_id is not None else None
    if row is None or not hmac.compare_digest(signature, _action_signature(row.id)) or \
            (row.payload or {}).get("action") not in registry.items("action"):
        raise LinkInvalid(_("This link is not valid. Use it as it arrived, or sign in."))
    max_age = timedelta(hours=int(current_app.config.get("ACK_LINK_MAX_AGE_HOURS", 72)))
    if as_utc(row.created_at) + max_age < now():
        raise LinkExpired(_("This link has expired. Sign in to do this in the app."))
    if row.action_used_at is not None:
        raise LinkUsed(_("This link has already been used."))
    return row


def perform_action(*, token):
    row = action_row(token)
    row.action_used_at = now()
    result = registry.items("action")[row.payload["action"]](row)
    db.session.flush()
    return row, result


__all__ = ["enqueue", "notify_user", "perform_action", "action_url", "deliver", "sweep", "backlog", "inbox", "unread_count", "mark_read", "SENT", "FAILED_PERMANENT",
           "NOT_NOTIFIED"]
