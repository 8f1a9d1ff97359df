"""Department scoping, in one place.

A Department's users see their Department's records; Ministry roles see every Department.
Every view and API endpoint that reads or writes a Department's records goes through these
helpers, and a record outside the caller's scope is answered exactly like a missing one (404).
"""
from flask_login import current_user
from sqlalchemy import select

from .departments.service import can_see, resolve
from .errors import NotFound
from .extensions import db
from .inputs import MAX_ID  # ids are 32-bit integers on PostgreSQL


def _user(user):
    return current_user if user is None else user


def is_ministry(user=None):
    user = _user(user)
    return bool(user and user.is_authenticated and user.is_ministry)


def can_see_department(department_id, user=None):
    return can_see(_user(user), department_id)


def may_name_user(person, department_id):
    """Whether a record of Department ``department_id`` may name the user account ``person`` (to alert, approve,
    speak): a user of that Department or a Ministry user. Another Department's user is treated like an unknown
    address, so a Department can neither look up another's people by email nor write into their inbox."""
    if person is None:
        return False
    return person.is_ministry or (department_id is not None and person.department_id == department_id)


def scope(stmt, model, user=None, column=None):
    """Restrict a SELECT on ``model`` (a DepartmentOwned model) to what ``user`` may see."""
    user = _user(user)
    column = column if column is not None else model.department_id
    if not (user and user.is_authenticated):
        return stmt.where(db.false())
    if user.is_ministry:
        return stmt
    return stmt.where(column == user.department_id)


def scope_key(user=None):
    """What ``user`` may see, as a hashable key: figures computed for one user serve others of the same scope."""
    user = _user(user)
    if not (user and user.is_authenticated):
        return ("none",)
    return ("all",) if user.is_ministry else ("department", user.department_id)


def scoped_select(model, user=None):
    return scope(select(model), model, user)


def get_or_404(model, ident, user=None, department_of=None):
    """Load one record the user may see, else NotFound (never a 403 that leaks existence).

    ``department_of`` maps the record to its department id for models scoped via a parent.
    """
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        raise NotFound()
    if not 0 < ident <= MAX_ID:
        raise NotFound()
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound()
    department_id = department_of(obj) if department_of else getattr(obj, "department_id", None)
    if not can_see_department(department_id, user):
        raise NotFound()
    return obj


def resolve_department(code=None, user=None, allow_merged=False):
    """The Department a request acts on (departments.service.resolve says how), for ``user`` (the signed-in
    one by default)."""
    return resolve(code, _user(user), allow_merged=allow_merged)
