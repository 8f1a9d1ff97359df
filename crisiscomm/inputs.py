"""Input parsing for API bodies and forms, in one place.

Services read every value a user sends through these functions, so a new field gets the same rules:

- ``text()``: a string (not a number, list or object), stripped, no control characters or lone
  surrogates, at most as long as its column (``column=Model.attr`` reads the length from the model);
  ``single_line=True`` for titles, names, subjects and places turns line breaks, tabs and the Unicode
  line/paragraph separators into one space (they would break an email header).
- ``parse_id()``: an id is a JSON integer or ASCII digits, 1 … 2³¹−1 (``'²'.isdigit()`` is true; int() refuses it).
- ``parse_datetime()`` / ``parse_date()``: ISO 8601, years 1900–2200 (year 1 overflows on the way to UTC).
- ``boolean()``, ``integer()``.
Each raises ``ValidationError`` naming the field; ``Fields`` collects the errors of a whole body.

Two nets catch what a service forgets: every JSON body is checked on parsing (depth, lone surrogates, NUL,
integers beyond 64 bits, NaN/Infinity → 422 naming the field), and every flush checks the String and Integer
columns it writes against their declared bounds (a 422 naming the attribute, never a database error).
"""
import functools
import json
import math
import re
from datetime import date, datetime

from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, String, inspect

from . import clock
from .errors import ValidationError

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL; larger numbers cannot be ids
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
MAX_JSON_DEPTH = 32  # the deepest body the API documents is 3 levels
MIN_YEAR, MAX_YEAR = 1900, 2200

# Line breaks and separators: a newline in a multi-line text, one space in a single-line one.
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_SINGLE_LINE_SPACE = re.compile(r" *[\t\r\n\x0b\x0c\x85\u2028\u2029]+ *")
# What no text field may hold: other C0/C1 controls, DEL, lone UTF-16 surrogates (unencodable as UTF-8).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff]")
_UNENCODABLE = re.compile(r"[\x00\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,10}", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]{1,19}", re.ASCII)
# Only ASCII blanks around a number: str.strip() also drops \x1c-\x1f, which int() refuses.
_ASCII_BLANKS = " \t\r\n"


def _fail(field, problem, message=None):
    raise ValidationError(message or _("Please correct the highlighted fields."), fields={field: problem})


def column_length(column):
    """The declared length of a String column given as ``Model.attr`` (None for Text)."""
    return getattr(column.property.columns[0].type, "length", None)


def single_line(value):
    """``value`` with every line break, tab and line/paragraph separator as one space (for stored data too)."""
    if value is None:
        return None
    return _SINGLE_LINE_SPACE.sub(" ", str(value)).strip()


def text(value, field, *, column=None, max_length=None, required=False, single_line=False, strip=True):
    """A text field: None (or "") when absent unless ``required``; else the cleaned string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(field, _("required"))
        return None
    if not isinstance(value, str):
        _fail(field, _("text expected"))
    if single_line:
        value = _SINGLE_LINE_SPACE.sub(" ", value)
    else:
        value = _BREAKS.sub("\n", value)
    if _FORBIDDEN.search(value):
        _fail(field, _("contains a control character or an invalid character"))
    if strip:
        value = value.strip()
    limit = max_length or (column_length(column) if column is not None else None)
    if limit and len(value) > limit:
        _fail(field, _("at most %(n)s characters", n=limit))
    return value


def _absent(value, field, required):
    """Whether ``value`` was left out (None or ""); refused with "required" when it must be given."""
    if value is None or value == "":
        if required:
            _fail(field, _("required"))
        return True
    return False


def is_id_text(value):
    """Whether a string is an id written in ASCII digits (not '²', not '١٢')."""
    return isinstance(value, str) and bool(_DIGITS.fullmatch(value.strip(_ASCII_BLANKS)))


def parse_id(value, field, *, required=False):
    """An id: a JSON integer or ASCII digits from 1 to 2³¹−1; None when absent unless ``required``."""
    if _absent(value, field, required):
        return None
    if isinstance(value, str) and is_id_text(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        _fail(field, _("an id (a whole number from 1 to %(max)s)", max=MAX_ID))
    return value


def id_or_none(value):
    """An id from a URL or a filter, or None for anything that cannot be one (a lookup then finds nothing)."""
    try:
        return parse_id(value, "id")
    except ValidationError:
        return None


def integer(value, field, *, minimum=None, maximum=MAX_INT32, required=False):
    if _absent(value, field, required):
        return None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip(_ASCII_BLANKS)):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or \
            (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        _fail(field, _("a whole number from %(min)s to %(max)s",
                       min=minimum if minimum is not None else -MAX_INT32 - 1, max=maximum))
    return value


def boolean(value, field, *, default=None):
    """True/false from JSON (a boolean) or a form or query string (true/false, 1/0, yes/no, on/off)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    _fail(field, _("true or false"))


def _year_ok(value):
    return MIN_YEAR <= value.year <= MAX_YEAR


def parse_datetime(value, field, *, required=False):
    """ISO 8601 date and time (no offset: local time) to aware UTC; None when absent unless ``required``."""
    if _absent(value, field, required):
        return None
    if not isinstance(value, (str, datetime)) or (isinstance(value, str) and len(value) > 64):
        _fail(field, _("a date and time, e.g. 2026-06-26T08:30"))
    try:
        return clock.parse_datetime(value)
    except (ValueError, TypeError, OverflowError):
        _fail(field, _("a date and time from %(min)s to %(max)s, e.g. 2026-06-26T08:30", min=MIN_YEAR, max=MAX_YEAR))


def parse_date(value, field, *, required=False):
    """An ISO date (YYYY-MM-DD), years 1900–2200; None when absent unless ``required``."""
    if _absent(value, field, required):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(value.strip()[:10]) if isinstance(value, str) and len(value) <= 32 else None
        except ValueError:
            parsed = None
    if parsed is None or not _year_ok(parsed):
        _fail(field, _("a date from %(min)s to %(max)s, e.g. 2026-06-26", min=MIN_YEAR, max=MAX_YEAR))
    return parsed


class Fields:
    """Parse many fields of one body or form and report every bad one at once.

    ``f = Fields(data); title = f.text("title", column=Incident.title, required=True); …; f.check(message)``
    Each method returns the parsed value, or None after noting the field's error.
    """

    def __init__(self, data, errors=None):
        self.data = data
        self.errors = {} if errors is None else errors

    def __contains__(self, name):
        return name in self.data

    def _run(self, parser, name, *args, **kw):
        try:
            return parser(self.data.get(name), name, *args, **kw)
        except ValidationError as exc:
            self.errors.update(exc.fields)
            return None

    # f.text(name, **kw) is text(data[name], name, **kw), and so on for each parser
    text = functools.partialmethod(_run, text)
    id = functools.partialmethod(_run, parse_id)
    integer = functools.partialmethod(_run, integer)
    boolean = functools.partialmethod(_run, boolean)
    datetime = functools.partialmethod(_run, parse_datetime)
    date = functools.partialmethod(_run, parse_date)

    def check(self, message=None):
        if self.errors:
            raise ValidationError(message or _("Please correct the highlighted fields."), fields=self.errors)


# --- JSON bodies ---------------------------------------------------------------------------------------------

def _reject_constant(name):
    raise ValueError(f"{name} is not a number")


def check_json(data):
    """Walk a parsed JSON value without recursion; raise ValidationError naming the first bad field."""
    stack = [(data, "body", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            _fail(path, _("nested too deeply (at most %(n)s levels)", n=MAX_JSON_DEPTH),
                  _("The request body is nested too deeply."))
        if isinstance(value, str):
            if _UNENCODABLE.search(value):
                _fail(path, _("contains a NUL character or an unpaired surrogate"))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not -MAX_INT64 - 1 <= value <= MAX_INT64:
                _fail(path, _("number out of range"))
        elif isinstance(value, float):
            if not math.isfinite(value):
                _fail(path, _("number out of range"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if _UNENCODABLE.search(key):
                    _fail("body", _("a field name contains a NUL character or an unpaired surrogate"))
                stack.append((item, key if path == "body" else f"{path}.{key}", depth + 1))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                stack.append((item, f"{path}[{i}]", depth + 1))
    return data


class SafeJSONProvider(DefaultJSONProvider):
    """Request bodies: no RecursionError, no NaN, nothing a column or an encoder would choke on (422, not 500)."""

    def loads(self, s, **kwargs):
        try:
            data = json.loads(s, parse_constant=_reject_constant, **kwargs)
        except RecursionError:
            _fail("body", _("nested too deeply (at most %(n)s levels)", n=MAX_JSON_DEPTH),
                  _("The request body is nested too deeply."))
        return check_json(data)


# --- the flush-time net --------------------------------------------------------------------------------------

def _column_problem(kind, value):
    if isinstance(kind, String):
        if not isinstance(value, str):
            return _("text expected")
        if kind.length and len(value) > kind.length:
            return _("at most %(n)s characters", n=kind.length)
        if _UNENCODABLE.search(value):
            return _("contains a NUL character or an unpaired surrogate")
    elif isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool):
        limit = MAX_INT64 if isinstance(kind, BigInteger) else MAX_INT32
        if not -limit - 1 <= value <= limit:
            return _("number out of range")
    return None


@functools.cache
def _checked_columns(mapper):
    """(attribute key, column type) of a mapper's single-column String and Integer attributes: the only ones
    check_flush looks at, found once per class instead of on every flush."""
    return tuple((attr.key, attr.columns[0].type) for attr in mapper.column_attrs
                 if len(attr.columns) == 1 and isinstance(attr.columns[0].type, (String, Integer)))


def check_flush(session, flush_context, instances):
    """Every String/Integer value written must fit its column: a 422 naming the attribute, not a 500."""
    errors = {}
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        values = state.dict
        for key, kind in _checked_columns(state.mapper):
            if key not in values:
                continue
            if not state.pending:
                added = state.attrs[key].history.added
                if not added:
                    continue
                value = added[0]
            else:
                value = values[key]
            if value is None:
                continue
            problem = _column_problem(kind, value)
            if problem:
                errors.setdefault(key, problem)
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)


_installed = False


def install():
    global _installed
    if not _installed:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        event.listen(Session, "before_flush", check_flush)
        _installed = True


def init_app(app):
    app.json = SafeJSONProvider(app)
    install()
