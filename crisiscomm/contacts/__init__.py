def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import jobs, nav
    from ..demo import register_demo
    from . import api, cli, demo, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.contacts_cli)
    nav.register(app, "contacts.index", _l("Press contacts"), order=40)
    register_demo(app, demo.create_demo_contacts)
    from .imports import purge_expired

    jobs.register(app, "contacts.purge_imports", purge_expired, seconds=900)
    from ..web import register_model_label

    register_model_label("Contact", _l("Press contacts"))
