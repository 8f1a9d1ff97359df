"""A Department's press mailbox: polled over IMAP by the scheduler, each new message a received inquiry, once.

Exactly once: an inquiry keeps its email's Message-ID under a unique constraint per Department, so a restart, a
re-scan after UIDVALIDITY changed or two schedulers polling at the same moment never log a message twice. Replies
(our own copies, answers to our messages, auto-replies, calendar answers) are not imported. The password is
encrypted at rest with Fernet (MAILBOX_KEYS, or a key derived from SECRET_KEY).
"""
import base64
import imaplib
import ipaddress
import logging
import re
import socket
import ssl
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..clock import now, to_local
from ..departments.models import ACTIVE, Department
from ..errors import DomainError, PermissionDenied, ValidationError
from ..extensions import db
from ..notifications.service import enqueue
from ..users.models import User
from . import mail, service
from .models import MAILBOX_PLAIN, MAILBOX_SECURITY, MAILBOX_TLS, Inquiry, InquiryEvent, PressMailbox
from .settings import can_change_settings

log = logging.getLogger(__name__)
MAX_PER_POLL = 50  # a backlog drains over a few polls; each poll stays short


# --- the secret ------------------------------------------------------------------------------

def derived_key(secret_key):
    """The Fernet key derived from a SECRET_KEY (used when MAILBOX_KEYS is not set)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"crisiscomm press mailbox password")
    return base64.urlsafe_b64encode(hkdf.derive((secret_key or "").encode()))


def _fernet():
    configured = current_app.config.get("MAILBOX_KEYS")
    keys = [k.strip() for k in configured.split(",") if k.strip()] if configured else []
    if not keys:
        keys = [derived_key(current_app.config["SECRET_KEY"])]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(password):
    return _fernet().encrypt(password.encode()).decode()


def decrypt(token):
    return _fernet().decrypt(token.encode()).decode()


def rotate_keys():
    """Re-encrypt every stored password with the first key of MAILBOX_KEYS. Returns how many."""
    fernet, count = _fernet(), 0
    for mailbox in db.session.scalars(select(PressMailbox)):
        mailbox.password_encrypted = fernet.rotate(mailbox.password_encrypted.encode()).decode()
        count += 1
    db.session.flush()
    return count


# --- settings --------------------------------------------------------------------------------

def mailbox_of(department):
    return db.session.scalar(select(PressMailbox).where(PressMailbox.department_id == department.id))


def is_loopback(host):
    host = (host or "").strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def save_mailbox(*, department, user, address=None, host, port=None, security=MAILBOX_TLS, username, password=None,
                 folder="INBOX", enabled=True, import_since=None):
    """Connect (or change) a Department's press mailbox. A blank password keeps the stored one."""
    if not can_change_settings(user, department):
        raise PermissionDenied(_("Only the Ministry administrator or the Department's director can change this."))
    from email_validator import EmailNotValidError, validate_email

    errors = {}
    address = (address or "").strip().lower() or None
    if address:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            errors["address"] = _("not a valid email address")
    host = (host or "").strip()
    if not host or len(host) > 200 or not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host):
        errors["host"] = _("a server name, e.g. imap.example.gov.vn")
    if security not in MAILBOX_SECURITY:
        errors["security"] = _("choose TLS or plain (local only)")
    elif security == MAILBOX_PLAIN and "host" not in errors and not is_loopback(host):
        errors["security"] = _("plain IMAP (without TLS) is only allowed to this machine (127.0.0.1)")
    default_port = 993 if security == MAILBOX_TLS else 143
    try:
        port = int(port) if port not in (None, "") else default_port
        if not 1 <= port <= 65535:
            raise ValueError
    except (TypeError, ValueError):
        errors["port"] = _("a port from 1 to 65535")
    username = (username or "").strip()
    if not username or len(username) > 200:
        errors["username"] = _("required")
    folder = (folder or "").strip() or "INBOX"
    if len(folder) > 200 or any(c in folder for c in "\r\n\"*%"):
        errors["folder"] = _("a folder name, e.g. INBOX")
    mailbox = mailbox_of(department)
    if not password and mailbox is None:
        errors["password"] = _("required")
    if isinstance(import_since, str) and import_since.strip():
        try:
            import_since = date.fromisoformat(import_since.strip()[:10])
        except ValueError:
            errors["import_since"] = _("a date, e.g. 2026-11-30")
    elif not isinstance(import_since, date):
        import_since = None
    if errors:
        raise ValidationError(_("Please correct the press mailbox settings."), fields=errors)
    if mailbox is None:
        mailbox = PressMailbox(department_id=department.id, last_uid=0, imported_count=0)
        db.session.add(mailbox)
    elif (mailbox.host, mailbox.username, mailbox.folder) != (host, username, folder):
        mailbox.uidvalidity, mailbox.last_uid = None, 0  # another mailbox: start from its import date
    mailbox.address, mailbox.host, mailbox.port, mailbox.security = address, host, port, security
    mailbox.username, mailbox.folder, mailbox.enabled = username, folder, bool(enabled)
    mailbox.import_since = import_since or mailbox.import_since or to_local(now()).date()
    if password:
        mailbox.password_encrypted = encrypt(password)
    db.session.flush()
    return mailbox


def disconnect(*, department, user):
    if not can_change_settings(user, department):
        raise PermissionDenied()
    mailbox = mailbox_of(department)
    if mailbox is not None:
        db.session.delete(mailbox)
        db.session.flush()


# --- polling ---------------------------------------------------------------------------------

class MailboxError(Exception):
    """The mailbox could not be read (connection, TLS, login, folder)."""


def _connect(mailbox):
    timeout = current_app.config["MAILBOX_TIMEOUT"]
    try:
        password = decrypt(mailbox.password_encrypted)
    except InvalidToken:
        raise MailboxError(_("the stored password cannot be decrypted (was the key changed?): enter it again"))
    if mailbox.security != MAILBOX_TLS and not is_loopback(mailbox.host):
        raise MailboxError(_("plain IMAP (without TLS) is only allowed to this machine (127.0.0.1)"))
    conn = None
    try:
        if mailbox.security == MAILBOX_TLS:
            context = ssl.create_default_context(cafile=current_app.config.get("MAILBOX_CA_FILE") or None)
            conn = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=timeout)
        else:
            conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        conn.login(mailbox.username, password)
        typ, _data = conn.select(_quote(mailbox.folder), readonly=True)
        if typ != "OK":
            raise MailboxError(_("the folder %(folder)s does not exist", folder=mailbox.folder))
    except (OSError, imaplib.IMAP4.error, ssl.SSLError, socket.timeout, MailboxError) as exc:
        if conn is not None:  # a refused login or a missing folder must not leave the socket open
            _close(conn)
        if isinstance(exc, MailboxError):
            raise
        raise MailboxError(str(exc) or type(exc).__name__) from exc
    return conn


def _close(conn):
    try:
        conn.logout()
    except (OSError, imaplib.IMAP4.error):
        try:
            conn.shutdown()
        except OSError:
            pass


def _quote(folder):
    return '"' + folder.replace("\\", "\\\\") + '"'


def _uidvalidity(conn):
    typ, data = conn.response("UIDVALIDITY")
    try:
        return int(data[0])
    except (TypeError, ValueError, IndexError):
        return None


def _imap_date(d):
    return f"{d.day}-{('Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec')[d.month - 1]}-{d.year}"


def _new_uids(conn, mailbox):
    if mailbox.last_uid:
        typ, data = conn.uid("SEARCH", None, f"UID {mailbox.last_uid + 1}:*")
    else:
        since = mailbox.import_since or to_local(now()).date()
        typ, data = conn.uid("SEARCH", None, "SINCE", _imap_date(since))
    if typ != "OK":
        raise MailboxError(_("the server refused to list the messages"))
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.last_uid)
    return uids[:MAX_PER_POLL]


def _fetch(conn, uid):
    """(raw bytes, size when the message was larger than the limit and only its header was read)."""
    typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
    found = re.search(rb"RFC822\.SIZE (\d+)", data[0] if data and isinstance(data[0], bytes) else b"")
    size = int(found.group(1)) if found else 0
    too_large = size > current_app.config["MAX_EML_BYTES"]
    # Too large: only the header (at most as much as we would ever read of it), and a note instead of the text.
    part = f"BODY.PEEK[HEADER]<0.{256 * 1024}>" if too_large else "BODY.PEEK[]"
    typ, data = conn.uid("FETCH", str(uid), f"({part})")
    if typ != "OK":
        raise MailboxError(_("the server refused to send message %(uid)s", uid=uid))
    raw = next((item[1] for item in data or [] if isinstance(item, tuple) and len(item) == 2), None)
    if raw is None or not too_large:
        return raw, None
    return raw.rstrip(b"\r\n") + b"\r\n\r\n", size


def _own_addresses(mailbox):
    own = {a.lower() for a in (mailbox.address, mailbox.username, mailbox.department.email) if a and "@" in a}
    return own


def _is_reply_to_us(parsed, mailbox):
    """A reply that must not become a new inquiry: from us, to one of our messages, or automatic."""
    if parsed["automatic"]:
        return True
    sender = parsed["email"]  # the journalist's when an officer forwarded it (that is fine)
    if sender and sender in _own_addresses(mailbox):
        return True
    # An officer's answer copied to the press address (a new message from an officer is still imported).
    if sender and parsed["references"] and db.session.scalar(
            select(User.id).where(func.lower(User.email) == sender, User.active.is_(True)).limit(1)):
        return True
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "crisiscomm.local")
    return any(ref.endswith(f"@{domain}>") for ref in parsed["references"])


def _follow_up(parsed, mailbox):
    """The inquiry this message answers in an imported thread, or None."""
    if not parsed["references"]:
        return None
    return db.session.scalar(select(Inquiry).where(Inquiry.department_id == mailbox.department_id,
                                                   Inquiry.message_id.in_(parsed["references"][-20:]))
                             .order_by(Inquiry.id.desc()).limit(1))


def _import_one(mailbox, raw, too_large=None):
    """Import one message in a savepoint; 'imported', 'follow_up', 'reply', 'duplicate' or 'refused'."""
    try:
        parsed = mail.parse(raw)
    except ValidationError as exc:
        log.warning("press mailbox %s: message refused: %s", mailbox.id, exc.message)
        return "refused"
    if too_large:
        parsed["body"] = _("This email (%(mb).1f MB) is larger than the limit: read its text and attachments in "
                           "the press mailbox.", mb=too_large / 2 ** 20)
    if db.session.scalar(select(Inquiry.id).where(Inquiry.department_id == mailbox.department_id,
                                                  Inquiry.message_id == parsed["message_id"])):
        return "duplicate"
    if _is_reply_to_us(parsed, mailbox):
        return "reply"
    earlier = _follow_up(parsed, mailbox)
    if earlier is not None:
        note = _("Follow-up email from %(sender)s: %(text)s", sender=parsed["name"] or parsed["email"],
                 text=parsed["body"][:2000])
        # Read again after a restart or a renumbered folder: already on the timeline.
        if db.session.scalar(select(InquiryEvent.id).where(InquiryEvent.inquiry_id == earlier.id,
                                                           InquiryEvent.note == note).limit(1)):
            return "duplicate"
        db.session.add(InquiryEvent(inquiry_id=earlier.id, at=now(), actor_id=None, from_state=earlier.state,
                                    to_state=earlier.state, note=note))
        db.session.flush()
        return "follow_up"
    written = len(db.session.info.get("written_files", []))
    savepoint = db.session.begin_nested()
    try:
        service.import_parsed(user=None, department=mailbox.department, parsed=parsed, source="email")
        savepoint.commit()
    except IntegrityError:  # another scheduler imported it a moment ago
        savepoint.rollback()
        _remove_files(written)
        return "duplicate"
    except DomainError as exc:
        savepoint.rollback()
        _remove_files(written)
        log.warning("press mailbox %s: message not imported: %s %s", mailbox.id, exc.message, exc.fields)
        return "refused"
    return "imported"


def _remove_files(keep):
    import os

    paths = db.session.info.get("written_files", [])
    for path in paths[keep:]:
        try:
            os.remove(path)
        except OSError:
            pass
    del paths[keep:]


def poll(mailbox):
    """Read the new messages of one mailbox. Returns {'imported': n, ...}; a failure is recorded on the mailbox
    (and alerts the Department's communication officers once per failure streak), never raised."""
    counts = {}
    t = now()
    mailbox.last_checked_at = t
    try:
        conn = _connect(mailbox)
        try:
            validity = _uidvalidity(conn)
            if validity is not None and mailbox.uidvalidity not in (None, validity):
                mailbox.last_uid = 0  # the server renumbered the folder: re-read it; Message-IDs keep it once
            mailbox.uidvalidity = validity
            for uid in _new_uids(conn, mailbox):
                raw, too_large = _fetch(conn, uid)
                outcome = "refused" if raw is None else _import_one(mailbox, raw, too_large)
                counts[outcome] = counts.get(outcome, 0) + 1
                mailbox.last_uid = max(mailbox.last_uid or 0, uid)
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:  # the connection broke while reading
            raise MailboxError(str(exc) or type(exc).__name__) from exc
        finally:
            _close(conn)
    except MailboxError as exc:
        _failed(mailbox, str(exc))
        db.session.flush()
        return counts
    mailbox.imported_count = (mailbox.imported_count or 0) + counts.get("imported", 0)
    mailbox.last_success_at, mailbox.last_error, mailbox.failing_since = t, None, None
    db.session.flush()
    return counts


def _failed(mailbox, error):
    mailbox.last_error = error[:2000]
    if mailbox.failing_since is not None:
        return
    mailbox.failing_since = now()
    officers = db.session.scalars(select(User).where(User.department_id == mailbox.department_id,
                                                     User.role.in_(permissions.holders("inquiry.desk")),
                                                     User.active.is_(True)))
    streak = mailbox.failing_since.strftime("%Y%m%d%H%M%S")
    for person in officers:
        enqueue(kind="inquiries.mailbox_failed", channel="in_app", recipient=person,
                department_id=mailbox.department_id,
                subject=_("The press mailbox %(mailbox)s cannot be read", mailbox=mailbox.address or mailbox.username),
                body_text=_("New press emails are not being logged as inquiries until this is fixed: %(error)s",
                            error=error),
                payload={"url": "/inquiries"},
                source=("press_mailbox", mailbox.id), dedupe_key=f"mailbox:{mailbox.id}:down:{streak}:{person.id}")


def poll_all():
    """The scheduler job: every enabled mailbox of an active Department."""
    total = 0
    rows = db.session.scalars(select(PressMailbox).join(Department, Department.id == PressMailbox.department_id)
                              .where(PressMailbox.enabled.is_(True), Department.status == ACTIVE)
                              .order_by(PressMailbox.id)).all()
    for mailbox in rows:
        total += poll(mailbox).get("imported", 0)
    return total


def status(mailbox):
    """'ok', 'failing', 'never' or 'disabled' for the settings page."""
    if mailbox is None:
        return None
    if not mailbox.enabled:
        return "disabled"
    if mailbox.failing_since is not None:
        return "failing"
    return "ok" if mailbox.last_success_at else "never"

