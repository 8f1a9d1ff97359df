from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

OFFICIAL = "official"  # người phát ngôn chính thức
AUTHORIZED = "authorized"  # người được ủy quyền phát ngôn (văn bản, vụ việc/chủ đề, thời hạn)
KINDS = (OFFICIAL, AUTHORIZED)


class SpokespersonAssignment(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """Who may speak for a Department, from when to when, on what, by which decision.

    History is kept: an assignment is ended (``effective_to``), never overwritten.
    Intervals are half-open: current when effective_from <= t < effective_to (or no end).
    """

    __tablename__ = "spokesperson_assignment"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    topics: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    decision_number: Mapped[str | None] = mapped_column(String(100))
    decision_date = mapped_column(Date)
    decision_url: Mapped[str | None] = mapped_column(String(500))
    effective_from = mapped_column(UTCDateTime, nullable=False, index=True)
    effective_to = mapped_column(UTCDateTime, index=True)
    public_phone: Mapped[str | None] = mapped_column(String(64))
    public_email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", lazy="joined")
