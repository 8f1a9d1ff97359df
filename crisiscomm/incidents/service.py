"""Incidents: logging, immediate escalation through the outbox, acknowledgement, the statement clock,
playbook checklists and the fast report's facts.

Services only flush; the request or the job runner commits once. Every change leaves a timeline entry.
"""
import functools
import re
import secrets
from datetime import timedelta
from html import escape

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import inputs, scoping
from ..clock import as_utc, now, parse_datetime, time_left as clock_time_left
from ..errors import (Conflict, LinkExpired, LinkInvalid, LinkUsed, NotFound, PermissionDenied,
                      ValidationError)
from ..extensions import db
from ..notifications.models import APPRISE, EMAIL, IN_APP, PUSH, WEBHOOK, Notification
from ..notifications.service import enqueue
from ..scenarios.models import CATEGORIES, SEVERITIES, Scenario, ScenarioVersion
from ..statements.service import record_statement
from ..text import fold, where_all_terms
from ..users.models import (COMMS_OFFICER, DEPUTY_DIRECTOR, DIRECTOR, MINISTRY_ADMIN, MINISTRY_COMMS,
                            MINISTRY_ROLES, SPOKESPERSON, STEERING_BOARD, User, load_person)
from .models import (ACKNOWLEDGED, AUD_DEPUTY, AUD_DIRECTOR, AUD_DRILL, AUD_EXTRA, AUD_MINISTRY, AUD_SPOKESPERSON,
                     AUD_STEERING, CLOSED, CONTAINED, OPEN, STATUSES, ChecklistItem, Escalation, EscalationPolicy,
                     EscalationPolicyMember, Incident, IncidentEvent, MinistryOfficeMember)

DRILL_LABEL = "DIỄN TẬP / DRILL"
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_TIMEOUT = 10
DEFAULT_CRITICAL_TIMEOUT = 5
WRITER_ROLES = (DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON, COMMS_OFFICER, STEERING_BOARD) + MINISTRY_ROLES
POLICY_EDITORS = (DIRECTOR, MINISTRY_ADMIN)
REOPEN_ROLES = (DIRECTOR, MINISTRY_ADMIN)
EDITABLE = ("title", "category", "exam_related", "exam", "occurred_at", "known_at", "place", "description",
            "severity")
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


AckLinkError, AckLinkExpired, AckLinkUsed = LinkInvalid, LinkExpired, LinkUsed


# --- small helpers --------------------------------------------------------------------------------

def parse_duration(text):
    """'15m', '1h', '24h', '72h', '7d' → timedelta. Raises ValueError."""
    match = _DURATION.match(str(text or ""))
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def _label(user):
    return user.name if user is not None else "crisiscomm"


def log_event(incident, kind, message="", actor=None, field=None, old=None, new=None, data=None, at=None,
              actor_label=None):
    """``message`` may be a callable building the text: it is then also rendered in Vietnamese (kept in
    data["message_vi"]) so the fast report reads in Vietnamese whatever language its author used."""
    data = dict(data or {})
    if callable(message):
        build = message
        message = str(build())
        with force_locale("vi"):
            data["message_vi"] = str(build())
    entry = IncidentEvent(incident=incident, at=at or now(), actor_id=actor.id if actor is not None else None,
                          actor_label=actor_label or _label(actor), kind=kind, field=field,
                          old_value=None if old is None else _as_text(old),
                          new_value=None if new is None else _as_text(new), message=message, data=data)
    db.session.add(entry)
    return entry


def _as_text(value):
    if hasattr(value, "isoformat"):
        return as_utc(value).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def base_url():
    return current_app.config.get("BASE_URL", "").rstrip("/")


def incident_path(incident):
    return f"/incidents/{incident.id}"


def _refresh_search(incident):
    incident.search_text = fold(" ".join(filter(None, [incident.title, incident.description, incident.place,
                                                        incident.exam])))


# --- policies --------------------------------------------------------------------------------------

def saved_policy(department_id):
    return db.session.scalar(select(EscalationPolicy).where(EscalationPolicy.department_id == department_id))


def policy_for(department):
    """The Department's policy: timeouts and extra members per level (defaults when none is saved)."""
    policy = saved_policy(department.id)
    return {
        "saved": policy is not None,
        "timeout_minutes": policy.timeout_minutes if policy else DEFAULT_TIMEOUT,
        "critical_timeout_minutes": policy.critical_timeout_minutes if policy else DEFAULT_CRITICAL_TIMEOUT,
        "require_instant_channel": bool(policy.require_instant_channel) if policy else False,
        "members": {lvl: [m for m in (policy.members if policy else []) if m.level == lvl] for lvl in (1, 2, 3)},
    }


def can_edit_policy(user, department):
    return user.role == MINISTRY_ADMIN or (user.role == DIRECTOR and user.department_id == department.id)


def _parse_member_lines(text, level, errors, field, department=None):
    """'Name <email>' / 'email' / 'Name' lines → member dicts; users are matched by email (for a Department's
    policy, only its own users and the Ministry's: anyone else stays a plain email address)."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$", line)
        if match:
            name, email = match.group(1).strip(), match.group(2).strip().lower()
        elif "@" in line and " " not in line:
            name, email = "", line.lower()
        elif "@" in line:
            errors[field] = _("Line %(n)s: not an email address.", n=n)
            continue
        else:
            name, email = line, None
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            errors[field] = _("Line %(n)s: not an email address.", n=n)
            continue
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        if user is not None and department is not None and not scoping.may_name_user(user, department.id):
            user = None
        out.append({"level": level, "name": name or (user.name if user else email), "email": email,
                    "user_id": user.id if user else None})
    return out


def save_policy(*, actor, department, timeout_minutes, critical_timeout_minutes, members_text,
                require_instant_channel=None):
    """Save a Department's policy. ``members_text``: {level: 'Name <email>' lines}."""
    if not can_edit_policy(actor, department):
        raise PermissionDenied()
    errors = {}
    for field, value in (("timeout_minutes", timeout_minutes), ("critical_timeout_minutes", critical_timeout_minutes)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 240:
            errors[field] = _("A number of minutes from 1 to 240.")
    members = []
    for level in (1, 2, 3):
        members += _parse_member_lines((members_text or {}).get(level, ""), level, errors, f"members_{level}",
                                       department)
    if errors:
        raise ValidationError(_("The escalation policy has errors."), fields=errors)
    policy = saved_policy(department.id)
    if policy is None:
        policy = EscalationPolicy(department_id=department.id)
        db.session.add(policy)
    policy.timeout_minutes = timeout_minutes
    policy.critical_timeout_minutes = critical_timeout_minutes
    if require_instant_channel is not None:
        policy.require_instant_channel = bool(require_instant_channel)
    policy.members.clear()
    db.session.flush()
    for m in members:
        policy.members.append(EscalationPolicyMember(**m))
    db.session.flush()
    return policy


def ministry_office():
    return db.session.scalars(select(MinistryOfficeMember).order_by(MinistryOfficeMember.id)).all()


def save_ministry_office(*, actor, members_text):
    if actor.role != MINISTRY_ADMIN:
        raise PermissionDenied()
    errors = {}
    members = _parse_member_lines(members_text, 3, errors, "members")
    if errors:
        raise ValidationError(_("The Ministry office list has errors."), fields=errors)
    for row in ministry_office():
        db.session.delete(row)
    db.session.flush()
    for m in members:
        m.pop("level")
        db.session.add(MinistryOfficeMember(**m))
    db.session.flush()
    return ministry_office()


def _department_users(department_id, roles):
    return db.session.scalars(select(User).where(User.department_id == department_id, User.role.in_(roles),
                                                 User.active.is_(True)).order_by(User.name, User.id)).all()


def _person(audience, user=None, name=None, email=None, role=None):
    if user is not None:
        return {"audience": audience, "user": user, "label": user.name, "email": user.email or None,
                "role": role or user.role, "key": f"user:{user.id}"}
    key = f"email:{email}" if email else f"name:{fold(name)}"
    return {"audience": audience, "user": None, "label": name or email, "email": email, "role": role, "key": key}


def _members(policy, level, department_id):
    # A member linked to a user who is not (or no longer) of this Department is alerted by email only.
    return [_person(AUD_EXTRA, m.user) if scoping.may_name_user(m.user, department_id)
            else _person(AUD_EXTRA, name=m.name, email=m.email) for m in policy["members"][level]]


def recipients_for_level(incident, level, policy=None):
    """Who a level reaches, as person dicts (deduplicated within the level)."""
    if incident.drill:
        if level != 1:
            return []
        users = db.session.scalars(select(User).where(User.id.in_(incident.drill_recipient_ids or [])))
        return [_person(AUD_DRILL, u) for u in users]
    policy = policy or policy_for(incident.department)
    people = []
    if level == 1:
        people += [_person(AUD_DIRECTOR, u) for u in _department_users(incident.department_id, (DIRECTOR,))]
        if incident.exam_related:
            people += [_person(AUD_STEERING, u) for u in _department_users(incident.department_id, (STEERING_BOARD,))]
    elif level == 2:
        people += [_person(AUD_DEPUTY, u) for u in _department_users(incident.department_id, (DEPUTY_DIRECTOR,))]
        from ..spokespersons.service import official_spokesperson

        official = official_spokesperson(incident.department_id, now())
        if official is not None and official.user is not None:
            people.append(_person(AUD_SPOKESPERSON, official.user, role=SPOKESPERSON))
        else:
            people += [_person(AUD_SPOKESPERSON, u) for u in _department_users(incident.department_id, (SPOKESPERSON,))]
    elif level == 3:
        office = ministry_office()
        if office:
            people += [_person(AUD_MINISTRY, m.user) if m.user is not None
                       else _person(AUD_MINISTRY, name=m.name, email=m.email) for m in office]
        else:
            people += [_person(AUD_MINISTRY, u) for u in db.session.scalars(
                select(User).where(User.role == MINISTRY_ADMIN, User.department_id.is_(None),
                                   User.active.is_(True)).order_by(User.name))]
    people += _members(policy, level, incident.department_id)
    seen, out = set(), []
    for p in people:
        if p["key"] not in seen:
            seen.add(p["key"])
            out.append(p)
    return out


def timeout_for(incident, policy=None):
    policy = policy or policy_for(incident.department)
    return policy["critical_timeout_minutes"] if incident.severity == "critical" else policy["timeout_minutes"]


# --- acknowledge links ----------------------------------------------------------------------------

class _ClockSigner(TimestampSigner):
    """Timestamps from the app clock, so tests can expire a link by moving time."""

    def get_timestamp(self):
        return int(now().timestamp())


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="incident-acknowledge",
                                  signer=_ClockSigner)


def ack_token(escalation):
    return _serializer().dumps({"e": escalation.id, "n": escalation.ack_nonce})


def ack_url(escalation):
    return f"{base_url()}/incidents/ack/{ack_token(escalation)}"


def escalation_from_token(token):
    """The Escalation a link names, or AckLinkError / AckLinkExpired / AckLinkUsed."""
    max_age = int(current_app.config.get("ACK_LINK_MAX_AGE_HOURS", 72)) * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AckLinkExpired(_("This acknowledge link has expired. Sign in to acknowledge the incident."))
    except BadSignature:
        raise AckLinkError(_("This acknowledge link is not valid. Use the link from the email as it is, or sign in."))
    escalation = db.session.get(Escalation, data.get("e")) if isinstance(data, dict) else None
    if escalation is None or not secrets.compare_digest(str(data.get("n")), escalation.ack_nonce):
        raise AckLinkError(_("This acknowledge link is not valid. Use the link from the email as it is, or sign in."))
    if escalation.ack_link_used_at is not None:
        raise AckLinkUsed(_("This acknowledge link has already been used."))
    return escalation


# --- messages -------------------------------------------------------------------------------------

def time_left(due):
    """'còn 5 giờ 59 phút' / 'quá hạn 1 giờ 2 phút' from now (for alerts; the page has a live countdown)."""
    return "" if due is None else clock_time_left(due)


def alert_facts(incident, escalation):
    """What every channel's alert says, as (label, value) pairs, in the current locale."""
    from ..clock import format_datetime

    due = incident.first_statement_due_at
    reporter = incident.reporter.name if incident.reporter is not None else "—"
    return [
        (_("Department"), incident.department.name),
        (_("Severity"), severity_label(incident.severity)),
        (_("Exam"), (incident.exam or _("yes")) if incident.exam_related else _("not exam-related")),
        (_("What happened"), incident.title),
        (_("Place"), incident.place or "—"),
        (_("Occurred at"), format_datetime(incident.occurred_at)),
        (_("Logged by"), reporter),
        (_("First public statement due"), f"{format_datetime(due)} ({time_left(due)})" if due else "—"),
        (_("Your role in this escalation"), _("%(role)s, level %(level)s", role=audience_label(escalation.audience),
                                              level=escalation.level)),
    ]


def _message(incident, escalation, reminder_round):
    """Every channel's text in the recipient's language (Vietnamese unless they chose English):
    (subject, email body, email html, short text for SMS-sized channels, push fields)."""
    from ..clock import format_datetime, to_local
    from ..notifications.senders import ACTION_URL_MARK
    from ..notifications.shortform import fit_sms

    user = escalation.recipient
    with force_locale((user.locale if user is not None else None) or "vi"):
        drill = f"[{DRILL_LABEL}] " if incident.drill else ""
        if reminder_round:
            head = _("REMINDER %(n)s — not yet acknowledged", n=reminder_round)
        elif escalation.level > 1:
            head = _("ESCALATED to level %(n)s — level 1 has not acknowledged", n=escalation.level)
        else:
            head = _("New incident")
        subject = f"{drill}{head}: {incident.title} — {incident.department.name}"
        facts = alert_facts(incident, escalation)
        lines = []
        if incident.drill:
            lines += [f"*** {DRILL_LABEL} ***", _("This is a drill. No real incident has happened."), ""]
        lines += [head, ""] + [f"{label}: {value}" for label, value in facts] + [
            "",
            incident.description or "",
            "",
            _("Confirm that you have the information — one click, no sign-in needed:"),
            ack_url(escalation),
            "",
            _("Open the incident:"),
            base_url() + incident_path(incident),
        ]
        if incident.drill:
            lines += ["", f"*** {DRILL_LABEL} ***"]
        body = "\n".join(lines)
        html = "<div>" + "".join(
            f'<p><a href="{escape(line)}">{escape(line)}</a></p>' if line.startswith("http")
            else f"<p>{escape(line)}</p>" if line else "" for line in lines) + "</div>"
        ask = _("Confirm you have the information")
        open_label, statement_by, logged_by = _("Open the incident:"), _("Statement by"), _("Logged by")
        confirm, due_label = _("Confirm"), _("First public statement due")
        # Chat channels get the full facts and their own one-tap link (which records the channel).
        chat = "\n".join([head, ""] + [f"{label}: {value}" for label, value in facts] + [
            "", incident.description or "", "", f"{ask}: {ACTION_URL_MARK}",
            f"{open_label} {base_url() + incident_path(incident)}"])
        due = incident.first_statement_due_at
        sms_head = f"{'DIEN TAP ' if incident.drill else ''}{incident.department.name}"
        short = fit_sms(
            [f"{sms_head}: {severity_label(incident.severity).upper()}",
             f"{incident.title}.",
             f"{incident.place}." if incident.place else "",
             f"{statement_by} {to_local(due):%H:%M %d/%m}." if due else "",
             f"{logged_by} {incident.reporter.name}." if incident.reporter is not None else "",
             incident.exam or ""],
            tail=f"{confirm}: {ACTION_URL_MARK}",
            reserve=len(base_url()) + 30 - len(ACTION_URL_MARK))
        exam = incident.exam if incident.exam_related and incident.exam else ""
        push = {
            "title": " · ".join(filter(None, [f"{drill}{incident.department.name}",
                                              severity_label(incident.severity), exam]))[:200],
            "body": "\n".join(filter(None, [
                incident.title, " · ".join(filter(None, [incident.place, format_datetime(incident.occurred_at)])),
                f"{due_label}: {format_datetime(due)} ({time_left(due)})" if due else "",
                f"{logged_by}: {incident.reporter.name}" if incident.reporter is not None else "",
                f"{audience_label(escalation.audience)} · {ask}"])),
            "url": incident_path(incident), "tag": f"incident-{incident.id}", "ack_label": ask,
            "open_label": _("Open"), "require_interaction": True,
        }
    return subject, body, html, short, push, chat


def _send_escalation(incident, escalation, reminder_round=0):
    """An escalation row's messages (dedupe per round): a Department user gets every channel they confirmed
    (app, email, push, Apprise); a plain address gets email."""
    from ..notifications.service import notify_user

    subject, body, html, short, push, chat = _message(incident, escalation, reminder_round)
    kind = "incident_reminder" if reminder_round else "incident_escalation"
    source = ("incident", incident.id)
    key = f"incident:{incident.id}:esc:{escalation.id}:r{reminder_round}"
    if escalation.recipient is not None:
        payload = {"url": incident_path(incident), "escalation_id": escalation.id}
        return notify_user(user=escalation.recipient, kind=kind, subject=subject, body_text=body, body_html=html,
                           short_text=short, chat_text=chat, push=push, department_id=incident.department_id,
                           source=source, payload=payload, urgent=True, action=ACK_ACTION,
                           email_address=escalation.email or None, dedupe_key=key)
    return [enqueue(kind=kind, channel=EMAIL, subject=subject, body_text=body, body_html=html,
                    recipient=None, address=escalation.email or None,
                    recipient_label=escalation.recipient_label, department_id=incident.department_id,
                    source=source, payload={"escalation_id": escalation.id}, dedupe_key=f"{key}:email")]


ACK_ACTION = "incident_ack"


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


def _send_webhook(incident, level, reminder_round, event):
    department = incident.department
    if not department.webhook_url:
        return None
    title = f"[{DRILL_LABEL}] {incident.title}" if incident.drill else incident.title
    payload = {"event": event, "incident": {
        "id": incident.id, "title": title, "department": department.code, "category": incident.category,
        "severity": incident.severity, "exam_related": incident.exam_related, "drill": incident.drill,
        "status": incident.status, "occurred_at": as_utc(incident.occurred_at).isoformat(),
        "url": base_url() + incident_path(incident)}, "level": level}
    if incident.drill:
        payload["label"] = DRILL_LABEL
    return enqueue(kind="incident_webhook", channel=WEBHOOK, subject=title, body_text=incident.description or "",
                   address=department.webhook_url, recipient_label=department.name, department_id=department.id,
                   payload=payload, source=("incident", incident.id),
                   dedupe_key=f"incident:{incident.id}:webhook:{event}:L{level}:r{reminder_round}")


def _notify_level(incident, level, actor=None):
    """Create the level's Escalation rows (people not yet alerted at any level) and queue their messages."""
    already = {e.recipient_key for e in incident.escalations}
    people = [p for p in recipients_for_level(incident, level) if p["key"] not in already]
    rows = []
    for p in people:
        esc = Escalation(incident=incident, level=level, audience=p["audience"], recipient=p["user"],
                         recipient_key=p["key"], recipient_label=p["label"] or "?", email=p["email"],
                         role=p["role"], notified_at=now(), ack_nonce=secrets.token_urlsafe(16))
        db.session.add(esc)
        rows.append(esc)
    db.session.flush()
    for esc in rows:
        _send_escalation(incident, esc)
    _send_webhook(incident, level, 0, "incident.created" if level == 1 else "incident.escalated")
    names = ", ".join(e.recipient_label for e in rows) or _("nobody (no recipient configured)")
    if level == 1:
        log_event(incident, "escalated", lambda: _("Level 1 alerted: %(names)s", names=names), actor=actor,
                  data={"level": 1, "recipients": [e.recipient_label for e in rows]})
    else:
        log_event(incident, "escalated", lambda: _("Escalated to level %(level)s: %(names)s", level=level, names=names),
                  actor=actor, data={"level": level, "recipients": [e.recipient_label for e in rows]})
    return rows


# --- create / edit --------------------------------------------------------------------------------

def resolve_scenario(value):
    """A ScenarioVersion from an id or a scenario slug (its latest version); None for empty."""
    if value in (None, ""):
        return None
    version = None
    if isinstance(value, int) and not isinstance(value, bool) or inputs.is_id_text(value):
        version_id = inputs.parse_id(value, "scenario")
        version = db.session.get(ScenarioVersion, version_id)
    elif isinstance(value, str):
        scenario = db.session.scalar(select(Scenario).where(Scenario.slug == value.strip()))
        version = scenario.version() if scenario is not None else None
    if version is None:
        raise ValidationError(_("Unknown scenario."), fields={"scenario": _("unknown scenario")})
    return version


def _check_fields(data, errors, partial=False):
    out = {}
    fields = inputs.Fields(data, errors)
    if not partial or "title" in data:
        out["title"] = fields.text("title", column=Incident.title, required=True, single_line=True)
    if not partial or "category" in data:
        if data.get("category") not in CATEGORIES:
            errors["category"] = _("unknown category; one of: %(values)s", values=", ".join(CATEGORIES))
        out["category"] = data.get("category")
    if not partial or "severity" in data:
        if data.get("severity") not in SEVERITIES:
            errors["severity"] = _("unknown severity; one of: %(values)s", values=", ".join(SEVERITIES))
        out["severity"] = data.get("severity")
    if not partial or "exam_related" in data:
        value = data.get("exam_related", False)
        if not isinstance(value, bool):
            errors["exam_related"] = _("true or false")
        out["exam_related"] = bool(value)
    for name in ("exam", "place"):
        if not partial or name in data:
            out[name] = fields.text(name, column=getattr(Incident, name), single_line=True)
    if not partial or "description" in data:
        out["description"] = fields.text("description") or ""
    if not partial or "occurred_at" in data:
        if data.get("occurred_at") in (None, ""):
            errors["occurred_at"] = _("required")
        else:
            _past_moment(data, "occurred_at", out, errors)
    if data.get("known_at") not in (None, ""):
        _past_moment(data, "known_at", out, errors)
    return out


def _past_moment(data, name, out, errors):
    """A date and time not in the future, into out[name] (or errors[name])."""
    try:
        value = parse_datetime(data[name])
    except (ValueError, TypeError):
        errors[name] = _("a date and time, e.g. 2026-06-26T08:30")
        return
    if value > now() + FUTURE_TOLERANCE:
        errors[name] = _("cannot be in the future")
    out[name] = value


def _check_known_after_occurred(occurred, known, errors):
    if occurred is not None and known is not None and known < occurred and "known_at" not in errors:
        errors["known_at"] = _("cannot be before the incident occurred")


def create_incident(*, actor, department, data):
    """Write the incident, its level-1 escalation rows and every message in the caller's transaction."""
    if actor.role not in WRITER_ROLES:
        raise PermissionDenied()
    errors = {}
    fields = _check_fields(data, errors)
    fields.setdefault("known_at", None)
    _check_known_after_occurred(fields.get("occurred_at"), fields["known_at"], errors)
    drill = data.get("drill", False)
    if not isinstance(drill, bool):
        errors["drill"] = _("true or false")
    drill_users = []
    if drill:
        wanted = data.get("drill_recipients") or []
        if not isinstance(wanted, list) or not wanted:
            errors["drill_recipients"] = _("name the people taking part in the drill")
        else:
            for item in wanted:
                user = None
                if isinstance(item, int) and not isinstance(item, bool) or inputs.is_id_text(item):
                    try:
                        user = db.session.get(User, inputs.parse_id(item, "drill_recipients"))
                    except ValidationError:
                        user = None
                elif isinstance(item, str) and len(item) <= 254:
                    user = db.session.scalar(select(User).where(User.email == item.strip().lower()))
                if user is None or not user.active or (user.department_id not in (department.id, None)):
                    errors["drill_recipients"] = _("unknown person: %(who)s", who=item)
                    break
                drill_users.append(user)
    scenario_version = None
    try:
        scenario_version = resolve_scenario(data.get("scenario"))
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(_("The incident could not be saved."), fields=errors)
    if not department.is_active:
        raise ValidationError(_("This Department has been merged."), fields={"department": _("merged department")})

    t = now()
    fields["known_at"] = fields["known_at"] or t  # not said otherwise: the Department learns of it now
    incident = Incident(department_id=department.id, reporter_id=actor.id, reported_at=t, status=OPEN,
                        drill=bool(drill), drill_recipient_ids=[u.id for u in drill_users], **fields)
    incident.department = department
    _refresh_search(incident)
    policy = policy_for(department)
    incident.timeout_minutes = timeout_for(incident, policy)
    incident.first_statement_due_at, incident.first_statement_rule = _statement_due(incident)
    db.session.add(incident)
    db.session.flush()
    log_event(incident, "created", lambda: _("Incident logged by %(name)s.", name=actor.name) +
              (f" [{DRILL_LABEL}]" if incident.drill else ""), actor=actor,
              data={"severity": incident.severity, "exam_related": incident.exam_related, "drill": incident.drill})
    level1 = _notify_level(incident, 1, actor)
    incident.escalation_level = 1
    if not level1 and not incident.drill:
        # No director on file: never a silent gap, go straight up.
        for level in (2, 3):
            incident.escalation_level = level
            if _notify_level(incident, level, actor):
                break
    incident.next_escalation_at = t + timedelta(minutes=incident.timeout_minutes)
    if scenario_version is not None:
        activate_scenario(incident=incident, actor=actor, scenario_version=scenario_version)
    db.session.flush()
    return incident


def _statement_due(incident):
    """(due time, rule): counted from when the Department learned of the incident, by its province's rule where
    one is entered, else the Ministry's benchmark or the product default."""
    from ..rules.models import INCIDENT_FIRST_STATEMENT
    from ..rules.service import applicable_rule

    start = incident.known_at or incident.reported_at
    rule = applicable_rule(INCIDENT_FIRST_STATEMENT, at=start, severity=incident.severity, incident_linked=True,
                           department_id=incident.department_id)
    hours = 6 if incident.severity in ("high", "critical") else 24
    duration = rule.duration if rule is not None else timedelta(hours=hours)
    return start + duration, rule


def _require_writer(actor):
    if actor.role not in WRITER_ROLES:
        raise PermissionDenied()


def update_incident(*, incident, actor, data):
    """Edit facts; each changed field leaves a timeline entry with the previous value."""
    _require_writer(actor)
    unknown = sorted(set(data) - set(EDITABLE) - {"status", "scenario", "closing_summary",
                                                  "closing_public_summary", "reason"})
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: _("unknown or read-only field") for k in unknown})
    errors = {}
    fields = _check_fields({k: v for k, v in data.items() if k in EDITABLE}, errors, partial=True)
    if "known_at" in data and data.get("known_at") in (None, ""):
        fields.pop("known_at", None)  # an emptied field keeps the recorded time
    _check_known_after_occurred(fields.get("occurred_at", incident.occurred_at),
                                fields.get("known_at", incident.known_at), errors)
    scenario_version = None
    if data.get("scenario") not in (None, ""):
        try:
            scenario_version = resolve_scenario(data.get("scenario"))
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError(_("The incident could not be saved."), fields=errors)
    changed = []
    for name, value in fields.items():
        old = getattr(incident, name)
        if old != value:
            setattr(incident, name, value)
            changed.append(name)
            log_event(incident, "edited", lambda: _("%(field)s changed.", field=field_label(name)), actor=actor,
                      field=name, old="" if old is None else old, new="" if value is None else value)
    if changed:
        _refresh_search(incident)
        if {"known_at", "severity"} & set(changed) and incident.first_statement_at is None:
            old_due = incident.first_statement_due_at
            incident.first_statement_due_at, incident.first_statement_rule = _statement_due(incident)
            if old_due != incident.first_statement_due_at:
                incident.statement_overdue_alerted_at = None
                log_event(incident, "edited", lambda: _("First public statement due time recomputed."), actor=actor,
                          field="first_statement_due_at", old=old_due, new=incident.first_statement_due_at)
        if "severity" in changed:
            incident.timeout_minutes = timeout_for(incident)
        if "exam_related" in changed and incident.exam_related and not incident.drill:
            # Newly exam-related: the steering board joins level 1 now.
            _notify_level(incident, 1, actor)
    if scenario_version is not None and scenario_version.id != incident.scenario_version_id:
        activate_scenario(incident=incident, actor=actor, scenario_version=scenario_version)
    if data.get("status") not in (None, incident.status):
        change_status(incident=incident, actor=actor, status=data["status"],
                      closing_summary=data.get("closing_summary"),
                      closing_public_summary=data.get("closing_public_summary"), reason=data.get("reason"))
    db.session.flush()
    return incident


def change_status(*, incident, actor, status, closing_summary=None, closing_public_summary=None, reason=None):
    """Forward only (open → acknowledged → contained → closed); a director or Ministry admin may reopen."""
    _require_writer(actor)
    if status not in STATUSES:
        raise ValidationError(_("Unknown status."), fields={"status": _("one of: %(values)s",
                                                                          values=", ".join(STATUSES))})
    old = incident.status
    if status == old:
        return incident
    if STATUS_ORDER[status] < STATUS_ORDER[old]:
        if old != CLOSED or actor.role not in REOPEN_ROLES:
            raise Conflict(_("The status only moves forward; only a director can reopen a closed incident."),
                           fields={"status": _("cannot go back from %(old)s", old=status_label(old))})
        if not (reason or "").strip():
            raise ValidationError(_("Say why the incident is reopened."), fields={"reason": _("required")})
        incident.status = status
        incident.closed_at = None
        log_event(incident, "reopened", lambda: _("Reopened: %(reason)s", reason=reason.strip()), actor=actor,
                  field="status", old=old, new=status)
        return incident
    if status == CLOSED:
        errors = {}
        if not (closing_summary or "").strip():
            errors["closing_summary"] = _("required: what happened")
        if not (closing_public_summary or "").strip():
            errors["closing_public_summary"] = _("required: what was said publicly")
        if errors:
            raise ValidationError(_("Closing needs a summary of what happened and what was said publicly."),
                                  fields=errors)
        incident.closing_summary = closing_summary.strip()
        incident.closing_public_summary = closing_public_summary.strip()
        incident.closed_at = now()
        incident.next_escalation_at = None
    incident.status = status
    log_event(incident, "closed" if status == CLOSED else "status",
              lambda: _("Status: %(old)s → %(new)s", old=status_label(old), new=status_label(status)), actor=actor,
              field="status", old=old, new=status,
              data={"closing_summary": incident.closing_summary,
                    "closing_public_summary": incident.closing_public_summary} if status == CLOSED else {})
    return incident


# --- acknowledgement ------------------------------------------------------------------------------

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


# --- the escalation job ---------------------------------------------------------------------------

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
    for esc in unacked:
        _send_escalation(incident, esc, reminder_round=round_)
        esc.reminders += 1
        esc.last_reminded_at = t
    if unacked:
        log_event(incident, "reminder", lambda: _("Reminder %(n)s re-sent to level 1: %(names)s", n=round_,
                                          names=", ".join(e.recipient_label for e in unacked)),
                  data={"round": round_})
    level = incident.escalation_level
    if not incident.drill and level < 3 and not (level >= 2 and level_acknowledged(incident, level)):
        incident.escalation_level = level + 1
        _notify_level(incident, level + 1)
    incident.next_escalation_at = t + timedelta(minutes=incident.timeout_minutes)


# --- public statement -----------------------------------------------------------------------------

def record_first_statement(*, incident, actor, text, channel, published_at, approved_by):
    _require_writer(actor)
    if incident.first_statement_id is not None:
        raise Conflict(_("The first public statement is already recorded."), fields={"text": _("already recorded")})
    errors = {}
    text = (text or "").strip() if isinstance(text, (str, type(None))) else None
    if not text:
        errors["text"] = _("required")
    channel = (channel or "").strip() if isinstance(channel, (str, type(None))) else None
    if not channel:
        errors["channel"] = _("required")
    published = None
    if published_at in (None, ""):
        published = now()
    else:
        try:
            published = parse_datetime(published_at)
            if published > now() + FUTURE_TOLERANCE:
                errors["published_at"] = _("cannot be in the future")
        except (ValueError, TypeError):
            errors["published_at"] = _("a date and time, e.g. 2026-06-26T08:30")
    approver = None
    if approved_by in (None, ""):
        errors["approved_by"] = _("required")
    else:
        approver = None
        if isinstance(approved_by, int) and not isinstance(approved_by, bool) or inputs.is_id_text(approved_by):
            if 0 < int(approved_by) <= inputs.MAX_ID:
                approver = db.session.get(User, int(approved_by))
        elif isinstance(approved_by, str) and len(approved_by) <= 254:
            approver = db.session.scalar(select(User).where(User.email == approved_by.strip().lower()))
        if approver is None or approver.department_id not in (incident.department_id, None):
            errors["approved_by"] = _("unknown person")
    if errors:
        raise ValidationError(_("The statement could not be recorded."), fields=errors)
    statement = record_statement(department_id=incident.department_id, source_type="incident",
                                 source_id=incident.id, subject=incident.title, text=text, channel=channel,
                                 approved_by=approver, published_at=published)
    incident.first_statement_id = statement.id
    incident.first_statement_at = published
    late = published > incident.first_statement_due_at if incident.first_statement_due_at else False
    log_event(incident, "statement", lambda: _("First public statement recorded (%(channel)s), approved by %(name)s.",
                                       channel=channel, name=approver.name)
              + (" " + _("(after the due time)") if late else ""),
              actor=actor, data={"statement_id": statement.id, "late": late})
    return statement


def approver_choices(department_id):
    return _department_users(department_id, (DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON))


def _alert_users(incident, users, kind, subject, body, key):
    if incident.drill:
        allowed = set(incident.drill_recipient_ids or [])
        users = [u for u in users if u.id in allowed]
        subject = f"[{DRILL_LABEL}] {subject}"
        body = f"*** {DRILL_LABEL} ***\n\n{body}\n\n*** {DRILL_LABEL} ***"
    from ..notifications.service import notify_user

    link = base_url() + incident_path(incident)
    for user in users:
        # Every channel the person routed this kind to (in-app and email unless they chose otherwise).
        notify_user(user=user, kind=kind, subject=subject, body_text=f"{body}\n\n{link}",
                    department_id=incident.department_id, source=("incident", incident.id),
                    payload={"url": incident_path(incident)}, dedupe_key=f"{key}:{user.id}",
                    push={"url": incident_path(incident), "tag": f"incident-{incident.id}"})
    return users


def run_deadlines():
    """Statement clock and checklist deadlines: alert once per incident / item (dedupe)."""
    t = now()
    alerted = 0
    overdue = db.session.scalars(select(Incident).where(
        Incident.status != CLOSED, Incident.first_statement_id.is_(None),
        Incident.statement_overdue_alerted_at.is_(None), Incident.first_statement_due_at <= t)).all()
    for incident in overdue:
        users = list(_department_users(incident.department_id, (DIRECTOR,))) + list(db.session.scalars(
            select(User).where(User.role == MINISTRY_COMMS, User.active.is_(True))))
        with force_locale("vi"):
            subject = _("First public statement overdue: %(title)s — %(department)s", title=incident.title,
                        department=incident.department.name)
            body = _("No public statement has been recorded for this incident; it was due by %(due)s.",
                     due=format_dt(incident.first_statement_due_at))
            if incident.first_statement_rule is not None:
                from ..rules.service import describe

                body += "\n" + _("Deadline source: %(source)s", source=describe(incident.first_statement_rule))
        _alert_users(incident, users, "incident_statement_overdue", subject, body,
                     f"incident:{incident.id}:statement-overdue:{as_utc(incident.first_statement_due_at):%Y%m%d%H%M}")
        incident.statement_overdue_alerted_at = t
        log_event(incident, "statement_overdue", lambda: _("The first public statement is overdue; the director "
                                                           "and the Ministry communication centre were alerted."))
        alerted += 1
    items = db.session.scalars(select(ChecklistItem).join(Incident).where(
        Incident.status != CLOSED, ChecklistItem.done_at.is_(None), ChecklistItem.overdue_alerted_at.is_(None),
        ChecklistItem.due_at <= t)).all()
    for item in items:
        incident = item.incident
        roles = (item.owner_role,) if item.owner_role else (DIRECTOR,)
        users = _department_users(incident.department_id, roles)
        with force_locale("vi"):
            subject = _("Overdue action: %(text)s — %(title)s", text=item.text[:120], title=incident.title)
            body = _("This playbook action was due by %(due)s and is not done yet: %(text)s",
                     due=format_dt(item.due_at), text=item.text)
        _alert_users(incident, users, "incident_checklist_overdue", subject, body,
                     f"incident:{incident.id}:checklist:{item.id}:overdue")
        item.overdue_alerted_at = t
        log_event(incident, "checklist_overdue", lambda: _("Overdue action alerted to %(role)s: %(text)s",
                                                   role=role_name(item.owner_role), text=item.text))
        alerted += 1
    db.session.flush()
    return alerted


def format_dt(value):
    from ..clock import format_datetime

    return format_datetime(value)


# --- playbook -------------------------------------------------------------------------------------

def activate_scenario(*, incident, actor, scenario_version):
    """Create the scenario's checklist for this incident and alert the roles the scenario names."""
    if any(i.scenario_version_id == scenario_version.id for i in incident.checklist):
        raise Conflict(_("This scenario is already active for the incident."), fields={"scenario": _("already active")})
    old = incident.scenario_version_id
    incident.scenario_version_id = scenario_version.id
    incident.scenario_version = scenario_version
    created = 0
    for phase_no, phase in enumerate(scenario_version.phases or []):
        try:
            offset = parse_duration(phase.get("due_after"))
        except ValueError:
            offset = timedelta(0)
        for n, item in enumerate(phase.get("items") or []):
            text = item.get("text") if isinstance(item, dict) else str(item)
            if not text:
                continue
            db.session.add(ChecklistItem(incident=incident, scenario_version_id=scenario_version.id,
                                         phase=phase.get("name") or "", due_after=phase.get("due_after"),
                                         position=phase_no * 1000 + n, text=text,
                                         owner_role=(item.get("owner_role") if isinstance(item, dict) else None),
                                         due_at=(incident.known_at or incident.occurred_at) + offset))
            created += 1
    title = scenario_version.scenario.title if scenario_version.scenario else str(scenario_version.id)
    log_event(incident, "scenario_activated", lambda: _("Playbook activated: %(title)s (%(n)s actions).", title=title,
                                                n=created), actor=actor, field="scenario_version_id",
              old="" if old is None else old, new=scenario_version.id)
    roles = [r for r in ((scenario_version.meta or {}).get("notify") or []) if isinstance(r, str)]
    if roles:
        users = _department_users(incident.department_id, roles)
        with force_locale("vi"):
            subject = _("Playbook activated: %(scenario)s — %(title)s", scenario=title, title=incident.title)
            body = _("The scenario \"%(scenario)s\" was activated for the incident \"%(title)s\". Open the checklist "
                     "to see your actions.", scenario=title, title=incident.title)
        _alert_users(incident, users, "incident_playbook", subject, body,
                     f"incident:{incident.id}:playbook:{scenario_version.id}")
    db.session.flush()
    return incident


def complete_checklist_item(*, incident, item_id, actor):
    _require_writer(actor)
    item = db.session.get(ChecklistItem, int(item_id)) if inputs.is_id_text(str(item_id)) else None
    if item is None or item.incident_id != incident.id:
        raise NotFound()
    if item.done_at is not None:
        raise Conflict(_("This action is already checked off."))
    item.done_at = now()
    item.done_by_id = actor.id
    log_event(incident, "checklist_done", lambda: _("Done: %(text)s", text=item.text), actor=actor,
              data={"item_id": item.id})
    db.session.flush()
    return item


def playbook_url(incident):
    if incident.scenario_version is None or incident.scenario_version.scenario is None:
        return None
    return f"/scenarios/{incident.scenario_version.scenario.slug}/playbook?incident={incident.id}"


# --- reading --------------------------------------------------------------------------------------

@functools.cache  # built once: the loader options are immutable
def list_loads():
    """What serialize() reads of each listed incident, loaded with the page rather than one query per row."""
    return (load_person(Incident.reporter),
            joinedload(Incident.scenario_version).joinedload(ScenarioVersion.scenario))


def list_incidents(*, stmt, status=None, exam_related=None, department_id=None, q=None, drill="exclude",
                   category=None, severity=None):
    if status:
        stmt = stmt.where(Incident.status == status)
    if exam_related is not None:
        stmt = stmt.where(Incident.exam_related.is_(exam_related))
    if department_id:
        stmt = stmt.where(Incident.department_id == department_id)
    if category:
        stmt = stmt.where(Incident.category == category)
    if severity:
        stmt = stmt.where(Incident.severity == severity)
    if drill == "exclude":
        stmt = stmt.where(Incident.drill.is_(False))
    elif drill == "only":
        stmt = stmt.where(Incident.drill.is_(True))
    if q:
        stmt = stmt.where(*where_all_terms(Incident.search_text, q))
    return stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc())


def statistics(stmt):
    """Counts for dashboards: drills never count."""
    rows = db.session.execute(stmt.where(Incident.drill.is_(False)).with_only_columns(
        Incident.status, db.func.count(Incident.id)).group_by(Incident.status)).all()
    return {status: n for status, n in rows}


def notifications_for(incident):
    return db.session.scalars(select(Notification).where(
        Notification.source_type == "incident", Notification.source_id == incident.id).order_by(Notification.id)).all()


def escalation_channels(incident):
    """{escalation_id: [notification, ...]} (initial and reminders), plus the webhook rows under None."""
    out = {}
    for n in notifications_for(incident):
        eid = (n.payload or {}).get("escalation_id")
        if n.kind in ("incident_escalation", "incident_reminder") and eid:
            out.setdefault(eid, []).append(n)
        elif n.kind == "incident_webhook":
            out.setdefault(None, []).append(n)
    return out


def delivery_groups(messages):
    """[(channel, method label or None, [rows…])]: one group per channel and contact method (initial message and
    reminders), in channel order: app, email, push, other channels."""
    order = {IN_APP: 0, EMAIL: 1, PUSH: 2, APPRISE: 3}
    groups = {}
    for n in messages:
        groups.setdefault((n.channel, n.contact_method_id), []).append(n)
    return [(channel, rows[0].address if method_id else None, rows) for (channel, method_id), rows in
            sorted(groups.items(), key=lambda item: (order.get(item[0][0], 9), item[0][1] or 0))]


def escalation_summary(incident):
    """[{recipient, role, level, channel, status, ...}]: one per escalation, channel and contact method."""
    channels = escalation_channels(incident)
    out = []
    for esc in incident.escalations:
        for channel, method, msgs in delivery_groups(channels.get(esc.id, [])):
            first, last = msgs[0], msgs[-1]
            out.append({"recipient": esc.email or esc.recipient_label, "name": esc.recipient_label,
                        "role": esc.role or esc.audience, "audience": esc.audience, "level": esc.level,
                        "channel": channel, "method": method, "status": last.state,
                        "attempts": sum(n.attempts for n in msgs),
                        "sent_at": as_utc(first.sent_at).isoformat() if first.sent_at else None,
                        "messages": len(msgs), "error": last.last_error if last.state != "sent" else None,
                        "acknowledged_at": as_utc(esc.acknowledged_at).isoformat() if esc.acknowledged_at else None,
                        "acknowledged_here": bool(esc.acknowledged_via == channel and any(
                            n.action_used_at for n in msgs))})
    for n in channels.get(None, []):
        out.append({"recipient": n.address, "name": n.recipient_label, "role": "webhook",
                    "audience": "webhook", "level": (n.payload or {}).get("level"), "channel": WEBHOOK,
                    "method": None, "status": n.state, "attempts": n.attempts,
                    "sent_at": as_utc(n.sent_at).isoformat() if n.sent_at else None, "messages": 1,
                    "error": n.last_error if n.state != "sent" else None, "acknowledged_at": None,
                    "acknowledged_here": False})
    return out


def _iso(value):
    return as_utc(value).isoformat() if value else None


def _rule_summary(rule):
    if rule is None:
        return None
    from ..rules.service import source_line

    return {"name": rule.name, "authority": rule.authority, "source": source_line(rule),
            "confidence": rule.confidence, "department": rule.department.code if rule.department else None}


def serialize(incident, full=False):
    out = {
        "id": incident.id, "department": incident.department.code, "title": incident.title,
        "category": incident.category, "exam_related": incident.exam_related, "exam": incident.exam,
        "occurred_at": _iso(incident.occurred_at), "reported_at": _iso(incident.reported_at),
        "known_at": _iso(incident.known_at),
        "place": incident.place, "description": incident.description, "severity": incident.severity,
        "status": incident.status, "drill": incident.drill,
        "reporter": incident.reporter.email if incident.reporter else None,
        "scenario": (incident.scenario_version.scenario.slug if incident.scenario_version is not None
                     and incident.scenario_version.scenario is not None else None),
        "escalation_level": incident.escalation_level,
        "level1_acknowledged_at": _iso(incident.level1_acknowledged_at),
        "first_statement_due_at": _iso(incident.first_statement_due_at),
        "first_statement_rule": _rule_summary(incident.first_statement_rule),
        "first_statement_at": _iso(incident.first_statement_at),
        "statement_overdue": incident.statement_overdue,
        "closing_summary": incident.closing_summary, "closing_public_summary": incident.closing_public_summary,
        "closed_at": _iso(incident.closed_at),
    }
    if full:
        out["escalations"] = escalation_summary(incident)
        out["acknowledgements"] = [{"recipient": e.email or e.recipient_label, "name": e.recipient_label,
                                    "level": e.level, "role": e.role or e.audience,
                                    "acknowledged_at": _iso(e.acknowledged_at), "via": e.acknowledged_via}
                                   for e in incident.escalations]
        out["timeline"] = [{"at": _iso(ev.at), "kind": ev.kind, "actor": ev.actor_label, "message": ev.message,
                            "field": ev.field, "old_value": ev.old_value, "new_value": ev.new_value}
                           for ev in incident.events]
        out["inquiries"] = [inquiry_summary(q) for q in linked_inquiries(incident)]
        out["checklist"] = [{"id": i.id, "phase": i.phase, "text": i.text, "owner_role": i.owner_role,
                             "due_at": _iso(i.due_at), "done_at": _iso(i.done_at),
                             "done_by": i.done_by.email if i.done_by else None, "overdue": i.overdue}
                            for i in incident.checklist]
    return out


# --- labels ---------------------------------------------------------------------------------------

def severity_label(value):
    return {"low": _("low"), "medium": _("medium"), "high": _("high"), "critical": _("critical")}.get(value, value)


def status_label(value):
    return {OPEN: _("open"), ACKNOWLEDGED: _("acknowledged"), CONTAINED: _("contained"),
            CLOSED: _("closed")}.get(value, value)


def category_label(value):
    return {"exam": _("Exams"), "school_safety": _("School safety"), "health": _("Health"),
            "misinformation": _("Misinformation"), "finance": _("Finance"), "curriculum": _("Curriculum"),
            "data_protection": _("Data protection")}.get(value, value)


def audience_label(value):
    return {AUD_DIRECTOR: _("Department director"), AUD_STEERING: _("Exam steering board member"),
            AUD_DEPUTY: _("Deputy director"), AUD_SPOKESPERSON: _("Official spokesperson"),
            AUD_MINISTRY: _("Ministry office"), AUD_EXTRA: _("Named in the escalation policy"),
            AUD_DRILL: _("Drill participant"), "webhook": _("Chat bridge (webhook)")}.get(value, value)


def via_label(value):
    return {"link": _("email link"), "app": _("in the app"), "api": _("API"), "push": _("push notification button"),
            "apprise": _("link in an SMS or chat message")}.get(value, value)


def channel_label(channel):
    return {IN_APP: _("In the app"), EMAIL: _("Email"), PUSH: _("Push"), APPRISE: _("SMS / chat"),
            WEBHOOK: _("Chat bridge (webhook)")}.get(channel, channel)


def role_name(role):
    from ..web import role_label

    return str(role_label(role)) if role else _("Director")


def field_label(name):
    return {"title": _("Title"), "category": _("Category"), "exam_related": _("Exam-related"), "exam": _("Exam"),
            "occurred_at": _("Occurred at"), "known_at": _("Known to the Department since"), "place": _("Place"), "description": _("Description"),
            "severity": _("Severity")}.get(name, name)


def delivery_label(state):
    return {"pending": _("pending"), "sending": _("sending"), "sent": _("sent"),
            "failed_temporary": _("failed, will retry"), "failed_permanent": _("failed"),
            "not_notified": _("not notified")}.get(state, state)


def preview_levels(department):
    """Who each level reaches today (for the policy page), exam-related or not."""
    from types import SimpleNamespace

    policy = policy_for(department)
    probe = SimpleNamespace(drill=False, drill_recipient_ids=[], department=department, department_id=department.id,
                            exam_related=True)
    return {level: recipients_for_level(probe, level, policy) for level in (1, 2, 3)}


def level1_without_instant_channel(department_ids):
    """{department_id: [users]}: active directors and steering-board members with no confirmed push or
    Apprise channel (email alone may sit unread in a bag at an exam site)."""
    from ..notifications.methods import instant_channel_counts

    users = db.session.scalars(select(User).where(User.department_id.in_(list(department_ids)),
                                                  User.role.in_((DIRECTOR, STEERING_BOARD)),
                                                  User.active.is_(True)).order_by(User.name)).all()
    counts = instant_channel_counts([u.id for u in users])
    out = {i: [] for i in department_ids}
    for u in users:
        if not counts.get(u.id):
            out[u.department_id].append(u)
    return out


def instant_channel_metric(department_ids, context=None):
    """Ministry overview: level-1 people without an instant channel, red where the policy requires one."""
    missing = level1_without_instant_channel(department_ids)
    required = set(db.session.scalars(select(EscalationPolicy.department_id).where(
        EscalationPolicy.department_id.in_(list(department_ids)), EscalationPolicy.require_instant_channel.is_(True))))
    out = {}
    for dep_id, people in missing.items():
        n = len(people)
        out[dep_id] = {"value": n, "display": str(n) if n else "✓",
                       "severity": ("red" if dep_id in required else "amber") if n else None,
                       "detail": ", ".join(u.name for u in people)}
    return out


def overview(user=None):
    """For the start page: open incidents in scope, those not acknowledged, those whose statement is overdue."""
    from .. import scoping

    stmt = scoping.scoped_select(Incident, user).where(Incident.status != CLOSED, Incident.drill.is_(False))
    rows = db.session.scalars(stmt.order_by(Incident.occurred_at.desc()).limit(200)).unique().all()
    return {"open": len(rows), "overdue": [i for i in rows if i.statement_overdue][:10],
            "unacknowledged": [i for i in rows if i.level1_acknowledged_at is None][:10]}


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def home_items(user):
    """The open incidents for a person's start page, most urgent first: the ones *they* have not
    acknowledged (with the one-tap acknowledge), then those level 1 has not acknowledged, then the rest.
    Drills show only to the people named for them."""
    from .. import scoping

    stmt = scoping.scoped_select(Incident, user).where(Incident.status != CLOSED)
    rows = db.session.scalars(stmt.order_by(Incident.occurred_at.desc()).limit(100)).unique().all()
    items = []
    for incident in rows:
        mine = my_escalations(incident, user)
        if incident.drill and not mine:
            continue
        waiting = any(e.acknowledged_at is None for e in mine)
        rank = 0 if waiting else 1 if incident.level1_acknowledged_at is None else 2
        items.append({"incident": incident, "ack_mine": waiting, "unacknowledged": incident.level1_acknowledged_at
                      is None, "rank": rank, "playbook_url": playbook_url(incident)})
    items.sort(key=lambda i: (i["rank"], SEVERITY_RANK.get(i["incident"].severity, 9),
                              -i["incident"].occurred_at.timestamp()))
    return items


def linked_inquiries(incident):
    """Press inquiries linked to this incident (the inquiries domain's model with an ``incident_id``),
    or [] when that domain is not installed."""
    from ..models import model_classes

    model = next((m for m in model_classes() if m.__name__ == "Inquiry" and hasattr(m, "incident_id")), None)
    if model is None:
        return []
    order = getattr(model, "received_at", None) or model.id
    return db.session.scalars(select(model).where(model.incident_id == incident.id).order_by(order)).all()


def inquiry_summary(inquiry):
    return {"id": inquiry.id,
            "title": getattr(inquiry, "subject", None) or getattr(inquiry, "title", None) or f"#{inquiry.id}",
            "outlet": getattr(inquiry, "outlet", None) if isinstance(getattr(inquiry, "outlet", None), str) else None,
            "status": getattr(inquiry, "state", None)}
