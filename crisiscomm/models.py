"""Base pieces every domain model uses."""
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
        return relationship("Department", foreign_keys=[cls.department_id], lazy="joined")
