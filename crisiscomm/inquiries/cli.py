import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .. import permissions
from ..departments.service import find_by_code
from ..errors import DomainError
from ..extensions import db
from ..models import acting_as
from ..users.models import User
from . import mailbox, notices, service

inquiries_cli = AppGroup("inquiries", help="Press inquiries.")


@inquiries_cli.command("import-eml")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "code", required=True, help="Department code, e.g. ha-noi.")
@click.option("--as", "as_email", default=None, help="Log it as this user (default: the Department's first "
                                                      "communication officer).")
def import_eml_cmd(path, code, as_email):
    """Turn a forwarded .eml file into a received inquiry (channel email)."""
    department = find_by_code(code)
    if department is None:
        raise click.BadParameter(f"unknown department {code}", param_hint="--department")
    if as_email:
        user = db.session.scalar(select(User).where(User.email == as_email.strip().lower()))
    else:
        user = db.session.scalar(select(User).where(User.department_id == department.id, User.active.is_(True),
                                                    User.role.in_(permissions.holders("inquiry.desk")))
                                 .order_by(User.id).limit(1))
    if user is None:
        raise click.ClickException("no user to log the inquiry as: pass --as EMAIL")
    limit = current_app.config["MAX_EML_BYTES"]
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)  # the web's limit: never more than this is read into memory
    try:
        with acting_as(user):
            inquiry = service.import_eml(user=user, department=department, data=data)
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.message} {exc.fields}")
    click.echo(f"inquiry {inquiry.id}: {inquiry.subject} (from {inquiry.journalist_name} "
               f"<{inquiry.sender_email or '-'}>), due {inquiry.due_at.isoformat()}")


def _run(job, done):
    """Run ``job()`` as its own transaction and say how many it did (``done`` has an {n})."""
    n = job()
    db.session.commit()
    click.echo(done.format(n=n))


@inquiries_cli.command("poll-mailboxes")
def poll_mailboxes_cmd():
    """Read every connected press mailbox now (the scheduler does this every MAILBOX_POLL_SECONDS)."""
    _run(mailbox.poll_all, "{n} inquiries imported")


@inquiries_cli.command("rotate-mailbox-keys")
def rotate_mailbox_keys_cmd():
    """Re-encrypt the press mailbox passwords with the first key of MAILBOX_KEYS."""
    _run(mailbox.rotate_keys, "{n} mailbox passwords re-encrypted")


@inquiries_cli.command("mailbox-key")
def mailbox_key_cmd():
    """Print the key derived from the current SECRET_KEY (to keep it in MAILBOX_KEYS when SECRET_KEY changes)."""
    click.echo(mailbox.derived_key(current_app.config["SECRET_KEY"]).decode())


@inquiries_cli.command("alert-deadlines")
def alert_cmd():
    """Queue the overdue / due-soon alerts now (the scheduler does this every few minutes)."""
    _run(notices.alert_deadlines, "{n} alerts queued")
