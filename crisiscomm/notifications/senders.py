"""How each channel delivers one outbox row. A sender returns normally on success,
raises TemporaryFailure to be retried with backoff, PermanentFailure to give up."""
import base64
import contextlib
import email.policy
import functools
import hashlib
import hmac
import io
import json
import re
import smtplib
import socket
import threading
import urllib.error
import urllib.request
from email.encoders import encode_base64
from email.generator import BytesGenerator
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app

from ..departments.models import Department
from ..extensions import db


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


class Unbuildable(PermanentFailure):
    """The stored row cannot become an email or a request at all (a line break in an address, a broken
    attachment): no retry can help, so it fails at once and the Department is told."""

    code = "unbuildable"


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Built with the email package's compat32 classes: a tenth of the CPU of EmailMessage's header registry (an
# exam incident sends a dozen). compat32 encodes a non-ASCII subject as base64 encoded words, which keep the
# spaces that the default policy's folding dropped between words ("Ngữ văn" arriving as "Ngữvăn").
_ASCII = email.policy.compat32.clone(linesep="\r\n")
_UTF8 = email.policy.SMTPUTF8  # an address outside ASCII: raw UTF-8 headers, for a server that offers SMTPUTF8


def header_text(value):
    """A header value from stored text: line breaks, tabs and U+2028/U+2029 become spaces, controls go.
    Titles are normalised at input; this also covers rows written before that (defence in depth)."""
    from ..inputs import single_line

    return _CONTROLS.sub("", single_line(value or ""))


def message_id_for(notification):
    # Stable per outbox row: a resend after a crash carries the same Message-ID,
    # so mail clients (and our fault tests) see one message, not two.
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "crisiscomm.local")
    return f"<notification-{notification.id}.{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


@functools.lru_cache(maxsize=8)
def _sender(configured):
    """(From header, envelope address) of MAIL_SENDER: only the display name is encoded, never the address."""
    name, address = parseaddr(configured)
    return formataddr((name, address), charset="utf-8"), address


def _bare(part):
    del part["MIME-Version"]  # said once, on the message
    return part


def _part(content, subtype):
    return _bare(MIMEText(content, subtype, "utf-8"))


def _file(data, content_type, filename):
    maintype, _, subtype = (content_type or "application/octet-stream").partition("/")
    part = MIMEBase(maintype, subtype or "octet-stream")
    part.set_payload(data)
    encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return _bare(part)


def build_email(notification):
    """The message of an outbox row: text, HTML as its alternative, a calendar invitation as a third
    alternative (text/calendar; method=…, so Outlook and Gmail show accept/decline and apply updates) and also as
    an .ics file, other attachments after it."""
    address = notification.address or ""
    if _CONTROLS.search(address):
        raise Unbuildable("the address contains a line break or a control character")
    alternatives, files = [_part(notification.body_text or "", "plain")], []
    if notification.body_html:
        alternatives.append(_part(notification.body_html, "html"))
    for att in notification.attachments or []:
        data = base64.b64decode(att["data"])
        if att.get("method"):
            calendar = _part(data.decode("utf-8"), "calendar")
            calendar.replace_header("Content-Type", f'text/calendar; charset=UTF-8; method={att["method"]}')
            alternatives.append(calendar)
            files.append(_file(data, "application/ics", att["filename"]))
        else:
            files.append(_file(data, att.get("content_type"), header_text(att["filename"])))
    body = alternatives[0] if len(alternatives) == 1 else _bare(MIMEMultipart("alternative", _subparts=alternatives))
    msg = _bare(MIMEMultipart("mixed", _subparts=[body] + files)) if files else body
    msg["MIME-Version"] = "1.0"
    msg["From"] = _sender(current_app.config["MAIL_SENDER"])[0]
    msg["To"] = address
    msg["Subject"] = header_text(notification.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id_for(notification)
    msg["X-Crisiscomm-Notification"] = str(notification.id)
    return msg


_session = threading.local()  # an SMTP connection shared by the messages of one batch (smtp_session)


@contextlib.contextmanager
def smtp_session():
    """Within it, this thread's emails share one SMTP connection, opened at the first one and closed at the end:
    an escalation's messages cost one connection, not one each."""
    if getattr(_session, "open", False):
        yield
        return
    _session.open, _session.smtp = True, None
    try:
        yield
    finally:
        smtp, _session.open, _session.smtp = _session.smtp, False, None
        if smtp is not None:
            _quit(smtp)


def _connect(cfg):
    cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
    try:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _quit(smtp):
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _drop(smtp):
    if getattr(_session, "smtp", None) is smtp:
        _session.smtp = None
    smtp.close()


def _send_over(smtp, msg):
    envelope_from, to = _sender(current_app.config["MAIL_SENDER"])[1], msg["To"]
    try:
        smtp.ehlo_or_helo_if_needed()
        international = not (envelope_from + to).isascii()
        if international and not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("an address outside ASCII and the server does not offer SMTPUTF8")
        out = io.BytesIO()
        BytesGenerator(out, policy=_UTF8 if international else _ASCII).flatten(msg)
        return smtp.sendmail(envelope_from, [to], out.getvalue(),
                             ("SMTPUTF8", "BODY=8BITMIME") if international else ())
    except BaseException:
        _drop(smtp)  # a connection in an unknown state is never reused
        raise


def send_email(notification):
    if not notification.address:
        raise PermanentFailure("no email address")
    cfg = current_app.config
    try:
        msg = build_email(notification)
    except PermanentFailure:
        raise
    except Exception as exc:  # the email package refuses what it cannot encode: retrying cannot help
        raise Unbuildable(f"{type(exc).__name__}: {exc}") from exc
    try:
        batch = getattr(_session, "open", False)
        smtp = _session.smtp if batch else None
        reused = smtp is not None
        if smtp is None:
            smtp = _connect(cfg)
            if batch:
                _session.smtp = smtp  # the rest of the batch reuses it
        try:
            refused = _send_over(smtp, msg)
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # The server closed the batch's connection between two messages: one fresh try, not a backoff.
            smtp = _session.smtp = _connect(cfg)
            refused = _send_over(smtp, msg)
        if not batch:
            _quit(smtp)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise TemporaryFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException, socket.timeout) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    if refused:
        raise PermanentFailure(f"recipient refused: {refused}")
    return msg["Message-ID"]


def sign_webhook(secret, body):
    return "sha256=" + hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()


def send_webhook(notification):
    department = db.session.get(Department, notification.department_id) if notification.department_id else None
    try:
        body = json.dumps(notification.payload, ensure_ascii=False, sort_keys=True).encode()
        request = urllib.request.Request(notification.address, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "X-Crisiscomm-Signature": sign_webhook(department.webhook_secret if department else "", body),
            "X-Crisiscomm-Delivery": str(notification.id),
        })
    except ValueError as exc:  # not a URL, or text that cannot be encoded
        raise Unbuildable(f"{type(exc).__name__}: {exc}") from exc
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        exc.close()  # the error is also the response: close its socket
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentFailure(f"HTTP {exc.code}") from exc
        raise TemporaryFailure(f"HTTP {exc.code}") from exc
    except (OSError, urllib.error.URLError) as exc:
        raise TemporaryFailure(str(exc)) from exc
    return None


def deliver_in_app(notification):
    # The row itself is the in-app message; it is delivered once it is committed.
    return None


def send_apprise(notification):
    """One Apprise URL (SMS gateway, Telegram, Teams, ntfy, json:// or form:// webhook…). Apprise reports a
    bool, not why: a refusal is retried with backoff like SMTP trouble, until NOTIFY_MAX_ATTEMPTS."""
    import apprise

    from ..clock import now
    from .service import action_url

    method = notification.contact_method
    if method is None or method.removed_at is not None:
        raise PermanentFailure("channel removed")
    target = apprise.Apprise()
    if not target.add(method.address):
        raise PermanentFailure("not an Apprise URL Apprise can use")
    body = notification.body_text or ""
    if notification.payload.get("action"):
        body = body.replace(ACTION_URL_MARK, action_url(notification))
    try:
        ok = target.notify(body=body, title=notification.subject if not method.short_form else "")
    except Exception as exc:  # a plugin's own failure must not strand the row
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if not ok:
        raise TemporaryFailure("the service did not accept the message")
    method.last_delivered_at = now()
    return None


# Stands in the stored body for the row's own signed action link, which needs the row's id (known after commit).
ACTION_URL_MARK = "{{action_url}}"


def send_push(notification):
    from .push import send_push as send

    return send(notification)


SENDERS = {"email": send_email, "webhook": send_webhook, "in_app": deliver_in_app, "push": send_push,
           "apprise": send_apprise}
