def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from ..cli import register_setup
    from . import models, service, views  # noqa: F401

    register_setup(app, service.seed_defaults)
    app.register_blueprint(views.bp)
    # templates/rules/_source.html shows a deadline's source the same way everywhere.
    app.jinja_env.globals.update(rule_authority=service.authority_label, rule_confidence=service.confidence_label,
                                 rule_source_line=service.source_line)
    nav.register(app, "rules.index", _l("Deadline rules"), roles=views.READERS, order=90, more=True)
