"""Press inquiries: a journalist's question, its workflow, its deadline and its timeline."""
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

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
                      Index("ix_inquiry_state_due", "state", "due_at"),
                      # An email becomes an inquiry once, however often it is uploaded or polled.
                      UniqueConstraint("department_id", "message_id", name="uq_inquiry_department_message_id"))

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
    message_id: Mapped[str | None] = mapped_column(String(250))  # of the email it came from

    __mapper_args__ = {"version_id_col": version}

    contact = relationship("Contact")
    # Incident.inquiries: the press questions linked to an incident, in the order they came in.
    incident = relationship("Incident", backref=backref("inquiries",
                                                        order_by=lambda: (Inquiry.received_at, Inquiry.id)))
    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    refusal_ground = relationship("RefusalGround")
    deadline_rule = relationship("DeadlineRule")
    events = relationship("InquiryEvent", back_populates="inquiry", order_by="InquiryEvent.id")
    files = relationship("InquiryAttachment", back_populates="inquiry", order_by="InquiryAttachment.id")

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


class InquiryAttachment(IdMixin, DepartmentOwned, db.Model):
    """A file that came with an inquiry's email (a request letter, photos), stored under the instance folder."""

    __tablename__ = "inquiry_attachment"

    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    created_at = mapped_column(UTCDateTime, nullable=False)

    inquiry = relationship("Inquiry", back_populates="files")


MAILBOX_TLS = "tls"
MAILBOX_PLAIN = "plain"  # loopback only (tests, a local relay)
MAILBOX_SECURITY = (MAILBOX_TLS, MAILBOX_PLAIN)


class PressMailbox(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A Department's press mailbox: polled over IMAP, each new message a received inquiry."""

    __tablename__ = "press_mailbox"
    __table_args__ = (UniqueConstraint("department_id", name="uq_press_mailbox_department"),)
    __merger__ = "keep"  # one mailbox per Department: a merged one's stays with it, no longer polled
    # The secret, and the polling state that changes every few minutes, stay out of the audit log.
    __audit_exclude__ = Auditable.__audit_exclude__ + (
        "password_encrypted", "uidvalidity", "last_uid", "last_checked_at", "last_success_at", "last_error",
        "failing_since", "imported_count")

    address: Mapped[str | None] = mapped_column(String(200))  # the Department's press address
    host: Mapped[str] = mapped_column(String(200), nullable=False)
    port: Mapped[int] = mapped_column(Integer, nullable=False, default=993)
    security: Mapped[str] = mapped_column(String(8), nullable=False, default=MAILBOX_TLS)
    username: Mapped[str] = mapped_column(String(200), nullable=False)
    password_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    folder: Mapped[str] = mapped_column(String(200), nullable=False, default="INBOX")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    import_since = mapped_column(Date)  # on first connection, messages from this (local) day on are imported
    uidvalidity: Mapped[int | None] = mapped_column(Integer)
    last_uid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_checked_at = mapped_column(UTCDateTime)
    last_success_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failing_since = mapped_column(UTCDateTime)
    imported_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
