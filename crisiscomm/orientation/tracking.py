"""After sending: delivery per recipient (read from the outbox rows), acknowledgement by app, email link, push
button or SMS link, and reminders to the silent — by hand, or by the job after a delay, at most N rounds."""
import math
from collections import defaultdict
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import permissions
from ..clock import as_utc, format_duration, now, time_ago, to_local
from ..errors import Conflict, NotFound
from ..extensions import db
from ..notifications import reminders
from ..notifications.models import (APPRISE, FAILED_PERMANENT, IN_APP, NOT_NOTIFIED, PUSH, SENT as OUTBOX_SENT,
                                    Notification)
from .models import (ACK_API, ACK_APP, ACK_APPRISE, ACK_EMAIL, ACK_PUSH, SENT, OrientationMessage,
                     OrientationRecipient)
from .service import _deliver

DELIVERED, FAILED, PENDING = "delivered", "failed", "pending"
DELIVERY_LABELS = {DELIVERED: _l("delivered"), FAILED: _l("not delivered"), PENDING: _l("on its way")}
ACK_LABELS = {ACK_APP: _l("in the app"), ACK_EMAIL: _l("by the email link"), ACK_PUSH: _l("by the push button"),
              ACK_APPRISE: _l("by the SMS or chat link"), ACK_API: _l("through the API")}
SOURCE = "orientation_recipient"


def _outbox_rows(recipient_ids):
    rows = defaultdict(list)
    ids = list(recipient_ids)
    for start in range(0, len(ids), 500):
        for n in db.session.scalars(select(Notification).where(Notification.source_type == SOURCE,
                                                               Notification.source_id.in_(ids[start:start + 500]))
                                    .order_by(Notification.id)):
            rows[n.source_id].append(n)
    return rows


def delivery(message):
    """{recipient id: (state, [outbox rows])}: delivered when one channel besides the app took it (or the app is
    their only channel), failed when every channel gave up, else on its way. Fills ``delivered_at``."""
    rows = _outbox_rows(r.id for r in message.recipients)
    out = {}
    for r in message.recipients:
        mine = rows.get(r.id, [])
        outside = [n for n in mine if n.channel != IN_APP]
        taken = [n.sent_at for n in (outside or mine) if n.state == OUTBOX_SENT and n.sent_at]
        if taken:
            state = DELIVERED
            if r.delivered_at is None:
                r.delivered_at = min(taken)
        elif outside and all(n.state in (FAILED_PERMANENT, NOT_NOTIFIED) for n in outside):
            state = FAILED
        else:
            state = PENDING
        out[r.id] = (state, mine)
    db.session.flush()
    return out


def counts(message_ids):
    """{message id: (recipients, acknowledged)} for a list page, in one query."""
    if not message_ids:
        return {}
    stmt = (select(OrientationRecipient.message_id, func.count(OrientationRecipient.id),
                   func.count(OrientationRecipient.acknowledged_at))
            .where(OrientationRecipient.message_id.in_(list(message_ids)))
            .group_by(OrientationRecipient.message_id))
    return {mid: (total, acked) for mid, total, acked in db.session.execute(stmt)}


def by_school(message):
    """[(school, [recipients])] in the order of the schools' names."""
    groups = defaultdict(list)
    for r in message.recipients:
        groups[r.school].append(r)
    return sorted(groups.items(), key=lambda kv: (kv[0].department_id, kv[0].name))


# --- acknowledgement ----------------------------------------------------------------------------------------------

def acknowledge(*, recipient, channel):
    """Record the first acknowledgement (a second one changes nothing)."""
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at, recipient.ack_channel = now(), channel
        db.session.flush()
    return recipient


def inbox(user, unacknowledged_only=False, limit=100):
    """The messages sent to a focal point's account, newest first."""
    stmt = (select(OrientationRecipient).join(OrientationMessage)
            .where(OrientationRecipient.user_id == user.id, OrientationMessage.state == SENT)
            .order_by(OrientationMessage.sent_at.desc(), OrientationRecipient.id.desc()).limit(limit))
    if unacknowledged_only:
        stmt = stmt.where(OrientationRecipient.acknowledged_at.is_(None))
    return db.session.scalars(stmt).all()


def my_recipient(recipient_id, *, user):
    """One message sent to ``user`` (anyone else's: a 404)."""
    from .. import inputs

    ident = inputs.id_or_none(recipient_id)
    row = db.session.get(OrientationRecipient, ident) if ident is not None else None
    if row is None or row.user_id != user.id or row.message.state != SENT:
        raise NotFound()
    return row


def acknowledge_mine(*, recipient_id, user, channel=ACK_APP):
    permissions.require(user, "orientation.receive")
    return acknowledge(recipient=my_recipient(recipient_id, user=user), channel=channel)


def ack_by_action(notification):
    """registry.action "orientation.ack": the push button or the SMS/chat link of one outbox row."""
    recipient = db.session.get(OrientationRecipient, (notification.payload or {}).get("recipient"))
    if recipient is None:
        raise NotFound()
    channel = {PUSH: ACK_PUSH, APPRISE: ACK_APPRISE}.get(notification.channel, ACK_APP)
    acknowledge(recipient=recipient, channel=channel)
    return {"title": _("Acknowledged"),
            "message": _("Thank you: the Department sees that you received “%(subject)s”.",
                         subject=recipient.message.subject),
            "url": f"/orientation/inbox/{recipient.id}"}


# --- reminders ------------------------------------------------------------------------------------------------------

def silent(message):
    return [r for r in message.recipients if r.acknowledged_at is None]


def remind(*, message, user=None, round_no=None):
    """One reminder round to the recipients who have not acknowledged (by hand, or the job's round ``round_no``).
    Returns the recipients reminded."""
    if user is not None:
        permissions.require(user, "orientation.send")
    if message.state != SENT:
        raise Conflict(_("Only a sent message can be reminded."), fields={"state": _("not sent yet")})
    targets = silent(message)
    if not targets:
        return []
    at = now()
    if user is not None:
        _refuse_a_second_click(message, at)
    round_no = round_no or (message.reminder_rounds or 0) + 1
    with db.session.no_autoflush:
        for r in targets:
            _deliver(message, r, reminder_round=round_no)
            r.reminders_sent = (r.reminders_sent or 0) + 1
            r.last_reminded_at = at
    message.reminder_rounds, message.reminded_at = round_no, at
    db.session.flush()
    return targets


def _refuse_a_second_click(message, at):
    """A round by hand soon after the last one is a double click or an impatient second try: the schools would
    get the same reminder twice within minutes (ORIENTATION_REMINDER_MIN_GAP_MINUTES)."""
    gap = timedelta(minutes=current_app.config["ORIENTATION_REMINDER_MIN_GAP_MINUTES"])
    last = as_utc(message.reminded_at)
    if last is not None and at - last < gap:
        wait_minutes = max(1, math.ceil((last + gap - at).total_seconds() / 60))  # "1 phút", never "0 phút"
        raise Conflict(_("A reminder went out at %(time)s; the next one can be sent in %(duration)s.",
                         time=to_local(last).strftime("%H:%M"), duration=format_duration(wait_minutes * 60)),
                       fields={"reminded_at": _("reminded %(when)s", when=time_ago(last, at))})


def _due_messages(rule, cutoff):
    waiting = select(OrientationRecipient.message_id).where(OrientationRecipient.acknowledged_at.is_(None))
    return db.session.scalars(select(OrientationMessage).where(
        OrientationMessage.state == SENT, OrientationMessage.reminder_rounds < rule.max_rounds,
        OrientationMessage.sent_at <= cutoff, OrientationMessage.id.in_(waiting))
        .order_by(OrientationMessage.id)).all()


def remind_due():
    """The scheduler's job: each sent message with silent recipients whose next round is due gets it
    (ORIENTATION_REMINDER_DELAY_HOURS after sending or the last round, at most ORIENTATION_REMINDER_MAX rounds)."""
    return reminders.run("ORIENTATION", label="orientation.remind", candidates=_due_messages, sent_at="sent_at",
                         reminded_at="reminded_at", rounds="reminder_rounds",
                         remind=lambda m, n: remind(message=m, round_no=n))
