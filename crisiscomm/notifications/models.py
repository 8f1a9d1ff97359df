from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import IdMixin
from ..types import JSONType, UTCDateTime

EMAIL = "email"
IN_APP = "in_app"
WEBHOOK = "webhook"
PUSH = "push"  # Web Push (RFC 8291) to one browser or phone
APPRISE = "apprise"  # any service Apprise speaks to: SMS gateways, Telegram, Teams, ntfy…
CHANNELS = (EMAIL, IN_APP, WEBHOOK, PUSH, APPRISE)
INSTANT_CHANNELS = (PUSH, APPRISE)

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
    # The contact method this row goes to (push subscription, Apprise URL, extra email); None for the account email.
    contact_method_id: Mapped[int | None] = mapped_column(ForeignKey("contact_method.id", ondelete="SET NULL"),
                                                          index=True)
    action_used_at = mapped_column(UTCDateTime)  # the row's signed action link (acknowledge) works once

    # /healthz reads the last email sent and the oldest open row on every probe: index lookups, not scans of a
    # table that grows by every message ever sent.
    __table_args__ = (Index("ix_notification_channel_state_sent_at", "channel", "state", "sent_at"),
                      Index("ix_notification_state_channel_created_at", "state", "channel", "created_at"))

    recipient = relationship("User", lazy="joined")
    contact_method = relationship("ContactMethod")

    @property
    def retried(self):
        return self.attempts > 1


class ContactMethod(IdMixin, db.Model):
    """One way to reach a person: an extra email address, a browser's push subscription or an Apprise URL.

    Usable only once ``verified_at`` is set: the person confirmed the test message (code or link), so a typo
    never swallows an exam alert. The account email is always a method and needs no row.
    """

    __tablename__ = "contact_method"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # email | push | apprise
    label: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    address: Mapped[str] = mapped_column(Text, nullable=False)  # email, push endpoint or Apprise URL
    address_hash: Mapped[str] = mapped_column(String(64), nullable=False)  # one row per person and address
    keys: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)  # push: p256dh, auth
    short_form: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # SMS-sized messages
    created_at = mapped_column(UTCDateTime, nullable=False)
    verified_at = mapped_column(UTCDateTime)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_sent_at = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_delivered_at = mapped_column(UTCDateTime)
    removed_at = mapped_column(UTCDateTime)  # push service answered 404/410, or the person removed it
    removed_reason: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")

    __table_args__ = (UniqueConstraint("user_id", "kind", "address_hash", name="uq_contact_method_address"),)

    @property
    def usable(self):
        return self.verified_at is not None and self.removed_at is None


class NotificationRoute(IdMixin, db.Model):
    """Where a person wants one kind of notice (briefing reminders, inquiry deadlines…). Escalations ignore it."""

    __tablename__ = "notification_route"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(48), nullable=False)
    channels: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)

    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_route"),)


class VapidKey(IdMixin, db.Model):
    """The server's Web Push identity (VAPID, RFC 8292). The newest unretired row signs; browsers subscribe to it."""

    __tablename__ = "vapid_key"

    created_at = mapped_column(UTCDateTime, nullable=False)
    public_key: Mapped[str] = mapped_column(String(200), nullable=False)  # base64url, uncompressed P-256 point
    private_pem: Mapped[str] = mapped_column(Text, nullable=False)
    retired_at = mapped_column(UTCDateTime)
