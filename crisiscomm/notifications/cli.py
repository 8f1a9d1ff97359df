import click
from flask.cli import AppGroup

from ..extensions import db

push_cli = AppGroup("push", help="Web Push: the server's VAPID key.")


def ensure_vapid_key():
    """`flask setup`: a VAPID key pair once (kept in the database); the environment's VAPID_PRIVATE_KEY wins."""
    from .push import current_key

    current_key(create=True)


@push_cli.command("public-key")
def public_key_cmd():
    """Print the public VAPID key browsers subscribe with (base64url)."""
    from .push import current_key

    key = current_key(create=True)
    db.session.commit()
    click.echo(key[1])


@push_cli.command("rotate-key")
def rotate_key_cmd():
    """Retire the stored VAPID key and make a new one. Browsers re-subscribe on their next visit."""
    from flask import current_app

    from .push import generate_key

    if current_app.config.get("VAPID_PRIVATE_KEY"):
        raise click.ClickException("VAPID_PRIVATE_KEY is set in the environment: change it there instead.")
    row = generate_key(retire_current=True)
    db.session.commit()
    click.echo(row.public_key)
