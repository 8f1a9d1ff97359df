"""Who speaks for a Department (Decree 09/2017 on press statements), with the history kept.

``current_assignments`` / ``official_spokesperson`` are the one lookup used by playbooks, incident
escalation and the API. Changes go through ``assign`` / ``end_assignment``: an assignment is ended
(``effective_to``), never overwritten, and a Department has at most one official spokesperson at any
moment — checked here after serialising writers per Department, so two concurrent requests cannot
both pass the check.
"""
import re
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from .. import permissions
from ..clock import as_utc, format_datetime, now, parse_datetime
from ..contacts.service import normalize_email, parse_phones
from ..departments.models import ACTIVE, Department
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..notifications.models import EMAIL, IN_APP
from ..notifications.service import enqueue
from ..text import fold
from ..users.service import department_users
from .models import AUTHORIZED, KINDS, OFFICIAL, SpokespersonAssignment

ALERT_BEFORE = timedelta(days=7)
MAX_TOPICS = 20


def current_assignments(department_id, at=None, topic=None):
    """Current official first, then current authorisations; with ``topic``, only those covering it
    (an official spokesperson covers every topic; an authorisation without topics covers every topic)."""
    at = at or now()
    stmt = (select(SpokespersonAssignment)
            .where(SpokespersonAssignment.department_id == department_id,
                   SpokespersonAssignment.effective_from <= at,
                   or_(SpokespersonAssignment.effective_to.is_(None), SpokespersonAssignment.effective_to > at))
            .order_by(SpokespersonAssignment.kind != OFFICIAL, SpokespersonAssignment.effective_from))
    rows = db.session.scalars(stmt).all()
    if topic:
        wanted = fold(topic)
        rows = [r for r in rows if r.kind == OFFICIAL or not r.topics
                or any(wanted in fold(t) or fold(t) in wanted for t in r.topics)]
    return rows


def official_spokesperson(department_id, at=None):
    """The current official spokesperson assignment, or None."""
    return next((r for r in current_assignments(department_id, at) if r.kind == OFFICIAL), None)


def history(department_id):
    """Every assignment of the Department, newest first (ended ones included)."""
    return db.session.scalars(select(SpokespersonAssignment)
                              .where(SpokespersonAssignment.department_id == department_id)
                              .order_by(SpokespersonAssignment.effective_from.desc(),
                                        SpokespersonAssignment.id.desc())).all()


def status_of(assignment, at=None):
    at = at or now()
    if as_utc(assignment.effective_from) > at:
        return "upcoming"
    if assignment.effective_to is not None and as_utc(assignment.effective_to) <= at:
        return "ended"
    return "current"


# --- validation -----------------------------------------------------------------------------------

def _when(value, field):
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            return as_utc(value) if value.tzinfo else parse_datetime(value)
        if isinstance(value, date):
            return parse_datetime(datetime(value.year, value.month, value.day))
        return parse_datetime(value)
    except (ValueError, TypeError, OverflowError):
        raise ValidationError(_("Invalid date."), fields={field: _("expected an ISO 8601 date or date-time")})


def _day(value, field):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("Invalid date."), fields={field: _("expected a date (YYYY-MM-DD)")})


def _topics(value):
    if value is None or value == "":
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"[;\n]+", str(value))
    topics = []
    for t in items:
        if not isinstance(t, str):
            raise ValidationError(_("Topics must be text."), fields={"topics": _("expected a list of text")})
        t = t.strip()
        if t and t not in topics:
            if len(t) > 200:
                raise ValidationError(_("Topic too long."), fields={"topics": _("each topic at most 200 characters")})
            topics.append(t)
    if len(topics) > MAX_TOPICS:
        raise ValidationError(_("Too many topics."), fields={"topics": _("at most %(n)s", n=MAX_TOPICS)})
    return topics


def _lock_department(department_id):
    """Serialise assignment writers of one Department: a write on its row makes a second
    transaction wait until the first commits (PostgreSQL row lock; SQLite write lock)."""
    try:
        db.session.execute(update(Department).where(Department.id == department_id)
                           .values(updated_at=now()).execution_options(synchronize_session=False))
    except OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise Conflict(_("Another change to this Department's spokespersons is in progress. Please try again."))
        raise


def _overlapping_officials(department_id, start, end, exclude_id=None):
    stmt = select(SpokespersonAssignment).where(
        SpokespersonAssignment.department_id == department_id, SpokespersonAssignment.kind == OFFICIAL,
        or_(SpokespersonAssignment.effective_to.is_(None), SpokespersonAssignment.effective_to > start))
    if end is not None:
        stmt = stmt.where(SpokespersonAssignment.effective_from < end)
    if exclude_id:
        stmt = stmt.where(SpokespersonAssignment.id != exclude_id)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).all()


def assign(*, department, user, kind, topics=None, decision_number=None, decision_date=None, decision_url=None,
           effective_from=None, effective_to=None, public_phone=None, public_email=None, note=None,
           replace=False):
    """Record a new assignment and flush it.

    ``official``: at most one at any moment; with ``replace`` the current official's assignment ends
    when the new one starts (same transaction), otherwise an overlap is a Conflict.
    ``authorized``: needs the written decision (number, date), the case/topics and an end date.
    """
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("one of official, authorized")
    if user is None or user.department_id != department.id or not user.active:
        errors["user_id"] = _("must be an active user of this Department")
    try:
        start = _when(effective_from, "effective_from") or now()
    except ValidationError as exc:
        errors.update(exc.fields)
        start = now()
    try:
        end = _when(effective_to, "effective_to")
    except ValidationError as exc:
        errors.update(exc.fields)
        end = None
    try:
        ddate = _day(decision_date, "decision_date")
    except ValidationError as exc:
        errors.update(exc.fields)
        ddate = None
    try:
        topic_list = _topics(topics)
    except ValidationError as exc:
        errors.update(exc.fields)
        topic_list = []
    number = (decision_number or "").strip() if isinstance(decision_number, (str, type(None))) else None
    if number is None or len(number) > 100:
        errors["decision_number"] = _("text of at most 100 characters")
    url = (decision_url or "").strip() if isinstance(decision_url, (str, type(None))) else None
    if url is None or (url and (not re.match(r"^https?://", url) or len(url) > 500)):
        errors["decision_url"] = _("an http(s) link of at most 500 characters")
    try:
        phone = ", ".join(parse_phones(public_phone, field="public_phone")) or None
    except ValidationError as exc:
        errors.update(exc.fields)
        phone = None
    try:
        email = normalize_email(public_email, field="public_email")
    except ValidationError as exc:
        errors.update(exc.fields)
        email = None
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        errors["note"] = _("text of at most 2000 characters")
    if end is not None and end <= start:
        errors["effective_to"] = _("must be after the start")
    if kind == AUTHORIZED:
        if not number:
            errors.setdefault("decision_number", "required for an authorisation (the written decision)")
        if ddate is None:
            errors.setdefault("decision_date", "required for an authorisation")
        if not topic_list:
            errors.setdefault("topics", "name the case or topics the authorisation covers")
        if end is None:
            errors.setdefault("effective_to", "an authorisation needs an end date")
    if ddate is not None and ddate > (now() + timedelta(days=1)).date():
        errors.setdefault("decision_date", "cannot be in the future")
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)

    _lock_department(department.id)
    if kind == OFFICIAL:
        clashes = _overlapping_officials(department.id, start, end)
        if clashes and replace:
            for old in clashes:
                if as_utc(old.effective_from) < start:
                    old.effective_to = start
                else:
                    raise Conflict(_("Another official spokesperson is already planned for that period."),
                                   fields={"effective_from": _("overlaps a later official assignment")})
        elif clashes:
            raise Conflict(_("The Department already has an official spokesperson for that period. "
                             "Replace them or end their assignment first."),
                           fields={"kind": _("one official spokesperson at a time")}, current_id=clashes[0].id)
    row = SpokespersonAssignment(department_id=department.id, user_id=user.id, kind=kind, topics=topic_list,
                                 decision_number=number or None, decision_date=ddate, decision_url=url or None,
                                 effective_from=start, effective_to=end, public_phone=phone, public_email=email,
                                 note=(note or "").strip() or None)
    db.session.add(row)
    db.session.flush()
    return row


def end_assignment(*, assignment, at=None):
    """End an assignment at ``at`` (default now); an assignment not yet started is cancelled."""
    at = _when(at, "effective_to") if at is not None else now()
    _lock_department(assignment.department_id)
    db.session.refresh(assignment)
    if assignment.effective_to is not None and as_utc(assignment.effective_to) <= at:
        raise Conflict(_("This assignment has already ended."), fields={"effective_to": _("already ended")})
    assignment.effective_to = max(at, as_utc(assignment.effective_from))
    db.session.flush()
    return assignment


def get_assignment(assignment_id):
    row = db.session.get(SpokespersonAssignment, assignment_id)
    if row is None:
        raise NotFound()
    return row


def public_directory():
    """[(Department, official assignment or None)] for every active Department: what the public page shows."""
    deps = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                              .order_by(Department.sort_name)).all()
    at = now()
    officials = {r.department_id: r for r in db.session.scalars(
        select(SpokespersonAssignment).where(
            SpokespersonAssignment.kind == OFFICIAL, SpokespersonAssignment.effective_from <= at,
            or_(SpokespersonAssignment.effective_to.is_(None), SpokespersonAssignment.effective_to > at)))}
    return [(d, officials.get(d.id)) for d in deps]


# --- the alert job --------------------------------------------------------------------------------

def alert_expiring_authorisations():
    """Tell the Department (director, spokesperson, comms officers and the authorised person), in the app
    and by email, that an authorisation ends within 7 days. Idempotent (one dedupe key per recipient)."""
    at = now()
    rows = db.session.scalars(select(SpokespersonAssignment).where(
        SpokespersonAssignment.kind == AUTHORIZED, SpokespersonAssignment.effective_from <= at,
        SpokespersonAssignment.effective_to > at, SpokespersonAssignment.effective_to <= at + ALERT_BEFORE)).all()
    queued, roles = 0, permissions.holders("spokesperson.expiry.notice")
    for a in rows:
        recipients = {u.id: u for u in department_users(a.department_id, roles=roles)}
        if a.user and a.user.active:
            recipients.setdefault(a.user.id, a.user)
        subject = (f"Ủy quyền phát ngôn của {a.user.name} hết hạn lúc {format_datetime(a.effective_to)} "
                   f"/ Spokesperson authorisation ends")
        body = (f"Ủy quyền phát ngôn cho {a.user.name} ({a.user.title or ''}) về: {', '.join(a.topics)}\n"
                f"Quyết định số {a.decision_number or '—'} ngày "
                f"{a.decision_date.strftime('%d/%m/%Y') if a.decision_date else '—'}\n"
                f"Hết hiệu lực: {format_datetime(a.effective_to)} (giờ Hà Nội).\n"
                f"Nếu cần tiếp tục, Giám đốc Sở ban hành quyết định ủy quyền mới.\n\n"
                f"The authorisation of {a.user.name} to speak on {', '.join(a.topics)} ends on "
                f"{format_datetime(a.effective_to)} (Hà Nội time).")
        for user in recipients.values():
            for channel in (IN_APP, EMAIL):
                row = enqueue(kind="spokesperson_authorisation_expiring", channel=channel, subject=subject,
                              body_text=body, recipient=user, department_id=a.department_id,
                              payload={"assignment_id": a.id, "url": "/spokespersons/department"},
                              source=("SpokespersonAssignment", a.id),
                              dedupe_key=f"spokesperson-expiring:{a.id}:{as_utc(a.effective_to).isoformat()}:"
                                         f"{user.id}:{channel}")
                queued += 1 if row is not None else 0
    return queued


# --- the merger plug-in ---------------------------------------------------------------------------

def end_on_merge(old, new, at):
    """A merged Department's current and planned assignments end at the merger: the survivor keeps its own
    official spokesperson and never ends up with two."""
    rows = db.session.scalars(select(SpokespersonAssignment).where(
        SpokespersonAssignment.department_id == old.id,
        or_(SpokespersonAssignment.effective_to.is_(None), SpokespersonAssignment.effective_to > at))).all()
    for r in rows:
        r.effective_to = max(at, as_utc(r.effective_from))
    db.session.flush()


__all__ = ["current_assignments", "official_spokesperson", "assign", "end_assignment", "history",
           "public_directory", "alert_expiring_authorisations", "OFFICIAL", "AUTHORIZED"]
