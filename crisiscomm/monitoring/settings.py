"""What monitoring watches: the feeds (the Ministry's list), the Ministry-wide crisis terms and each Department's
watch terms (generated, then edited), with their seeds for ``flask setup``."""
import csv
import os

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import inputs, permissions
from ..departments.models import ACTIVE, Department
from ..errors import ValidationError
from ..extensions import db
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


def add_department_term(*, user, department, text, kind="term"):
    permissions.require(user, "mention.terms")
    text = inputs.text(text, "text", column=DepartmentTerm.text, required=True, single_line=True)
    if kind not in TERM_KINDS:
        raise ValidationError(_("Unknown kind."), fields={"kind": _("one of %(v)s", v=", ".join(TERM_KINDS))})
    key = _folded(text)
    if db.session.scalar(select(DepartmentTerm).where(DepartmentTerm.department_id == department.id,
                                                      DepartmentTerm.folded == key, DepartmentTerm.kind == kind)):
        raise ValidationError(_("This term is already on the list."), fields={"text": _("already on the list")})
    row = DepartmentTerm(department_id=department.id, text=text, folded=key, kind=kind, source=MANUAL)
    db.session.add(row)
    db.session.flush()
    return row


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
    key = _folded(text)
    if db.session.scalar(select(CrisisTerm).where(CrisisTerm.folded == key, CrisisTerm.kind == kind)):
        raise ValidationError(_("This term is already on the list."), fields={"text": _("already on the list")})
    row = CrisisTerm(text=text, folded=key, kind=kind, severity=severity)
    db.session.add(row)
    db.session.flush()
    return row


def delete_crisis_term(*, user, term):
    permissions.require(user, "monitoring.admin")
    db.session.delete(term)
    db.session.flush()


def feeds():
    return db.session.scalars(select(Feed).order_by(Feed.outlet, Feed.id)).all()


def add_feed(*, user, url, outlet, contact_outlet=None, interval_minutes=30):
    permissions.require(user, "monitoring.admin")
    f = inputs.Fields({"url": url, "outlet": outlet, "contact_outlet": contact_outlet,
                       "interval_minutes": interval_minutes})
    url = f.text("url", column=Feed.url, required=True, single_line=True)
    outlet = f.text("outlet", column=Feed.outlet, required=True, single_line=True)
    contact_outlet = f.text("contact_outlet", column=Feed.contact_outlet, single_line=True) or None
    interval = f.integer("interval_minutes", minimum=5, maximum=24 * 60, required=True)
    if url and not url.startswith(("http://", "https://")):
        f.errors["url"] = _("not a web address")
    if url and db.session.scalar(select(Feed).where(Feed.url == url)):
        f.errors["url"] = _("already on the list")
    f.check(_("The feed was not saved."))
    row = Feed(url=url, outlet=outlet, contact_outlet=contact_outlet, interval_minutes=interval)
    db.session.add(row)
    db.session.flush()
    return row


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
