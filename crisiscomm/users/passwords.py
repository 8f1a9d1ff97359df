"""What a new password must not be: short, over-long, common, or made of its owner's email or name.

The maximum bounds the work of hashing (and of checking at sign-in, which refuses longer input unhashed).
"""
import functools
import gzip
import os
import re
import string

from flask_babel import gettext as _

from ..errors import ValidationError
from ..text import fold

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# Sign-in refuses anything longer without hashing it; a little above the maximum so that no stored password
# set before the maximum existed is locked out for being a few characters over.
MAX_LOGIN_PASSWORD_LENGTH = 1024

_DATA = os.path.join(os.path.dirname(__file__), "data")
_TRAILING = re.compile(r"[\d" + re.escape(string.punctuation) + r"\s]+$")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@functools.cache
def common_passwords():
    with gzip.open(os.path.join(_DATA, "common-passwords.txt.gz"), "rt", encoding="utf-8") as fh:
        words = {line.strip() for line in fh}
    with open(os.path.join(_DATA, "common-passwords-vi.txt"), encoding="utf-8") as fh:
        words |= {line.strip().lower() for line in fh}
    return frozenset(w for w in words if w)


def _is_common(password):
    low = password.lower()
    words = common_passwords()
    # "iloveyou2026!" is as weak as "iloveyou": try the word without what was tacked on.
    return low in words or _TRAILING.sub("", low) in words or fold(low) in words


def _personal_parts(email, name):
    parts = []
    if email:
        local = email.split("@", 1)[0]
        parts += [_NOT_ALNUM.sub("", fold(local)), _NOT_ALNUM.sub("", fold(email))]
    if name:
        folded = fold(name)
        parts.append(_NOT_ALNUM.sub("", folded))
        parts += [_NOT_ALNUM.sub("", w) for w in folded.split(" ")]
    return [p for p in parts if len(p) >= 4]


def problem(password, *, email=None, name=None):
    """What is wrong with ``password`` as a new password (translated), or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return _("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("At most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    if _is_common(password):
        return _("This password is too common: it is among the first an attacker tries.")
    compact = _NOT_ALNUM.sub("", fold(password))
    if any(part in compact for part in _personal_parts(email, name)):
        return _("The password must not contain your email address or your name.")
    if len(set(password)) < 4:
        return _("Too few different characters.")
    return None


def check(password, *, field="password", email=None, name=None):
    message = problem(password, email=email, name=name)
    if message:
        raise ValidationError(_("The password cannot be used."), fields={field: message})
