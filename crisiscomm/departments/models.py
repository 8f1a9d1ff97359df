from sqlalchemy import Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..models import Auditable, IdMixin, TimestampMixin
from ..text import collation_key
from ..types import JSONType, UTCDateTime

ACTIVE = "active"
MERGED = "merged"


class Department(IdMixin, TimestampMixin, Auditable, db.Model):
    """A provincial Department of Education and Training (Sở GDĐT)."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    province: Mapped[str] = mapped_column(String(120), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # collation_key(province): Vietnamese alphabetical order, the same on every database whatever its collation
    sort_name: Mapped[str] = mapped_column(String(400), nullable=False, default="", index=True)
    cluster_2022: Mapped[int | None] = mapped_column(Integer)
    seq_2022: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ACTIVE, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    merged_at = mapped_column(UTCDateTime)
    # Names and codes this unit had before a rename (e.g. Thừa Thiên Huế → Huế).
    former_names: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    former_codes: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    # Per-Department settings other domains read (e.g. inquiry default hours, who approves answers).
    settings: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))

    merged_into = relationship("Department", remote_side="Department.id", foreign_keys=[merged_into_id])

    @validates("province")
    def _keep_sort_name(self, key, value):
        self.sort_name = collation_key(value)
        return value

    @property
    def is_active(self):
        return self.status == ACTIVE

    def absorbed(self):
        """Departments merged into this one, directly or through earlier mergers."""
        seen, queue, out = {self.id}, [self.id], []
        while queue:
            rows = db.session.scalars(select(Department).where(Department.merged_into_id.in_(queue))).all()
            queue = []
            for dep in rows:
                if dep.id not in seen:
                    seen.add(dep.id)
                    queue.append(dep.id)
                    out.append(dep)
        return out

    def all_former_names(self):
        names = list(self.former_names or [])
        for dep in self.absorbed():
            names.append(dep.province)
            names.extend(dep.former_names or [])
        return names

    def setting(self, key, default=None):
        return (self.settings or {}).get(key, default)

    def __repr__(self):
        return f"<Department {self.code}>"


class OfficeScore(IdMixin, db.Model):
    """A Department's office-work appraisal for one school year (criterion 12.2 is communication)."""

    __tablename__ = "office_score"
    __table_args__ = (db.UniqueConstraint("department_id", "school_year"),)

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    school_year: Mapped[str] = mapped_column(String(9), nullable=False)
    reporting: Mapped[float | None] = mapped_column(Float)
    communication: Mapped[float | None] = mapped_column(Float)  # criterion 12.2, max 40
    admin_reform: Mapped[float | None] = mapped_column(Float)
    total: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)

    department = relationship("Department")
