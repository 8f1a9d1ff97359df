"""Communication plans: the Ministry's plan for a school year and the Departments' plans built from it."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, demo, models, views  # noqa: F401


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry.nav(app, "plans.index", _l("Communication plans"), order=60)
    registry.model_label(app, "DepartmentPlan", _l("Communication plans"))
    registry.model_label(app, "DepartmentPlanVersion", _l("Submitted plan versions"))
    registry.demo(app, demo.create_demo)
