"""The one lookup of who speaks for a Department: used by playbooks, escalation and the API."""
from sqlalchemy import or_, select

from ..clock import now
from ..extensions import db
from ..text import fold
from .models import AUTHORIZED, OFFICIAL, SpokespersonAssignment


def current_assignments(department_id, at=None, topic=None):
    """Current official first, then current authorisations; with ``topic``, only those covering it
    (an official spokesperson covers every topic; an authorisation without topics covers every topic)."""
    at = at or now()
    stmt = (select(SpokespersonAssignment)
            .where(SpokespersonAssignment.department_id == department_id,
                   SpokespersonAssignment.effective_from <= at,
                   or_(SpokespersonAssignment.effective_to.is_(None), SpokespersonAssignment.effective_to > at))
            .order_by(SpokespersonAssignment.kind != OFFICIAL, SpokespersonAssignment.effective_from))
    rows = db.session.scalars(stmt).all()
    if topic:
        wanted = fold(topic)
        rows = [r for r in rows if r.kind == OFFICIAL or not r.topics
                or any(wanted in fold(t) or fold(t) in wanted for t in r.topics)]
    return rows


def official_spokesperson(department_id, at=None):
    """The current official spokesperson assignment, or None."""
    return next((r for r in current_assignments(department_id, at) if r.kind == OFFICIAL), None)


__all__ = ["current_assignments", "official_spokesperson", "OFFICIAL", "AUTHORIZED"]
