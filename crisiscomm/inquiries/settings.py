"""A Department's inquiry settings: who approves its answers, its default answer time, its "due soon" warning."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import permissions
from ..errors import PermissionDenied, ValidationError
from ..extensions import db

DEFAULT_HOURS = 24
DEFAULT_DUE_SOON_MINUTES = 120

# Who approves a Department's answers. The setting stores the last part of the approver's permission
# ("inquiry.approve.spokesperson" is stored as "spokesperson"); the first one is the default.
APPROVER_PERMISSIONS = ("inquiry.approve.spokesperson", "inquiry.approve.director")
APPROVER_LABELS = {"inquiry.approve.spokesperson": _l("the spokesperson"),
                   "inquiry.approve.director": _l("the director")}


def _setting_value(permission):
    return permission.rsplit(".", 1)[1]


APPROVER_CHOICES = tuple(_setting_value(p) for p in APPROVER_PERMISSIONS)


def approver_choices():
    """(setting value, label) for the settings form."""
    return [(_setting_value(p), APPROVER_LABELS[p]) for p in APPROVER_PERMISSIONS]


def department_settings(department):
    s = department.settings or {}
    return {
        "inquiry_approver": s.get("inquiry_approver") if s.get("inquiry_approver") in APPROVER_CHOICES
        else APPROVER_CHOICES[0],
        "inquiry_default_hours": s.get("inquiry_default_hours"),
        "inquiry_due_soon_minutes": s.get("inquiry_due_soon_minutes") or DEFAULT_DUE_SOON_MINUTES,
    }


def approver_permission(department):
    """The permission of the one who approves this Department's answers."""
    return APPROVER_PERMISSIONS[APPROVER_CHOICES.index(department_settings(department)["inquiry_approver"])]


def approver_label(department):
    """'the spokesperson' or 'the director': who approves this Department's answers, for the pages."""
    return APPROVER_LABELS[approver_permission(department)]


def can_change_settings(user, department):
    """The Ministry administrator for every Department; a director for their own (settings and press mailbox)."""
    return permissions.can(user, "inquiry.settings.all") or (
        permissions.can(user, "inquiry.settings") and user.department_id == department.id)


def update_settings(*, department, user, approver, default_hours=None, due_soon_minutes=None):
    if not can_change_settings(user, department):
        raise PermissionDenied(_("Only the Ministry administrator or the Department's director can change this."))
    errors = {}
    if approver not in APPROVER_CHOICES:
        errors["approver"] = _("one of %(v)s", v=", ".join(APPROVER_CHOICES))
    hours = _int_in(default_hours, 1, 24 * 30, "default_hours", errors, required=False)
    minutes = _int_in(due_soon_minutes, 5, 24 * 60, "due_soon_minutes", errors, required=False)
    if errors:
        raise ValidationError(_("Please correct the settings."), fields=errors)
    settings = dict(department.settings or {})
    settings["inquiry_approver"] = approver
    settings["inquiry_default_hours"] = hours
    settings["inquiry_due_soon_minutes"] = minutes
    department.settings = settings  # a new dict, so the change is detected and audited
    db.session.flush()
    return department


def _int_in(value, low, high, name, errors, required=True):
    if value in (None, ""):
        if required:
            errors[name] = _("required")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = f"an integer from {low} to {high}"
        return None
    if not low <= number <= high:
        errors[name] = f"an integer from {low} to {high}"
        return None
    return number
