"""What stored values read as on a page or in an alert, in the current language."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..clock import format_datetime
from ..notifications.models import APPRISE, EMAIL, IN_APP, PUSH, WEBHOOK
from ..permissions import role_label
from .models import (ACKNOWLEDGED, AUD_DEPUTY, AUD_DIRECTOR, AUD_DRILL, AUD_EXTRA, AUD_MINISTRY, AUD_SPOKESPERSON,
                     AUD_STEERING, CLOSED, CONTAINED, OPEN)


def _pick(table, value):
    """The label of ``value`` in the current language: only that one string is translated (an alert to six
    people looked labels up ~150 times, and translating whole tables each time was a tenth of its CPU)."""
    label = table.get(value)
    return str(label) if label is not None else value


_SEVERITIES = {"low": _l("low"), "medium": _l("medium"), "high": _l("high"), "critical": _l("critical")}


def severity_label(value):
    return _pick(_SEVERITIES, value)


_STATUSES = {OPEN: _l("open"), ACKNOWLEDGED: _l("acknowledged"), CONTAINED: _l("contained"),
             CLOSED: _l("closed")}


def status_label(value):
    return _pick(_STATUSES, value)


_CATEGORIES = {"exam": _l("Exams"), "school_safety": _l("School safety"), "health": _l("Health"),
               "misinformation": _l("Misinformation"), "finance": _l("Finance"), "curriculum": _l("Curriculum"),
               "data_protection": _l("Data protection")}


def category_label(value):
    return _pick(_CATEGORIES, value)


_AUDIENCES = {AUD_DIRECTOR: _l("Department director"), AUD_STEERING: _l("Exam steering board member"),
              AUD_DEPUTY: _l("Deputy director"), AUD_SPOKESPERSON: _l("Official spokesperson"),
              AUD_MINISTRY: _l("Ministry office"), AUD_EXTRA: _l("Named in the escalation policy"),
              AUD_DRILL: _l("Drill participant"), "webhook": _l("Chat bridge (webhook)")}


def audience_label(value):
    return _pick(_AUDIENCES, value)


_VIAS = {"link": _l("email link"), "app": _l("in the app"), "api": _l("API"), "push": _l("push notification button"),
         "apprise": _l("link in an SMS or chat message")}


def via_label(value):
    return _pick(_VIAS, value)


_CHANNELS = {IN_APP: _l("In the app"), EMAIL: _l("Email"), PUSH: _l("Push"), APPRISE: _l("SMS / chat"),
             WEBHOOK: _l("Chat bridge (webhook)")}


def channel_label(channel):
    return _pick(_CHANNELS, channel)


def role_name(role):
    return str(role_label(role)) if role else _("Director")


_FIELDS = {"title": _l("Title"), "category": _l("Category"), "exam_related": _l("Exam-related"), "exam": _l("Exam"),
           "occurred_at": _l("Occurred at"), "known_at": _l("Known to the Department since"), "place": _l("Place"),
           "description": _l("Description"),
           "severity": _l("Severity")}


def field_label(name):
    return _pick(_FIELDS, name)


_DELIVERY_STATES = {"pending": _l("pending"), "sending": _l("sending"), "sent": _l("sent"),
                    "failed_temporary": _l("failed, will retry"), "failed_permanent": _l("failed"),
                    "not_notified": _l("not notified")}


def delivery_label(state):
    return _pick(_DELIVERY_STATES, state)


def format_dt(value):
    return format_datetime(value)
