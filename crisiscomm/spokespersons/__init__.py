def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import jobs, nav
    from ..demo import register_demo
    from . import api, demo, merger, models, service, views  # noqa: F401  (merger registers the merge hook)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    nav.register(app, "spokespersons.manage", _l("Spokesperson assignments"), order=45)
    nav.register(app, "spokespersons.public", _l("Spokespersons"), order=95, public=True)
    jobs.register(app, "spokespersons.expiring_authorisations", service.alert_expiring_authorisations, seconds=3600)
    register_demo(app, demo.create_demo_assignments)
