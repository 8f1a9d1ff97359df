import re

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
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
    position: Mapped[str | None] = mapped_column(String(200))  # "Chức vụ": reporter, editor, bureau chief…
    beat: Mapped[str | None] = mapped_column(String(300))
    phones: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # as the office wrote them
    # The same numbers in E.164 (+84912345678): what duplicates, matching and search compare.
    phone_numbers: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    last_verified_at = mapped_column(UTCDateTime)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    # fold(full_name outlet beat email phones): diacritics-insensitive search on every database
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="", index=False)

    def refresh_search_text(self):
        """Derived columns: the canonical phone numbers and the folded search text."""
        from .phones import canonical, search_forms

        self.phone_numbers = [e164 for e164 in (canonical(p) for p in self.phones or []) if e164]
        forms = [form for e164 in self.phone_numbers for form in search_forms(e164)]
        self.search_text = fold(" ".join(filter(None, [self.full_name, self.outlet, getattr(self, "position", None),
                                                       self.beat, self.email, *(self.phones or []), *forms])))


    def dial_list(self):
        """[(number as written, tel: target)]: the canonical form dials from any phone, abroad included."""
        from .phones import canonical

        return [(p, canonical(p) or re.sub(r"[^0-9+]", "", p)) for p in self.phones or []]


class ContactImport(IdMixin, DepartmentOwned, db.Model):
    """An uploaded contact list waiting for its column mapping and confirmation. Its file is dropped on import
    and the row deleted when it expires (the contacts.purge_imports job): uploads never pile up."""

    __tablename__ = "contact_import"

    token: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # {"header_row": n, "columns": {index: field}, "default_outlet_type": code} once the user confirmed it
    mapping = mapped_column(JSONType)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)
    # once imported the file is dropped at once; the row stays until it expires so that a second click on
    # "Import" (or the back button) says "already imported" instead of importing twice
    imported_at = mapped_column(UTCDateTime)


class ContactImportMapping(IdMixin, DepartmentOwned, db.Model):
    """The column mapping a Department last confirmed: its next list with the same headers maps itself."""

    __tablename__ = "contact_import_mapping"
    __merger__ = "keep"  # one per Department: the surviving Department keeps its own
    __table_args__ = (UniqueConstraint("department_id", name="uq_contact_import_mapping_department"),)

    headers: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)  # fold(header) -> field or ""
    default_outlet_type: Mapped[str | None] = mapped_column(String(24))
    updated_at = mapped_column(UTCDateTime, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
