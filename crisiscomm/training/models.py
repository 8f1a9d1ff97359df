"""Training (tập huấn) for spokespersons, communication staff and the school network: courses, their materials,
the Departments a Ministry course invites, and who took part."""
from sqlalchemy import Column, Date, ForeignKey, Integer, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, IdMixin, TimestampMixin
from ..types import JSONType

SPOKESPERSON_SKILLS = "spokesperson_skills"
CRISIS_COMMUNICATION = "crisis_communication"
SOCIAL_MEDIA = "social_media"
EXAM_COMMUNICATION = "exam_communication"
PRESS_RELATIONS = "press_relations"
INFORMATION_LAW = "information_law"
WRITING = "writing"  # soạn thông cáo, tin bài
TOPICS = (SPOKESPERSON_SKILLS, CRISIS_COMMUNICATION, SOCIAL_MEDIA, EXAM_COMMUNICATION, PRESS_RELATIONS,
          INFORMATION_LAW, WRITING)

REGISTERED = "registered"
ATTENDED = "attended"
ABSENT = "absent"
ATTENDANCE = (REGISTERED, ATTENDED, ABSENT)

FILE = "file"
LINK = "link"

course_department = Table(
    "training_course_department", db.metadata,
    Column("course_id", ForeignKey("training_course.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True, index=True),
)


class Course(IdMixin, TimestampMixin, Auditable, db.Model):
    """A training course organised by the Ministry (``department_id`` None; it invites Departments) or by one
    Department for its own people and schools."""

    __tablename__ = "training_course"
    __merger__ = "move"  # a merged Department's courses go to its successor (departments.service.merge)

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    starts_on = mapped_column(Date, nullable=False, index=True)
    ends_on = mapped_column(Date, nullable=False)
    place: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    online: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)  # None: the Ministry
    topics: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    trainers: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # names as written
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    department = relationship("Department", foreign_keys=[department_id], lazy="joined")
    invited = relationship("Department", secondary=course_department, order_by="Department.sort_name")
    materials = relationship("CourseMaterial", back_populates="course", order_by="CourseMaterial.id",
                             cascade="all, delete-orphan")
    participants = relationship("CourseParticipant", back_populates="course", order_by="CourseParticipant.id",
                                cascade="all, delete-orphan")

    @property
    def by_ministry(self):
        return self.department_id is None


class CourseMaterial(IdMixin, TimestampMixin, Auditable, db.Model):
    """A file (kept in the database, served as a download) or a link."""

    __tablename__ = "training_material"
    __audit_exclude__ = Auditable.__audit_exclude__ + ("data",)

    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    url: Mapped[str | None] = mapped_column(String(1000))
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    data = mapped_column(LargeBinary)

    course = relationship("Course", back_populates="materials")


class CourseParticipant(IdMixin, TimestampMixin, Auditable, db.Model):
    """A user or a school's focal point on a course, with their attendance. ``department_id`` is the person's
    Department (who may mark them, and whose figures they count in)."""

    __tablename__ = "training_participant"
    __merger__ = "move"
    __table_args__ = (UniqueConstraint("course_id", "user_id", name="uq_training_participant_user"),
                      UniqueConstraint("course_id", "focal_point_id", name="uq_training_participant_focal_point"))

    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    focal_point_id: Mapped[int | None] = mapped_column(ForeignKey("network_focal_point.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    attendance: Mapped[str] = mapped_column(String(16), nullable=False, default=REGISTERED)
    certificate_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    course = relationship("Course", back_populates="participants")
    user = relationship("User", lazy="joined")
    focal_point = relationship("FocalPoint", lazy="joined")
    department = relationship("Department", foreign_keys=[department_id])

    @property
    def name(self):
        return self.user.name if self.user is not None else self.focal_point.full_name
