"""Users, sign-in with throttling, passwords and API tokens."""
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..clock import now
from ..departments.models import ACTIVE, Department
from ..departments.service import find_by_code
from ..errors import NotFound, TooManyRequests, ValidationError
from ..extensions import db
from .models import DEPARTMENT_ROLES, MINISTRY_ROLES, ROLES, ApiToken, LoginFailure, User
from ..text import sort_people

MIN_PASSWORD_LENGTH = 10


def normalize_email(email, field="email"):
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError("Invalid email address.", fields={field: str(exc)})


def check_password_strength(password, field="password"):
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("Password too short.",
                              fields={field: f"at least {MIN_PASSWORD_LENGTH} characters"})


def create_user(*, email, name, role, password, department_code=None, title=None, phone=None):
    errors = {}
    if role not in ROLES:
        errors["role"] = "one of " + ", ".join(ROLES)
    if not (name or "").strip():
        errors["name"] = "required"
    department = None
    if role in DEPARTMENT_ROLES:
        if not department_code:
            errors["department"] = "required for a Department role"
        else:
            department = find_by_code(department_code)
            if department is None or department.status != ACTIVE:
                errors["department"] = "unknown or merged department"
    elif role in MINISTRY_ROLES and department_code:
        errors["department"] = "Ministry users belong to no Department"
    try:
        email = normalize_email(email)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        check_password_strength(password)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError("The user could not be created.", fields=errors)
    if db.session.scalar(select(User).where(User.email == email)):
        raise ValidationError("A user with this email exists.", fields={"email": "already exists"})
    user = User(email=email, name=name.strip(), role=role, department=department, title=title, phone=phone,
                active=True, session_version=1)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _recent_failures(email, remote_addr):
    window = now() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    by_email = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.email == email, LoginFailure.at >= window))
    by_addr = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.remote_addr == remote_addr, LoginFailure.at >= window)) if remote_addr else 0
    return by_email, by_addr


def authenticate(*, email, password, remote_addr=None):
    """The user for these credentials. Raises TooManyRequests after repeated failures, ValidationError on a miss.

    Failures are counted per email and per address over LOGIN_LOCK_MINUTES; the lock holds
    even for the right password, so guessing cannot continue while it lasts.
    """
    email = (email or "").strip().lower()
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    by_email, by_addr = _recent_failures(email, remote_addr)
    if by_email >= limit or by_addr >= limit * 4:
        raise TooManyRequests("Too many failed sign-ins. Try again in a few minutes.",
                              fields={"email": "temporarily locked"})
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not user.check_password(password or ""):
        db.session.add(LoginFailure(email=email, remote_addr=remote_addr, at=now()))
        db.session.commit()  # a failure must count even though the request ends in an error
        raise ValidationError("Wrong email or password.", fields={"password": "wrong email or password"})
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    return user


def change_password(*, user, current_password, new_password):
    if not user.check_password(current_password or ""):
        raise ValidationError("The current password is wrong.", fields={"current_password": "wrong password"})
    check_password_strength(new_password, field="new_password")
    user.set_password(new_password)
    user.session_version = (user.session_version or 1) + 1
    return user


def issue_token(*, user, label=None):
    """A new API token; the plain value is returned once and only its hash is stored."""
    token = "cc_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token), prefix=token[:10], label=label))
    db.session.flush()
    return token


def revoke_token(*, user, token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    token.revoked_at = token.revoked_at or now()
    return token


def find_by_email(email):
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def department_users(department_id, roles=None, active=True):
    stmt = select(User).where(User.department_id == department_id).order_by(User.name)
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    if active:
        stmt = stmt.where(User.active.is_(True))
    return sort_people(db.session.scalars(stmt).all())


def ministry_users(roles=MINISTRY_ROLES):
    return sort_people(db.session.scalars(select(User).where(User.department_id.is_(None), User.role.in_(roles),
                                                             User.active.is_(True))).all())


def list_users(*, department_id=None, q=None):
    stmt = select(User).order_by(User.department_id.is_not(None), User.name)
    if department_id:
        stmt = stmt.where(User.department_id == department_id)
    if q:
        stmt = stmt.where(or_(User.name.ilike(f"%{q}%"), User.email.ilike(f"%{q}%")))
    return db.session.scalars(stmt).all()


__all__ = ["create_user", "authenticate", "change_password", "issue_token", "find_by_email", "department_users",
           "ministry_users", "Department"]


PROFILE_FIELDS = ("name", "title", "phone", "locale")


def update_profile(*, user, **changes):
    """Change what a user may change about themselves: name, title, phone, UI language (vi / en)."""
    errors = {}
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    for key in unknown:
        errors[key] = "unknown field"
    if "name" in changes and not (isinstance(changes["name"], str) and changes["name"].strip()):
        errors["name"] = "required"
    if "locale" in changes and changes["locale"] not in ("vi", "en", None):
        errors["locale"] = "one of vi, en"
    for key in ("title", "phone"):
        if key in changes and changes[key] is not None and not isinstance(changes[key], str):
            errors[key] = "a string or null"
    if errors:
        raise ValidationError("The profile could not be changed.", fields=errors)
    for key, value in changes.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return user
