"""The Ministry overview (all Departments at a glance, charts) and the communication-work scorecard.

Other domains add columns, evidence and charts with registry.metric, registry.evidence and registry.chart.
"""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, metrics, service, views


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry.nav(app, "overview.index", _l("Overview"), permission="ministry.view", order=5)
    registry.nav(app, "overview.scorecard", _l("Scorecard"), permission="ministry.view", order=65)
    metrics.register_all(app)
    registry.home_panel(app, "overview/_home_panel.html", permission="ministry.view", order=5)
    app.jinja_env.globals["overview_today"] = service.needs_action_today
