"""crisiscomm: crisis communication and press liaison for the Ministry of Education and Training
and the provincial Departments of Education and Training."""
import importlib
import os
import sqlite3

from flask import Flask
from werkzeug.routing import IntegerConverter
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import sqlite
from .config import TestConfig, config_for_env

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(PACKAGE_DIR)
TEMPLATE_DIR = os.path.join(PROJECT_DIR, "templates")
SCENARIO_DIR = os.path.join(PROJECT_DIR, "scenarios")

# Each domain package exposes init_app(app): its blueprints and CLI, and what it adds through crisiscomm.registry.
DOMAINS = [
    "departments",
    "users",
    "audit",
    "notifications",
    "contacts",
    "spokespersons",
    "scenarios",
    "incidents",
    "rules",
    "statements",
    "briefings",
    "inquiries",
    "ops",
    "plans",
    "stories",
    "monitoring",
    "network",
    "orientation",
    "training",
    "overview",
    "web",
]


class _BoundedInt(IntegerConverter):
    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _database_url(app):
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "crisiscomm.db")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        sqlite.set_pragmas(dbapi_connection)


def _include_in_migrations(obj, name, type_, reflected, compare_to):
    # APScheduler creates and owns its job-store table.
    return not (type_ == "table" and name == "apscheduler_jobs")


_installed = False


def _install_session_hooks():
    global _installed
    if not _installed:
        from .audit import service as audit_service
        from .notifications import service as outbox

        audit_service.install()
        outbox.install()
        _installed = True


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True, template_folder=TEMPLATE_DIR)
    # <int:…> in URLs: ids beyond 32 bits (the id columns) are a 404, not a database overflow
    app.url_map.converters["int"] = _BoundedInt
    app.config.from_object(config_for_env())
    if app.config.get("ENV_NAME") == "production":
        # Read now, not when config.py was imported: production never falls back to a default key.
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or None
    if config == "test":
        app.config.from_object(TestConfig)
    elif isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if app.config.get("ENV_NAME") == "production" and not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set when CRISISCOMM_ENV=production")
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite.engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("SCENARIO_DIR", SCENARIO_DIR)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)

    @app.before_request
    def _fresh_request_globals():
        # A request starts with an empty `g` (signed-in user, locale, CSRF token, token auth). In production
        # each request has its own app context anyway; tests keep one open across many requests and clients.
        from flask import g

        for key in list(g):
            g.pop(key, None)

    from . import boundary, errors, i18n, inputs, permissions, security
    from .extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PACKAGE_DIR, "migrations"), render_as_batch=True,
                     compare_type=True, include_object=_include_in_migrations)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    inputs.init_app(app)
    security.init_app(app)
    permissions.init_app(app)
    _install_session_hooks()

    from . import api, cli, devmail, jobs, nav

    nav.init_app(app)
    api.init_app(app)
    for name in DOMAINS:
        importlib.import_module(f"{__name__}.{name}").init_app(app)
    cli.init_app(app)
    devmail.init_app(app)
    jobs.init_app(app)
    boundary.init_app(app)  # last: every view registered above runs in the one request transaction
    return app
