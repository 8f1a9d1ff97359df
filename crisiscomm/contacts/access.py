"""Who may read and change press contacts, and which Departments a request covers."""
from flask_login import current_user

from ..scoping import is_ministry, require_role, resolve_department

EDITORS = ("ministry_admin", "ministry_comms", "director", "deputy_director", "spokesperson", "comms_officer")


def require_editor():
    require_role(*EDITORS)


def can_edit(user=None):
    user = user or current_user
    return bool(user and user.is_authenticated and user.role in EDITORS)


def listing_scope(code=None):
    """(department or None, department ids or None) a listing covers: a named Department, the user's own,
    or every Department for a Ministry user who names none."""
    if code or not is_ministry():
        department = resolve_department(code or None)
        return department, [department.id]
    return None, None
