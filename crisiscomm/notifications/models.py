from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import IdMixin
from ..types import JSONType, UTCDateTime

EMAIL = "email"
IN_APP = "in_app"
WEBHOOK = "webhook"
CHANNELS = (EMAIL, IN_APP, WEBHOOK)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED_TEMPORARY = "failed_temporary"
FAILED_PERMANENT = "failed_permanent"
NOT_NOTIFIED = "not_notified"  # no address to send to: shown plainly, never a silent gap
STATES = (PENDING, SENDING, SENT, FAILED_TEMPORARY, FAILED_PERMANENT, NOT_NOTIFIED)
OPEN_STATES = (PENDING, SENDING, FAILED_TEMPORARY)


class Notification(IdMixin, db.Model):
    """One message to one recipient on one channel: the outbox row.

    Written in the same transaction as the change it announces; sent after commit.
    ``dedupe_key`` makes enqueueing idempotent (a job that runs twice queues once).
    """

    __tablename__ = "notification"

    created_at = mapped_column(UTCDateTime, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(48), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING, index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))  # email address or webhook URL
    recipient_label: Mapped[str | None] = mapped_column(String(300))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    # [{"filename", "content_type", "data" (base64)}], e.g. a briefing invitation's .ics
    attachments: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    source_type: Mapped[str | None] = mapped_column(String(32), index=True)
    source_id: Mapped[int | None] = mapped_column(Integer, index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at = mapped_column(UTCDateTime, index=True)
    claimed_at = mapped_column(UTCDateTime)
    sent_at = mapped_column(UTCDateTime)  # when the mail server / webhook accepted it
    last_error: Mapped[str | None] = mapped_column(Text)
    read_at = mapped_column(UTCDateTime)  # in-app: when the recipient opened it
    message_id: Mapped[str | None] = mapped_column(String(200))

    recipient = relationship("User", lazy="joined")

    @property
    def retried(self):
        return self.attempts > 1
