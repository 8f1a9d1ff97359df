def init_app(app):
    from . import models  # noqa: F401
