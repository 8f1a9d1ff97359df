from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..text import fold
from ..types import UTCDateTime


class Statement(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """What a Department said publicly: an approved inquiry answer or an incident statement.

    The statement library searches ``search_text`` ("what did we say last time on this subject?").
    """

    __tablename__ = "statement"
    __table_args__ = (Index("ix_statement_department_published", "department_id", "published_at"),)

    source_type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)  # "inquiry" | "incident"
    source_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    channel: Mapped[str | None] = mapped_column(String(48))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at = mapped_column(UTCDateTime, nullable=False, index=True)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")

    approved_by = relationship("User", foreign_keys=[approved_by_id])

    def refresh_search_text(self):
        self.search_text = fold(f"{self.subject} {self.text}")
