"""The communication network inside the sector: a Department's schools and units, their focal points, and the
groups a message is sent to (mạng lưới truyền thông từ Sở GDĐT đến các đơn vị trường học)."""
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..contacts.phones import search_forms
from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..text import fold
from ..types import JSONType, UTCDateTime

# Levels of a school or unit (cấp học), after the 2025 reorganisation there are no district offices: units are the
# Department's own (trung tâm, phòng chuyên môn).
PRESCHOOL = "preschool"
PRIMARY = "primary"
LOWER_SECONDARY = "lower_secondary"
UPPER_SECONDARY = "upper_secondary"
MULTI_LEVEL = "multi_level"  # trường liên cấp / phổ thông dân tộc nội trú
CONTINUING = "continuing"  # giáo dục thường xuyên, giáo dục nghề nghiệp – GDTX
UNIT = "unit"  # a unit of the Department that is not a school
LEVELS = (PRESCHOOL, PRIMARY, LOWER_SECONDARY, UPPER_SECONDARY, MULTI_LEVEL, CONTINUING, UNIT)

PUBLIC = "public"
PRIVATE = "private"  # ngoài công lập
OWNERSHIPS = (PUBLIC, PRIVATE)

PRINCIPAL = "principal"  # hiệu trưởng / thủ trưởng đơn vị
COMMS_CONTACT = "comms_contact"  # đầu mối truyền thông
COLLABORATOR = "collaborator"  # cộng tác viên truyền thông
FOCAL_KINDS = (PRINCIPAL, COMMS_CONTACT, COLLABORATOR)

STALE_AFTER_DAYS = 365  # unverified for twelve months: flagged for the Department to check

group_school = Table(
    "network_group_school", db.metadata,
    Column("group_id", ForeignKey("network_group.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("network_school.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class School(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A school or unit in a Department's network. Archived, never deleted (messages and acknowledgements keep
    pointing at it)."""

    __tablename__ = "network_school"
    __table_args__ = (Index("ix_network_school_department_name", "department_id", "name"),)

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    level: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    ownership: Mapped[str] = mapped_column(String(16), nullable=False, default=PUBLIC)
    commune: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # xã/phường after 2025
    address: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    code: Mapped[str | None] = mapped_column(String(40))  # the Department's own code for it, where it has one
    # Other names the press uses for it (short forms), matched by media monitoring besides ``name``.
    aliases: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    last_verified_at = mapped_column(UTCDateTime)
    archived_at = mapped_column(UTCDateTime, index=True)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")  # fold(name commune code aliases)

    focal_points = relationship("FocalPoint", back_populates="school", order_by="FocalPoint.id",
                                cascade="all, delete-orphan")
    groups = relationship("NetworkGroup", secondary=group_school, back_populates="schools")

    @property
    def archived(self):
        return self.archived_at is not None

    def refresh_search_text(self):
        self.search_text = fold(" ".join(filter(None, [self.name, self.commune, self.code, *(self.aliases or [])])))


class FocalPoint(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A school's communication focal point: its principal, its communication contact, a collaborator. May hold a
    light account (``user``, role network member) that sees only what is sent to it."""

    __tablename__ = "network_focal_point"

    school_id: Mapped[int] = mapped_column(ForeignKey("network_school.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False, default=COMMS_CONTACT)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # chức vụ
    phone: Mapped[str | None] = mapped_column(String(40))  # as the office wrote it
    phone_number: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164, what matching compares
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    last_verified_at = mapped_column(UTCDateTime)
    archived_at = mapped_column(UTCDateTime, index=True)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")

    school = relationship("School", back_populates="focal_points")
    user = relationship("User")

    @property
    def archived(self):
        return self.archived_at is not None

    def refresh_search_text(self):
        # the number's digit forms too ('84912345678', '0912345678'), which a typed number is searched as
        self.search_text = fold(" ".join(filter(None, [self.full_name, self.title, self.email, self.phone,
                                                       *search_forms(self.phone_number)])))


class NetworkGroup(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A named set of schools a message goes to ("Trường THPT", "Điểm thi tốt nghiệp THPT", "Phường Ba Đình")."""

    __tablename__ = "network_group"
    __table_args__ = (db.UniqueConstraint("department_id", "name", name="uq_network_group_name"),)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    archived_at = mapped_column(UTCDateTime, index=True)  # archived, never deleted (messages name their group)

    schools = relationship("School", secondary=group_school, back_populates="groups", order_by="School.name")

    @property
    def archived(self):
        return self.archived_at is not None
