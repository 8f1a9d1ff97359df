"""Crisis scenario library: Ministry template playbooks (scenarios/*.md) as versions, distribution to the
Departments with acknowledgement, Department adaptations, and the playbook view."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import registry
from ..extensions import db
from . import api, cli, demo, distribution, views
from .models import Scenario


def offline_pages(user):
    """A Department user's playbooks (40 at most), kept readable offline."""
    if not user.department_id or user.is_ministry:
        return []
    return [f"/scenarios/{slug}/playbook" for slug in db.session.scalars(
        select(Scenario.slug).order_by(Scenario.title).limit(40))]


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.scenarios_cli)
    registry.nav(app, "scenarios.index", _l("Scenarios"), order=30)
    registry.home_panel(app, "scenarios/_home_panel.html", order=90)
    registry.setup(app, cli.setup_hook)
    registry.demo(app, demo.create_demo)
    registry.model_label(app, "ScenarioDistribution", _l("Scenario templates received"))
    registry.model_label(app, "ScenarioAdaptation", _l("Adapted scenarios"))
    registry.offline(app, offline_pages)
    registry.job(app, "scenarios.remind", distribution.remind_due, seconds=900)
