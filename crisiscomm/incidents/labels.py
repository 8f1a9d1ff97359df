"""What stored values read as on a page or in an alert, in the current language."""
from flask_babel import gettext as _

from ..clock import format_datetime
from ..notifications.models import APPRISE, EMAIL, IN_APP, PUSH, WEBHOOK
from ..permissions import role_label
from .models import (ACKNOWLEDGED, AUD_DEPUTY, AUD_DIRECTOR, AUD_DRILL, AUD_EXTRA, AUD_MINISTRY, AUD_SPOKESPERSON,
                     AUD_STEERING, CLOSED, CONTAINED, OPEN)


def severity_label(value):
    return {"low": _("low"), "medium": _("medium"), "high": _("high"), "critical": _("critical")}.get(value, value)


def status_label(value):
    return {OPEN: _("open"), ACKNOWLEDGED: _("acknowledged"), CONTAINED: _("contained"),
            CLOSED: _("closed")}.get(value, value)


def category_label(value):
    return {"exam": _("Exams"), "school_safety": _("School safety"), "health": _("Health"),
            "misinformation": _("Misinformation"), "finance": _("Finance"), "curriculum": _("Curriculum"),
            "data_protection": _("Data protection")}.get(value, value)


def audience_label(value):
    return {AUD_DIRECTOR: _("Department director"), AUD_STEERING: _("Exam steering board member"),
            AUD_DEPUTY: _("Deputy director"), AUD_SPOKESPERSON: _("Official spokesperson"),
            AUD_MINISTRY: _("Ministry office"), AUD_EXTRA: _("Named in the escalation policy"),
            AUD_DRILL: _("Drill participant"), "webhook": _("Chat bridge (webhook)")}.get(value, value)


def via_label(value):
    return {"link": _("email link"), "app": _("in the app"), "api": _("API"), "push": _("push notification button"),
            "apprise": _("link in an SMS or chat message")}.get(value, value)


def channel_label(channel):
    return {IN_APP: _("In the app"), EMAIL: _("Email"), PUSH: _("Push"), APPRISE: _("SMS / chat"),
            WEBHOOK: _("Chat bridge (webhook)")}.get(channel, channel)


def role_name(role):
    return str(role_label(role)) if role else _("Director")


def field_label(name):
    return {"title": _("Title"), "category": _("Category"), "exam_related": _("Exam-related"), "exam": _("Exam"),
            "occurred_at": _("Occurred at"), "known_at": _("Known to the Department since"), "place": _("Place"),
            "description": _("Description"),
            "severity": _("Severity")}.get(name, name)


def delivery_label(state):
    return {"pending": _("pending"), "sending": _("sending"), "sent": _("sent"),
            "failed_temporary": _("failed, will retry"), "failed_permanent": _("failed"),
            "not_notified": _("not notified")}.get(state, state)


def format_dt(value):
    return format_datetime(value)
