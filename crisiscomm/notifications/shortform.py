"""Short forms for SMS-sized channels: one 160-character GSM-7 segment, diacritics removed."""
import unicodedata

SMS_LIMIT = 160
# GSM 03.38 basic character set (the extension table costs two septets: avoided).
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà")


_SPECIAL = {"đ": "d", "Đ": "D", "–": "-", "—": "-"}


class _PlainTable(dict):
    """A ``str.translate`` table filled as characters are first seen: each character's GSM-7 form without its
    diacritics (an alert's short texts looked every character up again, several times per recipient)."""

    def __missing__(self, code):
        decomposed = unicodedata.normalize("NFD", _SPECIAL.get(chr(code), chr(code)))
        bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))
        out = "".join(ch if ch in GSM7 else "?" for ch in bare)
        if code < 0x3000:  # remembered for the alphabets an alert uses; bounded whatever the text holds
            self[code] = out
        return out


_PLAIN = _PlainTable()


def plain(text):
    """Vietnamese without diacritics, in GSM-7 ("Sở GDĐT Hà Nội" → "So GDDT Ha Noi")."""
    return str(text or "").translate(_PLAIN)


def is_single_segment(text):
    return len(text) <= SMS_LIMIT and all(ch in GSM7 for ch in text)


def fit_sms(parts, tail="", reserve=0, keep=2):
    """Join ``parts`` (most important first) in plain GSM-7 so that the text, ``tail`` and ``reserve`` more
    characters (a link filled in at sending, marked in ``tail`` by ACTION_URL_MARK) fit one segment. The first
    ``keep`` parts are shortened when they do not fit; later ones are left out whole."""
    from .senders import ACTION_URL_MARK

    tail = ACTION_URL_MARK.join(plain(piece) for piece in tail.split(ACTION_URL_MARK))
    room = SMS_LIMIT - len(tail) - reserve
    out = ""
    for index, part in enumerate(plain(p) for p in parts):
        if not part:
            continue
        candidate = f"{out} {part}" if out else part
        if len(candidate) <= room:
            out = candidate
        elif index < keep:
            left = room - len(out) - (1 if out else 0)
            if left > 8:
                out = f"{out} {part[:left - 2].rstrip()}.." if out else part[:left - 2].rstrip() + ".."
    return f"{out} {tail}".strip() if tail else out
