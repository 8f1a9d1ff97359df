"""Reading incidents: lists and counts, the outbox rows of an incident's alerts, the start page's items."""

from sqlalchemy import select

from .. import scoping
from ..extensions import db
from ..notifications.models import APPRISE, EMAIL, IN_APP, PUSH, Notification
from ..text import where_all_terms
from .escalation import my_escalations
from .models import CLOSED, Incident
from .playbook import playbook_url


def list_incidents(*, stmt, status=None, exam_related=None, department_id=None, q=None, drill="exclude",
                   category=None, severity=None):
    if status:
        stmt = stmt.where(Incident.status == status)
    if exam_related is not None:
        stmt = stmt.where(Incident.exam_related.is_(exam_related))
    if department_id:
        stmt = stmt.where(Incident.department_id == department_id)
    if category:
        stmt = stmt.where(Incident.category == category)
    if severity:
        stmt = stmt.where(Incident.severity == severity)
    if drill == "exclude":
        stmt = stmt.where(Incident.drill.is_(False))
    elif drill == "only":
        stmt = stmt.where(Incident.drill.is_(True))
    if q:
        stmt = stmt.where(*where_all_terms(Incident.search_text, q))
    return stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc())


def statistics(stmt):
    """Counts for dashboards: drills never count."""
    rows = db.session.execute(stmt.where(Incident.drill.is_(False)).with_only_columns(
        Incident.status, db.func.count(Incident.id)).group_by(Incident.status)).all()
    return {status: n for status, n in rows}


def notifications_for(incident):
    return db.session.scalars(select(Notification).where(
        Notification.source_type == "incident", Notification.source_id == incident.id).order_by(Notification.id)).all()


def escalation_channels(incident):
    """{escalation_id: [notification, ...]} (initial and reminders), plus the webhook rows under None."""
    out = {}
    for n in notifications_for(incident):
        eid = (n.payload or {}).get("escalation_id")
        if n.kind in ("incident_escalation", "incident_reminder") and eid:
            out.setdefault(eid, []).append(n)
        elif n.kind == "incident_webhook":
            out.setdefault(None, []).append(n)
    return out


def delivery_groups(messages):
    """[(channel, method label or None, [rows…])]: one group per channel and contact method (initial message and
    reminders), in channel order: app, email, push, other channels."""
    order = {IN_APP: 0, EMAIL: 1, PUSH: 2, APPRISE: 3}
    groups = {}
    for n in messages:
        groups.setdefault((n.channel, n.contact_method_id), []).append(n)
    return [(channel, rows[0].address if method_id else None, rows) for (channel, method_id), rows in
            sorted(groups.items(), key=lambda item: (order.get(item[0][0], 9), item[0][1] or 0))]


def overview(user=None):
    """For the start page: open incidents in scope, those not acknowledged, those whose statement is overdue."""
    stmt = scoping.scoped_select(Incident, user).where(Incident.status != CLOSED, Incident.drill.is_(False))
    rows = db.session.scalars(stmt.order_by(Incident.occurred_at.desc()).limit(200)).unique().all()
    return {"open": len(rows), "overdue": [i for i in rows if i.statement_overdue][:10],
            "unacknowledged": [i for i in rows if i.level1_acknowledged_at is None][:10]}


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def home_items(user):
    """The open incidents for a person's start page, most urgent first: the ones *they* have not
    acknowledged (with the one-tap acknowledge), then those level 1 has not acknowledged, then the rest.
    Drills show only to the people named for them."""
    stmt = scoping.scoped_select(Incident, user).where(Incident.status != CLOSED)
    rows = db.session.scalars(stmt.order_by(Incident.occurred_at.desc()).limit(100)).unique().all()
    items = []
    for incident in rows:
        mine = my_escalations(incident, user)
        if incident.drill and not mine:
            continue
        waiting = any(e.acknowledged_at is None for e in mine)
        rank = 0 if waiting else 1 if incident.level1_acknowledged_at is None else 2
        items.append({"incident": incident, "ack_mine": waiting, "unacknowledged": incident.level1_acknowledged_at
                      is None, "rank": rank, "playbook_url": playbook_url(incident)})
    items.sort(key=lambda i: (i["rank"], SEVERITY_RANK.get(i["incident"].severity, 9),
                              -i["incident"].occurred_at.timestamp()))
    return items
