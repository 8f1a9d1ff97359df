"""Who may read and change press contacts, and which Departments a request covers."""
from flask_login import current_user

from .. import permissions
from ..scoping import is_ministry, resolve_department


def require_editor():
    permissions.require(current_user, "contact.edit")


def can_edit(user=None):
    return permissions.can(user or current_user, "contact.edit")


def listing_scope(code=None):
    """(department or None, department ids or None) a listing covers: a named Department, the user's own,
    or every Department for a Ministry user who names none."""
    if code or not is_ministry():
        department = resolve_department(code or None)
        return department, [department.id]
    return None, None
