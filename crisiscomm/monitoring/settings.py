"""What monitoring watches: the feeds (the Ministry's list), the Ministry-wide crisis terms and each Department's
watch terms (generated, then edited), with their seeds for ``flask setup``."""
import csv
import os

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import inputs, permissions
from ..contacts.models import Contact
from ..departments.models import ACTIVE, Department
from ..errors import ValidationError
from ..extensions import db
from ..scoping import scope
from ..text import fold
from .matching import generate_department_terms, normalise
from .models import MANUAL, SEVERITIES, TERM_KINDS, CrisisTerm, DepartmentTerm, Feed

DATA = os.path.join(os.path.dirname(__file__), "data")
KIND_LABELS = {"term": _l("watch term"), "exclusion": _l("exclusion")}
ORIGIN_LABELS = {"generated": _l("generated from the Department's data")}
SEVERITY_LABELS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}


def _rows(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _folded(text, field="text"):
    key = normalise(text).strip()
    if not key:
        raise ValidationError(_("A term needs letters or digits."), fields={field: _("required")})
    return key[:200]


def _add_term(model, text, kind, within=None, **fields):
    """Add a ``model`` term (``within``: the columns its uniqueness is counted in, e.g. its Department; ``fields``:
    its other columns) unless the same folded term of that kind is already on that list."""
    key = _folded(text)
    within = within or {}
    same = [getattr(model, name) == value for name, value in within.items()]
    if db.session.scalar(select(model).where(model.folded == key, model.kind == kind, *same)):
        raise ValidationError(_("This term is already on the list."), fields={"text": _("already on the list")})
    row = model(text=text, folded=key, kind=kind, **within, **fields)
    db.session.add(row)
    db.session.flush()
    return row


def add_department_term(*, user, department, text, kind="term"):
    permissions.require(user, "mention.terms")
    text = inputs.text(text, "text", column=DepartmentTerm.text, required=True, single_line=True)
    if kind not in TERM_KINDS:
        raise ValidationError(_("Unknown kind."), fields={"kind": _("one of %(v)s", v=", ".join(TERM_KINDS))})
    return _add_term(DepartmentTerm, text, kind, within={"department_id": department.id}, source=MANUAL)


def delete_department_term(*, user, term):
    permissions.require(user, "mention.terms")
    db.session.delete(term)
    db.session.flush()


def department_terms(department):
    return db.session.scalars(select(DepartmentTerm).where(DepartmentTerm.department_id == department.id)
                              .order_by(DepartmentTerm.kind.desc(), DepartmentTerm.folded)).all()


def carry_terms_over(old, new, at):
    """A merger (registry.merge_hook): the merged Department's terms the surviving one lacks become its own."""
    have = {(t.folded, t.kind) for t in department_terms(new)}
    for term in department_terms(old):
        if (term.folded, term.kind) not in have:
            term.department_id, term.origin_department_id = new.id, old.id
            have.add((term.folded, term.kind))
    db.session.flush()


def crisis_terms():
    return db.session.scalars(select(CrisisTerm).order_by(CrisisTerm.kind.desc(), CrisisTerm.folded)).all()


def add_crisis_term(*, user, text, kind="term", severity="medium"):
    permissions.require(user, "monitoring.admin")
    text = inputs.text(text, "text", column=CrisisTerm.text, required=True, single_line=True)
    errors = {}
    if kind not in TERM_KINDS:
        errors["kind"] = _("one of %(v)s", v=", ".join(TERM_KINDS))
    if severity not in SEVERITIES:
        errors["severity"] = _("one of %(v)s", v=", ".join(SEVERITIES))
    if errors:
        raise ValidationError(_("The term was not saved."), fields=errors)
    return _add_term(CrisisTerm, text, kind, severity=severity)


def delete_crisis_term(*, user, term):
    permissions.require(user, "monitoring.admin")
    db.session.delete(term)
    db.session.flush()


def feeds():
    return db.session.scalars(select(Feed).order_by(Feed.outlet, Feed.id)).all()


def contact_outlets(*, user):
    """The outlet names of the press contacts ``user`` sees (not archived): what a feed's outlet may link to."""
    stmt = scope(select(Contact.outlet).distinct(), Contact, user).where(Contact.archived.is_(False),
                                                                         Contact.outlet != "")
    return sorted(db.session.scalars(stmt), key=fold)


def outlet_contacts(*, user, feed):
    """The press contacts (those ``user`` sees, not archived) of the outlet ``feed`` is linked to."""
    if not feed.contact_outlet:
        return []
    return db.session.scalars(scope(select(Contact), Contact, user)
                              .where(Contact.outlet == feed.contact_outlet, Contact.archived.is_(False))
                              .order_by(Contact.full_name).limit(200)).all()


def _feed_values(*, user, feed, url, outlet, contact_outlet, interval_minutes, message):
    f = inputs.Fields({"url": url, "outlet": outlet, "contact_outlet": contact_outlet,
                       "interval_minutes": interval_minutes})
    url = f.text("url", column=Feed.url, required=True, single_line=True)
    outlet = f.text("outlet", column=Feed.outlet, required=True, single_line=True)
    contact_outlet = f.text("contact_outlet", column=Feed.contact_outlet, single_line=True) or None
    interval = f.integer("interval_minutes", minimum=5, maximum=24 * 60, required=True)
    if url and not url.startswith(("http://", "https://")):
        f.errors["url"] = _("not a web address")
    if url and db.session.scalar(select(Feed).where(Feed.url == url, Feed.id != (feed.id if feed else None))):
        f.errors["url"] = _("already on the list")
    if contact_outlet:  # a pick from the outlets of the press contacts, spelled as they are
        known = {fold(name): name for name in contact_outlets(user=user)}
        contact_outlet = known.get(fold(contact_outlet))
        if contact_outlet is None:
            f.errors["contact_outlet"] = _("not an outlet of the press contacts")
    f.check(message)
    return {"url": url, "outlet": outlet, "contact_outlet": contact_outlet, "interval_minutes": interval}


def add_feed(*, user, url, outlet, contact_outlet=None, interval_minutes=30):
    permissions.require(user, "monitoring.admin")
    values = _feed_values(user=user, feed=None, url=url, outlet=outlet, contact_outlet=contact_outlet,
                          interval_minutes=interval_minutes, message=_("The feed was not saved."))
    row = Feed(**values)
    db.session.add(row)
    db.session.flush()
    return row


def update_feed(*, user, feed, url, outlet, contact_outlet=None, interval_minutes=30, active=True):
    """The Ministry admin edits a feed; a new address is read afresh (no ETag of the old one, no backoff)."""
    permissions.require(user, "monitoring.admin")
    values = _feed_values(user=user, feed=feed, url=url, outlet=outlet, contact_outlet=contact_outlet,
                          interval_minutes=interval_minutes, message=_("The feed was not saved."))
    if values["url"] != feed.url:
        feed.etag = feed.last_modified = feed.last_error = None
        feed.failures, feed.next_poll_at = 0, None
    for name, value in values.items():
        setattr(feed, name, value)
    set_feed_active(user=user, feed=feed, active=inputs.boolean(active, "active", default=True))
    return feed


def set_feed_active(*, user, feed, active):
    permissions.require(user, "monitoring.admin")
    feed.active = bool(active)
    if feed.active:
        feed.failures, feed.next_poll_at = 0, None  # try again at the next run
    db.session.flush()


def seed():
    """``flask setup``: the crisis terms, the national outlets' education feeds, every Department's terms."""
    for row in _rows("crisis_terms.csv"):
        key = _folded(row["text"])
        if not db.session.scalar(select(CrisisTerm).where(CrisisTerm.folded == key, CrisisTerm.kind == row["kind"])):
            db.session.add(CrisisTerm(text=row["text"], folded=key, kind=row["kind"], severity=row["severity"]))
    for row in _rows("feeds.csv"):
        if not db.session.scalar(select(Feed).where(Feed.url == row["url"])):
            db.session.add(Feed(url=row["url"], outlet=row["outlet"], contact_outlet=row["contact_outlet"] or None,
                                interval_minutes=int(row["interval_minutes"])))
    db.session.flush()
    generate_all()


def generate_all():
    for department in db.session.scalars(select(Department).where(Department.status == ACTIVE)):
        generate_department_terms(department)
