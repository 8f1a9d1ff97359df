from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, IdMixin, TimestampMixin
from ..types import JSONType

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
