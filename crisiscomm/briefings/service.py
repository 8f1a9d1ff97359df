"""Briefings: quarters in local time, validation, warnings, planning, invitations with .ics,
calendar feeds, reminders and compliance across Departments. Services only flush."""
import base64
import re
import secrets
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import and_, or_, select

from .. import inputs
from ..clock import from_local, local_tz, now, parse_datetime, to_local
from ..contacts.models import CENTRAL_RESIDENT, PROVINCIAL, Contact
from ..departments.models import ACTIVE, Department
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..notifications import service as outbox
from ..notifications.models import (EMAIL, FAILED_PERMANENT, FAILED_TEMPORARY, PENDING,
                                    Notification)
from ..users.models import COMMS_OFFICER, DIRECTOR, MINISTRY_COMMS, User
from .models import (CANCELLED, HELD, NEEDS_REASON, PLANNED, POSTPONED, STATUSES, Briefing, BriefingInvitation,
                     CalendarFeed, ExamPeriod)

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
DEFAULT_REMINDER_DAYS = 3
DEFAULT_DURATION = timedelta(hours=2)
SLOT_HOUR = 9
COUNTING = (PLANNED, HELD)  # statuses that count for a quarter's compliance


# --- quarters (local time) ---------------------------------------------------------------------

def quarter_key(dt):
    """'2026Q1' for an aware datetime (read in local time) or a local date."""
    if isinstance(dt, datetime):
        dt = to_local(dt)
    return f"{dt.year}Q{(dt.month - 1) // 3 + 1}"


def parse_quarter(text, field="quarter"):
    """'2026Q4' -> (2026, 4); anything else is a ValidationError naming ``field``."""
    match = QUARTER_RE.match((text or "").strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(_("A quarter looks like 2026Q4."), fields={field: "expected YYYYQn, e.g. 2026Q4"})
    return int(match.group(1)), int(match.group(2))


def quarter_dates(key):
    """First and last local date of a quarter."""
    year, q = parse_quarter(key)
    first = date(year, 3 * q - 2, 1)
    last = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return first, last


def quarter_bounds(key):
    """[start, end) of a quarter as aware UTC, the quarter being counted in local time."""
    first, last = quarter_dates(key)
    return (from_local(datetime.combine(first, time())),
            from_local(datetime.combine(last + timedelta(days=1), time())))


def current_quarter():
    return quarter_key(now())


def shift_quarter(key, n):
    year, q = parse_quarter(key)
    idx = year * 4 + (q - 1) + n
    return f"{idx // 4}Q{idx % 4 + 1}"


# --- validation --------------------------------------------------------------------------------

def _is_http_url(value):
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _parse_dt(value, field, errors):
    if value in (None, ""):
        errors[field] = "required"
        return None
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        errors[field] = "expected a date and time, e.g. 2026-10-15T09:00"
        return None


def _parse_attachments(value, errors):
    """A list of {"title", "url"} or of URLs, or text with one 'title | url' or URL per line."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items = [line.strip() for line in value.splitlines() if line.strip()]
    elif isinstance(value, list):
        items = value
    else:
        errors["attachments"] = "expected a list of links"
        return []
    out = []
    for item in items:
        if isinstance(item, dict):
            title, url = str(item.get("title") or "").strip(), str(item.get("url") or "").strip()
        elif isinstance(item, str):
            title, _sep, url = item.rpartition("|") if "|" in item else ("", "", item)
            title, url = title.strip(), url.strip()
        else:
            errors["attachments"] = "expected a list of links"
            return []
        if not _is_http_url(url):
            errors["attachments"] = f"not an http(s) link: {url[:100]}"
            return []
        out.append({"title": title[:200] or url, "url": url[:500]})
    return out


def _parse_lines(value, field, errors):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip()[:200] for v in value.splitlines() if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip()[:200] for v in value if v.strip()]
    errors[field] = "expected a list of names"
    return []


def _parse_ids(value, field, errors):
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        errors[field] = "expected a list of ids"
        return []
    try:
        return sorted({inputs.parse_id(v, field, required=True) for v in value})
    except ValidationError as exc:
        errors.update(exc.fields)
        return []


# What an invitation (its email and its calendar event) shows.
INVITATION_FIELDS = ("title", "starts_at", "ends_at", "place", "online_link", "topics", "status")
FIELDS = ("title", "starts_at", "ends_at", "place", "online_link", "topics", "status", "status_reason", "minutes",
          "attachments", "internal_units", "contact_ids", "speaker_ids")


def _apply(briefing, data, department, creating):
    errors = {}
    values = {}

    def given(name):
        return creating or name in data

    fields = inputs.Fields(data, errors)
    if given("title"):
        values["title"] = fields.text("title", column=Briefing.title, required=True, single_line=True)
    if given("starts_at"):
        values["starts_at"] = _parse_dt(data.get("starts_at"), "starts_at", errors)
    if "ends_at" in data and data.get("ends_at") not in (None, ""):
        values["ends_at"] = _parse_dt(data.get("ends_at"), "ends_at", errors)
    elif creating and values.get("starts_at"):
        values["ends_at"] = values["starts_at"] + DEFAULT_DURATION
    for name, limit in (("place", 300), ("topics", 5000), ("minutes", 100000), ("status_reason", 2000)):
        if given(name):
            values[name] = fields.text(name, max_length=limit, single_line=name == "place")
    if given("online_link"):
        link = str(data.get("online_link") or "").strip()
        if link and not _is_http_url(link):
            errors["online_link"] = "expected an http(s) link"
        values["online_link"] = link or None
    if given("status"):
        status = data.get("status") or PLANNED
        if status not in STATUSES:
            errors["status"] = "one of " + ", ".join(STATUSES)
        values["status"] = status
    if given("attachments"):
        values["attachments"] = _parse_attachments(data.get("attachments"), errors)
    if given("internal_units"):
        values["internal_units"] = _parse_lines(data.get("internal_units"), "internal_units", errors)

    contacts = None
    if given("contact_ids"):
        ids = _parse_ids(data.get("contact_ids"), "contact_ids", errors)
        contacts = db.session.scalars(select(Contact).where(Contact.id.in_(ids),
                                                            Contact.department_id == department.id)).all() if ids else []
        if len(contacts) != len(ids):
            errors["contact_ids"] = "unknown contact for this department"
    speakers = None
    if "speaker_ids" in data and data.get("speaker_ids") is not None:
        ids = _parse_ids(data.get("speaker_ids"), "speaker_ids", errors)
        speakers = db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))).all() if ids else []
        if len(speakers) != len(ids) or any(u.department_id not in (None, department.id) for u in speakers):
            errors["speaker_ids"] = "unknown user for this department"

    starts = values.get("starts_at", briefing.starts_at if not creating else None)
    ends = values.get("ends_at", briefing.ends_at if not creating else None)
    if starts and ends and ends <= starts and "starts_at" not in errors and "ends_at" not in errors:
        errors["ends_at"] = "must be after the start"
    status = values.get("status", briefing.status if not creating else PLANNED)
    reason = values.get("status_reason", briefing.status_reason if not creating else None)
    if status in NEEDS_REASON and not reason:
        errors["status_reason"] = "required when postponed or cancelled"
    if errors:
        raise ValidationError(_("Please correct the marked fields."), fields=errors)

    # Any change of what the invitation shows is a new version (SEQUENCE) that is sent again.
    changed_shown = any(k in values and getattr(briefing, k) != values[k] for k in INVITATION_FIELDS)
    if speakers is not None and not creating and {u.id for u in speakers} != {u.id for u in briefing.speakers}:
        changed_shown = True
    for k, v in values.items():
        setattr(briefing, k, v)
    if not creating and changed_shown:
        briefing.sequence = (briefing.sequence or 0) + 1
    if contacts is not None:
        keep = {c.id for c in contacts}
        for inv in list(briefing.invitations):
            if inv.contact_id not in keep:
                briefing.invitations.remove(inv)
        have = {inv.contact_id for inv in briefing.invitations}
        for c in contacts:
            if c.id not in have:
                briefing.invitations.append(BriefingInvitation(contact=c, attended=False))
    if speakers is not None:
        briefing.speakers = list(speakers)
    elif creating:
        briefing.speakers = default_speakers(department)


def default_speakers(department):
    from ..spokespersons.service import official_spokesperson

    assignment = official_spokesperson(department.id)
    return [assignment.user] if assignment is not None and assignment.user.active else []


def create_briefing(*, department, user, data):
    unknown = sorted(set(data) - set(FIELDS) - {"department"})
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: "unknown field" for k in unknown})
    briefing = Briefing(department_id=department.id, created_by_id=getattr(user, "id", None), status=PLANNED,
                        attachments=[], internal_units=[], sequence=0)
    briefing.department = department
    _apply(briefing, data, department, creating=True)
    db.session.add(briefing)
    db.session.flush()
    return briefing


def update_briefing(*, briefing, data):
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: "unknown field" for k in unknown})
    _apply(briefing, data, briefing.department, creating=False)
    db.session.flush()
    return briefing


def record_attendance(*, briefing, attended_ids, mark_held=False):
    attended = {inputs.id_or_none(i) for i in attended_ids} - {None}
    for inv in briefing.invitations:
        inv.attended = inv.id in attended
    if mark_held and briefing.status == PLANNED:
        briefing.status = HELD
    db.session.flush()
    return briefing


# --- warnings ----------------------------------------------------------------------------------

def exam_periods_on(day):
    return db.session.scalars(select(ExamPeriod).where(ExamPeriod.start_date <= day, ExamPeriod.end_date >= day)
                              .order_by(ExamPeriod.start_date)).all()


def warnings(briefing):
    """What a Department should know before confirming: never a hard failure."""
    out = []
    if briefing.starts_at is not None and briefing.status == PLANNED:
        for exam in exam_periods_on(to_local(briefing.starts_at).date()):
            out.append(_("Planned on a day of %(exam)s (%(start)s–%(end)s).", exam=exam.name,
                         start=exam.start_date.strftime("%d/%m/%Y"), end=exam.end_date.strftime("%d/%m/%Y")))
    if briefing.status in (PLANNED, HELD):
        types = {inv.contact.outlet_type for inv in briefing.invitations}
        if PROVINCIAL not in types:
            out.append(_("No provincial press outlet is invited."))
        if CENTRAL_RESIDENT not in types:
            out.append(_("No central press agency resident in the province is invited."))
    return out


# --- listing and compliance ----------------------------------------------------------------------

def briefings_in(stmt, *, quarter=None, status=None, department=None):
    if quarter:
        start, end = quarter_bounds(quarter)
        stmt = stmt.where(Briefing.starts_at >= start, Briefing.starts_at < end)
    if status:
        stmt = stmt.where(Briefing.status == status)
    if department is not None:
        stmt = stmt.where(Briefing.department_id == department.id)
    return stmt.order_by(Briefing.starts_at, Briefing.id)


def compliance(*, quarter, status=None):
    """Every active Department's standing for a quarter: held (a held briefing), planned (a planned one,
    none held yet) or missing; with its briefings and outlet counts."""
    parse_quarter(quarter)
    start, end = quarter_bounds(quarter)
    departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                     .order_by(Department.sort_name)).all()
    rows = db.session.scalars(select(Briefing).where(Briefing.starts_at >= start, Briefing.starts_at < end)
                              .order_by(Briefing.starts_at)).all()
    by_dep = {}
    for b in rows:
        by_dep.setdefault(b.department_id, []).append(b)
    items = []
    for dep in departments:
        briefings = by_dep.get(dep.id, [])
        statuses = {b.status for b in briefings}
        standing = HELD if HELD in statuses else PLANNED if PLANNED in statuses else "missing"
        counted = [b for b in briefings if b.status in COUNTING]
        main = next((b for b in counted if b.status == standing), None)
        items.append({"department": dep, "status": standing, "briefings": briefings, "main": main,
                      "outlets_invited": main.outlets_invited if main else 0,
                      "outlets_present": main.outlets_present if main and main.status == HELD else 0})
    if status:
        items = [i for i in items if i["status"] == status]
    return items


def compliance_xlsx(*, quarter, items):
    from .. import spreadsheets

    wb = spreadsheets.workbook(quarter)
    ws = wb.active
    spreadsheets.append(ws, [_("Department"), _("Code"), _("Status"), _("Date"), _("Title"), _("Outlets invited"),
                             _("Outlets present")], bold=True)
    labels = status_labels()
    for item in items:
        main = item["main"]
        spreadsheets.append(ws, [item["department"].name, item["department"].code, labels[item["status"]],
                                 to_local(main.starts_at).strftime("%d/%m/%Y %H:%M") if main else "",
                                 main.title if main else "", item["outlets_invited"], item["outlets_present"]])
    for col, width in zip("ABCDEFG", (34, 16, 14, 18, 50, 16, 16)):
        ws.column_dimensions[col].width = width
    return spreadsheets.xlsx_bytes(wb)


def status_labels():
    return {PLANNED: _("planned"), HELD: _("held"), POSTPONED: _("postponed"), CANCELLED: _("cancelled"),
            "missing": _("missing")}


# --- planning ----------------------------------------------------------------------------------

def parse_school_year(text):
    match = re.match(r"^(\d{4})-(\d{4})$", (text or "").strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1 or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(_("A school year looks like 2026-2027."), fields={"school_year": "expected YYYY-YYYY"})
    return int(match.group(1))


def current_school_year():
    today = to_local(now()).date()
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{start + 1}"


def _exam_days(first, last):
    days = set()
    for exam in db.session.scalars(select(ExamPeriod).where(ExamPeriod.start_date <= last,
                                                            ExamPeriod.end_date >= first)):
        d = exam.start_date
        while d <= exam.end_date:
            days.add(d)
            d += timedelta(days=1)
    return days


def default_slot(first, last, exam_days=()):
    """A weekday (Tuesday–Thursday first) nearest the middle of [first, last], not an exam day."""
    middle = first + (last - first) // 2
    candidates = []
    for offset in range(0, (last - first).days + 1):
        for d in (middle - timedelta(days=offset), middle + timedelta(days=offset)):
            if first <= d <= last and d not in exam_days:
                candidates.append(d)
    for wanted in ((1, 2, 3), (0, 4)):
        for d in candidates:
            if d.weekday() in wanted:
                return d
    return middle


def propose_plan(*, department, school_year):
    """One slot per calendar quarter that overlaps the school year (1 Sept – 31 Aug)."""
    start_year = parse_school_year(school_year)
    sy_first, sy_last = date(start_year, 9, 1), date(start_year + 1, 8, 31)
    exam_days = _exam_days(sy_first, sy_last)
    slots = []
    key = quarter_key(sy_first)
    while True:
        q_first, q_last = quarter_dates(key)
        if q_first > sy_last:
            break
        first, last = max(q_first, sy_first), min(q_last, sy_last)
        start, end = quarter_bounds(key)
        existing = db.session.scalars(select(Briefing).where(
            Briefing.department_id == department.id, Briefing.starts_at >= start, Briefing.starts_at < end,
            Briefing.status.in_(COUNTING)).order_by(Briefing.starts_at)).all()
        slot = default_slot(first, last, exam_days)
        slots.append({"quarter": key, "first": first, "last": last, "date": slot, "time": f"{SLOT_HOUR:02d}:00",
                      "existing": existing, "exam": exam_periods_on(slot)})
        key = shift_quarter(key, 1)
    return slots


def confirm_plan(*, department, user, school_year, slots):
    """Create planned briefings for the chosen slots: [{"quarter", "date" (YYYY-MM-DD), "time", "title"}]."""
    start_year = parse_school_year(school_year)
    sy_first, sy_last = date(start_year, 9, 1), date(start_year + 1, 8, 31)
    errors, parsed = {}, []
    for slot in slots:
        key = slot["quarter"]
        try:
            day = date.fromisoformat(str(slot.get("date") or ""))
            at = datetime.strptime(str(slot.get("time") or f"{SLOT_HOUR:02d}:00"), "%H:%M").time()
        except ValueError:
            errors[f"date_{key}"] = "expected a date and a time"
            continue
        if not sy_first <= day <= sy_last or quarter_key(day) != key:
            errors[f"date_{key}"] = "must fall in this quarter of the school year"
            continue
        parsed.append((key, day, at, (slot.get("title") or "").strip()))
    if not parsed and not errors:
        errors["slots"] = "choose at least one quarter"
    if errors:
        raise ValidationError(_("Please correct the marked fields."), fields=errors)
    created = []
    for key, day, at, title in parsed:
        starts = from_local(datetime.combine(day, at))
        year, q = parse_quarter(key)
        created.append(create_briefing(department=department, user=user, data={
            "title": title or _("Quarterly press briefing, quarter %(q)s/%(y)s", q=q, y=year),
            "starts_at": starts.isoformat(), "place": department.address or None, "status": PLANNED}))
    return created


# --- iCalendar ---------------------------------------------------------------------------------

def _event(briefing, organizer_email):
    ev = Event()
    ev.add("uid", briefing.uid)
    ev.add("dtstamp", now())
    ev.add("sequence", briefing.sequence or 0)
    ev.add("summary", f"{briefing.title} – {briefing.department.name}")
    tz = local_tz()
    ev.add("dtstart", to_local(briefing.starts_at).replace(tzinfo=tz))
    ev.add("dtend", to_local(briefing.ends_at).replace(tzinfo=tz))
    location = ", ".join(filter(None, [briefing.place, briefing.online_link]))
    if location:
        ev.add("location", location)
    description = "\n\n".join(filter(None, [briefing.topics, briefing.online_link and f"Link: {briefing.online_link}"]))
    if description:
        ev.add("description", description)
    if briefing.online_link:
        ev.add("url", briefing.online_link)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(briefing.department.name)
    ev["organizer"] = organizer
    ev.add("status", {PLANNED: "CONFIRMED", HELD: "CONFIRMED", POSTPONED: "TENTATIVE",
                      CANCELLED: "CANCELLED"}[briefing.status])
    return ev


def _organizer_email(department=None):
    """The Department's real address (its own, else its press mailbox's), else the system sender."""
    sender = current_app.config["MAIL_SENDER"]
    match = re.search(r"<([^>]+)>", sender)
    own = None
    if department is not None:
        own = department.email
        if not own:
            from ..inquiries.mailbox import mailbox_of

            mailbox = mailbox_of(department)
            own = mailbox.address if mailbox is not None else None
    return own or (match.group(1) if match else sender)


def build_ics(briefings, *, method=None, name=None, attendee=None):
    cal = Calendar()
    cal.add("prodid", "-//crisiscomm//briefings//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(local_tz()))
    for b in briefings:
        ev = _event(b, _organizer_email(b.department))
        if attendee is not None:
            att = vCalAddress(f"mailto:{attendee.email}")
            att.params["cn"] = vText(attendee.full_name)
            att.params["role"] = vText("REQ-PARTICIPANT")
            att.params["rsvp"] = vText("FALSE")
            ev.add("attendee", att, encode=0)
        cal.add_component(ev)
    # The VTIMEZONE its TZID refers to (RFC 5545 3.2.19): Outlook desktop needs it to place the event.
    cal.add_missing_timezones()
    return cal.to_ical()


# --- invitations -------------------------------------------------------------------------------

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
    try:
        from ..stories.service import briefing_stories
    except ImportError:  # an installation without the stories domain
        return []
    stories = briefing_stories(briefing.id)
    if not stories:
        return []
    return ["", _("Good stories we will present:")] + [f"- {s.title}: {s.summary}" for s in stories]


def send_invitations(*, briefing, resend_all=False):
    """Queue one email with an .ics per invited contact not yet told of the current version.
    A contact without an email is recorded as not notified. Returns the queued rows."""
    if briefing.status in (HELD,):
        raise ValidationError(_("This briefing has already been held."), fields={"status": "already held"})
    if not briefing.invitations:
        raise ValidationError(_("Invite at least one press contact first."), fields={"contact_ids": "required"})
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


# --- calendar feeds ----------------------------------------------------------------------------

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


# --- exam periods ------------------------------------------------------------------------------

def save_exam_period(*, period=None, name, start_date, end_date):
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "required"
    if start_date is None:
        errors["start_date"] = "required"
    if end_date is None:
        errors["end_date"] = "required"
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "must not be before the start"
    if errors:
        raise ValidationError(_("Please correct the marked fields."), fields=errors)
    period = period or ExamPeriod()
    period.name, period.start_date, period.end_date = name[:200], start_date, end_date
    db.session.add(period)
    db.session.flush()
    return period


def delete_exam_period(*, period):
    db.session.delete(period)
    db.session.flush()


SEED_EXAMS = [
    ("Kỳ thi tuyển sinh lớp 10 THPT năm học 2025-2026 (Hà Nội)", date(2025, 6, 7), date(2025, 6, 8)),
    ("Kỳ thi tốt nghiệp THPT 2025", date(2025, 6, 26), date(2025, 6, 27)),
    ("Kỳ thi chọn học sinh giỏi quốc gia THPT năm 2026", date(2026, 1, 6), date(2026, 1, 7)),
    ("Kỳ thi tốt nghiệp THPT 2026", date(2026, 6, 25), date(2026, 6, 27)),
    ("Kỳ thi tốt nghiệp THPT 2027", date(2027, 6, 24), date(2027, 6, 26)),
]


def seed_exam_periods():
    """Reference exam periods (idempotent: by name)."""
    have = set(db.session.scalars(select(ExamPeriod.name)))
    for name, start, end in SEED_EXAMS:
        if name not in have:
            db.session.add(ExamPeriod(name=name, start_date=start, end_date=end))
    db.session.flush()


# --- reminders (jobs) --------------------------------------------------------------------------

def _department_users(department_id, roles):
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
        people = {u.id: u for u in list(b.speakers) + _department_users(b.department_id, (COMMS_OFFICER,))}
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
        for user in _department_users(dep.id, (DIRECTOR, COMMS_OFFICER)):
            _notify_user(user, kind="briefing_quarter_gap", subject=subject, body=body, department_id=dep.id,
                         source=None, key=f"briefing-gap:{key}:{dep.id}")
    if missing:
        subject = _("Quarter %(q)s/%(y)s: %(n)s Departments without a press briefing", q=q, y=year, n=len(missing))
        body = "\n".join([subject, ""] + [f"- {d.name}" for d in missing])
        ministry = db.session.scalars(select(User).where(User.role == MINISTRY_COMMS, User.active.is_(True))
                                      .order_by(User.id)).all()
        for user in ministry:
            _notify_user(user, kind="briefing_quarter_summary", subject=subject, body=body, department_id=None,
                         source=None, key=f"briefing-gap-summary:{key}")
    db.session.flush()
    return missing


def briefing_json(b, with_details=True):
    data = {
        "id": b.id, "department": b.department.code, "title": b.title,
        "starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat(),
        "quarter": quarter_key(b.starts_at), "status": b.status, "status_reason": b.status_reason,
        "place": b.place, "online_link": b.online_link,
        "outlets_invited": b.outlets_invited, "outlets_present": b.outlets_present,
    }
    if with_details:
        data.update({
            "topics": b.topics, "minutes": b.minutes, "attachments": b.attachments or [],
            "internal_units": b.internal_units or [],
            "speakers": [{"id": u.id, "name": u.name} for u in b.speakers],
            "invitations": [{"id": i.id, "contact_id": i.contact_id, "name": i.contact.full_name,
                             "outlet": i.contact.outlet, "outlet_type": i.contact.outlet_type,
                             "attended": i.attended} for i in b.invitations],
            "warnings": [str(w) for w in warnings(b)],
        })
    return data
