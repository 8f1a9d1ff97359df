"""Media monitoring (nắm bắt dư luận): news feeds, watch terms, mentions and the sightings behind them."""
from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

NEW, SEEN, HANDLED, IGNORED = "new", "seen", "handled", "ignored"
STATES = (NEW, SEEN, HANDLED, IGNORED)
TONES = ("positive", "neutral", "negative", "false_information")
SEVERITIES = ("low", "medium", "high")
TERM, EXCLUSION = "term", "exclusion"
TERM_KINDS = (TERM, EXCLUSION)
GENERATED, MANUAL = "generated", "manual"
SOURCES = ("feed", "manual", "api")


class Feed(IdMixin, TimestampMixin, Auditable, db.Model):
    """An RSS or Atom feed of a news outlet, polled by the scheduler (the Ministry manages the list)."""

    __tablename__ = "monitoring_feed"
    __audit_exclude__ = Auditable.__audit_exclude__ + ("etag", "last_modified", "last_polled_at", "next_poll_at",
                                                       "last_ok_at", "failures", "last_error")

    url: Mapped[str] = mapped_column(String(1000), nullable=False, unique=True)
    outlet: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_outlet: Mapped[str | None] = mapped_column(String(200))  # the press-contact outlet name it matches
    interval_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at = mapped_column(UTCDateTime)
    last_ok_at = mapped_column(UTCDateTime)
    next_poll_at = mapped_column(UTCDateTime, index=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))

    # Contact.feeds: a press contact's page links to the feeds of its outlet (the name picked from the contacts'
    # outlets, settings._feed_values). Every Department's contacts: read them scoped (settings.outlet_contacts).
    contacts = relationship("Contact", primaryjoin="foreign(Contact.outlet) == Feed.contact_outlet", viewonly=True,
                            backref=backref("feeds", viewonly=True, uselist=True, order_by="Feed.outlet"))


class CrisisTerm(IdMixin, TimestampMixin, Auditable, db.Model):
    """A Ministry-wide crisis term with a severity ("lộ đề", "ngộ độc"), or a Ministry-wide exclusion."""

    __tablename__ = "monitoring_crisis_term"
    __table_args__ = (UniqueConstraint("folded", "kind", name="uq_monitoring_crisis_term"),)

    text: Mapped[str] = mapped_column(String(200), nullable=False)
    folded: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=TERM)
    severity: Mapped[str] = mapped_column(String(16), nullable=False, default="medium")


class DepartmentTerm(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A term that names one Department (its name, province, former provinces, people), or an exclusion.
    In a merger the terms the surviving Department lacks move to it (settings.carry_terms_over); the rest stay."""

    __tablename__ = "monitoring_department_term"
    __merger__ = "keep"
    __table_args__ = (UniqueConstraint("department_id", "folded", "kind", name="uq_monitoring_department_term"),)

    text: Mapped[str] = mapped_column(String(200), nullable=False)
    folded: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=TERM)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default=MANUAL)


class Mention(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """One story about one Department, however many times and places it was seen (its sightings)."""

    __tablename__ = "monitoring_mention"
    __table_args__ = (Index("ix_monitoring_mention_department_state", "department_id", "state"),
                      Index("ix_monitoring_mention_link", "department_id", "link"),
                      Index("ix_monitoring_mention_title", "department_id", "outlet", "title_key"))

    title: Mapped[str] = mapped_column(String(500), nullable=False)
    title_key: Mapped[str] = mapped_column(String(500), nullable=False, default="")  # folded title
    link: Mapped[str] = mapped_column(String(1000), nullable=False, default="")  # canonical
    guid: Mapped[str | None] = mapped_column(String(1000), index=True)
    outlet: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    excerpt: Mapped[str] = mapped_column(Text, nullable=False, default="")  # plain text
    published_at = mapped_column(UTCDateTime, nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="feed")
    reach: Mapped[int | None] = mapped_column(Integer)
    terms: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # matched terms as written
    severity: Mapped[str | None] = mapped_column(String(16))  # the highest crisis term's
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=NEW)
    tone: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry.id"), index=True)
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    alerted_at = mapped_column(UTCDateTime)

    # Incident.mentions: the incident page links back to the mentions it was created from or linked to.
    incident = relationship("Incident", backref=backref("mentions", order_by=lambda: Mention.id))
    inquiry = relationship("Inquiry", backref=backref("mentions", order_by=lambda: Mention.id))
    sightings = relationship("Sighting", back_populates="mention", order_by="Sighting.id", lazy="selectin",
                             cascade="all, delete-orphan")
    screenshot = relationship("Screenshot", back_populates="mention", uselist=False, cascade="all, delete-orphan")


class Sighting(IdMixin, TimestampMixin, db.Model):
    """Where and when a mention's story was seen: a feed item, a manual capture, a push."""

    __tablename__ = "monitoring_sighting"

    mention_id: Mapped[int] = mapped_column(ForeignKey("monitoring_mention.id"), nullable=False, index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_feed.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="feed")
    url: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    guid: Mapped[str | None] = mapped_column(String(1000))
    outlet: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    seen_at = mapped_column(UTCDateTime, nullable=False)

    mention = relationship("Mention", back_populates="sightings")
    feed = relationship("Feed")


class Screenshot(IdMixin, TimestampMixin, Auditable, db.Model):
    """What the officer saw when capturing a post (posts vanish), re-encoded as JPEG without metadata."""

    __tablename__ = "monitoring_screenshot"
    __audit_exclude__ = Auditable.__audit_exclude__ + ("data",)

    mention_id: Mapped[int] = mapped_column(ForeignKey("monitoring_mention.id"), nullable=False, unique=True)
    data = mapped_column(LargeBinary, nullable=False, deferred=True)  # read only when the image is served
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)

    mention = relationship("Mention", back_populates="screenshot")


class BurstAlert(IdMixin, TimestampMixin, db.Model):
    """A burst of mentions of one Department that was alerted: one alert per burst window."""

    __tablename__ = "monitoring_burst_alert"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    started_at = mapped_column(UTCDateTime, nullable=False)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
