from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

CATEGORIES = ("exam", "school_safety", "health", "misinformation", "finance", "curriculum", "data_protection")
SEVERITIES = ("low", "medium", "high", "critical")


class Scenario(IdMixin, TimestampMixin, Auditable, db.Model):
    """A Ministry template crisis scenario (kịch bản), identified by its stable slug."""

    __tablename__ = "scenario"

    slug: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    exam_related: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    latest_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    versions = relationship("ScenarioVersion", back_populates="scenario", order_by="ScenarioVersion.version")

    def version(self, number=None):
        number = number or self.latest_version
        return next((v for v in self.versions if v.version == number), None)


class ScenarioVersion(IdMixin, TimestampMixin, Auditable, db.Model):
    """One immutable version of a scenario file: its front matter (``meta``: phases, notify, …) and body."""

    __tablename__ = "scenario_version"
    __table_args__ = (UniqueConstraint("scenario_id", "version"),)

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    meta: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    checksum: Mapped[str] = mapped_column(String(64), nullable=False)
    source_path: Mapped[str | None] = mapped_column(String(300))

    scenario = relationship("Scenario", back_populates="versions")

    @property
    def phases(self):
        return (self.meta or {}).get("phases", [])

    @property
    def summary(self):
        return (self.meta or {}).get("summary") or ""

    @property
    def notify(self):
        return (self.meta or {}).get("notify", [])

    @property
    def default_severity(self):
        return (self.meta or {}).get("default_severity")


class _KeptAtMerger(DepartmentOwned):
    """A Department's own record of a scenario stays with it when it is merged: a receipt is history of the
    Department that acknowledged it, and the surviving Department keeps its own adaptation (the former one's
    stays readable)."""

    __merger__ = "keep"


class ScenarioDistribution(IdMixin, TimestampMixin, Auditable, _KeptAtMerger, db.Model):
    """A scenario version sent by the Ministry's communication centre to one Department, and its receipt."""

    __tablename__ = "scenario_distribution"
    __table_args__ = (UniqueConstraint("scenario_version_id", "department_id"),)

    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_version.id"), nullable=False, index=True)
    distributed_at = mapped_column(UTCDateTime, nullable=False)
    distributed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at = mapped_column(UTCDateTime, index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reminded_at = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    scenario_version = relationship("ScenarioVersion", lazy="joined")
    distributed_by = relationship("User", foreign_keys=[distributed_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])

    @property
    def acknowledged(self):
        return self.acknowledged_at is not None


class ScenarioAdaptation(IdMixin, TimestampMixin, Auditable, _KeptAtMerger, db.Model):
    """A Department's own copy of a scenario's body, based on one Ministry version, with local edits."""

    __tablename__ = "scenario_adaptation"
    __table_args__ = (UniqueConstraint("scenario_id", "department_id"),)

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), nullable=False, index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_version.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    scenario = relationship("Scenario")
    base_version = relationship("ScenarioVersion", lazy="joined")
    updated_by = relationship("User", foreign_keys=[updated_by_id])

    @property
    def behind(self):
        return self.base_version.version < self.scenario.latest_version
