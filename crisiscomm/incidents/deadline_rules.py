"""What the deadline rules ask of incidents: registered in incidents.init_app (registry.rule_user, rule_choices with
forms.severity_choices), so that rules, below incidents, never imports them."""
from sqlalchemy import select

from ..extensions import db
from .models import Incident


def uses_rule(rule):
    """Whether the first-statement due time of an incident was computed from ``rule``."""
    return db.session.scalar(select(Incident.id).where(Incident.first_statement_rule_id == rule.id).limit(1)) \
        is not None
