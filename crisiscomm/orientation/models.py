"""Orientation messages (định hướng thông tin): what a Department (or the Ministry) tells its schools' focal
points to say — and not say — about an issue, and who acknowledged it."""
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

DRAFTED = "drafted"
SENT = "sent"
STATES = (DRAFTED, SENT)

# Who sends: a Department to its own network, or the Ministry to the Departments' networks.
FROM_DEPARTMENT = "department"
FROM_MINISTRY = "ministry"

# How a focal point acknowledged.
ACK_APP = "app"  # the button in the app
ACK_EMAIL = "email"  # the signed link of the email (no sign-in)
ACK_PUSH = "push"  # the push notification's button
ACK_APPRISE = "apprise"  # the link of an SMS or chat message
ACK_API = "api"
ACK_CHANNELS = (ACK_APP, ACK_EMAIL, ACK_PUSH, ACK_APPRISE, ACK_API)


class OrientationMessage(IdMixin, TimestampMixin, Auditable, db.Model):
    """One orientation message. ``department_id`` is the sending Department, None for the Ministry's.

    ``targets``: {"all": bool, "group_ids": [...], "school_ids": [...]} for a Department;
    {"all": bool, "department_ids": [...]} for the Ministry. Fixed once sent.
    """

    __tablename__ = "orientation_message"
    __table_args__ = (Index("ix_orientation_message_department_created", "department_id", "created_at"),)

    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    sender: Mapped[str] = mapped_column(String(16), nullable=False, default=FROM_DEPARTMENT)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    holding_line: Mapped[str] = mapped_column(Text, nullable=False)  # câu trả lời thống nhất
    may_say: Mapped[str] = mapped_column(Text, nullable=False, default="")
    may_not_say: Mapped[str] = mapped_column(Text, nullable=False, default="")
    refer_press_to: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # who the press is sent to
    playbook_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    targets: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=DRAFTED, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at = mapped_column(UTCDateTime, index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Reminder rounds to the silent (by hand or by the job): the round number is in each reminder's dedupe key.
    reminder_rounds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reminded_at = mapped_column(UTCDateTime)

    department = relationship("Department", foreign_keys=[department_id])
    incident = relationship("Incident")
    created_by = relationship("User", foreign_keys=[created_by_id])
    sent_by = relationship("User", foreign_keys=[sent_by_id])
    recipients = relationship("OrientationRecipient", back_populates="message", cascade="all, delete-orphan",
                              order_by="OrientationRecipient.id")

    @property
    def from_ministry(self):
        return self.sender == FROM_MINISTRY


class OrientationRecipient(IdMixin, db.Model):
    """One focal point a sent message went to: the school, the person as they were at sending, and their answer.
    Delivery per channel is read from the outbox rows (source "orientation_recipient")."""

    __tablename__ = "orientation_recipient"
    __table_args__ = (UniqueConstraint("message_id", "focal_point_id", name="uq_orientation_recipient"),
                      Index("ix_orientation_recipient_message_ack", "message_id", "acknowledged_at"))

    message_id: Mapped[int] = mapped_column(ForeignKey("orientation_message.id", ondelete="CASCADE"),
                                            nullable=False)
    focal_point_id: Mapped[int] = mapped_column(ForeignKey("network_focal_point.id"), nullable=False, index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("network_school.id"), nullable=False, index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    delivered_at = mapped_column(UTCDateTime)  # the first channel that took it (mail server, push service, app)
    acknowledged_at = mapped_column(UTCDateTime, index=True)
    ack_channel: Mapped[str | None] = mapped_column(String(16))
    ack_nonce: Mapped[str] = mapped_column(String(32), nullable=False)  # the email link names it
    reminders_sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_reminded_at = mapped_column(UTCDateTime)

    message = relationship("OrientationMessage", back_populates="recipients")
    focal_point = relationship("FocalPoint")
    school = relationship("School")
    user = relationship("User")

    @property
    def acknowledged(self):
        return self.acknowledged_at is not None
