"""Spokespersons: each Department's official spokesperson and authorised speakers, the public directory."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, demo, models, service, views  # noqa: F401


def offline_pages(user):
    """The spokesperson card (and a Department user's own Department's), kept readable offline."""
    return ["/spokespersons/"] + (["/spokespersons/department"] if user.department_id and not user.is_ministry
                                  else [])


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry.nav(app, "spokespersons.manage", _l("Spokesperson assignments"), order=45)
    registry.nav(app, "spokespersons.public", _l("Spokespersons"), order=95, public=True)
    registry.job(app, "spokespersons.expiring_authorisations", service.alert_expiring_authorisations, seconds=3600)
    registry.demo(app, demo.create_demo_assignments)
    registry.merge_hook(app, service.end_on_merge)
    registry.offline(app, offline_pages)
