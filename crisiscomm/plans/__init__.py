"""Communication plans: the Ministry's plan for a school year and the Departments' plans built from it."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from ..web import register_model_label
    from . import api, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    nav.register(app, "plans.index", _l("Communication plans"), order=60)
    register_model_label("DepartmentPlan", _l("Communication plans"))
    register_model_label("DepartmentPlanVersion", _l("Submitted plan versions"))
    from ..demo import register_demo
    from .demo import create_demo

    register_demo(app, create_demo)
