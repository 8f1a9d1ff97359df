import click
from flask.cli import AppGroup
from sqlalchemy import select

from .. import permissions
from ..departments.service import find_by_code
from ..errors import DomainError
from ..extensions import db
from ..models import acting_as
from . import service
from .models import User

users_cli = AppGroup("users", help="Users.")
tokens_cli = AppGroup("tokens", help="API tokens.")


def _fail(exc):
    db.session.rollback()
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


def _user(email):
    user = service.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


class _Console:
    """The actor of a command-line change: the operator at the server, who may do what a Ministry admin may,
    except that no "own account" exists to protect."""

    id = None
    role = permissions.holders("user.manage")[0]
    is_authenticated = True


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(list(permissions.ROLE_LABELS)))
@click.option("--department", "department_code", default=None, help="Department code (Department roles)")
@click.option("--password", required=True)
@click.option("--title", default=None)
@click.option("--phone", default=None)
def create_cmd(email, name, role, department_code, password, title, phone):
    """Create a user."""
    with acting_as(label="cli"):
        try:
            user = service.create_user(email=email, name=name, role=role, department_code=department_code,
                                       password=password, title=title, phone=phone)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
    click.echo(f"created {user.email} ({user.role})")


@users_cli.command("list")
@click.option("--department", "department_code", default=None)
def list_cmd(department_code):
    """Users: email, role, Department, active or deactivated."""
    stmt = select(User).order_by(User.email)
    if department_code:
        department = find_by_code(department_code)
        if department is None:
            raise click.ClickException(f"no Department {department_code}")
        stmt = stmt.where(User.department_id == department.id)
    for user in db.session.scalars(stmt):
        click.echo("\t".join([user.email, user.role, user.department.code if user.department else "-",
                              "active" if user.active else "deactivated"]))


@users_cli.command("update")
@click.argument("email")
@click.option("--role", type=click.Choice(list(permissions.ROLE_LABELS)), default=None)
@click.option("--department", "department_code", default=None, help="Department code (Department roles)")
@click.option("--deactivate", "active", flag_value=False, default=None,
              help="End every session and revoke every API token; the user can no longer sign in")
@click.option("--activate", "active", flag_value=True, help="Let a deactivated user sign in again")
def update_cmd(email, role, department_code, active):
    """Change a user's role or Department, or (de)activate them (audited)."""
    user = _user(email)
    if role is None and department_code is None and active is None:
        raise click.UsageError("nothing to change: give --role, --department, --deactivate or --activate")
    with acting_as(label="cli"):
        try:
            service.update_user(actor=_Console(), user=user, role=role, department_code=department_code,
                                active=active)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
    click.echo("\t".join([user.email, user.role, user.department.code if user.department else "-",
                          "active" if user.active else "deactivated"]))


@tokens_cli.command("issue")
@click.argument("email")
@click.option("--label", default="cli")
@click.option("--expires-days", type=click.IntRange(1, service.MAX_TOKEN_DAYS), default=None,
              help="Days until the token stops working (default: until revoked)")
def issue_cmd(email, label, expires_days):
    """Print a new API token for EMAIL, alone, on stdout."""
    user = _user(email)
    with acting_as(label="cli"):
        try:
            token = service.issue_token(user=user, label=label, expires_in_days=expires_days)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
    click.echo(token)


@tokens_cli.command("list")
@click.argument("email")
def list_tokens_cmd(email):
    """A user's tokens: id, prefix, label, created, last used, expires, revoked."""
    for t in service.tokens_of(_user(email)):
        click.echo("\t".join(str(v) if v is not None else "-" for v in (
            t.id, t.prefix + "…", t.label, t.created_at.isoformat(timespec="seconds"),
            t.last_used_at and t.last_used_at.isoformat(timespec="seconds"),
            t.expires_at and t.expires_at.isoformat(timespec="seconds"),
            t.revoked_at and t.revoked_at.isoformat(timespec="seconds"))))


@tokens_cli.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def revoke_cmd(token_id):
    """Revoke a token by its id (from `tokens list`)."""
    with acting_as(label="cli"):
        try:
            token = service.revoke_token(user=_Console(), token_id=token_id)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
    click.echo(f"revoked {token.prefix}… of {token.user.email}")
