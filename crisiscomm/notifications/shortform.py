"""Short forms for SMS-sized channels: one 160-character GSM-7 segment, diacritics removed."""
import unicodedata

SMS_LIMIT = 160
# GSM 03.38 basic character set (the extension table costs two septets: avoided).
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà")


def plain(text):
    """Vietnamese without diacritics, in GSM-7 ("Sở GDĐT Hà Nội" → "So GDDT Ha Noi")."""
    text = str(text or "").replace("đ", "d").replace("Đ", "D").replace("–", "-").replace("—", "-")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return "".join(ch if ch in GSM7 else "?" for ch in unicodedata.normalize("NFC", text))


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
