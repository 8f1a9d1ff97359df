import hashlib

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .. import permissions
from ..extensions import db
from ..models import Auditable, IdMixin, TimestampMixin
from ..types import UTCDateTime


class User(IdMixin, TimestampMixin, Auditable, UserMixin, db.Model):
    __tablename__ = "user_account"
    __merger__ = "move"  # a merged Department's people work for the surviving one (departments.service.merge)

    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str | None] = mapped_column(String(200))  # chức vụ, e.g. "Phó Giám đốc Sở"
    phone: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    # None: a Ministry user. Users move with their Department on a merger.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    origin_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    department = relationship("Department", foreign_keys=[department_id], lazy="joined")

    @property
    def is_active(self):  # Flask-Login: a deactivated user cannot sign in
        return self.active

    @property
    def is_ministry(self):
        return self.role in permissions.holders("ministry.member")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        # Changing the password bumps session_version, which ends every other session.
        return f"{self.id}:{self.session_version}"

    def __repr__(self):
        return f"<User {self.email} {self.role}>"


class ApiToken(IdMixin, TimestampMixin, db.Model):
    """A bearer token for /api/v1; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    label: Mapped[str | None] = mapped_column(String(200))
    last_used_at = mapped_column(UTCDateTime)  # kept to the minute (one write per token per minute at most)
    expires_at = mapped_column(UTCDateTime)  # None: until revoked
    revoked_at = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def usable(self, at):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class LoginThrottle(IdMixin, db.Model):
    """Failed sign-ins counted under one key (an account from one address, an account from anywhere, or one known
    device); each failure past the free ones pushes ``blocked_until`` further out. Claimed by compare-and-swap on
    ``failures``, so parallel attempts cannot check more passwords than the policy allows."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    blocked_until = mapped_column(UTCDateTime)
    last_attempt_at = mapped_column(UTCDateTime, nullable=False, index=True)


def load_person(relationship_attr):
    """Loader option for a list that shows only a person's name or e-mail: join the user account into the page,
    but not its Department (joined with every User by default)."""
    return joinedload(relationship_attr).lazyload(User.department)
