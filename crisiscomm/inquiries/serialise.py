"""An inquiry as the API returns it."""
from .deadlines import due_status
from .workflow import allowed_transitions


def inquiry_dict(i):
    return {
        "id": i.id, "department": i.department.code, "received_at": i.received_at.isoformat(),
        "channel": i.channel, "contact_id": i.contact_id, "journalist_name": i.journalist_name, "outlet": i.outlet,
        "sender_email": i.sender_email, "subject": i.subject, "questions": i.questions, "priority": i.priority,
        "deadline": i.journalist_deadline.isoformat() if i.journalist_deadline else None,
        "due_at": i.due_at.isoformat(), "deadline_source": i.deadline_source, "due_status": due_status(i),
        "incident_id": i.incident_id, "state": i.state, "allowed_transitions": allowed_transitions(i),
        "assignee": i.assignee.email if i.assignee else None, "answer_draft": i.answer_draft,
        "approved_text": i.approved_text, "approved_by": i.approved_by.email if i.approved_by else None,
        "answered_at": i.answered_at.isoformat() if i.answered_at else None,
        "decline_reason": i.decline_reason,
        "refusal_ground": i.refusal_ground.key if i.refusal_ground else None, "version": i.version,
        "attachments": [{"filename": f.filename, "content_type": f.content_type, "size": f.size,
                         "url": f"/inquiries/{i.id}/attachments/{f.id}"} for f in i.files],
        "timeline": [{"at": e.at.isoformat(), "by": e.actor.email if e.actor else None, "from": e.from_state,
                      "to": e.to_state, "note": e.note} for e in i.events],
    }
