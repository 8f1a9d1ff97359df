"""Incidents: the log with immediate escalation, the public-statement clock, playbook checklists, fast reports."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import registry, scoping
from ..extensions import db
from . import (api, cli, deadline_rules, escalation, forms, labels, messages, policies, queries, statement_clock,
               views)
from .models import CLOSED, Incident

TERMS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high"), "critical": _l("critical"),
         "open": _l("open"), "acknowledged": _l("acknowledged"), "contained": _l("contained"), "closed": _l("closed"),
         "severity": _l("Severity"), "category": _l("Category"), "exam_related": _l("Exam-related"),
         "place": _l("Place"), "occurred_at": _l("Occurred at")}


def offline_pages(user):
    """The incident list and the user's 30 latest open incidents, kept readable offline."""
    ids = db.session.scalars(scoping.scope(select(Incident.id), Incident, user).where(
        Incident.status != CLOSED).order_by(Incident.occurred_at.desc()).limit(30)).all()
    return ["/incidents/"] + [f"/incidents/{i}" for i in ids]


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.incidents_cli)
    registry.nav(app, "incidents.index", _l("Incidents"), order=10)
    registry.nav(app, "incidents.policy", _l("Escalation policy"), permission="incident.policy.view", order=85)
    registry.job(app, "incidents.escalate", escalation.run_escalations, seconds=30)
    registry.job(app, "incidents.deadlines", statement_clock.run_deadlines, seconds=60)
    registry.demo(app, cli.create_demo_incidents)
    registry.home_panel(app, "incidents/_home_panel.html", order=10)
    registry.model_label(app, "Incident", _l("Incidents"))
    registry.model_label(app, "EscalationPolicy", _l("Escalation policy"))
    registry.terms(app, TERMS)
    registry.action(app, messages.ACK_ACTION, escalation.acknowledge_by_action)
    registry.offline(app, offline_pages)
    registry.metric(app, "level1_instant_channel", _l("Level 1 without push/SMS"), policies.instant_channel_metric,
                    order=16, link=lambda d: url_for("incidents.policy", department=d.code), total=True,
                    description=_l("Directors and exam steering-board members with no confirmed push or SMS/chat "
                                   "channel: red where the Department's policy requires one."))
    registry.find_incident(app, lambda ident: scoping.get_or_404(Incident, ident))
    registry.rule_user(app, deadline_rules.uses_rule)
    registry.rule_choices(app, "severities", forms.severity_choices)
    app.context_processor(lambda: {"incident_labels": labels, "incidents_overview": queries.overview,
                                   "incident_home_items": queries.home_items})
