"""Periodic press briefings (họp báo định kỳ), their invitations, exam periods and calendar feeds."""
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

PLANNED = "planned"
HELD = "held"
POSTPONED = "postponed"
CANCELLED = "cancelled"
STATUSES = (PLANNED, HELD, POSTPONED, CANCELLED)
NEEDS_REASON = (POSTPONED, CANCELLED)

briefing_speaker = Table(
    "briefing_speaker", db.metadata,
    Column("briefing_id", ForeignKey("briefing.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id"), primary_key=True),
)


class Briefing(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """One press briefing of a Department. Times are aware UTC; quarters are counted in local time."""

    __tablename__ = "briefing"

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    starts_at = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    topics: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PLANNED, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)
    # [{"title": "...", "url": "https://..."}]
    attachments: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    internal_units: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    # iCalendar SEQUENCE: bumped when time or place changes, so calendars update the event.
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    invitations_sent_at = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    speakers = relationship("User", secondary=briefing_speaker, lazy="selectin", order_by="User.name")
    invitations = relationship("BriefingInvitation", back_populates="briefing", cascade="all, delete-orphan",
                               lazy="selectin", order_by="BriefingInvitation.id")
    # The good stories put on the agenda (the stories domain keeps the briefing_story rows).
    agenda_stories = relationship("Story", secondary="briefing_story", order_by="BriefingStory.id", viewonly=True)

    @property
    def uid(self):
        return f"briefing-{self.id}@crisiscomm"

    @property
    def outlets_invited(self):
        return len({(i.contact.outlet or i.contact.full_name) for i in self.invitations})

    @property
    def outlets_present(self):
        return len({(i.contact.outlet or i.contact.full_name) for i in self.invitations if i.attended})


class BriefingInvitation(IdMixin, db.Model):
    """A press contact invited to a briefing, and whether they came."""

    __tablename__ = "briefing_invitation"
    __table_args__ = (UniqueConstraint("briefing_id", "contact_id"),)

    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefing.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), nullable=False, index=True)
    attended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notified_sequence: Mapped[int | None] = mapped_column(Integer)  # the briefing.sequence last sent

    briefing = relationship("Briefing", back_populates="invitations")
    contact = relationship("Contact", lazy="joined")


class ExamPeriod(IdMixin, TimestampMixin, Auditable, db.Model):
    """A national exam's days (local dates, inclusive); briefings planned on them get a warning."""

    __tablename__ = "exam_period"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    start_date = mapped_column(Date, nullable=False)
    end_date = mapped_column(Date, nullable=False)


class CalendarFeed(IdMixin, TimestampMixin, Auditable, db.Model):
    """A private iCalendar subscription URL: one Department's briefings, or every Department's
    (department_id None, the Ministry-wide feed). The token is the only credential; revocable."""

    __tablename__ = "calendar_feed"

    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    calendar_token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at = mapped_column(UTCDateTime)

    department = relationship("Department")
