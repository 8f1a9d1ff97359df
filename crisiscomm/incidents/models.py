from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import UTCDateTime

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
CONTAINED = "contained"
CLOSED = "closed"
STATUSES = (OPEN, ACKNOWLEDGED, CONTAINED, CLOSED)


class Incident(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A communication incident. Never hidden, never deleted."""

    __tablename__ = "incident"

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    exam_related: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    exam: Mapped[str | None] = mapped_column(String(300))
    occurred_at = mapped_column(UTCDateTime, nullable=False, index=True)
    reported_at = mapped_column(UTCDateTime, nullable=False)
    place: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN, index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scenario_version_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_version.id"))
    drill: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    closing_summary: Mapped[str | None] = mapped_column(Text)
    closed_at = mapped_column(UTCDateTime)

    reporter = relationship("User", foreign_keys=[reporter_id])
    scenario_version = relationship("ScenarioVersion")
