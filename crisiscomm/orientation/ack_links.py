"""The acknowledge link of an orientation email to a focal point without an account: signed, expiring (by the
app clock), single-use (the recipient's answer is kept once)."""
import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import LinkExpired, LinkInvalid, LinkUsed
from ..extensions import db
from ..incidents.ack_links import _ClockSigner  # timestamps from the app clock: tests expire links
from .models import OrientationRecipient


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="orientation-acknowledge",
                                  signer=_ClockSigner)


def ack_url(recipient):
    token = _serializer().dumps({"r": recipient.id, "n": recipient.ack_nonce})
    return f"{current_app.config.get('BASE_URL', '').rstrip('/')}/orientation/ack/{token}"


def recipient_from_token(token):
    """The recipient a link names, or LinkInvalid / LinkExpired / LinkUsed."""
    max_age = int(current_app.config.get("ACK_LINK_MAX_AGE_HOURS", 72)) * 3600
    invalid = _("This acknowledge link is not valid. Use the link from the email as it is.")
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired(_("This acknowledge link has expired. Ask the Department to send the message again."))
    except BadSignature:
        raise LinkInvalid(invalid)
    ident = data.get("r") if isinstance(data, dict) else None
    recipient = db.session.get(OrientationRecipient, ident) if isinstance(ident, int) else None
    if recipient is None or not secrets.compare_digest(str(data.get("n")), recipient.ack_nonce):
        raise LinkInvalid(invalid)
    if recipient.acknowledged_at is not None:
        raise LinkUsed(_("This acknowledge link has already been used."))
    return recipient
