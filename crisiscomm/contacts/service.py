"""Press contacts of a Department: create, update, archive (never delete), verify, search, duplicates, merge.

Services take keyword arguments, raise domain errors and only flush; the caller commits once.
"""
import re
import unicodedata
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import inputs
from ..clock import as_utc, now
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..text import where_all_terms
from . import phones as phone_numbers
from .models import (BROADCAST, CENTRAL_RESIDENT, MINISTRY_LEVEL, ONLINE, OUTLET_TYPES, PROVINCIAL,
                     Contact)

STALE_AFTER = timedelta(days=365)
EDITABLE = ("full_name", "outlet", "outlet_type", "position", "beat", "phones", "email", "notes", "last_verified_at")
MAX_PHONES = 5

# Stable Vietnamese names used in exported files, and the English ones (import accepts both and the codes).
_OUTLET_TYPE_NAMES = {
    CENTRAL_RESIDENT: ("Báo Trung ương thường trú", "Central press (resident in the province)"),
    PROVINCIAL: ("Báo địa phương", "Provincial press"),
    BROADCAST: ("Phát thanh – Truyền hình", "Radio / TV"),
    ONLINE: ("Báo điện tử", "Online outlet"),
    MINISTRY_LEVEL: ("Cơ quan báo chí cấp Bộ", "Ministry-level outlet"),
}
OUTLET_TYPE_VI = {code: vi for code, (vi, _en) in _OUTLET_TYPE_NAMES.items()}
OUTLET_TYPE_EN = {code: en for code, (_vi, en) in _OUTLET_TYPE_NAMES.items()}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# "0912 345 678; 024 3825 0001", "… / …", "… - …", "… hoặc …": several numbers in one cell
_PHONE_SPLIT = re.compile(r"[;,\n|]+|\s+[-–/]\s+|/(?=\s*[+0])|\s+(?:hoặc|và|or)\s+", re.IGNORECASE)


def phone_key(phone):
    """The one canonical form (E.164) of a number however it was typed: '+84 912 345 678', '0912.345.678' and
    912345678 (an Excel cell that lost its zero) are all '+84912345678'. Unreadable text: its digits."""
    return phone_numbers.canonical(phone) or re.sub(r"\D", "", str(phone or ""))


def parse_phones(value, field="phones"):
    """A list of phone numbers from a list or from text separated by ; , / or new lines. Raises ValidationError.

    This is the one place contacts' numbers are read (web, API, import, inquiry intake): each is kept as
    typed (a bare number that lost its leading zero gets the usual spelling) and the same number typed
    twice is kept once; Contact.phone_numbers holds their E.164 forms.
    """
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else _PHONE_SPLIT.split(str(value))
    phones, keys = [], set()
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise ValidationError(_("Phones must be text."), fields={field: _("expected phone numbers as text")})
        text = re.sub(r"\s+", " ", str(item)).strip()
        if not text:
            continue
        try:
            shown = phone_numbers.display(text)
        except phone_numbers.NotAPhone:
            raise ValidationError(_("Invalid phone number."), fields={field: _("not a phone number: %(v)s", v=text[:40])})
        if len(shown) > 40:
            raise ValidationError(_("Invalid phone number."), fields={field: _("not a phone number: %(v)s", v=text[:40])})
        key = phone_key(shown)
        if key not in keys:
            keys.add(key)
            phones.append(shown)
    if len(phones) > MAX_PHONES:
        raise ValidationError(_("Too many phone numbers."), fields={field: _("at most %(n)s numbers", n=MAX_PHONES)})
    return phones


def normalize_email(value, field="email"):
    text = (value or "").strip().lower() if isinstance(value, (str, type(None))) else None
    if text is None:
        raise ValidationError(_("Invalid email."), fields={field: _("expected text")})
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValidationError(_("Invalid email."), fields={field: _("not a valid email address")})
    return text


def _text(value, field, max_len, required=False, single_line=True):
    # inputs: text only, no control characters, line breaks as the field allows; the import report keeps its words.
    # NFC: text typed on a Mac, decoded from Windows-1258 or pasted from a PDF compares equal to the rest
    text = re.sub(r"[ \t]+", " ", unicodedata.normalize("NFC", inputs.text(value, field, single_line=single_line) or "")).strip()
    if required and not text:
        raise ValidationError(_("Required."), fields={field: _("required")})
    if len(text) > max_len:
        raise ValidationError(_("Too long."), fields={field: _("at most %(n)s characters", n=max_len)})
    return text or None


def _outlet_type(value, field="outlet_type"):
    if value not in OUTLET_TYPES:
        raise ValidationError(_("Unknown outlet type."), fields={field: _("one of %(v)s", v=", ".join(OUTLET_TYPES))})
    return value


def _clean(data, partial=False):
    """Validated values for the given fields; every problem is reported at once."""
    out, errors = {}, {}
    checks = {
        "full_name": lambda v: _text(v, "full_name", 200, required=True),
        "outlet": lambda v: _text(v, "outlet", 200, required=True),
        "outlet_type": _outlet_type,
        "position": lambda v: _text(v, "position", 200),
        "beat": lambda v: _text(v, "beat", 300),
        "phones": parse_phones,
        "email": normalize_email,
        "notes": lambda v: _text(v, "notes", 5000, single_line=False),
        "last_verified_at": _verified_at,
    }
    for name, check in checks.items():
        if partial and name not in data:
            continue
        try:
            out[name] = check(data.get(name))
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)
    return out


def _verified_at(value):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        from ..clock import parse_datetime

        try:
            value = parse_datetime(value)
        except ValueError:
            raise ValidationError(_("Invalid date."), fields={"last_verified_at": _("expected an ISO 8601 date-time")})
    if not hasattr(value, "tzinfo"):
        raise ValidationError(_("Invalid date."), fields={"last_verified_at": _("expected a date-time")})
    value = as_utc(value)
    if value > now() + timedelta(minutes=5):
        raise ValidationError(_("Date in the future."), fields={"last_verified_at": _("cannot be in the future")})
    return value


def create_contact(*, department, full_name, outlet, outlet_type, beat=None, phones=None, email=None, notes=None,
                   last_verified_at=None, position=None):
    """Create a press contact for ``department`` (a Department row) and flush it.

    ``phones``: a list of numbers or text separated by ; , / or new lines. ``email`` is stored lower-case.
    ``last_verified_at`` (aware datetime or ISO text) defaults to now: a new contact is freshly verified.
    Raises ValidationError naming every bad field. Returns the Contact.
    """
    values = _clean({"full_name": full_name, "outlet": outlet, "outlet_type": outlet_type, "position": position,
                     "beat": beat,
                     "phones": phones, "email": email, "notes": notes, "last_verified_at": last_verified_at})
    if values["last_verified_at"] is None:
        values["last_verified_at"] = now()
    contact = Contact(department_id=department.id, archived=False, **values)
    contact.refresh_search_text()
    db.session.add(contact)
    db.session.flush()
    return contact


def find_contact(*, department, full_name, outlet, email=None, phone=None):
    """The Department's active contact with exactly this name and outlet (and e-mail, when one is given), if any:
    a journalist typed again at intake is the same contact, not a duplicate. With ``phone`` (as typed), a contact
    of that name whose numbers include it (compared in canonical form) is the same journalist too."""
    if not (isinstance(full_name, str) and full_name.strip() and isinstance(outlet, (str, type(None)))):
        return None
    name = unicodedata.normalize("NFC", full_name.strip())
    base = select(Contact).where(Contact.department_id == department.id, Contact.archived.is_(False),
                                 Contact.full_name == name)
    stmt = base.where(Contact.outlet == unicodedata.normalize("NFC", (outlet or "").strip()))
    if isinstance(email, str) and email.strip():
        stmt = stmt.where(Contact.email == email.strip().lower())
    found = db.session.scalars(stmt.order_by(Contact.id).limit(1)).first()
    key = phone_numbers.canonical(phone) if isinstance(phone, str) else None
    if found is None and key:
        for contact in db.session.scalars(base.order_by(Contact.id).limit(50)):
            if key in (contact.phone_numbers or []):
                return contact
    return found


def update_contact(*, contact, **changes):
    """Change some fields (any of EDITABLE); unknown ones are a ValidationError."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: _("unknown field") for k in unknown})
    values = _clean(changes, partial=True)
    for name, value in values.items():
        if name == "phones":
            value = list(value)
        setattr(contact, name, value)
    contact.refresh_search_text()
    db.session.flush()
    return contact


def archive_contact(*, contact):
    contact.archived = True
    db.session.flush()
    return contact


def restore_contact(*, contact):
    contact.archived = False
    db.session.flush()
    return contact


def mark_verified(*, contact, at=None):
    contact.last_verified_at = at or now()
    db.session.flush()
    return contact


def is_stale(contact, at=None):
    """Not verified in the last 12 months (or never)."""
    at = at or now()
    return contact.last_verified_at is None or as_utc(contact.last_verified_at) < at - STALE_AFTER


def search_query(*, department_ids=None, q=None, outlet_type=None, stale=None, include_archived=False,
                 archived_only=False):
    """Contacts of the given Departments (None: every Department, for Ministry users), in name order.

    ``q`` matches every word, ignoring case and Vietnamese diacritics; ``stale`` True/False filters on the
    12-month verification rule.
    """
    stmt = select(Contact).order_by(Contact.full_name, Contact.id)
    if department_ids is not None:
        stmt = stmt.where(Contact.department_id.in_(list(department_ids)))
    if archived_only:
        stmt = stmt.where(Contact.archived.is_(True))
    elif not include_archived:
        stmt = stmt.where(Contact.archived.is_(False))
    if outlet_type:
        _outlet_type(outlet_type)
        stmt = stmt.where(Contact.outlet_type == outlet_type)
    if q:
        # "0912.345.678", "+84 912 345 678" or 912345678: one number, searched in its canonical digits
        stmt = stmt.where(*where_all_terms(Contact.search_text, phone_numbers.query_key(q) or q))
    if stale is not None:
        cutoff = now() - STALE_AFTER
        cond = (Contact.last_verified_at.is_(None)) | (Contact.last_verified_at < cutoff)
        stmt = stmt.where(cond if stale else ~cond)
    return stmt


def search_page(*, limit=None, offset=0, **filters):
    """``search_query`` with one page of it (all of it without ``limit``)."""
    stmt = search_query(**filters)
    return stmt.limit(limit).offset(offset) if limit else stmt


def search_contacts(**filters):
    return db.session.scalars(search_page(**filters)).all()


def count_contacts(**filters):
    return db.session.scalar(search_query(**filters).with_only_columns(func.count()).order_by(None))


def department_contacts(department_id, include_archived=False):
    return search_contacts(department_ids=[department_id], include_archived=include_archived)


def match_keys(contact_like):
    """('email', value) and ('phone', digits) keys that identify a person."""
    keys = []
    email = contact_like.get("email") if isinstance(contact_like, dict) else contact_like.email
    phones = contact_like.get("phones") if isinstance(contact_like, dict) else contact_like.phones
    if email:
        keys.append(("email", email.lower()))
    for k in dict.fromkeys(phone_key(p) for p in phones or []):
        if k:
            keys.append(("phone", k))
    return keys


def find_duplicates(*, department_id):
    """Groups of active contacts of one Department sharing an email or a phone number.

    Returns [{"match": "email"|"phone", "value": ..., "contacts": [Contact, ...]}], each pair reported once.
    """
    index = {}
    for c in department_contacts(department_id):
        for key in match_keys(c):
            index.setdefault(key, []).append(c)
    groups, seen = [], set()
    for (kind, value), contacts in sorted(index.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        ids = tuple(sorted({c.id for c in contacts}))
        if len(ids) < 2 or ids in seen:
            continue
        seen.add(ids)
        unique = {c.id: c for c in contacts}
        groups.append({"match": kind, "value": value, "contacts": [unique[i] for i in ids]})
    return groups


def merge_contacts(*, keep, other):
    """Keep ``keep``; fill its blank fields from ``other``, add other's phones, archive ``other``."""
    if keep.id == other.id:
        raise ValidationError(_("Pick two different contacts."), fields={"other_id": _("same as the record kept")})
    if keep.department_id != other.department_id:
        raise NotFound()
    if keep.archived or other.archived:
        raise ValidationError(_("Archived contacts cannot be merged."), fields={"other_id": _("archived")})
    for name in ("position", "beat", "email", "notes"):
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    if not keep.outlet and other.outlet:
        keep.outlet = other.outlet
    phones = list(keep.phones or [])
    known = {phone_key(p) for p in phones}
    for p in other.phones or []:
        if phone_key(p) not in known and len(phones) < MAX_PHONES:
            phones.append(p)
            known.add(phone_key(p))
    keep.phones = phones
    if other.last_verified_at and (keep.last_verified_at is None
                                   or as_utc(other.last_verified_at) > as_utc(keep.last_verified_at)):
        keep.last_verified_at = other.last_verified_at
    note = f"Merged into #{keep.id} ({keep.full_name})"
    other.notes = (other.notes + "\n" + note) if other.notes else note
    other.archived = True
    keep.refresh_search_text()
    db.session.flush()
    return keep


__all__ = ["create_contact", "update_contact", "archive_contact", "restore_contact", "mark_verified", "is_stale",
           "search_contacts", "find_duplicates", "merge_contacts", "OUTLET_TYPES", "OUTLET_TYPE_VI"]
