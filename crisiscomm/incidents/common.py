"""Small helpers every incidents module uses: the timeline entry, the incident's link, the drill label and the
Department's active people in some roles."""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from .. import permissions
from ..clock import as_utc, now
from ..extensions import db
from ..text import fold
from ..users.models import User
from .models import IncidentEvent


DRILL_LABEL = "DIỄN TẬP / DRILL"
FUTURE_TOLERANCE = timedelta(minutes=5)


def _label(user):
    return user.name if user is not None else "crisiscomm"


def log_event(incident, kind, message="", actor=None, field=None, old=None, new=None, data=None, at=None,
              actor_label=None):
    """``message`` may be a callable building the text: it is then also rendered in Vietnamese (kept in
    data["message_vi"]) so the fast report reads in Vietnamese whatever language its author used."""
    data = dict(data or {})
    if callable(message):
        build = message
        message = str(build())
        with force_locale("vi"):
            data["message_vi"] = str(build())
    entry = IncidentEvent(incident=incident, at=at or now(), actor_id=actor.id if actor is not None else None,
                          actor_label=actor_label or _label(actor), kind=kind, field=field,
                          old_value=None if old is None else _as_text(old),
                          new_value=None if new is None else _as_text(new), message=message, data=data)
    db.session.add(entry)
    return entry


def _as_text(value):
    if hasattr(value, "isoformat"):
        return as_utc(value).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def base_url():
    return current_app.config.get("BASE_URL", "").rstrip("/")


def incident_path(incident):
    return f"/incidents/{incident.id}"


def refresh_search(incident):
    incident.search_text = fold(" ".join(filter(None, [incident.title, incident.description, incident.place,
                                                        incident.exam])))


def department_users(department_id, roles):
    """The Department's active users in ``roles`` (stored role names, e.g. a playbook action's owner), by name."""
    return db.session.scalars(select(User).where(User.department_id == department_id, User.role.in_(roles),
                                                 User.active.is_(True)).order_by(User.name, User.id)).all()


def department_holders(department_id, duty):
    """The Department's active users holding the named permission ``duty`` (e.g. "department.head"), by name."""
    return department_users(department_id, permissions.holders(duty))
