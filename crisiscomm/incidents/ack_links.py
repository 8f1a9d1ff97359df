"""The one-click acknowledge link of an alert email: signed, expiring (by the app clock), single-use."""
import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from ..clock import now
from ..errors import LinkExpired, LinkInvalid, LinkUsed
from ..extensions import db
from .common import base_url
from .models import Escalation


class _ClockSigner(TimestampSigner):
    """Timestamps from the app clock, so tests can expire a link by moving time."""

    def get_timestamp(self):
        return int(now().timestamp())


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="incident-acknowledge",
                                  signer=_ClockSigner)


def ack_token(escalation):
    return _serializer().dumps({"e": escalation.id, "n": escalation.ack_nonce})


def ack_url(escalation):
    return f"{base_url()}/incidents/ack/{ack_token(escalation)}"


def escalation_from_token(token):
    """The Escalation a link names, or LinkInvalid / LinkExpired / LinkUsed."""
    max_age = int(current_app.config.get("ACK_LINK_MAX_AGE_HOURS", 72)) * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired(_("This acknowledge link has expired. Sign in to acknowledge the incident."))
    except BadSignature:
        raise LinkInvalid(_("This acknowledge link is not valid. Use the link from the email as it is, or sign in."))
    escalation = db.session.get(Escalation, data.get("e")) if isinstance(data, dict) else None
    if escalation is None or not secrets.compare_digest(str(data.get("n")), escalation.ack_nonce):
        raise LinkInvalid(_("This acknowledge link is not valid. Use the link from the email as it is, or sign in."))
    if escalation.ack_link_used_at is not None:
        raise LinkUsed(_("This acknowledge link has already been used."))
    return escalation
