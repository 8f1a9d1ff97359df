"""Users, sign-in with throttling, passwords, sessions and API tokens."""
import functools
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import inputs, permissions
from ..clock import now
from ..departments.models import ACTIVE, Department
from ..departments.service import find_by_code
from ..errors import NotFound, PermissionDenied, TooManyRequests, ValidationError
from ..extensions import db
from ..models import audit_note
from ..permissions import ROLE_LABELS
from ..text import sort_people
from . import passwords, throttle
from .models import ApiToken, User

MIN_PASSWORD_LENGTH = passwords.MIN_PASSWORD_LENGTH


def normalize_email(email, field="email"):
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError(_("Invalid email address."), fields={field: str(exc)})


def check_password_strength(password, field="password", *, email=None, name=None):
    passwords.check(password, field=field, email=email, name=name)


def create_user(*, email, name, role, password, department_code=None, title=None, phone=None):
    errors = {}
    if role not in ROLE_LABELS:
        errors["role"] = _("one of %(v)s", v=", ".join(ROLE_LABELS))
    if not (name or "").strip():
        errors["name"] = _("required")
    department = None
    if role in permissions.holders("department.member"):
        if not department_code:
            errors["department"] = _("required for a Department role")
        else:
            department = find_by_code(department_code)
            if department is None or department.status != ACTIVE:
                errors["department"] = _("unknown or merged department")
    elif role in permissions.holders("ministry.member") and department_code:
        errors["department"] = _("Ministry users belong to no Department")
    try:
        email = normalize_email(email)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        check_password_strength(password, email=email, name=name)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(_("The user could not be created."), fields=errors)
    if db.session.scalar(select(User).where(User.email == email)):
        raise ValidationError(_("A user with this email exists."), fields={"email": _("already exists")})
    user = User(email=email, name=name.strip(), role=role, department=department, title=title, phone=phone,
                active=True, session_version=1)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


@functools.cache
def _dummy_hash():
    # Hashed once per process; unknown emails are checked against it so that they cost what a real account costs.
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def _throttle_keys(email, remote_addr, device):
    """(kind, key) pairs that one attempt is counted under: the known device alone, or the account from this
    address and the account from anywhere."""
    if device:
        return [("dev", throttle.key("dev", email, device))]
    return [("ip", throttle.key("ip", email, remote_addr)), ("acct", throttle.key("acct", email))]


def authenticate(*, email, password, remote_addr=None, device=None):
    """The user for these credentials. Raises TooManyRequests (with ``retry_after``) while a wait is due,
    ValidationError on a miss.

    ``device`` is the id of a known device of this email (a signed cookie set by an earlier sign-in): its attempts
    are counted on their own, so a stranger's failures never slow the owner's own phone.
    """
    email = (email or "").strip().lower()[:320]
    password = password if isinstance(password, str) else ""
    keys = _throttle_keys(email, remote_addr, device)
    # The counters are written in their own short transactions; end any read this request began first, so that
    # SQLite never has to upgrade a stale snapshot to a write.
    db.session.commit()
    for kind, k in keys:
        wait = throttle.claim(kind, k)
        if wait is not None:
            raise TooManyRequests(_("Too many failed sign-ins. Try again in %(n)s seconds.", n=wait),
                                  fields={"email": _("wait")}, retry_after=wait)
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if len(password) > passwords.MAX_LOGIN_PASSWORD_LENGTH:
        ok = False  # bounded work: never hash a megabyte
    elif user is None:
        check_password_hash(_dummy_hash(), password)
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if not ok:
        raise ValidationError(_("Wrong email or password."), fields={"password": _("Wrong email or password.")})
    # The owner is in: what strangers (or the owner's typos) counted against the account starts again.
    throttle.forgive(*{k for d in (None, device) for _kind, k in _throttle_keys(email, remote_addr, d)})
    return user


def end_sessions(*, user):
    """Every session of ``user`` (this one included) ends: the session id carries the version."""
    user.session_version = (user.session_version or 1) + 1
    return user


def change_password(*, user, current_password, new_password):
    if not isinstance(current_password, str) or len(current_password) > passwords.MAX_LOGIN_PASSWORD_LENGTH \
            or not user.check_password(current_password):
        raise ValidationError(_("The current password is wrong."), fields={"current_password": _("Wrong password.")})
    check_password_strength(new_password, field="new_password", email=user.email, name=user.name)
    user.set_password(new_password)
    end_sessions(user=user)
    return user


TOKEN_LIFETIMES = (30, 90, 365)  # days offered on the account page; None: until revoked
MAX_TOKEN_DAYS = 3650


def issue_token(*, user, label=None, expires_in_days=None):
    """A new API token; the plain value is returned once and only its hash is stored."""
    errors = {}
    if label is not None and (not isinstance(label, str) or len(label) > 200):
        errors["label"] = _("At most %(n)s characters.", n=200)
    if expires_in_days is not None and (isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int)
                                        or not 1 <= expires_in_days <= MAX_TOKEN_DAYS):
        errors["expires_in_days"] = _("A number of days from 1 to %(n)s, or empty for no expiry.", n=MAX_TOKEN_DAYS)
    if errors:
        raise ValidationError(_("The token could not be created."), fields=errors)
    if not user.active:
        raise PermissionDenied(_("This account is deactivated."))
    token = "cc_" + secrets.token_urlsafe(32)
    expires_at = now() + timedelta(days=expires_in_days) if expires_in_days else None
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token), prefix=token[:10],
                            label=(label or "").strip() or None, expires_at=expires_at))
    db.session.flush()
    return token


def tokens_of(user):
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke_token(*, user, token_id):
    """``user`` revokes one of their own tokens, or (Ministry admin) anyone's. Another's token is a 404."""
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) and 0 < token_id < 2**31 else None
    if token is None or (token.user_id != user.id and not permissions.can(user, "user.manage")):
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now()
        audit_note("revoke", "ApiToken", entity_id=token.id, department_id=token.user.department_id,
                   summary=f"API token {token.prefix}… of {token.user.email}")
    return token


def _revoke_all_tokens(user):
    t = now()
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=t).execution_options(synchronize_session=False))


def token_user(raw, touch_every=timedelta(minutes=1)):
    """(user, token) for a bearer token that is neither revoked nor expired and whose user is active; else None.
    Notes when it was used (at most once a minute)."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw)))
    t = now()
    if token is None or not token.usable(t) or not token.user.active:
        return None
    if token.last_used_at is None or t - token.last_used_at >= touch_every:
        token.last_used_at = t
    return token.user, token


def update_user(*, actor, user, role=None, department_code=None, active=None):
    """The Ministry admin changes a user's role, Department or whether they may sign in (audited by the flush
    hook). Deactivation ends every session and revokes every token. An admin cannot lock themselves out, and the
    last active Ministry admin stays one."""
    errors = {}
    new_role = user.role if role is None else role
    if new_role not in ROLE_LABELS:
        errors["role"] = _("Choose a role from the list.")
    department = user.department
    if new_role in permissions.holders("ministry.member"):
        department = None
    elif department_code:  # None: keep the Department; "": none chosen
        department = find_by_code(department_code) if isinstance(department_code, str) else None
        if department is None or department.status != ACTIVE:
            errors["department"] = _("Unknown or merged Department.")
    elif department_code == "" or department is None or department.status != ACTIVE:
        errors["department"] = _("A Department role needs a Department.")
    if errors:
        raise ValidationError(_("The user could not be changed."), fields=errors)
    # Someone must still be able to manage the users: the last active holder of user.manage keeps it.
    managers = permissions.holders("user.manage")
    stays_admin = new_role in managers and (user.active if active is None else active)
    if user.role in managers and user.active and not stays_admin:
        if user.id == actor.id:
            raise ValidationError(_("You cannot deactivate yourself or take away your own admin role."),
                                  fields={"role" if active is None else "active": _("not for your own account")})
        others = db.session.scalar(select(db.func.count(User.id)).where(
            User.role.in_(managers), User.active.is_(True), User.id != user.id))
        if not others:
            raise ValidationError(_("The last active Ministry admin cannot be removed."),
                                  fields={"role" if active is None else "active": _("the last Ministry admin")})
    user.role = new_role
    user.department = department
    if active is not None and active != user.active:
        user.active = active
        if not active:
            end_sessions(user=user)
            _revoke_all_tokens(user)
    db.session.flush()
    return user


def find_by_email(email):
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def department_users(department_id, roles=None, active=True):
    stmt = select(User).where(User.department_id == department_id).order_by(User.name)
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    if active:
        stmt = stmt.where(User.active.is_(True))
    return sort_people(db.session.scalars(stmt).all())


def ministry_users(roles=None):
    """The active Ministry accounts (holding one of ``roles`` when given)."""
    roles = permissions.holders("ministry.member") if roles is None else roles
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
        errors[key] = _("unknown field")
    fields = inputs.Fields(changes, errors)
    for key in ("name", "title", "phone"):
        if key in changes:
            changes[key] = fields.text(key, column=getattr(User, key), required=key == "name", single_line=True)
    if "locale" in changes and changes["locale"] not in ("vi", "en", None):
        errors["locale"] = _("one of vi, en")
    if errors:
        raise ValidationError(_("The profile could not be changed."), fields=errors)
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.flush()
    return user
