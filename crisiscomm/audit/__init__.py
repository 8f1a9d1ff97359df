"""The append-only audit log: written by a flush hook for every Auditable model, read by the Ministry admin."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import views


def init_app(app):
    app.register_blueprint(views.bp)
    registry.nav(app, "audit.index", _l("Audit log"), permission="audit.read", order=95)
