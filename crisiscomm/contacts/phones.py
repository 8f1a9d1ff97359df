"""Phone numbers of press contacts, read the way Vietnamese offices type them.

Each number is kept twice: as the office wrote it (what people read and dial) and in E.164
(``+84912345678``), the one form that duplicate detection, matching and search compare.
"0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678" and an Excel cell that lost its
leading zero (912345678) are all +84912345678. Pre-2018 eleven-digit mobile numbers (0168…) are
read as their current ten-digit number, since old lists still carry them.
"""
import re

import phonenumbers

REGION = "VN"
_ALLOWED = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:ext\.?|x|máy lẻ|ml)\s*[0-9]{1,6})?$", re.IGNORECASE)
# Mobile prefixes renumbered in 2018 (Ministry of Information and Communications): old → new.
_RENUMBERED = {"162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38",
               "169": "39", "120": "70", "121": "79", "122": "77", "126": "76", "128": "78", "123": "83",
               "124": "84", "125": "85", "127": "81", "129": "82", "186": "56", "188": "58", "199": "59"}


_EXTENSION = re.compile(r"\s*(?:ext\.?|x|máy lẻ|ml)\s*[0-9]{1,6}$", re.IGNORECASE)


class NotAPhone(ValueError):
    pass


def _main_digits(text):
    """The digits of the number itself, without an extension."""
    return re.sub(r"\D", "", _EXTENSION.sub("", text))


def _national_digits(number):
    return str(number.national_number)


def parse(text):
    """A phonenumbers.PhoneNumber for ``text`` (Vietnamese unless it starts with + or 00). Raises NotAPhone."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    if not text or not _ALLOWED.match(text):
        raise NotAPhone(text)
    digits = _main_digits(text)
    candidate = text
    if text.startswith("00"):
        candidate = "+" + text[2:]
    elif not text.startswith("+") and digits.startswith("84") and len(digits) in (11, 12):
        candidate = "+" + text  # 84912345678: the country code typed without "+"
    try:
        number = phonenumbers.parse(candidate, REGION)
    except phonenumbers.NumberParseException:
        raise NotAPhone(text)
    if number.country_code == 84:
        national = _national_digits(number)
        if len(national) == 10 and national[:3] in _RENUMBERED:
            number = phonenumbers.parse("+84" + _RENUMBERED[national[:3]] + national[3:], None)
    if not phonenumbers.is_possible_number(number):
        raise NotAPhone(text)
    return number


def canonical(text):
    """E.164 of ``text`` ('+84912345678'), or None when it is not a phone number."""
    try:
        return phonenumbers.format_number(parse(text), phonenumbers.PhoneNumberFormat.E164)
    except NotAPhone:
        return None


def display(text):
    """What to keep as typed: the office's own spelling, unless it is a bare number that lost its leading
    zero (an Excel cell) or a renumbered old mobile, which get the usual national spelling ('0912 345 678')."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    number = parse(text)
    digits = _main_digits(text)
    renumbered = number.country_code == 84 and not digits.endswith(_national_digits(number))
    if text.startswith(("0", "+")) and not renumbered:
        return text
    fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 84
           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, fmt)


def search_forms(e164):
    """Digit strings a search may type for one number: '84912345678' and '0912345678'."""
    if not e164:
        return []
    digits = e164.lstrip("+")
    forms = [digits]
    if digits.startswith("84"):
        forms.append("0" + digits[2:])
    return forms


def query_key(query):
    """The national digits to search for when a whole query is one phone number, else None."""
    e164 = canonical(query) if isinstance(query, str) and len(re.sub(r"\D", "", query)) >= 8 else None
    if not e164:
        return None
    forms = search_forms(e164)
    return forms[-1]
