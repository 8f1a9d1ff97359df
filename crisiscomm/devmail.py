"""The development mail catcher: an SMTP sink (aiosmtpd) that keeps what it receives as .eml files, and the
/dev/mail pages that list them. `make run` starts it so a newcomer sees the escalation emails without a mail
server. Development only: the pages exist only when ENV_NAME is "development" and DEV_MAIL_DIR is set (a 404
otherwise), and `flask devmail` refuses to run in production. aiosmtpd comes with the test extra.

``python -m crisiscomm.devmail wait HOST PORT`` waits until the catcher listens (used by `make run`).
"""
import email
import email.parser
import email.policy
import os
import re
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

import click
from flask import Blueprint, abort, current_app, render_template

KEEP = 500  # messages kept; the oldest go first
MAX_BYTES = 10 * 1024 * 1024  # one message
_NAME = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{8}\.eml$")


class MailStore:
    """Received messages, one .eml file each, newest first."""

    def __init__(self, directory, keep=KEEP):
        self.directory = directory
        self.keep = keep
        os.makedirs(directory, exist_ok=True)

    def save(self, content, mail_from, rcpt_tos):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        envelope = f"X-Devmail-From: {mail_from}\r\nX-Devmail-To: {', '.join(rcpt_tos)}\r\n".encode()
        tmp = os.path.join(self.directory, "." + name)
        with open(tmp, "wb") as fh:
            fh.write(envelope + content)
        os.replace(tmp, os.path.join(self.directory, name))
        for old in self.names()[self.keep:]:
            try:
                os.remove(os.path.join(self.directory, old))
            except FileNotFoundError:
                pass
        return name

    def names(self):
        try:
            return sorted((n for n in os.listdir(self.directory) if _NAME.match(n)), reverse=True)
        except FileNotFoundError:
            return []

    def headers(self):
        """[(name, headers)] newest first; only the header block of each file is parsed."""
        parser = email.parser.BytesHeaderParser(policy=email.policy.default)
        out = []
        for name in self.names():
            try:
                with open(os.path.join(self.directory, name), "rb") as fh:
                    out.append((name, parser.parse(fh)))
            except FileNotFoundError:
                continue
        return out

    def get(self, name):
        if not _NAME.match(name or ""):
            return None
        try:
            with open(os.path.join(self.directory, name), "rb") as fh:
                return email.message_from_binary_file(fh, policy=email.policy.default)
        except FileNotFoundError:
            return None


class _Handler:
    def __init__(self, store):
        self.store = store

    async def handle_DATA(self, server, session, envelope):
        self.store.save(envelope.original_content or envelope.content, envelope.mail_from, envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def start_catcher(directory, host="127.0.0.1", port=1025):
    """Start the SMTP sink in a thread; returns the aiosmtpd Controller (call .stop())."""
    from aiosmtpd.controller import Controller

    controller = Controller(_Handler(MailStore(directory)), hostname=host, port=port, data_size_limit=MAX_BYTES)
    controller.start()
    return controller


def wait_for(host, port, seconds=15.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")


def _store():
    return MailStore(current_app.config["DEV_MAIL_DIR"])


def _text_body(message):
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


@bp.get("")
def inbox():
    return render_template("devmail/inbox.html", messages=_store().headers())


@bp.get("/<name>")
def show(name):
    message = _store().get(name)
    if message is None:
        abort(404)
    attachments = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    return render_template("devmail/message.html", name=name, message=message, body=_text_body(message),
                           attachments=attachments)


@click.command("devmail")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1025, show_default=True, type=int)
@click.option("--dir", "directory", default=None, help="Where messages are kept (default: DEV_MAIL_DIR or "
                                                       "instance/devmail).")
def devmail_cmd(host, port, directory):
    """Run the development mail catcher (an SMTP sink; see /dev/mail). Not for production."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("the development mail catcher does not run with CRISISCOMM_ENV=production")
    directory = directory or current_app.config.get("DEV_MAIL_DIR") or os.path.join(current_app.instance_path,
                                                                                   "devmail")
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    controller = start_catcher(directory, host, port)
    click.echo(f"development mail catcher: SMTP on {host}:{port}, messages in {directory}")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def enabled(app):
    return app.config.get("ENV_NAME") == "development" and bool(app.config.get("DEV_MAIL_DIR"))


def init_app(app):
    if app.config.get("ENV_NAME") != "production":
        app.cli.add_command(devmail_cmd)
    if enabled(app):
        app.register_blueprint(bp)


if __name__ == "__main__":
    if sys.argv[1:2] == ["wait"] and len(sys.argv) == 4:
        if not wait_for(sys.argv[2], int(sys.argv[3])):
            print(f"the development mail catcher does not answer on {sys.argv[2]}:{sys.argv[3]}", file=sys.stderr)
            sys.exit(1)
    else:
        print("usage: python -m crisiscomm.devmail wait HOST PORT", file=sys.stderr)
        sys.exit(2)
