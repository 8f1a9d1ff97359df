"""What an alert says on each channel (email, SMS-sized text, chat, push) and queueing it in the outbox."""
from html import escape

from flask_babel import force_locale
from flask_babel import gettext as _

from ..clock import as_utc, format_datetime, time_left as clock_time_left, to_local
from ..i18n import bound_gettext
from ..notifications.models import EMAIL, WEBHOOK
from ..notifications.senders import ACTION_URL_MARK
from ..notifications.service import enqueue, notify_user, prefetch_people
from ..notifications.shortform import fit_sms
from .ack_links import ack_url
from .common import DRILL_LABEL, base_url, incident_path
from .labels import audience_label, severity_label


ACK_ACTION = "incident_ack"


def time_left(due):
    """'còn 5 giờ 59 phút' / 'quá hạn 1 giờ 2 phút' from now (for alerts; the page has a live countdown)."""
    return "" if due is None else clock_time_left(due)


def _facts(incident, _):
    """What every channel's alert says of the incident, as (label, value) pairs (``_``: a bound gettext)."""
    due = incident.first_statement_due_at
    reporter = incident.reporter.name if incident.reporter is not None else "—"
    return [
        (_("Department"), incident.department.name),
        (_("Severity"), severity_label(incident.severity)),
        (_("Exam"), (incident.exam or _("yes")) if incident.exam_related else _("not exam-related")),
        (_("What happened"), incident.title),
        (_("Place"), incident.place or "—"),
        (_("Occurred at"), format_datetime(incident.occurred_at)),
        (_("Logged by"), reporter),
        (_("First public statement due"), f"{format_datetime(due)} ({time_left(due)})" if due else "—"),
    ]


def _incident_text(incident, level, reminder_round):
    """The parts of an alert that are the same for everyone alerted in one language at one level and round."""
    _ = bound_gettext()
    drill = f"[{DRILL_LABEL}] " if incident.drill else ""
    if reminder_round:
        head = _("REMINDER %(n)s — not yet acknowledged", n=reminder_round)
    elif level > 1:
        head = _("ESCALATED to level %(n)s — level 1 has not acknowledged", n=level)
    else:
        head = _("New incident")
    due = incident.first_statement_due_at
    logged_by, ask = _("Logged by"), _("Confirm you have the information")
    sms_head = f"{'DIEN TAP ' if incident.drill else ''}{incident.department.name}"
    exam = incident.exam if incident.exam_related and incident.exam else ""
    return {
        "_": _, "head": head, "subject": f"{drill}{head}: {incident.title} — {incident.department.name}",
        "facts": _facts(incident, _), "ask": ask, "url": base_url() + incident_path(incident),
        "short": fit_sms(
            [f"{sms_head}: {severity_label(incident.severity).upper()}",
             f"{incident.title}.",
             f"{incident.place}." if incident.place else "",
             f"{_('Statement by')} {to_local(due):%H:%M %d/%m}." if due else "",
             f"{logged_by} {incident.reporter.name}." if incident.reporter is not None else "",
             incident.exam or ""],
            tail=f"{_('Confirm')}: {ACTION_URL_MARK}",
            reserve=len(base_url()) + 30 - len(ACTION_URL_MARK)),
        "push_title": " · ".join(filter(None, [f"{drill}{incident.department.name}",
                                               severity_label(incident.severity), exam]))[:200],
        "push_lines": [
            incident.title, " · ".join(filter(None, [incident.place, format_datetime(incident.occurred_at)])),
            f"{_('First public statement due')}: {format_datetime(due)} ({time_left(due)})" if due else "",
            f"{logged_by}: {incident.reporter.name}" if incident.reporter is not None else ""],
    }


def _message(incident, escalation, reminder_round, shared=None):
    """Every channel's text in the recipient's language (Vietnamese unless they chose English):
    (subject, email body, email html, short text for SMS-sized channels, push fields, chat text).
    ``shared``: a dict kept across the recipients of one level and round, for the parts they have in common."""
    user = escalation.recipient
    locale = (user.locale if user is not None else None) or "vi"
    with force_locale(locale):
        shared = {} if shared is None else shared
        key = (locale, escalation.level, reminder_round)
        if key not in shared:
            shared[key] = _incident_text(incident, escalation.level, reminder_round)
        common = shared[key]
        _, head = common["_"], common["head"]
        audience = audience_label(escalation.audience)
        facts = common["facts"] + [(_("Your role in this escalation"),
                                    _("%(role)s, level %(level)s", role=audience, level=escalation.level))]
        open_label = _("Open the incident:")
        lines = []
        if incident.drill:
            lines += [f"*** {DRILL_LABEL} ***", _("This is a drill. No real incident has happened."), ""]
        lines += [head, ""] + [f"{label}: {value}" for label, value in facts] + [
            "", incident.description or "", "",
            _("Confirm that you have the information — one click, no sign-in needed:"), ack_url(escalation),
            "", open_label, common["url"]]
        if incident.drill:
            lines += ["", f"*** {DRILL_LABEL} ***"]
        html = "<div>" + "".join(
            f'<p><a href="{escape(line)}">{escape(line)}</a></p>' if line.startswith("http")
            else f"<p>{escape(line)}</p>" if line else "" for line in lines) + "</div>"
        # Chat channels get the full facts and their own one-tap link (which records the channel).
        chat = "\n".join([head, ""] + [f"{label}: {value}" for label, value in facts] + [
            "", incident.description or "", "", f"{common['ask']}: {ACTION_URL_MARK}",
            f"{open_label} {common['url']}"])
        push = {
            "title": common["push_title"],
            "body": "\n".join(filter(None, common["push_lines"] + [f"{audience} · {common['ask']}"])),
            "url": incident_path(incident), "tag": f"incident-{incident.id}", "ack_label": common["ask"],
            "open_label": _("Open"), "require_interaction": True,
        }
    return common["subject"], "\n".join(lines), html, common["short"], push, chat


def escalation_key(incident, escalation, reminder_round=0):
    """The outbox dedupe key of an escalation row's messages in one round."""
    return f"incident:{incident.id}:esc:{escalation.id}:r{reminder_round}"


def send_escalations(incident, escalations, reminder_round=0):
    """The messages of several escalation rows (a level, a reminder round): the recipients' contact methods and
    stored messages are looked up together."""
    prefetched = prefetch_people([(e.recipient, escalation_key(incident, e, reminder_round))
                                  for e in escalations if e.recipient is not None])
    shared = {}
    for escalation in escalations:
        send_escalation(incident, escalation, reminder_round, prefetched, shared)


def send_escalation(incident, escalation, reminder_round=0, prefetched=None, shared=None):
    """An escalation row's messages (dedupe per round): a Department user gets every channel they confirmed
    (app, email, push, Apprise); a plain address gets email."""
    subject, body, html, short, push, chat = _message(incident, escalation, reminder_round, shared)
    kind = "incident_reminder" if reminder_round else "incident_escalation"
    source = ("incident", incident.id)
    key = escalation_key(incident, escalation, reminder_round)
    if escalation.recipient is not None:
        payload = {"url": incident_path(incident), "escalation_id": escalation.id}
        return notify_user(user=escalation.recipient, kind=kind, subject=subject, body_text=body, body_html=html,
                           short_text=short, chat_text=chat, push=push, department_id=incident.department_id,
                           source=source, payload=payload, urgent=True, action=ACK_ACTION,
                           email_address=escalation.email or None, dedupe_key=key, prefetched=prefetched)
    return [enqueue(kind=kind, channel=EMAIL, subject=subject, body_text=body, body_html=html,
                    recipient=None, address=escalation.email or None,
                    recipient_label=escalation.recipient_label, department_id=incident.department_id,
                    source=source, payload={"escalation_id": escalation.id}, dedupe_key=f"{key}:email")]


def send_webhook(incident, level, reminder_round, event):
    department = incident.department
    if not department.webhook_url:
        return None
    title = f"[{DRILL_LABEL}] {incident.title}" if incident.drill else incident.title
    payload = {"event": event, "incident": {
        "id": incident.id, "title": title, "department": department.code, "category": incident.category,
        "severity": incident.severity, "exam_related": incident.exam_related, "drill": incident.drill,
        "status": incident.status, "occurred_at": as_utc(incident.occurred_at).isoformat(),
        "url": base_url() + incident_path(incident)}, "level": level}
    if incident.drill:
        payload["label"] = DRILL_LABEL
    return enqueue(kind="incident_webhook", channel=WEBHOOK, subject=title, body_text=incident.description or "",
                   address=department.webhook_url, recipient_label=department.name, department_id=department.id,
                   payload=payload, source=("incident", incident.id),
                   dedupe_key=f"incident:{incident.id}:webhook:{event}:L{level}:r{reminder_round}")


def alert_users(incident, users, kind, subject, body, key):
    if incident.drill:
        allowed = set(incident.drill_recipient_ids or [])
        users = [u for u in users if u.id in allowed]
        subject = f"[{DRILL_LABEL}] {subject}"
        body = f"*** {DRILL_LABEL} ***\n\n{body}\n\n*** {DRILL_LABEL} ***"
    link = base_url() + incident_path(incident)
    for user in users:
        # Every channel the person routed this kind to (in-app and email unless they chose otherwise).
        notify_user(user=user, kind=kind, subject=subject, body_text=f"{body}\n\n{link}",
                    department_id=incident.department_id, source=("incident", incident.id),
                    payload={"url": incident_path(incident)}, dedupe_key=f"{key}:{user.id}",
                    push={"url": incident_path(incident), "tag": f"incident-{incident.id}"})
    return users
