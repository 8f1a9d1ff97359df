"""Escalation: alerting a level, acknowledging (in the app, by the email link, by a push or chat button) and the
clock-driven job that reminds level 1 and climbs to levels 2 and 3 while level 1 stays silent."""
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import now
from ..errors import NotFound, PermissionDenied
from ..extensions import db
from .ack_links import escalation_from_token
from .common import incident_path, log_event
from .labels import format_dt, status_label, via_label
from .messages import send_escalations, send_webhook
from .models import ACKNOWLEDGED, AUD_DIRECTOR, AUD_STEERING, CLOSED, OPEN, Escalation, Incident
from .policies import recipients_for_level


def notify_level(incident, level, actor=None, policy=None):
    """Create the level's Escalation rows (people not yet alerted at any level) and queue their messages.
    ``policy``: the Department's, when the caller has it already."""
    already = {e.recipient_key for e in incident.escalations}
    people = [p for p in recipients_for_level(incident, level, policy) if p["key"] not in already]
    rows = []
    for p in people:
        esc = Escalation(incident=incident, level=level, audience=p["audience"], recipient=p["user"],
                         recipient_key=p["key"], recipient_label=p["label"] or "?", email=p["email"],
                         role=p["role"], notified_at=now(), ack_nonce=secrets.token_urlsafe(16))
        db.session.add(esc)
        rows.append(esc)
    db.session.flush()
    send_escalations(incident, rows)
    send_webhook(incident, level, 0, "incident.created" if level == 1 else "incident.escalated")
    names = ", ".join(e.recipient_label for e in rows) or _("nobody (no recipient configured)")
    if level == 1:
        log_event(incident, "escalated", lambda: _("Level 1 alerted: %(names)s", names=names), actor=actor,
                  data={"level": 1, "recipients": [e.recipient_label for e in rows]})
    else:
        log_event(incident, "escalated", lambda: _("Escalated to level %(level)s: %(names)s", level=level, names=names),
                  actor=actor, data={"level": level, "recipients": [e.recipient_label for e in rows]})
    return rows


def level_acknowledged(incident, level):
    rows = [e for e in incident.escalations if e.level == level]
    if level != 1 or incident.drill:
        return any(e.acknowledged_at for e in rows)
    directors = [e for e in rows if e.audience == AUD_DIRECTOR]
    steering = [e for e in rows if e.audience == AUD_STEERING] if incident.exam_related else []
    if not directors and not steering:
        return any(e.acknowledged_at for e in rows)
    ok = True
    if directors:
        ok = ok and any(e.acknowledged_at for e in directors)
    if steering:
        ok = ok and any(e.acknowledged_at for e in steering)
    return ok


def level1_waiting_for(incident):
    """Which level-1 audiences still have to acknowledge (for the page)."""
    rows = [e for e in incident.escalations if e.level == 1]
    waiting = []
    for audience in (AUD_DIRECTOR, AUD_STEERING):
        group = [e for e in rows if e.audience == audience]
        if group and not any(e.acknowledged_at for e in group):
            waiting.append(audience)
    return waiting


def _mark(incident, escalation, via, actor=None):
    escalation.acknowledged_at = now()
    escalation.acknowledged_via = via
    log_event(incident, "acknowledged", lambda: _("%(name)s acknowledged (level %(level)s, %(via)s).",
                                          name=escalation.recipient_label, level=escalation.level,
                                          via=via_label(via)),
              actor=actor or escalation.recipient, actor_label=escalation.recipient_label if actor is None else None,
              data={"escalation_id": escalation.id, "level": escalation.level})


def _after_acknowledgement(incident, actor=None):
    if incident.level1_acknowledged_at is None and level_acknowledged(incident, 1):
        incident.level1_acknowledged_at = now()
        incident.next_escalation_at = None
        log_event(incident, "level_acknowledged", lambda: _("Level 1 has acknowledged: escalation stops."), actor=actor)
        if incident.status == OPEN:
            incident.status = ACKNOWLEDGED
            log_event(incident, "status", lambda: _("Status: %(old)s → %(new)s", old=status_label(OPEN),
                                            new=status_label(ACKNOWLEDGED)),
                      actor=actor, field="status", old=OPEN, new=ACKNOWLEDGED)


def my_escalations(incident, user):
    return [e for e in incident.escalations if e.recipient_id == user.id]


def acknowledge(*, incident, user, via="app"):
    """The signed-in user acknowledges every alert they received about this incident."""
    rows = [e for e in my_escalations(incident, user) if e.acknowledged_at is None]
    if not my_escalations(incident, user):
        raise PermissionDenied(_("You were not alerted about this incident, so there is nothing to acknowledge."))
    for esc in rows:
        _mark(incident, esc, via, actor=user)
    _after_acknowledgement(incident, actor=user)
    db.session.flush()
    return incident


def acknowledge_by_link(*, token):
    """One click from the email: single-use, signed, expiring."""
    escalation = escalation_from_token(token)
    incident = escalation.incident
    escalation.ack_link_used_at = now()
    targets = [escalation]
    if escalation.recipient_id is not None:
        targets = [e for e in incident.escalations if e.recipient_id == escalation.recipient_id]
    for esc in targets:
        if esc.acknowledged_at is None:
            _mark(incident, esc, "link", actor=escalation.recipient)
    _after_acknowledgement(incident, actor=escalation.recipient)
    db.session.flush()
    return escalation


def acknowledge_by_action(row):
    """The push button or the SMS/chat link of one outbox row: acknowledges for its recipient, recording the
    channel it came through."""
    escalation = db.session.get(Escalation, (row.payload or {}).get("escalation_id"))
    if escalation is None or escalation.recipient_id != row.recipient_id:
        raise NotFound()
    incident = escalation.incident
    targets = [e for e in incident.escalations if e.recipient_id == escalation.recipient_id]
    for esc in targets:
        if esc.acknowledged_at is None:
            _mark(incident, esc, row.channel, actor=escalation.recipient)
    _after_acknowledgement(incident, actor=escalation.recipient)
    db.session.flush()
    return {"title": incident.title, "url": incident_path(incident),
            "message": _("Acknowledged at %(at)s. Thank you: the incident page shows your acknowledgement.",
                         at=format_dt(escalation.acknowledged_at))}


def run_escalations():
    """Clock-driven and idempotent: remind level 1, escalate to level 2 then 3 while level 1 has not
    acknowledged. Returns how many incidents moved."""
    t = now()
    due = db.session.scalars(select(Incident).where(
        Incident.status != CLOSED, Incident.level1_acknowledged_at.is_(None),
        Incident.next_escalation_at.is_not(None), Incident.next_escalation_at <= t).order_by(Incident.id)).all()
    for incident in due:
        step_escalation(incident)
    db.session.flush()
    return len(due)


def step_escalation(incident):
    t = now()
    incident.escalation_round += 1
    round_ = incident.escalation_round
    unacked = [e for e in incident.escalations if e.level == 1 and e.acknowledged_at is None]
    send_escalations(incident, unacked, reminder_round=round_)
    for esc in unacked:
        esc.reminders += 1
        esc.last_reminded_at = t
    if unacked:
        log_event(incident, "reminder", lambda: _("Reminder %(n)s re-sent to level 1: %(names)s", n=round_,
                                          names=", ".join(e.recipient_label for e in unacked)),
                  data={"round": round_})
    level = incident.escalation_level
    if not incident.drill and level < 3 and not (level >= 2 and level_acknowledged(incident, level)):
        incident.escalation_level = level + 1
        notify_level(incident, level + 1)
    incident.next_escalation_at = t + timedelta(minutes=incident.timeout_minutes)
