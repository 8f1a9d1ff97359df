"""The school year's plan: one briefing slot per quarter, on a weekday away from exam days, confirmed as
planned briefings."""
import re
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import from_local, now, to_local
from ..errors import ValidationError
from ..extensions import db
from .exams import exam_periods_on
from .models import PLANNED, Briefing, ExamPeriod
from .quarters import parse_quarter, quarter_bounds, quarter_dates, quarter_key, shift_quarter
from .service import COUNTING, create_briefing

SLOT_HOUR = 9


def parse_school_year(text):
    match = re.match(r"^(\d{4})-(\d{4})$", (text or "").strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1 or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(_("A school year looks like 2026-2027."), fields={"school_year": _("expected YYYY-YYYY")})
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
            errors[f"date_{key}"] = _("expected a date and a time")
            continue
        if not sy_first <= day <= sy_last or quarter_key(day) != key:
            errors[f"date_{key}"] = _("must fall in this quarter of the school year")
            continue
        parsed.append((key, day, at, (slot.get("title") or "").strip()))
    if not parsed and not errors:
        errors["slots"] = _("choose at least one quarter")
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
