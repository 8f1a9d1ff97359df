"""Incidents as JSON for the API: the summary row, and in full with escalations, timeline, inquiries, checklist."""
import functools

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..clock import iso_utc, now
from ..departments.models import Department
from ..extensions import db
from ..notifications.models import WEBHOOK
from ..rules.models import DeadlineRule
from ..rules.service import source_line
from ..scenarios.models import Scenario, ScenarioVersion
from ..sql import RowView, plain_rows
from ..users.models import User
from .models import Incident, statement_overdue
from .queries import delivery_groups, escalation_channels


iso = iso_utc  # the name this domain's API modules import


def _rule_summary(rule):
    if rule is None:
        return None
    return {"name": rule.name, "authority": rule.authority, "source": source_line(rule),
            "confidence": rule.confidence, "department": rule.department.code if rule.department else None}


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
                        "sent_at": iso(first.sent_at),
                        "messages": len(msgs), "error": last.last_error if last.state != "sent" else None,
                        "acknowledged_at": iso(esc.acknowledged_at),
                        "acknowledged_here": bool(esc.acknowledged_via == channel and any(
                            n.action_used_at for n in msgs))})
    for n in channels.get(None, []):
        out.append({"recipient": n.address, "name": n.recipient_label, "role": "webhook",
                    "audience": "webhook", "level": (n.payload or {}).get("level"), "channel": WEBHOOK,
                    "method": None, "status": n.state, "attempts": n.attempts,
                    "sent_at": iso(n.sent_at), "messages": 1,
                    "error": n.last_error if n.state != "sent" else None, "acknowledged_at": None,
                    "acknowledged_here": False})
    return out


@functools.cache  # built at first use: aliasing a mapped class at import would configure the mappers too early
def _page():
    reporter = aliased(User)
    columns = (Incident.id, Department.code.label("department"), Incident.title, Incident.category,
               Incident.exam_related, Incident.exam, Incident.occurred_at, Incident.reported_at, Incident.known_at,
               Incident.place, Incident.description, Incident.severity, Incident.status, Incident.drill,
               Incident.awaiting_confirmation, reporter.email.label("reporter"), Scenario.slug.label("scenario"),
               Incident.escalation_level, Incident.level1_acknowledged_at, Incident.first_statement_due_at,
               Incident.first_statement_rule_id, Incident.first_statement_at, Incident.closing_summary,
               Incident.closing_public_summary, Incident.closed_at)
    return columns, ((Department, Department.id == Incident.department_id, False),
                     (reporter, reporter.id == Incident.reporter_id, True),
                     (ScenarioVersion, ScenarioVersion.id == Incident.scenario_version_id, True),
                     (Scenario, Scenario.id == ScenarioVersion.scenario_id, True))


def incident_dicts(stmt):
    """The incidents ``stmt`` (a ``select(Incident)`` with its filters, order and page) selects, as the API's
    summary dicts: plain rows, no ORM objects (a listed page is only serialised)."""
    rows = plain_rows(stmt, *_page())
    rule_ids = {r.first_statement_rule_id for r in rows} - {None}
    rules = {rule.id: _rule_summary(rule) for rule in db.session.scalars(
        select(DeadlineRule).where(DeadlineRule.id.in_(rule_ids)))} if rule_ids else {}
    at = now()
    return [_summary(r, rules.get(r.first_statement_rule_id), at) for r in rows]


def _summary(r, rule, at):
    """The API's summary of ``r``: a row of ``_page()``'s columns, or an object with the same names."""
    return {
        "id": r.id, "department": r.department, "title": r.title, "category": r.category,
        "exam_related": r.exam_related, "exam": r.exam, "occurred_at": iso(r.occurred_at),
        "reported_at": iso(r.reported_at), "known_at": iso(r.known_at), "place": r.place,
        "description": r.description, "severity": r.severity, "status": r.status, "drill": r.drill,
        "awaiting_confirmation": r.awaiting_confirmation, "reporter": r.reporter, "scenario": r.scenario,
        "escalation_level": r.escalation_level, "level1_acknowledged_at": iso(r.level1_acknowledged_at),
        "first_statement_due_at": iso(r.first_statement_due_at),
        "first_statement_rule": rule,
        "first_statement_at": iso(r.first_statement_at),
        "statement_overdue": statement_overdue(r, at),
        "closing_summary": r.closing_summary, "closing_public_summary": r.closing_public_summary,
        "closed_at": iso(r.closed_at),
    }


def serialize(incident, full=False):
    """One incident (already in the session): the summary and with ``full`` its escalations, acknowledgements,
    timeline, linked inquiries and checklist."""
    version = incident.scenario_version
    row = RowView(incident, department=incident.department.code,
                  reporter=incident.reporter.email if incident.reporter else None,
                  scenario=version.scenario.slug if version is not None and version.scenario is not None else None)
    out = _summary(row, _rule_summary(incident.first_statement_rule), now())
    if full:
        out["escalations"] = escalation_summary(incident)
        out["acknowledgements"] = [{"recipient": e.email or e.recipient_label, "name": e.recipient_label,
                                    "level": e.level, "role": e.role or e.audience,
                                    "acknowledged_at": iso(e.acknowledged_at), "via": e.acknowledged_via}
                                   for e in incident.escalations]
        out["timeline"] = [{"at": iso(ev.at), "kind": ev.kind, "actor": ev.actor_label, "message": ev.message,
                            "field": ev.field, "old_value": ev.old_value, "new_value": ev.new_value}
                           for ev in incident.events]
        out["inquiries"] = [inquiry_summary(q) for q in incident.inquiries]
        out["checklist"] = [{"id": i.id, "phase": i.phase, "text": i.text, "owner_role": i.owner_role,
                             "due_at": iso(i.due_at), "done_at": iso(i.done_at),
                             "done_by": i.done_by.email if i.done_by else None, "overdue": i.overdue}
                            for i in incident.checklist]
    return out


def inquiry_summary(inquiry):
    """A linked press inquiry (``Incident.inquiries``, which the inquiries domain adds) and its state."""
    return {"id": inquiry.id, "title": inquiry.subject or f"#{inquiry.id}", "outlet": inquiry.outlet,
            "status": inquiry.state}
