"""The Ministry overview (all Departments at a glance, charts) and the communication-work scorecard.

Other domains plug in through crisiscomm.overview.registry (register_metric, register_evidence, register_chart).
"""
from .registry import register_chart, register_evidence, register_metric  # noqa: F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from ..users.models import MINISTRY_ROLES
    from . import api, metrics, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    nav.register(app, "overview.index", _l("Overview"), roles=MINISTRY_ROLES, order=5)
    nav.register(app, "overview.scorecard", _l("Scorecard"), roles=MINISTRY_ROLES, order=65)
    metrics.register_all(app)
    from ..web import register_home_panel
    from . import service

    register_home_panel(app, "overview/_home_panel.html", roles=MINISTRY_ROLES, order=5)
    app.jinja_env.globals["overview_today"] = service.needs_action_today
