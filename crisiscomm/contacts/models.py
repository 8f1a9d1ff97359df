from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..text import fold
from ..types import JSONType, UTCDateTime

CENTRAL_RESIDENT = "central_resident"  # báo Trung ương thường trú tại địa phương
PROVINCIAL = "provincial"  # báo tỉnh
BROADCAST = "broadcast"  # phát thanh – truyền hình
ONLINE = "online"  # báo điện tử / trang tin
MINISTRY_LEVEL = "ministry"  # cơ quan báo chí của Bộ / cấp Bộ
OUTLET_TYPES = (CENTRAL_RESIDENT, PROVINCIAL, BROADCAST, ONLINE, MINISTRY_LEVEL)


class Contact(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A journalist or press contact a Department keeps. Archived, never deleted."""

    __tablename__ = "contact"
    # A Department's contacts in name order: a search stops after one page instead of sorting them all.
    __table_args__ = (Index("ix_contact_department_name", "department_id", "full_name"),)

    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    outlet: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    outlet_type: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    beat: Mapped[str | None] = mapped_column(String(300))
    phones: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    last_verified_at = mapped_column(UTCDateTime)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    # fold(full_name outlet beat email phones): diacritics-insensitive search on every database
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="", index=False)

    def refresh_search_text(self):
        self.search_text = fold(" ".join(filter(None, [self.full_name, self.outlet, self.beat, self.email,
                                                       *(self.phones or [])])))
