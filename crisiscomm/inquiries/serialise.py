"""Inquiries as the API returns them, read as plain rows: a page of fifty with their timelines and files is four
queries and no ORM objects (building ORM instances for a page that is only serialised cost ~10 ms of CPU)."""
import functools

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..departments.models import Department
from ..extensions import db
from ..sql import plain_rows
from ..users.models import User
from .deadlines import due_status
from .models import OPEN_STATES, Inquiry, InquiryAttachment, InquiryEvent, RefusalGround
from .settings import department_settings
from .workflow import allowed_transitions


@functools.cache  # built at first use: aliasing a mapped class at import would configure the mappers too early
def _page():
    assignee, approver = aliased(User), aliased(User)
    columns = (Inquiry.id, Inquiry.department_id, Department.code.label("department"), Inquiry.received_at,
               Inquiry.channel, Inquiry.contact_id, Inquiry.journalist_name, Inquiry.outlet, Inquiry.sender_email,
               Inquiry.subject, Inquiry.questions, Inquiry.priority, Inquiry.journalist_deadline, Inquiry.due_at,
               Inquiry.deadline_source, Inquiry.incident_id, Inquiry.state, assignee.email.label("assignee"),
               Inquiry.answer_draft, Inquiry.approved_text, approver.email.label("approved_by"),
               Inquiry.answered_at, Inquiry.decline_reason, RefusalGround.key.label("refusal_ground"),
               Inquiry.version)
    return columns, ((Department, Department.id == Inquiry.department_id, False),
                     (assignee, assignee.id == Inquiry.assignee_id, True),
                     (approver, approver.id == Inquiry.approved_by_id, True),
                     (RefusalGround, RefusalGround.id == Inquiry.refusal_ground_id, True))


def _iso(value):
    return value.isoformat() if value else None


def inquiry_dicts(stmt):
    """The inquiries ``stmt`` (a ``select(Inquiry)`` with its filters, order and page) selects, as API dicts."""
    rows = plain_rows(stmt, *_page())
    if not rows:
        return []
    ids = [r.id for r in rows]
    events, files = {i: [] for i in ids}, {i: [] for i in ids}
    for e in db.session.execute(
            select(InquiryEvent.inquiry_id, InquiryEvent.at, User.email, InquiryEvent.from_state,
                   InquiryEvent.to_state, InquiryEvent.note)
            .outerjoin(User, User.id == InquiryEvent.actor_id)
            .where(InquiryEvent.inquiry_id.in_(ids)).order_by(InquiryEvent.id)):
        events[e.inquiry_id].append({"at": e.at.isoformat(), "by": e.email, "from": e.from_state,
                                     "to": e.to_state, "note": e.note})
    for f in db.session.execute(
            select(InquiryAttachment.inquiry_id, InquiryAttachment.id, InquiryAttachment.filename,
                   InquiryAttachment.content_type, InquiryAttachment.size)
            .where(InquiryAttachment.inquiry_id.in_(ids)).order_by(InquiryAttachment.id)):
        files[f.inquiry_id].append({"filename": f.filename, "content_type": f.content_type, "size": f.size,
                                    "url": f"/inquiries/{f.inquiry_id}/attachments/{f.id}"})
    open_departments = {r.department_id for r in rows if r.state in OPEN_STATES}
    soon = {d.id: department_settings(d)["inquiry_due_soon_minutes"] for d in db.session.execute(
        select(Department.id, Department.settings).where(Department.id.in_(open_departments)))} \
        if open_departments else {}
    return [{
        "id": r.id, "department": r.department, "received_at": r.received_at.isoformat(), "channel": r.channel,
        "contact_id": r.contact_id, "journalist_name": r.journalist_name, "outlet": r.outlet,
        "sender_email": r.sender_email, "subject": r.subject, "questions": r.questions, "priority": r.priority,
        "deadline": _iso(r.journalist_deadline), "due_at": r.due_at.isoformat(), "deadline_source": r.deadline_source,
        "due_status": due_status(r, soon_minutes=soon.get(r.department_id)), "incident_id": r.incident_id,
        "state": r.state, "allowed_transitions": allowed_transitions(r), "assignee": r.assignee,
        "answer_draft": r.answer_draft, "approved_text": r.approved_text, "approved_by": r.approved_by,
        "answered_at": _iso(r.answered_at), "decline_reason": r.decline_reason,
        "refusal_ground": r.refusal_ground, "version": r.version,
        "attachments": files[r.id], "timeline": events[r.id],
    } for r in rows]


def inquiry_dict(inquiry):
    """One inquiry as the API returns it (read back from the database, so after the service's flush)."""
    return inquiry_dicts(select(Inquiry).where(Inquiry.id == inquiry.id))[0]
