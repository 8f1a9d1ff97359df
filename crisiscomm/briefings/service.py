"""Briefings: validation, create and update, attendance, warnings, listing and compliance across Departments.

Quarters are in ``quarters``, the year's plan in ``planning``, exam periods in ``exams``, the .ics in ``ical``,
invitations in ``invitations``, calendar feeds in ``feeds`` and the reminder jobs in ``reminders``.
Services only flush.
"""
from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from .. import inputs, spreadsheets
from ..clock import parse_datetime, to_local
from ..contacts.models import CENTRAL_RESIDENT, PROVINCIAL, Contact
from ..departments.models import ACTIVE, Department
from ..errors import ValidationError
from ..extensions import db
from ..spokespersons.service import official_spokesperson
from ..users.models import User
from .exams import exam_periods_on
from .models import CANCELLED, HELD, NEEDS_REASON, PLANNED, POSTPONED, STATUSES, Briefing, BriefingInvitation
from .quarters import parse_quarter, quarter_bounds, quarter_key

DEFAULT_DURATION = timedelta(hours=2)
COUNTING = (PLANNED, HELD)  # statuses that count for a quarter's compliance


def _is_http_url(value):
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _parse_dt(value, field, errors):
    if value in (None, ""):
        errors[field] = _("required")
        return None
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        errors[field] = _("expected a date and time, e.g. 2026-10-15T09:00")
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
        errors["attachments"] = _("expected a list of links")
        return []
    out = []
    for item in items:
        if isinstance(item, dict):
            title, url = str(item.get("title") or "").strip(), str(item.get("url") or "").strip()
        elif isinstance(item, str):
            title, _sep, url = item.rpartition("|") if "|" in item else ("", "", item)
            title, url = title.strip(), url.strip()
        else:
            errors["attachments"] = _("expected a list of links")
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
    errors[field] = _("expected a list of names")
    return []


def _parse_ids(value, field, errors):
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        errors[field] = _("expected a list of ids")
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
            errors["online_link"] = _("expected an http(s) link")
        values["online_link"] = link or None
    if given("status"):
        status = data.get("status") or PLANNED
        if status not in STATUSES:
            errors["status"] = _("one of %(v)s", v=", ".join(STATUSES))
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
            errors["contact_ids"] = _("unknown contact for this department")
    speakers = None
    if "speaker_ids" in data and data.get("speaker_ids") is not None:
        ids = _parse_ids(data.get("speaker_ids"), "speaker_ids", errors)
        speakers = db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))).all() if ids else []
        if len(speakers) != len(ids) or any(u.department_id not in (None, department.id) for u in speakers):
            errors["speaker_ids"] = _("unknown user for this department")

    starts = values.get("starts_at", briefing.starts_at if not creating else None)
    ends = values.get("ends_at", briefing.ends_at if not creating else None)
    if starts and ends and ends <= starts and "starts_at" not in errors and "ends_at" not in errors:
        errors["ends_at"] = _("must be after the start")
    status = values.get("status", briefing.status if not creating else PLANNED)
    reason = values.get("status_reason", briefing.status_reason if not creating else None)
    if status in NEEDS_REASON and not reason:
        errors["status_reason"] = _("required when postponed or cancelled")
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
    assignment = official_spokesperson(department.id)
    return [assignment.user] if assignment is not None and assignment.user.active else []


def create_briefing(*, department, user, data):
    unknown = sorted(set(data) - set(FIELDS) - {"department"})
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: _("unknown field") for k in unknown})
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
        raise ValidationError(_("Unknown fields."), fields={k: _("unknown field") for k in unknown})
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
