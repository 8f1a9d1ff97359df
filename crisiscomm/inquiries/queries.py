"""Reading inquiries: one, the filtered lists, the start page's urgent ones, the pickers of the intake form."""
import functools
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import inputs, permissions, scoping
from ..clock import from_local, now
from ..errors import ValidationError
from ..extensions import db
from ..incidents.models import Incident
from ..text import sort_people, where_all_terms
from ..users.models import User, load_person
from .deadlines import due_status
from .models import AWAITING_APPROVAL, OPEN_STATES, STATES, Inquiry, InquiryEvent
from .settings import DEFAULT_DUE_SOON_MINUTES
from .workflow import can_approve


def _local_day_start(d):
    return from_local(datetime.combine(d, time.min))


def parse_period(date_from=None, date_to=None):
    errors = {}
    out = []
    for name, value in (("from", date_from), ("to", date_to)):
        if value in (None, ""):
            out.append(None)
            continue
        try:
            out.append(inputs.parse_date(str(value)[:10], name))
        except ValidationError as exc:
            errors.update(exc.fields)
            out.append(None)
    if errors:
        raise ValidationError(_("Bad period."), fields=errors)
    return out[0], out[1]


def list_query(*, user=None, department=None, state=None, outlet=None, overdue=None, date_from=None, date_to=None,
               q=None):
    stmt = scoping.scoped_select(Inquiry, user)
    if department is not None:
        stmt = stmt.where(Inquiry.department_id == department.id)
    if state:
        if state not in STATES and state != "open":
            raise ValidationError(_("Unknown state."), fields={"state": _("one of open, %(v)s", v=", ".join(STATES))})
        stmt = stmt.where(Inquiry.state.in_(OPEN_STATES) if state == "open" else Inquiry.state == state)
    if outlet:
        stmt = stmt.where(*where_all_terms(Inquiry.search_text, outlet))
    if q:
        stmt = stmt.where(*where_all_terms(Inquiry.search_text, q))
    if overdue:
        # As a subquery the few open inquiries past due are found by ix_inquiry_state_due; written as plain
        # conditions SQLite walks the Department's whole newest-first index instead (ten years: 300x slower).
        stmt = stmt.where(Inquiry.id.in_(select(Inquiry.id).where(Inquiry.state.in_(OPEN_STATES),
                                                                  Inquiry.due_at <= now())))
    start, end = parse_period(date_from, date_to)
    if start:
        stmt = stmt.where(Inquiry.received_at >= _local_day_start(start))
    if end:
        stmt = stmt.where(Inquiry.received_at < _local_day_start(end + timedelta(days=1)))
    return stmt


def home_items(user, limit=8):
    """For the start page: open inquiries in scope that are overdue or due soon (soonest first), and
    those awaiting this person's approval."""
    stmt = scoping.scoped_select(Inquiry, user).where(Inquiry.state.in_(OPEN_STATES))
    soon = now() + timedelta(minutes=DEFAULT_DUE_SOON_MINUTES * 12)
    urgent = db.session.scalars(stmt.where(Inquiry.due_at <= soon).order_by(Inquiry.due_at).limit(100)).all()
    urgent = [(i, due_status(i)) for i in urgent]
    urgent = [(i, status) for i, status in urgent if status][:limit]
    approvals = []
    if user.department_id is not None:
        rows = db.session.scalars(stmt.where(Inquiry.state == AWAITING_APPROVAL).order_by(Inquiry.due_at)
                                  .limit(limit)).all()
        approvals = [i for i in rows if can_approve(user, i)]
    return {"urgent": urgent, "approvals": approvals}


def newest_first(stmt):
    return stmt.order_by(Inquiry.received_at.desc(), Inquiry.id.desc())


@functools.cache  # built once: the loader options are immutable and cost ~0.3 ms to construct
def list_loads():
    """What inquiry_dict reads, loaded with the page instead of one query per inquiry (of the people only
    their e-mail is read: their Departments are not joined in)."""
    return (selectinload(Inquiry.events).options(load_person(InquiryEvent.actor)), load_person(Inquiry.assignee),
            load_person(Inquiry.approved_by), joinedload(Inquiry.refusal_ground), selectinload(Inquiry.files))


def page_query(limit=200, offset=0, **filters):
    """One page of the filtered list, newest first (a ``select(Inquiry)``)."""
    return newest_first(list_query(**filters)).limit(limit).offset(offset)


def list_inquiries(limit=200, offset=0, **filters):
    return db.session.scalars(page_query(limit, offset, **filters).options(*list_loads())).unique().all()


def get_inquiry(ident, user=None):
    return scoping.get_or_404(Inquiry, ident, user)


def department_officers(department):
    officers = select(User).where(User.department_id == department.id, User.active.is_(True),
                                  User.role.in_(permissions.holders("inquiry.work")))
    return sort_people(db.session.scalars(officers).all())


def department_incidents(department):
    return db.session.scalars(select(Incident).where(Incident.department_id == department.id)
                              .order_by(Incident.occurred_at.desc()).limit(50)).all()
