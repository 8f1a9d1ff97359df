"""Invitations: one email with the .ics per invited press contact, resent when what it shows changes; their
delivery status from the outbox, and retrying the failed ones."""
import base64

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import now, to_local
from ..errors import ValidationError
from ..extensions import db
from ..notifications import service as outbox
from ..notifications.models import EMAIL, FAILED_PERMANENT, FAILED_TEMPORARY, PENDING, Notification
from .ical import build_ics
from .models import CANCELLED, HELD


def _invitation_text(briefing, contact):
    local = to_local(briefing.starts_at)
    lines = [
        _("Dear %(name)s,", name=contact.full_name), "",
        _("%(department)s invites you to the press briefing:", department=briefing.department.name),
        briefing.title, "",
        _("Time: %(start)s – %(end)s", start=local.strftime("%H:%M %d/%m/%Y"),
          end=to_local(briefing.ends_at).strftime("%H:%M")),
    ]
    if briefing.place:
        lines.append(_("Place: %(place)s", place=briefing.place))
    if briefing.online_link:
        lines.append(_("Online: %(link)s", link=briefing.online_link))
    if briefing.topics:
        lines += ["", _("Topics:"), briefing.topics]
    lines += _agenda_story_lines(briefing)
    if briefing.speakers:
        lines += ["", _("Speakers: %(names)s", names=", ".join(f"{u.name} ({u.title})" if u.title else u.name
                                                              for u in briefing.speakers))]
    lines += ["", _("The calendar invitation is attached (hop-bao.ics).")]
    return "\n".join(lines)


def _agenda_story_lines(briefing):
    """Good stories put on this briefing's agenda (crisiscomm.stories), for the invitation."""
    stories = briefing.agenda_stories
    if not stories:
        return []
    return ["", _("Good stories we will present:")] + [f"- {s.title}: {s.summary}" for s in stories]


def send_invitations(*, briefing, resend_all=False):
    """Queue one email with an .ics per invited contact not yet told of the current version.
    A contact without an email is recorded as not notified. Returns the queued rows."""
    if briefing.status in (HELD,):
        raise ValidationError(_("This briefing has already been held."), fields={"status": _("already held")})
    if not briefing.invitations:
        raise ValidationError(_("Invite at least one press contact first."), fields={"contact_ids": _("required")})
    cancelled = briefing.status == CANCELLED
    rows = []
    for inv in briefing.invitations:
        if not resend_all and inv.notified_sequence == briefing.sequence:
            continue
        contact = inv.contact
        ics = build_ics([briefing], method="CANCEL" if cancelled else "REQUEST", attendee=contact)
        subject = (_("Cancelled: %(title)s", title=briefing.title) if cancelled
                   else _("Invitation: %(title)s", title=briefing.title))
        rows.append(outbox.enqueue(
            kind="briefing_invitation", channel=EMAIL, subject=subject,
            body_text=_invitation_text(briefing, contact), address=contact.email or None,
            recipient_label=f"{contact.full_name} – {contact.outlet}" if contact.outlet else contact.full_name,
            department_id=briefing.department_id, source=("briefing", briefing.id),
            payload={"contact_id": contact.id, "sequence": briefing.sequence},
            attachments=[{"filename": "hop-bao.ics", "content_type": "text/calendar",
                          "method": "CANCEL" if cancelled else "REQUEST", "data": base64.b64encode(ics).decode()}]))
        inv.notified_sequence = briefing.sequence
    briefing.invitations_sent_at = now()
    db.session.flush()
    return rows


def deliveries(briefing):
    """Every outbox row about this briefing, newest first."""
    return db.session.scalars(select(Notification).where(Notification.source_type == "briefing",
                                                         Notification.source_id == briefing.id)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())).all()


def latest_delivery_by_contact(briefing):
    out = {}
    for row in deliveries(briefing):
        cid = (row.payload or {}).get("contact_id")
        if row.kind == "briefing_invitation" and cid is not None and cid not in out:
            out[cid] = row
    return out


def retry_failed(*, briefing):
    """Re-queue this briefing's failed invitation emails now. Returns the ids to dispatch after commit."""
    ids = []
    for row in deliveries(briefing):
        if row.kind == "briefing_invitation" and row.state in (FAILED_PERMANENT, FAILED_TEMPORARY):
            row.state, row.next_attempt_at, row.attempts = PENDING, now(), 0
            ids.append(row.id)
    db.session.flush()
    return ids
