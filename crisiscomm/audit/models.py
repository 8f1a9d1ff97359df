from sqlalchemy import ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import IdMixin
from ..types import JSONType, UTCDateTime


class AuditEntry(IdMixin, db.Model):
    """Append-only: who changed what, when, before → after."""

    __tablename__ = "audit_entry"

    at = mapped_column(UTCDateTime, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    entity_type: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    summary: Mapped[str | None] = mapped_column(String(500))

    actor = relationship("User", lazy="joined")


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse(mapper, connection, target):
    raise AppendOnlyError("the audit log is append-only")
