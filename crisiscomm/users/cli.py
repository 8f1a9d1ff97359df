import click
from flask.cli import AppGroup

from ..audit.service import acting_as
from ..errors import DomainError
from ..extensions import db
from . import service
from .models import ROLES

users_cli = AppGroup("users", help="Users.")
tokens_cli = AppGroup("tokens", help="API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
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
            db.session.rollback()
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise click.ClickException(f"{exc.message} {details}")
        db.session.commit()
    click.echo(f"created {user.email} ({user.role})")


@tokens_cli.command("issue")
@click.argument("email")
@click.option("--label", default="cli")
def issue_cmd(email, label):
    """Print a new API token for EMAIL, alone, on stdout."""
    user = service.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    with acting_as(label="cli"):
        token = service.issue_token(user=user, label=label)
        db.session.commit()
    click.echo(token)
