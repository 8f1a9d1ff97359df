"""School years and quarters, as the appraisal counts them.

A school year "2025-2026" is evidenced from 1 July 2025 to 30 June 2026 (local time): exactly four calendar
quarters (Q3 2025, Q4 2025, Q1 2026, Q2 2026), taking in the opening of the school year in September and the
graduation exam in June.
"""
import re
from datetime import date, datetime

from flask import abort
from flask_babel import gettext as _

from ..clock import from_local, local_today
from ..errors import ValidationError

_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def _is_school_year(text):
    match = _YEAR.match(text)
    return bool(match and int(match.group(2)) == int(match.group(1)) + 1 and 2000 <= int(match.group(1)) <= 2100)


def parse_school_year(value, field="year"):
    """'2025-2026' (validated) or ValidationError naming ``field``."""
    text = (value or "").strip()
    if not _is_school_year(text):
        raise ValidationError(_("A school year looks like 2025-2026."), fields={field: _("expected YYYY-YYYY, e.g. 2025-2026")})
    return text


def school_year_or_404(value):
    """A school year in a page's address: '2025-2026', or the 404 page for anything else."""
    text = (value or "").strip()
    if not _is_school_year(text):
        abort(404)
    return text


def school_year_of(day):
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{start + 1}"


def current_school_year():
    return school_year_of(local_today())


def first_year(school_year):
    return int(school_year[:4])


def bounds(school_year):
    """(start, end) aware UTC: [1 July, next 1 July) local time."""
    y = first_year(school_year)
    return from_local(datetime(y, 7, 1)), from_local(datetime(y + 1, 7, 1))


def quarters(school_year):
    """[(label, start, end)] of the four calendar quarters of the school year, aware UTC, half-open."""
    y = first_year(school_year)
    out = []
    for year, q in ((y, 3), (y, 4), (y + 1, 1), (y + 1, 2)):
        start = datetime(year, 3 * q - 2, 1)
        end = datetime(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        out.append((f"Q{q}/{year}", from_local(start), from_local(end)))
    return out


def current_quarter():
    """(label, start, end) of the calendar quarter that contains today, aware UTC."""
    today = local_today()
    q = (today.month - 1) // 3 + 1
    start = datetime(today.year, 3 * q - 2, 1)
    end = datetime(today.year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return f"Q{q}/{today.year}", from_local(start), from_local(end)


def recent_years(count=4):
    y = first_year(current_school_year())
    return [f"{s}-{s + 1}" for s in range(y + 1, y - count, -1)]


def parse_day(value, field):
    """dd/mm/yyyy or yyyy-mm-dd to a date, else ValidationError on ``field``."""
    text = (value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Not a date."), fields={field: _("expected dd/mm/yyyy")})


__all__ = ["parse_school_year", "school_year_or_404", "school_year_of", "current_school_year", "bounds", "quarters",
           "current_quarter", "recent_years", "parse_day", "date"]
