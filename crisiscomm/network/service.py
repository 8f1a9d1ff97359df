"""The network's schools and units, their focal points and groups: search, create, edit, archive (never
delete), verify, the stale flag, and a focal point's light account. Services only flush; the caller commits."""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import inputs, permissions
from ..clock import now
from ..contacts.phones import canonical, query_key
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..scoping import scope
from ..text import fold, fold_terms, where_all_terms
from ..users import service as users
from .models import (COMMS_CONTACT, FOCAL_KINDS, LEVELS, OWNERSHIPS, PUBLIC, STALE_AFTER_DAYS, FocalPoint,
                     NetworkGroup, School)

LEVEL_LABELS = {"preschool": _l("Preschool"), "primary": _l("Primary school"),
                "lower_secondary": _l("Lower secondary school"), "upper_secondary": _l("Upper secondary school"),
                "multi_level": _l("Multi-level school"), "continuing": _l("Continuing education centre"),
                "unit": _l("Department unit")}
OWNERSHIP_LABELS = {"public": _l("Public"), "private": _l("Private")}
KIND_LABELS = {"principal": _l("Principal"), "comms_contact": _l("Communication contact"),
               "collaborator": _l("Communication collaborator")}
MAX_ALIASES = 20


def _parsing(data):
    """(errors, values, inputs.Fields) for reading one body."""
    errors = {}
    return errors, {}, inputs.Fields(data, errors)


def is_stale(record, at=None):
    """Unverified for STALE_AFTER_DAYS (counted from its creation when it was never verified)."""
    since = record.last_verified_at or record.created_at
    return since is None or since <= (at or now()) - timedelta(days=STALE_AFTER_DAYS)


def _stale_condition(model):
    limit = now() - timedelta(days=STALE_AFTER_DAYS)
    return or_(model.last_verified_at <= limit, (model.last_verified_at.is_(None)) & (model.created_at <= limit))


# --- schools ------------------------------------------------------------------------------------------------

def list_schools(*, department_id=None, q=None, level=None, commune=None, group_id=None, stale=False,
                 archived=False, user=None, limit=None):
    """The schools the user sees (one Department's when ``department_id``), filtered; by name."""
    stmt = scope(select(School), School, user=user)
    if department_id is not None:
        stmt = stmt.where(School.department_id == department_id)
    stmt = stmt.where(School.archived_at.is_not(None) if archived else School.archived_at.is_(None))
    if fold(q or ""):
        # a school matches on its own text or on one of its focal points' (name, phone, email)
        by_focal = select(FocalPoint.school_id).where(*where_all_terms(FocalPoint.search_text, query_key(q) or q))
        stmt = stmt.where(or_(db.and_(*where_all_terms(School.search_text, q)), School.id.in_(by_focal)))
    if level in LEVELS:
        stmt = stmt.where(School.level == level)
    if commune:
        stmt = stmt.where(School.commune == commune)
    if group_id:
        stmt = stmt.where(School.groups.any(NetworkGroup.id == group_id))
    if stale:
        stmt = stmt.where(_stale_condition(School))
    stmt = stmt.order_by(School.name, School.id)
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def communes(department_id):
    return db.session.scalars(select(School.commune).where(School.department_id == department_id,
                                                           School.commune != "").distinct()
                              .order_by(School.commune)).all()


def clean_school(data, partial=False):
    errors, out, fields = _parsing(data)
    if not partial or "name" in data:
        out["name"] = fields.text("name", column=School.name, required=True, single_line=True)
    if not partial or "level" in data:
        if data.get("level") not in LEVELS:
            errors["level"] = _("one of: %(values)s", values=", ".join(str(LEVEL_LABELS[v]) for v in LEVELS))
        out["level"] = data.get("level")
    if not partial or "ownership" in data:
        value = data.get("ownership") or PUBLIC
        if value not in OWNERSHIPS:
            errors["ownership"] = _("one of: %(values)s", values=", ".join(str(OWNERSHIP_LABELS[v])
                                                                           for v in OWNERSHIPS))
        out["ownership"] = value
    for name in ("commune", "address"):
        if not partial or name in data:
            out[name] = fields.text(name, column=getattr(School, name), single_line=True) or ""
    if not partial or "code" in data:
        out["code"] = fields.text("code", column=School.code, single_line=True)
    if not partial or "notes" in data:
        out["notes"] = fields.text("notes")
    if not partial or "aliases" in data:
        aliases = data.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [a for a in (s.strip() for s in aliases.replace(";", "\n").splitlines()) if a]
        if not isinstance(aliases, list) or len(aliases) > MAX_ALIASES or not all(
                isinstance(a, str) and 0 < len(a.strip()) <= 300 for a in aliases):
            errors["aliases"] = _("at most %(n)s other names, each at most 300 characters", n=MAX_ALIASES)
            aliases = []
        out["aliases"] = [a.strip() for a in aliases]
    if errors:
        raise ValidationError(_("The school could not be saved."), fields=errors)
    return out


def find_school(*, department_id, name, commune=""):
    """The Department's school with this name in this commune, compared folded (the import's match)."""
    key = (fold(name), fold(commune or ""))
    for school in db.session.scalars(select(School).where(School.department_id == department_id)):
        if (fold(school.name), fold(school.commune)) == key:
            return school
    return None


def _refuse_duplicate(department_id, name, commune, school=None):
    other = find_school(department_id=department_id, name=name, commune=commune)
    if other is not None and other is not school:
        raise ValidationError(_("This school is already in the network."),
                       fields={"name": _("already in the network: %(name)s", name=other.name)})


def create_school(*, department, data):
    values = clean_school(data)
    if not department.is_active:
        raise ValidationError(_("This Department has been merged."), fields={"department": _("merged department")})
    _refuse_duplicate(department.id, values["name"], values["commune"])
    school = School(department_id=department.id, **values)
    school.refresh_search_text()
    db.session.add(school)
    db.session.flush()
    return school


def update_school(*, school, data):
    values = clean_school(data, partial=True)
    _refuse_duplicate(school.department_id, values.get("name", school.name), values.get("commune", school.commune),
                      school)
    for name, value in values.items():
        setattr(school, name, value)
    school.refresh_search_text()
    db.session.flush()
    return school


def archive(record):
    """Archive a school or focal point (kept for the messages that name it); a focal point's account ends."""
    if record.archived_at is None:
        record.archived_at = now()
        if isinstance(record, FocalPoint) and record.user is not None and record.user.active:
            record.user.active = False
            users.end_sessions(user=record.user)
    db.session.flush()
    return record


def restore(record):
    record.archived_at = None
    db.session.flush()
    return record


def verify(record):
    record.last_verified_at = now()
    db.session.flush()
    return record


# --- focal points -------------------------------------------------------------------------------------------

def clean_focal(data, partial=False):
    errors, out, fields = _parsing(data)
    if not partial or "full_name" in data:
        out["full_name"] = fields.text("full_name", column=FocalPoint.full_name, required=True, single_line=True)
    if not partial or "kind" in data:
        value = data.get("kind") or COMMS_CONTACT
        if value not in FOCAL_KINDS:
            errors["kind"] = _("one of: %(values)s", values=", ".join(str(KIND_LABELS[v]) for v in FOCAL_KINDS))
        out["kind"] = value
    if not partial or "title" in data:
        out["title"] = fields.text("title", column=FocalPoint.title, single_line=True) or ""
    if not partial or "phone" in data:
        phone = fields.text("phone", column=FocalPoint.phone, single_line=True)
        out["phone"], out["phone_number"] = phone, None
        if phone:
            out["phone_number"] = canonical(phone)
            if out["phone_number"] is None:
                errors["phone"] = _("not a phone number: %(value)s", value=phone[:40])
    if not partial or "email" in data:
        email = fields.text("email", column=FocalPoint.email, single_line=True)
        if email:
            email = email.strip().lower()
            if " " in email or email.count("@") != 1 or "." not in email.split("@")[1]:
                errors["email"] = _("not a valid email address")
        out["email"] = email or None
    if errors:
        raise ValidationError(_("The focal point could not be saved."), fields=errors)
    return out


def create_focal_point(*, school, data):
    values = clean_focal(data)
    if school.archived:
        raise Conflict(_("This school is archived."), fields={"school": _("archived")})
    focal = FocalPoint(department_id=school.department_id, school=school, **values)
    focal.refresh_search_text()
    db.session.add(focal)
    db.session.flush()
    return focal


def update_focal_point(*, focal_point, data):
    for name, value in clean_focal(data, partial=True).items():
        setattr(focal_point, name, value)
    focal_point.refresh_search_text()
    db.session.flush()
    return focal_point


def list_focal_points(*, department_id=None, school_id=None, q=None, user=None, limit=1000):
    stmt = scope(select(FocalPoint), FocalPoint, user=user).where(FocalPoint.archived_at.is_(None))
    if department_id is not None:
        stmt = stmt.where(FocalPoint.department_id == department_id)
    if school_id:
        stmt = stmt.where(FocalPoint.school_id == school_id)
    if q:
        stmt = stmt.where(*where_all_terms(FocalPoint.search_text, query_key(q) or q))
    return db.session.scalars(stmt.order_by(FocalPoint.full_name, FocalPoint.id).limit(limit)).all()


def member_role():
    return permissions.holders("network.member")[0]


def give_account(*, focal_point, email, password):
    """A light account (network member) for ``focal_point``: signs in with ``email`` and ``password`` (the
    officer passes it on, as the administrator does for other accounts); it sees only the network member's pages."""
    if focal_point.user_id is not None:
        raise Conflict(_("This focal point already has an account."), fields={"email": _("already has an account")})
    if focal_point.archived:
        raise Conflict(_("This focal point is archived."), fields={"email": _("archived")})
    user = users.create_user(email=email or focal_point.email or "", name=focal_point.full_name,
                             role=member_role(), password=password,
                             department_code=focal_point.school.department.code,
                             title=focal_point.title or None, phone=focal_point.phone)
    focal_point.user = user
    db.session.flush()
    return user


def focal_point_of(user):
    """The focal point a network member's account belongs to (its school tells what it reports on)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(FocalPoint).where(FocalPoint.user_id == user.id))


# --- groups -------------------------------------------------------------------------------------------------

def list_groups(*, department_id=None, q=None, archived=False, user=None):
    stmt = scope(select(NetworkGroup), NetworkGroup, user=user)
    stmt = stmt.where(NetworkGroup.archived_at.is_not(None) if archived else NetworkGroup.archived_at.is_(None))
    if department_id is not None:
        stmt = stmt.where(NetworkGroup.department_id == department_id)
    groups = db.session.scalars(stmt.order_by(NetworkGroup.name, NetworkGroup.id)).all()
    terms = fold_terms(q or "")  # a Department has a few dozen groups: matched folded here
    return [g for g in groups if all(t in fold(f"{g.name} {g.description}") for t in terms)]


def _clean_group(data, partial=False):
    errors, out, fields = _parsing(data)
    if not partial or "name" in data:
        out["name"] = fields.text("name", column=NetworkGroup.name, required=True, single_line=True)
    if not partial or "description" in data:
        out["description"] = fields.text("description") or ""
    fields.check(_("The group could not be saved."))
    return out


def _refuse_group_name(department_id, name, group=None):
    other = db.session.scalar(select(NetworkGroup).where(NetworkGroup.department_id == department_id,
                                                         NetworkGroup.name == name))
    if other is not None and other is not group:
        raise ValidationError(_("A group with this name exists."), fields={"name": _("already exists")})


def create_group(*, department, data):
    values = _clean_group(data)
    _refuse_group_name(department.id, values["name"])
    group = NetworkGroup(department_id=department.id, **values)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(*, group, data):
    values = _clean_group(data, partial=True)
    if "name" in values:
        _refuse_group_name(group.department_id, values["name"], group)
    for name, value in values.items():
        setattr(group, name, value)
    db.session.flush()
    return group


def add_schools(*, group, schools):
    """Add ``schools`` (of the group's Department, not archived) to ``group``; returns how many were new."""
    added = 0
    for school in schools:
        if school.department_id != group.department_id:
            raise NotFound()
        if school not in group.schools and not school.archived:
            group.schools.append(school)
            added += 1
    db.session.flush()
    return added


def add_matching(*, group, level=None, commune=None):
    """Add every active school of the group's Department of ``level`` and/or in ``commune``."""
    if not level and not commune:
        raise ValidationError(_("Choose a level or a commune."), fields={"level": _("choose a level or a commune")})
    if level and level not in LEVELS:
        raise ValidationError(_("Unknown level."), fields={"level": _("unknown level")})
    # the group's own Department (already reached by the caller): no user scope, so jobs and the demo may call it
    stmt = select(School).where(School.department_id == group.department_id, School.archived_at.is_(None))
    if level:
        stmt = stmt.where(School.level == level)
    if commune:
        stmt = stmt.where(School.commune == commune)
    schools = db.session.scalars(stmt.order_by(School.name, School.id)).all()
    return add_schools(group=group, schools=schools)


def remove_school(*, group, school):
    if school in group.schools:
        group.schools.remove(school)
    db.session.flush()
    return group
