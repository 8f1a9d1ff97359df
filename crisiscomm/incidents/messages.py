"""What an alert says on each channel (email, SMS-sized text, chat, push) and queueing it in the outbox."""
from html import escape

from flask_babel import force_locale
from flask_babel import gettext as _

from ..clock import as_utc, format_datetime, time_left as clock_time_left, to_local
from ..i18n import bound_gettext
from ..notifications.models import EMAIL, WEBHOOK
from ..notifications.senders import ACTION_URL_MARK
from ..notifications.service import enqueue, notify_user
from ..notifications.shortform import fit_sms
from .ack_links import ack_url
from .common import DRILL_LABEL, base_url, incident_path
from .labels import audience_label, severity_label


ACK_ACTION = "incident_ack"


def time_left(due):
    """'còn 5 giờ 59 phút' / 'quá hạn 1 giờ 2 phút' from now (for alerts; the page has a live countdown)."""
    return "" if due is None else clock_time_left(due)


def alert_facts(incident, escalation, _=_):
    """What every channel's alert says, as (label, value) pairs, in the current locale (``_``: the caller's
    bound gettext)."""
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
        (_("Your role in this escalation"), _("%(role)s, level %(level)s", role=audience_label(escalation.audience),
                                              level=escalation.level)),
    ]


def _message(incident, escalation, reminder_round):
    """Every channel's text in the recipient's language (Vietnamese unless they chose English):
    (subject, email body, email html, short text for SMS-sized channels, push fields)."""
    user = escalation.recipient
    with force_locale((user.locale if user is not None else None) or "vi"):
        _ = bound_gettext()
        drill = f"[{DRILL_LABEL}] " if incident.drill else ""
        if reminder_round:
            head = _("REMINDER %(n)s — not yet acknowledged", n=reminder_round)
        elif escalation.level > 1:
            head = _("ESCALATED to level %(n)s — level 1 has not acknowledged", n=escalation.level)
        else:
            head = _("New incident")
        subject = f"{drill}{head}: {incident.title} — {incident.department.name}"
        facts = alert_facts(incident, escalation, _)
        lines = []
        if incident.drill:
            lines += [f"*** {DRILL_LABEL} ***", _("This is a drill. No real incident has happened."), ""]
        lines += [head, ""] + [f"{label}: {value}" for label, value in facts] + [
            "",
            incident.description or "",
            "",
            _("Confirm that you have the information — one click, no sign-in needed:"),
            ack_url(escalation),
            "",
            _("Open the incident:"),
            base_url() + incident_path(incident),
        ]
        if incident.drill:
            lines += ["", f"*** {DRILL_LABEL} ***"]
        body = "\n".join(lines)
        html = "<div>" + "".join(
            f'<p><a href="{escape(line)}">{escape(line)}</a></p>' if line.startswith("http")
            else f"<p>{escape(line)}</p>" if line else "" for line in lines) + "</div>"
        ask = _("Confirm you have the information")
        open_label, statement_by, logged_by = _("Open the incident:"), _("Statement by"), _("Logged by")
        confirm, due_label = _("Confirm"), _("First public statement due")
        # Chat channels get the full facts and their own one-tap link (which records the channel).
        chat = "\n".join([head, ""] + [f"{label}: {value}" for label, value in facts] + [
            "", incident.description or "", "", f"{ask}: {ACTION_URL_MARK}",
            f"{open_label} {base_url() + incident_path(incident)}"])
        due = incident.first_statement_due_at
        sms_head = f"{'DIEN TAP ' if incident.drill else ''}{incident.department.name}"
        short = fit_sms(
            [f"{sms_head}: {severity_label(incident.severity).upper()}",
             f"{incident.title}.",
             f"{incident.place}." if incident.place else "",
             f"{statement_by} {to_local(due):%H:%M %d/%m}." if due else "",
             f"{logged_by} {incident.reporter.name}." if incident.reporter is not None else "",
             incident.exam or ""],
            tail=f"{confirm}: {ACTION_URL_MARK}",
            reserve=len(base_url()) + 30 - len(ACTION_URL_MARK))
        exam = incident.exam if incident.exam_related and incident.exam else ""
        push = {
            "title": " · ".join(filter(None, [f"{drill}{incident.department.name}",
                                              severity_label(incident.severity), exam]))[:200],
            "body": "\n".join(filter(None, [
                incident.title, " · ".join(filter(None, [incident.place, format_datetime(incident.occurred_at)])),
                f"{due_label}: {format_datetime(due)} ({time_left(due)})" if due else "",
                f"{logged_by}: {incident.reporter.name}" if incident.reporter is not None else "",
                f"{audience_label(escalation.audience)} · {ask}"])),
            "url": incident_path(incident), "tag": f"incident-{incident.id}", "ack_label": ask,
            "open_label": _("Open"), "require_interaction": True,
        }
    return subject, body, html, short, push, chat


def send_escalation(incident, escalation, reminder_round=0):
    """An escalation row's messages (dedupe per round): a Department user gets every channel they confirmed
    (app, email, push, Apprise); a plain address gets email."""
    subject, body, html, short, push, chat = _message(incident, escalation, reminder_round)
    kind = "incident_reminder" if reminder_round else "incident_escalation"
    source = ("incident", incident.id)
    key = f"incident:{incident.id}:esc:{escalation.id}:r{reminder_round}"
    if escalation.recipient is not None:
        payload = {"url": incident_path(incident), "escalation_id": escalation.id}
        return notify_user(user=escalation.recipient, kind=kind, subject=subject, body_text=body, body_html=html,
                           short_text=short, chat_text=chat, push=push, department_id=incident.department_id,
                           source=source, payload=payload, urgent=True, action=ACK_ACTION,
                           email_address=escalation.email or None, dedupe_key=key)
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
