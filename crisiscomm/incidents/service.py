"""Incidents: logging one (escalated at once through the outbox), editing its facts and moving its status.

The other jobs live beside this module: policies, ack_links, messages, escalation, statement_clock, playbook,
queries, labels, serialise. Services only flush; the request or the job runner commits once. Every change leaves
a timeline entry.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from .. import inputs, permissions
from ..clock import now, parse_datetime
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..scenarios.models import CATEGORIES, SEVERITIES, Scenario, ScenarioVersion
from ..users.models import User
from .common import DRILL_LABEL, FUTURE_TOLERANCE, log_event, refresh_search
from .escalation import notify_level
from .labels import field_label, status_label
from .models import CLOSED, OPEN, STATUSES, Incident
from .playbook import activate_scenario
from .policies import policy_for, timeout_for
from .statement_clock import statement_due


EDITABLE = ("title", "category", "exam_related", "exam", "occurred_at", "known_at", "place", "description",
            "severity")
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}


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
    permissions.require(actor, "incident.write")
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
    scenario_version = _scenario_checked(data.get("scenario"), errors)
    if errors:
        raise ValidationError(_("The incident could not be saved."), fields=errors)
    if not department.is_active:
        raise ValidationError(_("This Department has been merged."), fields={"department": _("merged department")})

    t = now()
    fields["known_at"] = fields["known_at"] or t  # not said otherwise: the Department learns of it now
    incident = Incident(department_id=department.id, reporter_id=actor.id, reported_at=t, status=OPEN,
                        drill=bool(drill), drill_recipient_ids=[u.id for u in drill_users], **fields)
    incident.department = department
    refresh_search(incident)
    policy = policy_for(department)
    incident.timeout_minutes = timeout_for(incident, policy)
    incident.first_statement_due_at, incident.first_statement_rule = statement_due(incident)
    db.session.add(incident)
    db.session.flush()
    log_event(incident, "created", lambda: _("Incident logged by %(name)s.", name=actor.name) +
              (f" [{DRILL_LABEL}]" if incident.drill else ""), actor=actor,
              data={"severity": incident.severity, "exam_related": incident.exam_related, "drill": incident.drill})
    start_escalation(incident, actor, policy)
    if scenario_version is not None:
        activate_scenario(incident=incident, actor=actor, scenario_version=scenario_version)
    db.session.flush()
    return incident


def start_escalation(incident, actor, policy=None):
    """Alert level 1 now (straight up when nobody is there) and set the escalation clock."""
    t = now()
    level1 = notify_level(incident, 1, actor, policy)
    incident.escalation_level = 1
    if not level1 and not incident.drill:
        # No director on file: never a silent gap, go straight up.
        for level in (2, 3):
            incident.escalation_level = level
            if notify_level(incident, level, actor, policy):
                break
    incident.next_escalation_at = t + timedelta(minutes=incident.timeout_minutes)


def _scenario_checked(value, errors):
    """The scenario version ``value`` names (None for none), or None with what is wrong added to ``errors``."""
    try:
        return resolve_scenario(value)
    except ValidationError as exc:
        errors.update(exc.fields)
        return None


def update_incident(*, incident, actor, data):
    """Edit facts; each changed field leaves a timeline entry with the previous value."""
    permissions.require(actor, "incident.write")
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
    scenario_version = _scenario_checked(data.get("scenario"), errors) \
        if data.get("scenario") not in (None, "") else None
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
        refresh_search(incident)
        if {"known_at", "severity"} & set(changed) and incident.first_statement_at is None \
                and not incident.awaiting_confirmation:
            old_due = incident.first_statement_due_at
            incident.first_statement_due_at, incident.first_statement_rule = statement_due(incident)
            if old_due != incident.first_statement_due_at:
                incident.statement_overdue_alerted_at = None
                log_event(incident, "edited", lambda: _("First public statement due time recomputed."), actor=actor,
                          field="first_statement_due_at", old=old_due, new=incident.first_statement_due_at)
        if "severity" in changed:
            incident.timeout_minutes = timeout_for(incident)
        if "exam_related" in changed and incident.exam_related and not incident.drill \
                and not incident.awaiting_confirmation:
            # Newly exam-related: the steering board joins level 1 now.
            notify_level(incident, 1, actor)
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
    permissions.require(actor, "incident.write")
    if status not in STATUSES:
        raise ValidationError(_("Unknown status."), fields={"status": _("one of: %(values)s",
                                                                          values=", ".join(STATUSES))})
    old = incident.status
    if status == old:
        return incident
    if STATUS_ORDER[status] < STATUS_ORDER[old]:
        if old != CLOSED or not permissions.can(actor, "incident.reopen"):
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
