"""Time: one injectable clock for the whole app, and local-time helpers.

Everything stored is naive UTC; everything shown is Asia/Ho_Chi_Minh (config TIMEZONE).
Tests swap the clock with ``app.extensions['clock'] = FrozenClock(...)`` instead of sleeping.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


class SystemClock:
    def now(self):
        return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, at):
        self.at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)

    def now(self):
        return self.at

    def advance(self, **kwargs):
        self.at += timedelta(**kwargs)
        return self.at

    def set(self, at):
        self.at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)


_system = SystemClock()


def now():
    """Current time, aware UTC."""
    if has_app_context():
        return current_app.extensions.get("clock", _system).now()
    return _system.now()


def local_tz():
    name = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Ho_Chi_Minh"
    return ZoneInfo(name)


def as_utc(dt):
    """Aware UTC from an aware datetime, or from a naive one read as UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def iso_utc(dt):
    """A datetime as the API writes it, ISO 8601 in UTC ("…+00:00"); None stays None."""
    return as_utc(dt).isoformat() if dt else None


def to_local(dt):
    return None if dt is None else as_utc(dt).astimezone(local_tz())


def from_local(dt):
    """A naive local wall-clock time (form input) to aware UTC."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=local_tz())
    return dt.astimezone(timezone.utc)


def parse_datetime(value):
    """ISO 8601 text to aware UTC; a value without offset is local time. Raises ValueError."""
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    if not 1900 <= parsed.year <= 2200:
        # year 1 would overflow on the way to UTC; nothing this product records is that far off
        raise ValueError("year out of range")
    return from_local(parsed) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def local_today():
    return to_local(now()).date()


def format_date(dt):
    if dt is None:
        return ""
    if isinstance(dt, datetime):
        dt = to_local(dt)
    return dt.strftime("%d/%m/%Y")


def format_datetime(dt):
    return "" if dt is None else to_local(dt).strftime("%d/%m/%Y %H:%M")


def format_duration(seconds):
    """A duration as people say it: "5 giờ 59 phút", "2 ngày 3 giờ", "12 phút" (never "5:59:12")."""
    from flask_babel import gettext as _

    minutes = max(0, int(abs(seconds)) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return _("%(h)s h %(m)s min", h=hours, m=mins) if mins else _("%(h)s h", h=hours)
    return _("%(m)s min", m=mins)


def time_left(deadline, at=None):
    """"còn 5 giờ 59 phút" before the deadline, "quá hạn 20 phút" after it."""
    from flask_babel import gettext as _

    seconds = (as_utc(deadline) - (at or now())).total_seconds()
    if seconds >= 0:
        return _("%(duration)s left", duration=format_duration(seconds))
    return _("%(duration)s overdue", duration=format_duration(seconds))


def time_ago(moment, at=None):
    """"12 phút trước": how long ago something was logged."""
    from flask_babel import gettext as _

    seconds = ((at or now()) - as_utc(moment)).total_seconds()
    if seconds < 60:
        return _("just now")
    return _("%(duration)s ago", duration=format_duration(seconds))
