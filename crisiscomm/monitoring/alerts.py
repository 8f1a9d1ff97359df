"""Alerts: a mention with a high-severity term, or a burst of mentions of one Department, tells the Department's
communication officers and spokesperson at once (every instant channel), once per mention and once per burst."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions
from ..clock import now
from ..extensions import db
from ..notifications.service import notify_user
from ..notifications.shortform import fit_sms
from ..spokespersons.service import official_spokesperson
from ..users.models import User
from .models import BurstAlert, Mention

KIND = "monitoring_alert"


def burst_settings():
    """(how many mentions, in how many minutes) make a burst (config MONITORING_BURST_COUNT / _MINUTES)."""
    return (int(current_app.config.get("MONITORING_BURST_COUNT", 5)),
            int(current_app.config.get("MONITORING_BURST_MINUTES", 30)))


def recipients(department_id):
    people = db.session.scalars(select(User).where(User.department_id == department_id, User.active.is_(True),
                                                   User.role.in_(permissions.holders("mention.alert")))).all()
    official = official_spokesperson(department_id)
    if official is not None and official.user is not None and official.user.active and official.user not in people:
        people.append(official.user)
    return sorted(people, key=lambda u: u.id)


def _link(mention):
    return f"{current_app.config.get('BASE_URL', '').rstrip('/')}/monitoring/mentions/{mention.id}"


def _send(department_id, subject, body, key, source):
    for person in recipients(department_id):
        notify_user(user=person, kind=KIND, subject=subject, body_text=body, short_text=fit_sms([subject]),
                    dedupe_key=f"{key}:{person.id}", department_id=department_id, source=source, urgent=True)


def alert_for(mention):
    """Called for each new mention: its own alert when a high-severity term matched, then the burst check."""
    if mention.severity == "high" and mention.alerted_at is None:
        mention.alerted_at = now()
        subject = _("Press alert: %(title)s", title=mention.title[:150])
        body = "\n".join([
            _("A mention of your Department matches a high-severity term: %(terms)s.",
              terms=", ".join(mention.terms or [])),
            f"{mention.outlet} — {mention.title}", mention.link, "", _("Triage it: %(url)s", url=_link(mention))])
        _send(mention.department_id, subject, body, f"monitoring.mention:{mention.id}", ("Mention", mention.id))
    check_burst(mention.department_id)


def check_burst(department_id):
    """Alert when the Department has a burst of new mentions; a burst that goes on extends its window instead of
    alerting again. Returns the BurstAlert that was created, else None."""
    count, minutes = burst_settings()
    t = now()
    window = timedelta(minutes=minutes)
    recent = db.session.scalar(select(func.count()).select_from(Mention).where(
        Mention.department_id == department_id, Mention.created_at > t - window))
    if recent < count:
        return None
    ongoing = db.session.scalars(select(BurstAlert).where(BurstAlert.department_id == department_id,
                                                          BurstAlert.ends_at >= t)).first()
    if ongoing is not None:
        ongoing.ends_at = t + window
        ongoing.count = max(ongoing.count, recent)
        db.session.flush()
        return None
    burst = BurstAlert(department_id=department_id, started_at=t, ends_at=t + window, count=recent)
    db.session.add(burst)
    db.session.flush()
    subject = _("Press alert: %(n)s mentions in %(m)s minutes", n=recent, m=minutes)
    inbox = current_app.config.get("BASE_URL", "").rstrip("/") + "/monitoring/"
    body = "\n".join([_("Your Department was mentioned %(n)s times in the last %(m)s minutes.", n=recent, m=minutes),
                      _("Triage them: %(url)s", url=inbox)])
    _send(department_id, subject, body, f"monitoring.burst:{department_id}:{burst.id}", ("BurstAlert", burst.id))
    return burst
