def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from . import api, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    nav.register(app, "statements.library", _l("Statement library"), order=32, more=True)
