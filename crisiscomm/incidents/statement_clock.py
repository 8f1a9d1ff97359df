"""The first public statement: when it is due, recording it (through the statement library), who may approve
it, and the deadline job that alerts an overdue statement or playbook action once."""
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import inputs, permissions
from ..clock import as_utc, now, parse_datetime
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..rules.models import INCIDENT_FIRST_STATEMENT
from ..rules.service import applicable_rule, describe
from ..statements.service import record_statement
from ..users.models import User
from .common import FUTURE_TOLERANCE, department_holders, department_users, log_event
from .labels import format_dt, role_name
from .messages import alert_users
from .models import CLOSED, ChecklistItem, Incident


def statement_due(incident):
    """(due time, rule): counted from when the Department learned of the incident, by its province's rule where
    one is entered, else the Ministry's benchmark or the product default."""
    start = incident.known_at or incident.reported_at
    rule = applicable_rule(INCIDENT_FIRST_STATEMENT, at=start, severity=incident.severity, incident_linked=True,
                           department_id=incident.department_id)
    hours = 6 if incident.severity in ("high", "critical") else 24
    duration = rule.duration if rule is not None else timedelta(hours=hours)
    return start + duration, rule


def record_first_statement(*, incident, actor, text, channel, published_at, approved_by):
    permissions.require(actor, "incident.write")
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
    return department_holders(department_id, "incident.statement.approve")


def run_deadlines():
    """Statement clock and checklist deadlines: alert once per incident / item (dedupe)."""
    t = now()
    alerted = 0
    overdue = db.session.scalars(select(Incident).where(
        Incident.status != CLOSED, Incident.first_statement_id.is_(None),
        Incident.statement_overdue_alerted_at.is_(None), Incident.first_statement_due_at <= t)).all()
    for incident in overdue:
        users = list(department_holders(incident.department_id, "department.head")) + list(db.session.scalars(
            select(User).where(User.role.in_(permissions.holders("incident.alert.statement_overdue")),
                               User.active.is_(True))))
        with force_locale("vi"):
            subject = _("First public statement overdue: %(title)s — %(department)s", title=incident.title,
                        department=incident.department.name)
            body = _("No public statement has been recorded for this incident; it was due by %(due)s.",
                     due=format_dt(incident.first_statement_due_at))
            if incident.first_statement_rule is not None:
                body += "\n" + _("Deadline source: %(source)s", source=describe(incident.first_statement_rule))
        alert_users(incident, users, "incident_statement_overdue", subject, body,
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
        users = (department_users(incident.department_id, (item.owner_role,)) if item.owner_role
                 else department_holders(incident.department_id, "department.head"))
        with force_locale("vi"):
            subject = _("Overdue action: %(text)s — %(title)s", text=item.text[:120], title=incident.title)
            body = _("This playbook action was due by %(due)s and is not done yet: %(text)s",
                     due=format_dt(item.due_at), text=item.text)
        alert_users(incident, users, "incident_checklist_overdue", subject, body,
                     f"incident:{incident.id}:checklist:{item.id}:overdue")
        item.overdue_alerted_at = t
        log_event(incident, "checklist_overdue", lambda: _("Overdue action alerted to %(role)s: %(text)s",
                                                   role=role_name(item.owner_role), text=item.text))
        alerted += 1
    db.session.flush()
    return alerted
