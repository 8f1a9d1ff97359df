"""What inquiries tell people: the assignee, the Ministry of a referral, and the deadline alerts (a job)."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..clock import now, to_local
from ..extensions import db
from ..notifications.service import enqueue, notify_user
from ..users.models import User
from .deadlines import due_status
from .models import OPEN_STATES, Inquiry


def inquiry_url(inquiry):
    base = current_app.config.get("BASE_URL") or ""
    return f"{base.rstrip('/')}/inquiries/{inquiry.id}"


def notify_assignee(inquiry, person):
    subject = _("Press inquiry assigned to you: %(subject)s", subject=inquiry.subject)
    body = _("%(journalist)s (%(outlet)s) asks: %(subject)s. Due %(due)s.", journalist=inquiry.journalist_name,
             outlet=inquiry.outlet, subject=inquiry.subject, due=to_local(inquiry.due_at).strftime("%d/%m/%Y %H:%M"))
    enqueue(kind="inquiry.assigned", channel="in_app", subject=subject, body_text=body + "\n" + inquiry_url(inquiry),
            recipient=person, department_id=inquiry.department_id, source=("inquiry", inquiry.id),
            payload={"url": f"/inquiries/{inquiry.id}"})


def notify_ministry(inquiry, note):
    ministry = select(User).where(User.role.in_(permissions.holders("inquiry.referral.receive")), User.active.is_(True))
    for person in db.session.scalars(ministry):
        enqueue(kind="inquiry.referred", channel="in_app", recipient=person, department_id=inquiry.department_id,
                subject=_("Inquiry referred to the Ministry by %(dep)s: %(subject)s", dep=inquiry.department.name,
                          subject=inquiry.subject),
                body_text=(note or "") + "\n" + inquiry_url(inquiry), source=("inquiry", inquiry.id),
                payload={"url": f"/inquiries/{inquiry.id}"})


# --- deadline alerts (job) --------------------------------------------------------------------

def alert_deadlines():
    """Alert the assignee and the Department's communication officers about overdue and due-soon inquiries,
    in-app and by email; each (inquiry, kind, person, channel) once. Returns the number of alerts queued."""
    t = now()
    horizon = t + timedelta(hours=24)
    rows = db.session.scalars(select(Inquiry).where(Inquiry.state.in_(OPEN_STATES), Inquiry.due_at <= horizon)
                              .order_by(Inquiry.due_at)).all()
    queued = 0
    for inquiry in rows:
        kind = due_status(inquiry, t)
        if kind is None:
            continue
        people = {u.id: u for u in db.session.scalars(select(User).where(
            User.department_id == inquiry.department_id, User.role.in_(permissions.holders("inquiry.desk")),
            User.active.is_(True)))}
        if inquiry.assignee is not None and inquiry.assignee.active:
            people[inquiry.assignee.id] = inquiry.assignee
        due = to_local(inquiry.due_at).strftime("%d/%m/%Y %H:%M")
        if kind == "overdue":
            subject = _("OVERDUE press inquiry: %(subject)s (due %(due)s)", subject=inquiry.subject, due=due)
        else:
            subject = _("Press inquiry due soon: %(subject)s (due %(due)s)", subject=inquiry.subject, due=due)
        body = _("%(journalist)s (%(outlet)s) is waiting for an answer. State: %(state)s.",
                 journalist=inquiry.journalist_name, outlet=inquiry.outlet, state=inquiry.state)
        body += "\n" + inquiry_url(inquiry)
        for person in people.values():
            # Every channel the person routed this kind to (in-app and email unless they chose otherwise).
            rows = notify_user(user=person, kind=f"inquiry.{kind}", subject=subject, body_text=body,
                               department_id=inquiry.department_id, source=("inquiry", inquiry.id),
                               dedupe_key=f"inquiry:{inquiry.id}:{kind}:{person.id}",
                               payload={"url": f"/inquiries/{inquiry.id}"})
            queued += sum(1 for row in rows if row in db.session.new)
    return queued
