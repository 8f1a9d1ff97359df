"""Inquiries as the API returns them, read as plain rows: a page of fifty with their timelines and files is four
queries and no ORM objects (building ORM instances for a page that is only serialised cost ~10 ms of CPU)."""
import functools

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..clock import iso_utc
from ..departments.models import Department
from ..extensions import db
from ..sql import RowView, plain_rows
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


def _event(at, by, from_state, to_state, note):
    return {"at": at.isoformat(), "by": by, "from": from_state, "to": to_state, "note": note}


def _file(inquiry_id, file_id, filename, content_type, size):
    return {"filename": filename, "content_type": content_type, "size": size,
            "url": f"/inquiries/{inquiry_id}/attachments/{file_id}"}


def _shape(r, due, attachments, timeline):
    """The API's dict of ``r``: a row of ``_page()``'s columns, or an object with the same names."""
    return {
        "id": r.id, "department": r.department, "received_at": r.received_at.isoformat(), "channel": r.channel,
        "contact_id": r.contact_id, "journalist_name": r.journalist_name, "outlet": r.outlet,
        "sender_email": r.sender_email, "subject": r.subject, "questions": r.questions, "priority": r.priority,
        "deadline": iso_utc(r.journalist_deadline), "due_at": r.due_at.isoformat(),
        "deadline_source": r.deadline_source,
        "due_status": due, "incident_id": r.incident_id, "state": r.state,
        "allowed_transitions": allowed_transitions(r), "assignee": r.assignee, "answer_draft": r.answer_draft,
        "approved_text": r.approved_text, "approved_by": r.approved_by, "answered_at": iso_utc(r.answered_at),
        "decline_reason": r.decline_reason, "refusal_ground": r.refusal_ground, "version": r.version,
        "attachments": attachments, "timeline": timeline,
    }


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
        events[e.inquiry_id].append(_event(*e[1:]))
    for f in db.session.execute(
            select(InquiryAttachment.inquiry_id, InquiryAttachment.id, InquiryAttachment.filename,
                   InquiryAttachment.content_type, InquiryAttachment.size)
            .where(InquiryAttachment.inquiry_id.in_(ids)).order_by(InquiryAttachment.id)):
        files[f.inquiry_id].append(_file(*f))
    open_departments = {r.department_id for r in rows if r.state in OPEN_STATES}
    soon = {d.id: department_settings(d)["inquiry_due_soon_minutes"] for d in db.session.execute(
        select(Department.id, Department.settings).where(Department.id.in_(open_departments)))} \
        if open_departments else {}
    return [_shape(r, due_status(r, soon_minutes=soon.get(r.department_id)), files[r.id], events[r.id])
            for r in rows]


def inquiry_dict(inquiry):
    """One inquiry (already in the session, as a service returns it) as the API returns it."""
    row = RowView(inquiry, department=inquiry.department.code,
                  assignee=inquiry.assignee.email if inquiry.assignee else None,
                  approved_by=inquiry.approved_by.email if inquiry.approved_by else None,
                  refusal_ground=inquiry.refusal_ground.key if inquiry.refusal_ground else None)
    return _shape(row, due_status(inquiry),
                  [_file(inquiry.id, f.id, f.filename, f.content_type, f.size) for f in inquiry.files],
                  [_event(e.at, e.actor.email if e.actor else None, e.from_state, e.to_state, e.note)
                   for e in inquiry.events])
