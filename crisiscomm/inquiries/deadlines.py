"""Due times of inquiries: from the journalist's deadline, the deadline rules or the Department's default hours."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import now, to_local
from ..errors import ValidationError
from ..extensions import db
from ..rules.models import INQUIRY_RESPONSE
from ..rules.service import applicable_rule
from .forms import CHANNEL_LABELS, PRIORITY_LABELS
from .models import OPEN_STATES, Inquiry
from .settings import DEFAULT_HOURS, department_settings


def compute_due(*, department, received_at, channel=None, priority=None, incident_linked=False,
                journalist_deadline=None):
    """(due_at, source, rule): the journalist's deadline, else the province's own rule, else the most specific
    national rule (a Department's own default hours override the generic product default rule), else 24 hours."""
    if journalist_deadline is not None:
        return journalist_deadline, "journalist", None
    rule = applicable_rule(INQUIRY_RESPONSE, at=received_at, channel=channel, priority=priority,
                           incident_linked=incident_linked, department_id=department.id)
    specific = rule is not None and (rule.department_id is not None or rule.incident_linked is not None
                                     or rule.channels or rule.priorities)
    hours = department_settings(department)["inquiry_default_hours"]
    if specific or (rule is not None and not hours):
        return received_at + rule.duration, "rule", rule
    return received_at + timedelta(hours=hours or DEFAULT_HOURS), "department", None


def due_status(inquiry, at=None, soon_minutes=None):
    """'overdue', 'due_soon' or None for an open inquiry (or a row with its ``state`` and ``due_at``, given the
    Department's ``soon_minutes``)."""
    if inquiry.state not in OPEN_STATES:
        return None
    at = at or now()
    if inquiry.due_at <= at:
        return "overdue"
    minutes = soon_minutes or department_settings(inquiry.department)["inquiry_due_soon_minutes"]
    if inquiry.due_at <= at + timedelta(minutes=minutes):
        return "due_soon"
    return None


QUICK_DEADLINES = ("2h", "end_of_day", "tomorrow_10")


def quick_deadline(preset, received):
    """The journalist's deadline from a one-tap choice: two hours after the call, the end of the working day
    (17:00, or 23:59 for a call after 17:00), tomorrow at 10:00. None for the legal default."""
    if preset in (None, "", "default"):
        return None
    local = to_local(received)
    if preset == "2h":
        return received + timedelta(hours=2)
    if preset == "end_of_day":
        end = local.replace(hour=17, minute=0, second=0, microsecond=0)
        if end <= local:
            end = local.replace(hour=23, minute=59, second=0, microsecond=0)
        return end
    if preset == "tomorrow_10":
        return (local + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    raise ValidationError(_("Unknown deadline."), fields={"deadline_preset": _("one of %(choices)s",
                                                                                choices=", ".join(QUICK_DEADLINES))})


# --- what the deadline rules ask of inquiries (registered in init_app) ---------------------------

def uses_rule(rule):
    """Whether the due time of an inquiry was computed from ``rule``."""
    return db.session.scalar(select(Inquiry.id).where(Inquiry.deadline_rule_id == rule.id).limit(1)) is not None


def channel_choices():
    return CHANNEL_LABELS


def priority_choices():
    return PRIORITY_LABELS
