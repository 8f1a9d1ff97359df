"""Public statements: the library of what was said, by whom and when."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, models, views  # noqa: F401


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry.nav(app, "statements.library", _l("Statement library"), order=32, more=True)
