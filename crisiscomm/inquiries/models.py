"""Press inquiries: a journalist's question, its workflow, its deadline and its timeline."""
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..text import fold
from ..types import UTCDateTime

RECEIVED = "received"
ASSIGNED = "assigned"
DRAFTING = "drafting"
AWAITING_APPROVAL = "awaiting_approval"
ANSWERED = "answered"
DECLINED = "declined"
REFERRED = "referred_to_ministry"
STATES = (RECEIVED, ASSIGNED, DRAFTING, AWAITING_APPROVAL, ANSWERED, DECLINED, REFERRED)
OPEN_STATES = (RECEIVED, ASSIGNED, DRAFTING, AWAITING_APPROVAL)
CLOSED_STATES = (ANSWERED, DECLINED, REFERRED)

CHANNELS = ("phone", "email", "in_person", "social_media", "official_letter")
PRIORITIES = ("normal", "high", "urgent")


class Inquiry(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A question from a journalist. Never deleted: it is answered, declined or referred."""

    __tablename__ = "inquiry"
    # A Department's list, newest first, without sorting ten years of its inquiries; the few open ones
    # past their due time (overdue alerts, the Ministry overview) without reading the answered ones.
    __table_args__ = (Index("ix_inquiry_department_received", "department_id", "received_at"),
                      Index("ix_inquiry_state_due", "state", "due_at"))

    received_at = mapped_column(UTCDateTime, nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(24), nullable=False)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    journalist_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    outlet: Mapped[str] = mapped_column(String(200), nullable=False, default="", index=True)
    sender_email: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    questions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    priority: Mapped[str] = mapped_column(String(16), nullable=False, default="normal")
    journalist_deadline = mapped_column(UTCDateTime)
    due_at = mapped_column(UTCDateTime, nullable=False, index=True)
    deadline_source: Mapped[str] = mapped_column(String(32), nullable=False, default="journalist")
    deadline_rule_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_rule.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False, default=RECEIVED, index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="form")  # form | api | email
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer_draft: Mapped[str] = mapped_column(Text, nullable=False, default="")
    approved_text: Mapped[str | None] = mapped_column(Text)  # frozen as sent
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at = mapped_column(UTCDateTime)
    answered_at = mapped_column(UTCDateTime, index=True)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    refusal_ground_id: Mapped[int | None] = mapped_column(ForeignKey("refusal_ground.id"))
    closed_at = mapped_column(UTCDateTime)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    contact = relationship("Contact")
    incident = relationship("Incident")
    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    refusal_ground = relationship("RefusalGround")
    deadline_rule = relationship("DeadlineRule")
    events = relationship("InquiryEvent", back_populates="inquiry", order_by="InquiryEvent.id")

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def refresh_search_text(self):
        self.search_text = fold(" ".join(filter(None, [self.subject, self.questions, self.journalist_name,
                                                       self.outlet, self.sender_email])))


class InquiryEvent(IdMixin, db.Model):
    """One step of an inquiry's timeline: who moved it from which state to which, when, and why."""

    __tablename__ = "inquiry_event"

    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id"), nullable=False, index=True)
    at = mapped_column(UTCDateTime, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    inquiry = relationship("Inquiry", back_populates="events")
    actor = relationship("User")


class RefusalGround(IdMixin, TimestampMixin, Auditable, db.Model):
    """A ground for declining to answer, from the Press Law; the Ministry edits the list."""

    __tablename__ = "refusal_ground"

    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    legal_source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
