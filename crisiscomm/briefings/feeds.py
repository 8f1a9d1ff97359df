"""Calendar feeds: a secret .ics URL per Department (or the Ministry-wide one) that calendar apps subscribe to."""
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import now
from ..errors import NotFound
from ..extensions import db
from .ical import build_ics
from .models import Briefing, CalendarFeed


def feed_for(*, department):
    """The active feed of a Department (or the Ministry-wide one for None), or None."""
    stmt = select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
    stmt = stmt.where(CalendarFeed.department_id.is_(None) if department is None
                      else CalendarFeed.department_id == department.id)
    return db.session.scalars(stmt.order_by(CalendarFeed.id.desc())).first()


def regenerate_feed(*, department, user):
    """Revoke the current feed URL (if any) and issue a new secret one."""
    old = feed_for(department=department)
    if old is not None:
        old.revoked_at = now()
    feed = CalendarFeed(department_id=department.id if department is not None else None,
                        calendar_token=secrets.token_urlsafe(32), created_by_id=getattr(user, "id", None))
    db.session.add(feed)
    db.session.flush()
    return feed


def revoke_feed(*, department):
    feed = feed_for(department=department)
    if feed is None:
        raise NotFound()
    feed.revoked_at = now()
    db.session.flush()
    return feed


def feed_ics(token):
    """The .ics for a feed token; unknown or revoked → NotFound."""
    if not token or len(token) > 64:
        raise NotFound()
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.calendar_token == token))
    if feed is None or feed.revoked_at is not None:
        raise NotFound()
    since = now() - timedelta(days=400)
    stmt = select(Briefing).where(Briefing.starts_at >= since)
    if feed.department_id is not None:
        dep = feed.department
        while dep.merged_into_id is not None:  # a merged Department's feed follows its successor
            dep = dep.merged_into
        stmt = stmt.where(Briefing.department_id == dep.id)
        name = _("Press briefings – %(name)s", name=dep.name)
    else:
        name = _("Press briefings – all Departments")
    return build_ics(db.session.scalars(stmt.order_by(Briefing.starts_at)).all(), method="PUBLISH", name=name)
