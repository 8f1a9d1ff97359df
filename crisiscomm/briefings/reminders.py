"""Reminder jobs: a briefing coming up (its speakers and the communication officers), and a quarter with no
briefing planned (the Department's head and officers, and a summary for the Ministry centre)."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..clock import now, to_local
from ..extensions import db
from ..notifications import service as outbox
from ..users.models import User
from .models import PLANNED, Briefing
from .quarters import current_quarter, parse_quarter, quarter_bounds, quarter_dates
from .service import compliance

DEFAULT_REMINDER_DAYS = 3


def _department_users(department_id, permission):
    roles = permissions.holders(permission)
    return db.session.scalars(select(User).where(User.department_id == department_id, User.role.in_(roles),
                                                 User.active.is_(True)).order_by(User.id)).all()


def _notify_user(user, *, kind, subject, body, department_id, source, key):
    # Every channel the person routed this kind to (in-app and email unless they chose otherwise).
    outbox.notify_user(user=user, kind=kind, subject=subject, body_text=body, department_id=department_id,
                       source=source, dedupe_key=f"{key}:{user.id}")


def send_upcoming_reminders():
    """N days (Department setting briefing_reminder_days, default 3) before a planned briefing,
    remind its speakers and the Department's communication officers. Idempotent."""
    t = now()
    horizon = t + timedelta(days=31)
    rows = db.session.scalars(select(Briefing).where(Briefing.status == PLANNED, Briefing.starts_at > t,
                                                     Briefing.starts_at <= horizon)).all()
    count = 0
    for b in rows:
        days = b.department.setting("briefing_reminder_days", DEFAULT_REMINDER_DAYS)
        try:
            days = max(int(days), 0)
        except (TypeError, ValueError):
            days = DEFAULT_REMINDER_DAYS
        if b.starts_at - timedelta(days=days) > t:
            continue
        people = {u.id: u for u in list(b.speakers) + _department_users(b.department_id, "briefing.reminder.upcoming")}
        local = to_local(b.starts_at)
        subject = _("Reminder: press briefing on %(when)s", when=local.strftime("%d/%m/%Y %H:%M"))
        body = "\n".join(filter(None, [b.title, _("Time: %(start)s", start=local.strftime("%H:%M %d/%m/%Y")),
                                       b.place and _("Place: %(place)s", place=b.place),
                                       b.topics and _("Topics:") + "\n" + b.topics]))
        for user in people.values():
            _notify_user(user, kind="briefing_reminder", subject=subject, body=body, department_id=b.department_id,
                         source=("briefing", b.id),
                         key=f"briefing-reminder:{b.id}:{b.starts_at:%Y%m%d%H%M}")
            count += 1
    db.session.flush()
    return count


def send_quarter_gap_reminders():
    """From two thirds of a quarter on, remind each active Department with nothing planned or held
    (director + comms officers) and send the Ministry centre one summary. Idempotent per quarter."""
    key = current_quarter()
    start, end = quarter_bounds(key)
    t = now()
    if t < start + (end - start) * 2 / 3:
        return []
    missing = [i["department"] for i in compliance(quarter=key) if i["status"] == "missing"]
    year, q = parse_quarter(key)
    for dep in missing:
        subject = _("No press briefing planned for quarter %(q)s/%(y)s", q=q, y=year)
        body = _("%(department)s has no press briefing planned or held in quarter %(q)s/%(y)s. The quarter ends on "
                 "%(end)s; please plan one.", department=dep.name, q=q, y=year,
                 end=quarter_dates(key)[1].strftime("%d/%m/%Y"))
        for user in _department_users(dep.id, "briefing.reminder.quarter_gap"):
            _notify_user(user, kind="briefing_quarter_gap", subject=subject, body=body, department_id=dep.id,
                         source=None, key=f"briefing-gap:{key}:{dep.id}")
    if missing:
        subject = _("Quarter %(q)s/%(y)s: %(n)s Departments without a press briefing", q=q, y=year, n=len(missing))
        body = "\n".join([subject, ""] + [f"- {d.name}" for d in missing])
        summary_roles = permissions.holders("briefing.reminder.summary")
        ministry = db.session.scalars(select(User).where(User.role.in_(summary_roles), User.active.is_(True))
                                      .order_by(User.id)).all()
        for user in ministry:
            _notify_user(user, kind="briefing_quarter_summary", subject=subject, body=body, department_id=None,
                         source=None, key=f"briefing-gap-summary:{key}")
    db.session.flush()
    return missing
