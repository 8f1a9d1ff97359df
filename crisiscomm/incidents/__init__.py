"""Incidents: the log with immediate escalation, the public-statement clock, playbook checklists, fast reports."""


def escalate_job():
    from . import escalation

    escalation.run_escalations()


def deadlines_job():
    from . import statement_clock

    statement_clock.run_deadlines()


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import jobs, nav
    from ..demo import register_demo
    from ..web import register_home_panel, register_model_label
    from . import api, cli, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.incidents_cli)
    nav.register(app, "incidents.index", _l("Incidents"), order=10)
    nav.register(app, "incidents.policy", _l("Escalation policy"),
                 roles=("director", "deputy_director", "ministry_admin", "ministry_comms"), order=85)
    jobs.register(app, "incidents.escalate", escalate_job, seconds=30)
    jobs.register(app, "incidents.deadlines", deadlines_job, seconds=60)
    register_demo(app, cli.create_demo_incidents)
    register_home_panel(app, "incidents/_home_panel.html", order=10)
    register_model_label("Incident", _l("Incidents"))
    from .. import registry, scoping

    registry.find_incident(app, lambda ident: scoping.get_or_404(models.Incident, ident))
    from ..web import register_terms

    register_terms({"low": _l("low"), "medium": _l("medium"), "high": _l("high"), "critical": _l("critical"),
                    "open": _l("open"), "acknowledged": _l("acknowledged"), "contained": _l("contained"),
                    "closed": _l("closed"), "severity": _l("Severity"), "category": _l("Category"),
                    "exam_related": _l("Exam-related"), "place": _l("Place"), "occurred_at": _l("Occurred at")})

    register_model_label("EscalationPolicy", _l("Escalation policy"))
    from ..notifications.service import register_action
    from .escalation import acknowledge_by_action
    from .messages import ACK_ACTION

    register_action(ACK_ACTION, acknowledge_by_action)
    from ..overview.metrics import link
    from ..overview.registry import register_metric
    from .policies import instant_channel_metric

    register_metric(app, "level1_instant_channel", _l("Level 1 without push/SMS"), instant_channel_metric, order=16,
                    link=lambda d: link("incidents.policy", d), total=True,
                    description=_l("Directors and exam steering-board members with no confirmed push or SMS/chat "
                                   "channel: red where the Department's policy requires one."))

    @app.context_processor
    def incident_helpers():
        from . import labels, queries

        return {"incident_labels": labels, "incidents_overview": queries.overview,
                "incident_home_items": queries.home_items}
