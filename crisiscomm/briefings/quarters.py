"""Quarters in local time: '2026Q1' keys, their dates and UTC bounds. Briefings are counted per quarter."""
import re
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from ..clock import from_local, now, to_local
from ..errors import ValidationError

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_key(dt):
    """'2026Q1' for an aware datetime (read in local time) or a local date."""
    if isinstance(dt, datetime):
        dt = to_local(dt)
    return f"{dt.year}Q{(dt.month - 1) // 3 + 1}"


def parse_quarter(text, field="quarter"):
    """'2026Q4' -> (2026, 4); anything else is a ValidationError naming ``field``."""
    match = QUARTER_RE.match((text or "").strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(_("A quarter looks like 2026Q4."), fields={field: _("expected YYYYQn, e.g. 2026Q4")})
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
