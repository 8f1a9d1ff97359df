"""Reading an email a journalist sent, as an office receives it: saved from a mail client (.eml), forwarded by a
clerk (Outlook in English or Vietnamese, Gmail, Apple Mail, Thunderbird inline or as an attachment) or fetched from
the Department's press mailbox.

Every limit is checked on the raw bytes BEFORE the standard library parses anything: the size of the file, the
size and number of header lines, the length of the headers we read, their encoded words and nested comments. A file
that is not an email (a text file, a PDF, a picture renamed .eml) is refused with a clear message.
"""
import email
import email.policy
import hashlib
import logging
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from email.errors import MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..clock import local_tz
from ..errors import ValidationError

log = logging.getLogger(__name__)
MAX_HEADER_BLOCK = 256 * 1024  # all header lines of one message or part
MAX_HEADERS = 500  # Received, DKIM… lines of a real message: a few dozen
MAX_PARTS = 200
# Headers we parse: a real one is far below these; an attack (10,000 encoded words, 20,000 '(') far above.
READ_HEADER_LIMITS = {"subject": 4000, "from": 2000, "sender": 2000, "reply-to": 2000, "date": 200,
                      "message-id": 1000, "in-reply-to": 2000, "references": 16000, "content-type": 2000,
                      "content-disposition": 2000, "content-transfer-encoding": 200, "auto-submitted": 200}
MAX_ENCODED_WORDS = 100
MAX_COMMENT_PARENS = 50
MAX_BODY_CHARS = 100_000  # the questions of one inquiry
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_REQUIRED_ANY = ("date", "subject", "message-id", "received", "mime-version")


DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_message_bytes():
    return current_app.config["MAX_EML_BYTES"] if has_app_context() else DEFAULT_MAX_BYTES


def _refuse(message, problem):
    raise ValidationError(message, fields={"file": problem})


def _not_email():
    _refuse(_("This file is not an email message. Save the email from your mail program (\"Save as\", .eml) "
              "and upload that file."), _("not an email (.eml) file"))


def _header_block(data):
    """The raw header lines of a message (bytes), refused when they are too large or not email headers."""
    if data.startswith(b"From ") and b"\n" in data[:1000]:  # an mbox "From " separator line
        data = data.split(b"\n", 1)[1]
    ends = [i for i in (data.find(b"\r\n\r\n", 0, MAX_HEADER_BLOCK + 4), data.find(b"\n\n", 0, MAX_HEADER_BLOCK + 2))
            if i >= 0]
    end = min(ends) if ends else (len(data) if len(data) <= MAX_HEADER_BLOCK else -1)
    if end < 0:
        if _HEADER_LINE.match(data[:80]):
            _refuse(_("The headers of this email are too large (more than %(kb)s KB).", kb=MAX_HEADER_BLOCK // 1024),
                    _("headers too large"))
        _not_email()
    return data[:end]


def check_headers(raw_headers, *, top_level):
    """Count and measure raw header lines; the headers we will read must be of a sane size and shape."""
    if b"\x00" in raw_headers:
        _not_email()
    lines = raw_headers.replace(b"\r\n", b"\n").split(b"\n")
    if top_level and (not lines or not _HEADER_LINE.match(lines[0])):
        _not_email()
    fields, current = [], None
    for line in lines:
        if line[:1] in (b" ", b"\t") and current is not None:
            current[1].append(line)
        elif _HEADER_LINE.match(line):
            current = (line.split(b":", 1)[0].strip().lower().decode("ascii", "replace"), [line])
            fields.append(current)
            if len(fields) > MAX_HEADERS:
                _refuse(_("This email has too many header lines (more than %(n)s).", n=MAX_HEADERS),
                        _("too many headers"))
        elif line.strip():
            if top_level and not fields:
                _not_email()
    names = {name for name, _lines in fields}
    if top_level and ("from" not in names or not names.intersection(_REQUIRED_ANY)):
        _not_email()
    for name, parts in fields:
        limit = READ_HEADER_LIMITS.get(name)
        if limit is None:
            continue
        value = b"".join(parts)
        if len(value) > limit:
            _refuse(_("The \"%(name)s\" header of this email is too long (%(size)s characters; at most %(limit)s).",
                      name=name.title(), size=len(value), limit=limit), _("header too long"))
        if value.count(b"=?") > MAX_ENCODED_WORDS:
            _refuse(_("The \"%(name)s\" header of this email has too many encoded words.", name=name.title()),
                    _("header too complex"))
        if value.count(b"(") > MAX_COMMENT_PARENS:
            _refuse(_("The \"%(name)s\" header of this email has too many brackets.", name=name.title()),
                    _("header too complex"))


def _check_part_headers(part):
    raw = "\n".join(f"{k}: {v}" for k, v in part.raw_items()).encode("utf-8", "surrogateescape")
    if len(raw) > MAX_HEADER_BLOCK:
        _refuse(_("The headers of this email are too large (more than %(kb)s KB).", kb=MAX_HEADER_BLOCK // 1024),
                _("headers too large"))
    check_headers(raw, top_level=False)


def load_message(data):
    """The parsed message of raw .eml bytes, after every bound is checked."""
    if not data:
        _refuse(_("The file is empty."), _("empty file"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an Outlook .msg (OLE compound file), not MIME
        _refuse(_("This is an Outlook .msg file, not an email (.eml). Forward the email to the Department's press "
                  "mailbox, or download it from Outlook on the web (Download → .eml) and upload that file."),
                _("Outlook .msg file"))
    limit = max_message_bytes()
    if len(data) > limit:
        _refuse(_("The email is too large (%(mb).1f MB; at most %(limit).1f MB).", mb=len(data) / 2 ** 20,
                  limit=limit / 2 ** 20), _("too large"))
    check_headers(_header_block(data), top_level=True)
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:  # noqa: BLE001 - anything unreadable is bad input
        _not_email()
    count = 0
    for part in message.walk():
        count += 1
        if count > MAX_PARTS:
            _refuse(_("This email has too many parts (more than %(n)s).", n=MAX_PARTS), _("too many parts"))
        if part is not message:
            _check_part_headers(part)
        if part.get_content_type() == "message/rfc822":
            for inner in part.get_payload() or []:
                _check_part_headers(inner)
    return message


# --- text ------------------------------------------------------------------------------------

def clean_text(text):
    """NFC, normal line endings, no trailing spaces, at most MAX_BODY_CHARS."""
    text = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:MAX_BODY_CHARS]


class _TextExtractor(HTMLParser):
    """HTML → text in one linear pass (a regex over a hostile 5 MB body could take minutes)."""

    BLOCKS = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag == "hr":  # Outlook separates a forwarded message with a rule
            self.out.append("\n________________________________\n")
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(markup):
    parser = _TextExtractor()
    parser.feed(markup[: MAX_BODY_CHARS * 10])
    parser.close()
    text = re.sub(r"[ \t\xa0]+", " ", "".join(parser.out))
    return clean_text(text)


def _content(part):
    try:
        return part.get_content()
    except (LookupError, ValueError, AssertionError, MessageError):  # an unknown charset: decode what we can
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def body_of(message):
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return clean_text(_content(part))
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return html_to_text(_content(part))
    return ""


def header(message, name):
    """A header's text, decoded leniently from its raw value (the structured parsers of the standard library
    raise on oddities such as group syntax in From; these headers are only read as text)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            value = re.sub(r"\r?\n[ \t]", " ", str(value))
            try:
                value = str(make_header(decode_header(value)))
            except (ValueError, LookupError, UnicodeError, MessageError):
                pass
            return clean_text(value.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return ""


# --- forwarded blocks ------------------------------------------------------------------------

# A forwarded message starts after one of these lines (at the start of a line, so no scan backtracks far).
_MARKERS = re.compile(
    r"^[ \t>]*(?:-{2,}[ \t]*(?:Forwarded message|Forwarded Message|Original Message|Thư đã chuyển tiếp|"
    r"Tin nhắn đã chuyển tiếp|Thư chuyển tiếp|Thư gốc|Thư được chuyển tiếp)[ \t]*-{2,}|_{10,}|"
    r"Begin forwarded message:|Bắt đầu thư được chuyển tiếp:)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_LABELS = {
    "from": ("from", "từ", "người gửi"),
    "date": ("date", "sent", "đã gửi", "ngày", "ngày gửi", "gửi lúc", "thời gian"),
    "subject": ("subject", "chủ đề", "tiêu đề"),
    "to": ("to", "đến", "tới", "gửi đến", "người nhận", "cc", "bcc"),
}
_LABEL_OF = {label: key for key, labels in _LABELS.items() for label in labels}
_FIELD = re.compile(r"^[ \t>]*\*?([^\W\d_][^:\n*]{0,20}?)\*?[ \t]*:\*?[ \t]*(.*)$")
# Outlook without a separator: "From: …" followed by "Sent: …" within a few lines.
_BARE_OUTLOOK = re.compile(r"^[ \t]*\*?(From|Từ)\*?:.*\n(?:.*\n){0,2}?[ \t]*\*?(Sent|Đã gửi|Date)\*?:",
                           re.IGNORECASE | re.MULTILINE)
_FWD_PREFIX = re.compile(r"^\s*((fwd?|tr|fw|chuyển tiếp|re|trả lời|tl)\s*:\s*)+", re.IGNORECASE)


def _label(text):
    return _LABEL_OF.get(unicodedata.normalize("NFC", text).strip().lower())


def forwarded_block(body):
    """(headers {'from','date','subject'}, text) of the first forwarded message in a body, or None."""
    search_in = body[:MAX_BODY_CHARS]
    mark = _MARKERS.search(search_in)
    start = mark.end() if mark else None
    if start is None:
        bare = _BARE_OUTLOOK.search(search_in)
        if not bare:
            return None
        start = bare.start()
    lines = body[start:].split("\n")
    headers, last, i = {}, None, 0
    while i < len(lines) and not lines[i].strip() and not headers:  # blank lines right after the marker
        i += 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            break
        m = _FIELD.match(line)
        key = _label(m.group(1)) if m else None
        if key:
            headers.setdefault(key, m.group(2).strip())
            last = key
        elif last is not None and headers:  # a long To: or Subject: wrapped onto the next line
            if last in ("subject",):
                headers[last] += " " + line.strip()
        else:
            break
        i += 1
    if "from" not in headers:
        return None
    return headers, clean_text("\n".join(line[1:].lstrip() if line.startswith(">") else line
                                         for line in lines[i:]))


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def sender_of(value):
    """(name, address) of a From value as mail clients print it: 'Name <a@b>', 'Name [mailto:a@b]', 'a@b',
    '"Name" <a@b>' or only a name (Exchange)."""
    value = (value or "").strip()
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value)
    pairs = getaddresses([value])
    name, address = pairs[0] if pairs else ("", "")
    if not address or "@" not in address:
        found = _EMAIL.search(value)
        address = found.group(0) if found else ""
        name = _EMAIL.sub("", value).strip(" <>\"'()[]") if address else value.strip(" \"'")
    return clean_text(name.strip().strip('"* ')), address.strip().lower()


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"))}
_RFC5322_DATE = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def parse_loose_date(text):
    """An aware datetime from a date as mail clients print it in a forwarded block, or None:
    RFC 5322; Gmail 'Fri, Jun 26, 2026 at 7:45 AM'; Outlook 'Friday, June 26, 2026 7:45 AM';
    Outlook (vi) 'Thứ Sáu, 26 tháng 6, 2026 7:45 SA'; Apple Mail '26 June 2026 at 07:45:00 GMT+7';
    Gmail (vi) 'Th 6, 26 thg 6, 2026 vào lúc 07:45'. Without a zone: local time (Asia/Ho_Chi_Minh)."""
    text = unicodedata.normalize("NFC", (text or "").strip())[:200]
    if not text:
        return None
    if _RFC5322_DATE.match(text):  # only then: parsedate also "reads" 'June 26, 2026 2:05 PM' as 02:05
        try:
            parsed = parsedate_to_datetime(text)
            if parsed is not None:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=local_tz())
        except (TypeError, ValueError, IndexError):
            pass
    lower = text.lower()
    clock = re.search(r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*(am|pm|sa|ch|sáng|chiều)?", lower)
    month = year = day = None
    vi = re.search(r"(\d{1,2})\s*(?:tháng|thg)\s*(\d{1,2})[,\s]+(?:năm\s*)?(\d{4})", lower)
    if vi:
        day, month, year = int(vi.group(1)), int(vi.group(2)), int(vi.group(3))
    else:
        name = re.search(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b", lower)
        year_m = re.search(r"\b(\d{4})\b", lower)
        if name and year_m:
            month, year = _MONTHS[name.group(1)], int(year_m.group(1))
            before = lower[:clock.start()] if clock else lower
            days = [int(d) for d in re.findall(r"\b(\d{1,2})\b", before) if 1 <= int(d) <= 31]
            day = days[0] if days else None
        else:
            numeric = re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", lower)  # dd/mm/yyyy as Vietnamese write it
            if numeric:
                day, month, year = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
    if not (day and month and year):
        return None
    hour = minute = second = 0
    if clock:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        ampm = clock.group(4)
        if ampm in ("pm", "ch", "chiều") and hour < 12:
            hour += 12
        elif ampm in ("am", "sa", "sáng") and hour == 12:
            hour = 0
    tz = local_tz()
    offset = _OFFSET.search(text)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        tz = timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0)))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _header_date(message):
    value = header(message, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=local_tz())


# --- attachments -------------------------------------------------------------------------------

def _leaves(part):
    """The leaf parts of a message, not descending into a forwarded message (message/rfc822)."""
    if part.get_content_type() == "message/rfc822":
        return
    if part.is_multipart():
        for sub in part.get_payload():
            yield from _leaves(sub)
    else:
        yield part


def _attachments(message):
    """[{'filename', 'content_type', 'data'}] of the files attached to a message (not its text, not a forwarded
    message attached whole)."""
    out = []
    for part in _leaves(message):
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition != "attachment" and not (filename and part.get_content_maintype() != "text"):
            continue
        data = part.get_payload(decode=True) or b""
        name = clean_text(filename or "") or _("attachment")
        out.append({"filename": name[:200], "content_type": part.get_content_type(), "data": data})
    return out


# --- the whole message ------------------------------------------------------------------------

def _message_id(message, data):
    value = header(message, "Message-ID")
    found = re.search(r"<[^<>\s]{1,240}>", value)
    if found:
        return found.group(0)
    # No Message-ID: one derived from the content, the same for the same message on every run.
    return f"<sha256-{hashlib.sha256(data).hexdigest()[:40]}@crisiscomm.invalid>"


def _references(message):
    refs = " ".join(header(message, h) for h in ("In-Reply-To", "References"))
    return re.findall(r"<[^<>\s]{1,240}>", refs)


def is_automatic(message):
    """An auto-reply, a delivery report or a calendar answer is not a journalist's question."""
    auto = header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if message.get_content_type() == "multipart/report":
        return True
    for part in message.walk():
        if part.get_content_type() == "text/calendar" and part.get_param("method", "").upper() in ("REPLY",
                                                                                                 "COUNTER"):
            return True
    return False


def parse(data):
    """What an inquiry needs from raw .eml bytes: {'name', 'email', 'subject', 'body', 'sent_at', 'message_id',
    'references', 'attachments', 'forwarded_by', 'automatic'}; the journalist when the message was forwarded."""
    message = load_message(data)
    try:
        return _read(message, data)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a malformed part the standard library chokes on is bad input, not a 500
        log.warning("unreadable email", exc_info=True)
        _refuse(_("This email could not be read: it is damaged or in a format we do not know."),
                _("unreadable email"))


def _read(message, data):
    outer_name, outer_address = sender_of(header(message, "From"))
    result = {"name": outer_name, "email": outer_address, "subject": header(message, "Subject"),
              "body": body_of(message), "sent_at": _header_date(message), "message_id": _message_id(message, data),
              "references": _references(message), "forwarded_by": None, "automatic": is_automatic(message)}
    attached = None
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            inner = (part.get_payload() or [None])[0]
            if inner is not None and header(inner, "From"):
                attached = part
                break
    if attached is not None:  # Thunderbird "forward as attachment", Outlook "forward as attachment"
        inner = attached.get_payload()[0]
        name, address = sender_of(header(inner, "From"))
        result.update(forwarded_by=(outer_name, outer_address), name=name, email=address,
                      subject=header(inner, "Subject") or result["subject"],
                      body=body_of(inner) or result["body"], sent_at=_header_date(inner) or result["sent_at"])
        if header(inner, "Message-ID"):  # the journalist's own message: the same inquiry however it arrives
            result["message_id"] = _message_id(inner, data)
        result["attachments"] = _attachments(inner) + _attachments(message)
    else:
        block = forwarded_block(result["body"])
        if block is not None:
            headers, text = block
            name, address = sender_of(headers["from"])
            result.update(forwarded_by=(outer_name, outer_address), name=name, email=address,
                          body=text or result["body"])
            if headers.get("subject"):
                result["subject"] = clean_text(headers["subject"])
            result["sent_at"] = parse_loose_date(headers.get("date")) or result["sent_at"]
        result["attachments"] = _attachments(message)
    result["subject"] = _FWD_PREFIX.sub("", result["subject"]).strip()
    return result
