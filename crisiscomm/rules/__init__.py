def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from ..cli import register_setup
    from . import models, service, views  # noqa: F401

    register_setup(app, service.seed_defaults)
    app.register_blueprint(views.bp)
    nav.register(app, "rules.index", _l("Deadline rules"), roles=("ministry_admin",), order=90)
