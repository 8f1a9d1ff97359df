"""Communication plans: the Ministry's plan for a school year and each Department's plan built from it."""
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

DRAFT = "draft"
SUBMITTED = "submitted"


class MinistryPlan(IdMixin, TimestampMixin, Auditable, db.Model):
    """The Ministry's communication plan for one school year (kế hoạch truyền thông năm học)."""

    __tablename__ = "ministry_plan"

    school_year: Mapped[str] = mapped_column(String(9), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # ["Kỳ thi tốt nghiệp THPT 2026", "Sách giáo khoa mới", ...]
    themes: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    # [{"date": "2025-09-05", "label": "Khai giảng năm học"}, ...] sorted by date
    key_dates: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    published_at = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    published_by = relationship("User", foreign_keys=[published_by_id])


class DepartmentPlan(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A Department's plan for a school year: a working draft plus every submitted version.

    One plan per Department and year is enforced by the service (not a unique index: after a merger
    the surviving unit keeps the former units' plans, marked by ``origin_department_id``).
    """

    __tablename__ = "department_plan"
    __table_args__ = (Index("ix_department_plan_year_dept", "school_year", "department_id"),)

    school_year: Mapped[str] = mapped_column(String(9), nullable=False)
    ministry_plan_id: Mapped[int] = mapped_column(ForeignKey("ministry_plan.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    themes: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DRAFT)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # submitted versions so far
    first_submitted_at = mapped_column(UTCDateTime)
    submitted_at = mapped_column(UTCDateTime)  # latest submission
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    ministry_plan = relationship("MinistryPlan")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    versions = relationship("DepartmentPlanVersion", back_populates="plan",
                            order_by="DepartmentPlanVersion.version.desc()", lazy="selectin")

    @property
    def has_unsubmitted_changes(self):
        latest = self.versions[0] if self.versions else None
        return latest is not None and (latest.title, latest.body, list(latest.themes or [])) != (
            self.title, self.body, list(self.themes or []))


class DepartmentPlanVersion(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """One submitted version of a Department's plan; never changed after submission."""

    __tablename__ = "department_plan_version"

    plan_id: Mapped[int] = mapped_column(ForeignKey("department_plan.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    themes: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    submitted_at = mapped_column(UTCDateTime, nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan = relationship("DepartmentPlan", back_populates="versions")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
