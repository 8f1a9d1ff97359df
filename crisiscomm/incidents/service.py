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

from .. import scoping
from ..clock import as_utc, now, parse_datetime
from ..errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..notifications.models import EMAIL, IN_APP, WEBHOOK, Notification
from ..notifications.service import enqueue
from ..scenarios.models import CATEGORIES, SEVERITIES, Scenario, ScenarioVersion
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
EDITABLE = ("title", "category", "exam_related", "exam", "occurred_at", "place", "description", "severity")
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class AckLinkError(DomainError):
    status = 400
    code = "invalid_link"


class AckLinkExpired(DomainError):
    status = 410
    code = "link_expired"


class AckLinkUsed(DomainError):
    status = 409
    code = "link_used"


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
    entry = IncidentEvent(incident=incident, at=at or now(), actor_id=actor.id if actor is not None else None,
                          actor_label=actor_label or _label(actor), kind=kind, field=field,
                          old_value=None if old is None else _as_text(old),
                          new_value=None if new is None else _as_text(new), message=message, data=data or {})
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


def save_policy(*, actor, department, timeout_minutes, critical_timeout_minutes, members_text):
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

def _message(incident, escalation, reminder_round):
    """Subject and bodies in the recipient's language (Vietnamese unless they chose English)."""
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
        from ..clock import format_datetime

        lines = []
        if incident.drill:
            lines += [f"*** {DRILL_LABEL} ***", _("This is a drill. No real incident has happened."), ""]
        lines += [
            head,
            "",
            f"{_('Incident')}: {incident.title}",
            f"{_('Department')}: {incident.department.name}",
            f"{_('Severity')}: {severity_label(incident.severity)}",
            f"{_('Exam-related')}: {_('yes') if incident.exam_related else _('no')}"
            + (f" — {incident.exam}" if incident.exam else ""),
            f"{_('Occurred at')}: {format_datetime(incident.occurred_at)}",
            f"{_('Place')}: {incident.place or '—'}",
            "",
            incident.description or "",
            "",
            _("You are notified as: %(role)s (level %(level)s).", role=audience_label(escalation.audience),
              level=escalation.level),
            "",
            _("Acknowledge with one click (no sign-in needed):"),
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
    return subject, body, html


def _send_escalation(incident, escalation, reminder_round=0):
    """One in-app and one email message for an escalation row (dedupe per round)."""
    subject, body, html = _message(incident, escalation, reminder_round)
    kind = "incident_reminder" if reminder_round else "incident_escalation"
    source = ("incident", incident.id)
    rows = []
    key = f"incident:{incident.id}:esc:{escalation.id}:r{reminder_round}"
    if escalation.recipient is not None:
        rows.append(enqueue(kind=kind, channel=IN_APP, subject=subject, body_text=body, recipient=escalation.recipient,
                            department_id=incident.department_id, source=source,
                            payload={"url": incident_path(incident), "escalation_id": escalation.id},
                            dedupe_key=f"{key}:in_app"))
    rows.append(enqueue(kind=kind, channel=EMAIL, subject=subject, body_text=body, body_html=html,
                        recipient=escalation.recipient, address=escalation.email or None,
                        recipient_label=escalation.recipient_label, department_id=incident.department_id,
                        source=source, payload={"escalation_id": escalation.id}, dedupe_key=f"{key}:email"))
    return rows


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
        log_event(incident, "escalated", _("Level 1 alerted: %(names)s", names=names), actor=actor,
                  data={"level": 1, "recipients": [e.recipient_label for e in rows]})
    else:
        log_event(incident, "escalated", _("Escalated to level %(level)s: %(names)s", level=level, names=names),
                  actor=actor, data={"level": level, "recipients": [e.recipient_label for e in rows]})
    return rows


# --- create / edit --------------------------------------------------------------------------------

def resolve_scenario(value):
    """A ScenarioVersion from an id or a scenario slug (its latest version); None for empty."""
    if value in (None, ""):
        return None
    version = None
    if isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, str) and value.isdigit()):
        version = db.session.get(ScenarioVersion, int(value))
    elif isinstance(value, str):
        scenario = db.session.scalar(select(Scenario).where(Scenario.slug == value.strip()))
        version = scenario.version() if scenario is not None else None
    if version is None:
        raise ValidationError(_("Unknown scenario."), fields={"scenario": _("unknown scenario")})
    return version


def _check_fields(data, errors, partial=False):
    out = {}
    if not partial or "title" in data:
        title = (data.get("title") or "").strip() if isinstance(data.get("title"), (str, type(None))) else None
        if not title:
            errors["title"] = _("required")
        elif len(title) > 300:
            errors["title"] = _("at most 300 characters")
        out["title"] = title
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
    for name, limit in (("exam", 300), ("place", 300)):
        if not partial or name in data:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                errors[name] = _("text expected")
            elif value and len(value) > limit:
                errors[name] = _("at most %(n)s characters", n=limit)
            out[name] = (value or "").strip() or None
    if not partial or "description" in data:
        value = data.get("description")
        if value is not None and not isinstance(value, str):
            errors["description"] = _("text expected")
        out["description"] = (value or "").strip() if isinstance(value, (str, type(None))) else ""
    if not partial or "occurred_at" in data:
        value = data.get("occurred_at")
        if value in (None, ""):
            errors["occurred_at"] = _("required")
        else:
            try:
                occurred = parse_datetime(value)
            except (ValueError, TypeError):
                errors["occurred_at"] = _("a date and time, e.g. 2026-06-26T08:30")
            else:
                if occurred > now() + FUTURE_TOLERANCE:
                    errors["occurred_at"] = _("cannot be in the future")
                out["occurred_at"] = occurred
    return out


def create_incident(*, actor, department, data):
    """Write the incident, its level-1 escalation rows and every message in the caller's transaction."""
    if actor.role not in WRITER_ROLES:
        raise PermissionDenied()
    errors = {}
    fields = _check_fields(data, errors)
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
                if isinstance(item, int) and not isinstance(item, bool):
                    user = db.session.get(User, item)
                elif isinstance(item, str) and item.strip().isdigit():
                    user = db.session.get(User, int(item))
                elif isinstance(item, str):
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
    incident = Incident(department_id=department.id, reporter_id=actor.id, reported_at=t, status=OPEN,
                        drill=bool(drill), drill_recipient_ids=[u.id for u in drill_users], **fields)
    incident.department = department
    _refresh_search(incident)
    policy = policy_for(department)
    incident.timeout_minutes = timeout_for(incident, policy)
    incident.first_statement_due_at = _statement_due(incident)
    db.session.add(incident)
    db.session.flush()
    log_event(incident, "created", _("Incident logged by %(name)s.", name=actor.name) +
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
    from ..rules.models import INCIDENT_FIRST_STATEMENT
    from ..rules.service import applicable_rule

    rule = applicable_rule(INCIDENT_FIRST_STATEMENT, at=incident.occurred_at, severity=incident.severity,
                           incident_linked=True)
    hours = 6 if incident.severity in ("high", "critical") else 24
    duration = rule.duration if rule is not None else timedelta(hours=hours)
    return incident.occurred_at + duration


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
            log_event(incident, "edited", _("%(field)s changed.", field=field_label(name)), actor=actor,
                      field=name, old="" if old is None else old, new="" if value is None else value)
    if changed:
        _refresh_search(incident)
        if {"occurred_at", "severity"} & set(changed) and incident.first_statement_at is None:
            old_due = incident.first_statement_due_at
            incident.first_statement_due_at = _statement_due(incident)
            if old_due != incident.first_statement_due_at:
                incident.statement_overdue_alerted_at = None
                log_event(incident, "edited", _("First public statement due time recomputed."), actor=actor,
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
        log_event(incident, "reopened", _("Reopened: %(reason)s", reason=reason.strip()), actor=actor,
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
              _("Status: %(old)s → %(new)s", old=status_label(old), new=status_label(status)), actor=actor,
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
    log_event(incident, "acknowledged", _("%(name)s acknowledged (level %(level)s, %(via)s).",
                                          name=escalation.recipient_label, level=escalation.level,
                                          via=via_label(via)),
              actor=actor or escalation.recipient, actor_label=escalation.recipient_label if actor is None else None,
              data={"escalation_id": escalation.id, "level": escalation.level})


def _after_acknowledgement(incident, actor=None):
    if incident.level1_acknowledged_at is None and level_acknowledged(incident, 1):
        incident.level1_acknowledged_at = now()
        incident.next_escalation_at = None
        log_event(incident, "level_acknowledged", _("Level 1 has acknowledged: escalation stops."), actor=actor)
        if incident.status == OPEN:
            incident.status = ACKNOWLEDGED
            log_event(incident, "status", _("Status: %(old)s → %(new)s", old=status_label(OPEN),
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
        log_event(incident, "reminder", _("Reminder %(n)s re-sent to level 1: %(names)s", n=round_,
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
    from ..statements.models import Statement

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
        approver = db.session.get(User, int(approved_by)) if str(approved_by).isdigit() else db.session.scalar(
            select(User).where(User.email == str(approved_by).strip().lower()))
        if approver is None or approver.department_id not in (incident.department_id, None):
            errors["approved_by"] = _("unknown person")
    if errors:
        raise ValidationError(_("The statement could not be recorded."), fields=errors)
    statement = Statement(department_id=incident.department_id, source_type="incident", source_id=incident.id,
                          subject=incident.title[:300], text=text, channel=channel[:48], approved_by_id=approver.id,
                          published_at=published)
    statement.refresh_search_text()
    db.session.add(statement)
    db.session.flush()
    incident.first_statement_id = statement.id
    incident.first_statement_at = published
    late = published > incident.first_statement_due_at if incident.first_statement_due_at else False
    log_event(incident, "statement", _("First public statement recorded (%(channel)s), approved by %(name)s.",
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
    link = base_url() + incident_path(incident)
    for user in users:
        enqueue(kind=kind, channel=IN_APP, subject=subject, body_text=body, recipient=user,
                department_id=incident.department_id, source=("incident", incident.id),
                payload={"url": incident_path(incident)}, dedupe_key=f"{key}:{user.id}:in_app")
        enqueue(kind=kind, channel=EMAIL, subject=subject, body_text=f"{body}\n\n{link}", recipient=user,
                department_id=incident.department_id, source=("incident", incident.id),
                dedupe_key=f"{key}:{user.id}:email")
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
        _alert_users(incident, users, "incident_statement_overdue", subject, body,
                     f"incident:{incident.id}:statement-overdue:{as_utc(incident.first_statement_due_at):%Y%m%d%H%M}")
        incident.statement_overdue_alerted_at = t
        log_event(incident, "statement_overdue", _("The first public statement is overdue; the director and the "
                                                   "Ministry communication centre were alerted."))
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
        log_event(incident, "checklist_overdue", _("Overdue action alerted to %(role)s: %(text)s",
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
                                         due_at=incident.occurred_at + offset))
            created += 1
    title = scenario_version.scenario.title if scenario_version.scenario else str(scenario_version.id)
    log_event(incident, "scenario_activated", _("Playbook activated: %(title)s (%(n)s actions).", title=title,
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
    item = db.session.get(ChecklistItem, int(item_id)) if str(item_id).isdigit() else None
    if item is None or item.incident_id != incident.id:
        raise NotFound()
    if item.done_at is not None:
        raise Conflict(_("This action is already checked off."))
    item.done_at = now()
    item.done_by_id = actor.id
    log_event(incident, "checklist_done", _("Done: %(text)s", text=item.text), actor=actor,
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


def escalation_summary(incident):
    """[{recipient, role, level, channel, status, ...}]: one per escalation and channel (latest message)."""
    channels = escalation_channels(incident)
    out = []
    for esc in incident.escalations:
        rows = channels.get(esc.id, [])
        for channel in (IN_APP, EMAIL):
            msgs = [n for n in rows if n.channel == channel]
            if not msgs:
                continue
            first, last = msgs[0], msgs[-1]
            out.append({"recipient": esc.email or esc.recipient_label, "name": esc.recipient_label,
                        "role": esc.role or esc.audience, "audience": esc.audience, "level": esc.level,
                        "channel": channel, "status": last.state, "attempts": sum(n.attempts for n in msgs),
                        "sent_at": as_utc(first.sent_at).isoformat() if first.sent_at else None,
                        "messages": len(msgs),
                        "acknowledged_at": as_utc(esc.acknowledged_at).isoformat() if esc.acknowledged_at else None})
    for n in channels.get(None, []):
        out.append({"recipient": n.address, "name": n.recipient_label, "role": "webhook",
                    "audience": "webhook", "level": (n.payload or {}).get("level"), "channel": WEBHOOK,
                    "status": n.state, "attempts": n.attempts,
                    "sent_at": as_utc(n.sent_at).isoformat() if n.sent_at else None, "messages": 1,
                    "acknowledged_at": None})
    return out


def _iso(value):
    return as_utc(value).isoformat() if value else None


def serialize(incident, full=False):
    out = {
        "id": incident.id, "department": incident.department.code, "title": incident.title,
        "category": incident.category, "exam_related": incident.exam_related, "exam": incident.exam,
        "occurred_at": _iso(incident.occurred_at), "reported_at": _iso(incident.reported_at),
        "place": incident.place, "description": incident.description, "severity": incident.severity,
        "status": incident.status, "drill": incident.drill,
        "reporter": incident.reporter.email if incident.reporter else None,
        "scenario": (incident.scenario_version.scenario.slug if incident.scenario_version is not None
                     and incident.scenario_version.scenario is not None else None),
        "escalation_level": incident.escalation_level,
        "level1_acknowledged_at": _iso(incident.level1_acknowledged_at),
        "first_statement_due_at": _iso(incident.first_statement_due_at),
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
    return {"link": _("email link"), "app": _("in the app"), "api": _("API")}.get(value, value)


def role_name(role):
    from ..web import role_label

    return str(role_label(role)) if role else _("Director")


def field_label(name):
    return {"title": _("Title"), "category": _("Category"), "exam_related": _("Exam-related"), "exam": _("Exam"),
            "occurred_at": _("Occurred at"), "place": _("Place"), "description": _("Description"),
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
            "status": getattr(inquiry, "status", None)}
