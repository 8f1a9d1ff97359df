"""Incidents as JSON for the API: the summary row, and in full with escalations, timeline, inquiries, checklist."""
from ..clock import as_utc
from ..notifications.models import WEBHOOK
from ..rules.service import source_line
from .queries import delivery_groups, escalation_channels


def iso(value):
    return as_utc(value).isoformat() if value else None


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


def serialize(incident, full=False):
    out = {
        "id": incident.id, "department": incident.department.code, "title": incident.title,
        "category": incident.category, "exam_related": incident.exam_related, "exam": incident.exam,
        "occurred_at": iso(incident.occurred_at), "reported_at": iso(incident.reported_at),
        "known_at": iso(incident.known_at),
        "place": incident.place, "description": incident.description, "severity": incident.severity,
        "status": incident.status, "drill": incident.drill, "awaiting_confirmation": incident.awaiting_confirmation,
        "reporter": incident.reporter.email if incident.reporter else None,
        "scenario": (incident.scenario_version.scenario.slug if incident.scenario_version is not None
                     and incident.scenario_version.scenario is not None else None),
        "escalation_level": incident.escalation_level,
        "level1_acknowledged_at": iso(incident.level1_acknowledged_at),
        "first_statement_due_at": iso(incident.first_statement_due_at),
        "first_statement_rule": _rule_summary(incident.first_statement_rule),
        "first_statement_at": iso(incident.first_statement_at),
        "statement_overdue": incident.statement_overdue,
        "closing_summary": incident.closing_summary, "closing_public_summary": incident.closing_public_summary,
        "closed_at": iso(incident.closed_at),
    }
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
