"""Incidents reported by a school's focal point (a network member's light account): the report reaches the
Department as an incident awaiting confirmation; the communication officers and the director are told at once;
nothing escalates and no statement clock runs until a communication officer confirms it with one button."""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import inputs, permissions
from ..clock import now
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..notifications.service import notify_user
from ..notifications.shortform import fit_sms
from ..users.models import User
from .common import log_event, refresh_search
from .models import OPEN, Incident
from .policies import timeout_for
from .service import _past_moment, start_escalation
from .statement_clock import statement_due

KIND = "incident_school_report"
# What the comms officer starts from; they correct both on the incident page before confirming.
DEFAULT_SEVERITY = "medium"
CATEGORY_EXAM, CATEGORY_SCHOOL = "exam", "school_safety"


def report_from_school(*, actor, department, school_name, data):
    """Write the reported incident (awaiting confirmation) and notify the Department's holders of
    ``network.report.notice``. ``data``: what (title), description, occurred_at, place, exam_related."""
    permissions.require(actor, "network.member")
    errors = {}
    fields = inputs.Fields(data, errors)
    title = fields.text("title", column=Incident.title, required=True, single_line=True)
    description = fields.text("description") or ""
    place = fields.text("place", column=Incident.place, single_line=True) or school_name[:300]
    out = {}
    if data.get("occurred_at") in (None, ""):
        errors["occurred_at"] = _("required")
    else:
        _past_moment(data, "occurred_at", out, errors)
    exam_related = data.get("exam_related", False)
    if not isinstance(exam_related, bool):
        errors["exam_related"] = _("true or false")
    if errors:
        raise ValidationError(_("The report could not be sent."), fields=errors)
    t = now()
    incident = Incident(department_id=department.id, reporter_id=actor.id, reported_at=t, known_at=t, status=OPEN,
                        title=title, description=description, place=place, occurred_at=out["occurred_at"],
                        exam_related=exam_related, category=CATEGORY_EXAM if exam_related else CATEGORY_SCHOOL,
                        severity=DEFAULT_SEVERITY, awaiting_confirmation=True, next_escalation_at=None)
    incident.department = department
    refresh_search(incident)
    incident.timeout_minutes = timeout_for(incident)
    db.session.add(incident)
    db.session.flush()
    log_event(incident, "created", lambda: _("Reported by %(name)s (%(school)s), awaiting confirmation.",
                                             name=actor.name, school=school_name), actor=actor,
              data={"reported_by_school": True, "exam_related": exam_related})
    _notify(incident, school_name)
    return incident


def _notify(incident, school_name):
    link = f"{current_app.config.get('BASE_URL', '').rstrip('/')}/incidents/{incident.id}"
    subject = _("A school reported an incident: %(title)s", title=incident.title[:150])
    body = "\n".join([_("%(school)s reported an incident. Check it and confirm it to start the escalation.",
                        school=school_name), incident.title, incident.description or "", link])
    people = db.session.scalars(select(User).where(
        User.department_id == incident.department_id, User.active.is_(True),
        User.role.in_(permissions.holders("network.report.notice"))).order_by(User.id)).all()
    for person in people:
        notify_user(user=person, kind=KIND, subject=subject, body_text=body, short_text=fit_sms([subject]),
                    dedupe_key=f"incident:{incident.id}:school-report:{person.id}",
                    department_id=incident.department_id, source=("Incident", incident.id), urgent=True)


def confirm_report(*, incident, actor):
    """The communication officer confirms a school's report: the statement clock and the escalation start now."""
    permissions.require(actor, "incident.write")
    if not incident.awaiting_confirmation:
        raise Conflict(_("This incident is already confirmed."), fields={"incident": _("already confirmed")})
    incident.awaiting_confirmation = False
    incident.timeout_minutes = timeout_for(incident)
    incident.first_statement_due_at, incident.first_statement_rule = statement_due(incident)
    log_event(incident, "confirmed", lambda: _("Report confirmed by %(name)s: escalation started.",
                                               name=actor.name), actor=actor)
    start_escalation(incident, actor)
    db.session.flush()
    return incident


def reports_by(user):
    """The incidents ``user`` reported from their school, newest first (a network member sees only these)."""
    return db.session.scalars(select(Incident).where(Incident.reporter_id == user.id)
                              .order_by(Incident.reported_at.desc(), Incident.id.desc()).limit(100)).all()
