"""Exam periods: the days a briefing should avoid (a warning, never a refusal), and their reference data."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from .models import ExamPeriod


def exam_periods_on(day):
    return db.session.scalars(select(ExamPeriod).where(ExamPeriod.start_date <= day, ExamPeriod.end_date >= day)
                              .order_by(ExamPeriod.start_date)).all()


def save_exam_period(*, period=None, name, start_date, end_date):
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("required")
    if start_date is None:
        errors["start_date"] = _("required")
    if end_date is None:
        errors["end_date"] = _("required")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("must not be before the start")
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
