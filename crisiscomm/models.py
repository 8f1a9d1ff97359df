"""Base pieces every domain model uses, and who is acting (the audit log's actor)."""
import contextlib

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from .clock import now
from .extensions import db
from .types import UTCDateTime


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at = mapped_column(UTCDateTime, nullable=False, default=now)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=now, onupdate=now)


class Auditable:
    """Marker: every insert, update and delete of this model is written to the audit log.

    ``__audit_exclude__`` names columns never copied into the log (secrets, hashes).
    """

    __audit_exclude__ = ("password_hash", "token_hash", "webhook_secret", "calendar_token", "updated_at")


_SYSTEM_ACTOR = {"id": None, "label": "system"}


def current_actor():
    """Who the changes made now are attributed to: ``acting_as``'s user or label, else the signed-in user."""
    if "audit_actor" in g:
        return g.audit_actor
    if has_request_context() and current_user and current_user.is_authenticated:
        return {"id": current_user.id, "label": current_user.email}
    return _SYSTEM_ACTOR


@contextlib.contextmanager
def acting_as(user=None, label=None):
    """Attribute changes made inside the block to ``user`` (or a label such as 'cli')."""
    previous = g.get("audit_actor")
    g.audit_actor = {"id": user.id if user else None, "label": label or (user.email if user else "system")}
    try:
        yield
    finally:
        if previous is None:
            g.pop("audit_actor", None)
        else:
            g.audit_actor = previous


AUDIT_NOTES = "audit_notes"


def audit_note(action, entity_type, entity_id=None, department_id=None, summary=None, changes=None):
    """An explicit audit-log entry for an action that is not one row change (a merger, a revoked token), for the
    packages below ``audit``: kept in the session with the actor of now; the audit package writes it at the next
    flush or commit, and a rollback drops it with the rest."""
    actor = current_actor()
    db.session.info.setdefault(AUDIT_NOTES, []).append(dict(
        at=now(), actor_id=actor["id"], actor_label=actor["label"], action=action, entity_type=entity_type,
        entity_id=entity_id, department_id=department_id, summary=summary, changes=changes or {}))


def model_classes():
    """Every mapped class (all domains' models are imported by create_app)."""
    return [m.class_ for m in db.Model.registry.mappers]


from sqlalchemy import ForeignKey  # noqa: E402
from sqlalchemy.orm import declared_attr, relationship  # noqa: E402


class DepartmentOwned:
    """A record that belongs to one Department.

    Scoping (crisiscomm.scoping) and the merger command find every model with this mixin:
    on a merger the record moves to the surviving Department and ``origin_department_id``
    keeps where it came from, so history stays searchable by the former name.
    """

    __merger__ = "move"  # or "keep": history that stays with the former Department

    @declared_attr
    def department_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("department.id"), nullable=False, index=True)

    @declared_attr
    def origin_department_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("department.id"), nullable=True)

    @declared_attr
    def department(cls):
        # "selectin": a page of fifty records of one Department reads that Department once (usually from the
        # session already), not fifty joined copies whose JSON columns are each decoded.
        return relationship("Department", foreign_keys=[cls.department_id], lazy="selectin")
