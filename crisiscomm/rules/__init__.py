def init_app(app):
    from ..cli import register_setup
    from . import models, service  # noqa: F401

    register_setup(app, service.seed_defaults)
