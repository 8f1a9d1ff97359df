"""Good stories (gương người tốt việc tốt): the people in them, their consent, photos, pitches and coverage."""
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

PROPOSED = "proposed"
VERIFIED = "verified"
APPROVED = "approved"
PUBLISHED = "published"
REJECTED = "rejected"
SUSPENDED = "suspended"  # a consent was withdrawn: off the public page and the pitch list until approved again
STATES = (PROPOSED, VERIFIED, APPROVED, PUBLISHED, REJECTED, SUSPENDED)

TEACHER, STUDENT, STAFF, PARENT, SCHOOL_LEADER = "teacher", "student", "staff", "parent", "school_leader"
PERSON_ROLES = (TEACHER, STUDENT, STAFF, PARENT, SCHOOL_LEADER)

TOPICS = ("exam", "digital_transformation", "difficult_circumstances", "innovation", "volunteering",
          "teaching_excellence", "inclusive_education", "school_safety")

# What a story may show of a person, and what a consent covers.
SCOPES = ("name", "photo", "school")

SELF, PARENT_GIVER, GUARDIAN = "self", "parent", "guardian"
GIVERS = (SELF, PARENT_GIVER, GUARDIAN)


def _link(target):
    """A required, indexed foreign key: the record this row belongs to."""
    return mapped_column(ForeignKey(target), nullable=False, index=True)


class OfStory:
    """A row that belongs to one story: the people in it, photos, coverage, pitches, places on an agenda."""

    @declared_attr
    def story_id(cls) -> Mapped[int]:
        return _link("story.id")


class Story(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    __tablename__ = "story"
    __table_args__ = (Index("ix_story_department_state", "department_id", "state"),)

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")  # ≤ 60 words: the pitch
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")  # Markdown
    unit: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # school or unit
    commune: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # xã/phường (after 2025)
    province: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    story_date = mapped_column(Date)
    topics: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    proposed_by_name: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # who proposed it
    verification: Mapped[str] = mapped_column(Text, nullable=False, default="")  # how the facts were checked
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=PROPOSED, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at = mapped_column(UTCDateTime)
    published_at = mapped_column(UTCDateTime)
    featured_at = mapped_column(UTCDateTime)  # featured nationally by the Ministry centre
    featured_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    owner = relationship("User", foreign_keys=[owner_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    people = relationship("StoryPerson", back_populates="story", order_by="StoryPerson.id", lazy="selectin",
                          cascade="all, delete-orphan")
    photos = relationship("StoryPhoto", back_populates="story", order_by="StoryPhoto.id", lazy="selectin",
                          cascade="all, delete-orphan")
    coverage = relationship("StoryCoverage", back_populates="story", order_by="StoryCoverage.published_on.desc()",
                            lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_public(self):
        return self.state == PUBLISHED


class StoryPerson(IdMixin, TimestampMixin, Auditable, OfStory, db.Model):
    """Someone a story names or pictures, and what the story shows of them."""

    __tablename__ = "story_person"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    school: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    class_or_subject: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    under_16: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    shows_name: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    shows_school: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    story = relationship("Story", back_populates="people")
    consents = relationship("StoryConsent", back_populates="person", order_by="StoryConsent.id", lazy="selectin")


class StoryConsent(IdMixin, TimestampMixin, Auditable, db.Model):
    """A consent record (Law 91/2025/QH15, Decree 356/2025/NĐ-CP); withdrawn, never deleted."""

    __tablename__ = "story_consent"
    __audit_exclude__ = Auditable.__audit_exclude__ + ("form_data",)

    person_id: Mapped[int] = _link("story_person.id")
    given_by: Mapped[str] = mapped_column(String(200), nullable=False)  # who consented
    given_as: Mapped[str] = mapped_column(String(16), nullable=False, default=SELF)  # self, parent, guardian
    scope: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # subset of SCOPES
    consented_on = mapped_column(Date, nullable=False)
    form_filename: Mapped[str | None] = mapped_column(String(200))
    form_content_type: Mapped[str | None] = mapped_column(String(100))
    form_data = mapped_column(LargeBinary)  # the signed form
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    person = relationship("StoryPerson", back_populates="consents")


class StoryPhoto(IdMixin, TimestampMixin, Auditable, OfStory, db.Model):
    """A photo, re-encoded as JPEG without any metadata (EXIF, GPS)."""

    __tablename__ = "story_photo"
    __audit_exclude__ = Auditable.__audit_exclude__ + ("data",)

    caption: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    data = mapped_column(LargeBinary, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    person_ids: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # who is pictured

    story = relationship("Story", back_populates="photos")


class StoryCoverage(IdMixin, TimestampMixin, Auditable, OfStory, db.Model):
    __tablename__ = "story_coverage"

    outlet: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str] = mapped_column(String(1000), nullable=False)
    published_on = mapped_column(Date, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    story = relationship("Story", back_populates="coverage")


class StoryPitch(IdMixin, TimestampMixin, Auditable, OfStory, db.Model):
    """One pitch email to one journalist."""

    __tablename__ = "story_pitch"
    __table_args__ = (UniqueConstraint("story_id", "contact_id", name="uq_story_pitch_contact"),)

    contact_id: Mapped[int] = _link("contact.id")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"))

    contact = relationship("Contact")
    notification = relationship("Notification")


class ContactTopicOptOut(IdMixin, TimestampMixin, Auditable, db.Model):
    """A journalist said "not interested in this topic": no more pitches on it."""

    __tablename__ = "contact_topic_optout"
    __table_args__ = (UniqueConstraint("contact_id", "topic", name="uq_contact_topic_optout"),)

    contact_id: Mapped[int] = _link("contact.id")
    topic: Mapped[str] = mapped_column(String(40), nullable=False)


class BriefingStory(IdMixin, TimestampMixin, Auditable, OfStory, db.Model):
    """A story on a briefing's agenda."""

    __tablename__ = "briefing_story"
    __table_args__ = (UniqueConstraint("briefing_id", "story_id", name="uq_briefing_story"),)

    briefing_id: Mapped[int] = _link("briefing.id")

    story = relationship("Story")
