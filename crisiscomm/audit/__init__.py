def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from ..users.models import MINISTRY_ADMIN
    from . import views

    app.register_blueprint(views.bp)
    nav.register(app, "audit.index", _l("Audit log"), roles=(MINISTRY_ADMIN,), order=95)
