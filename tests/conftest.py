"""Shared fixtures: the app on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL, users,
signed-in clients, API tokens, a controllable clock, a real SMTP server, a live server and Chromium.

Every test runs once per database. Tables are created once per session and emptied after each test.
Under CI (CI=true) a missing PostgreSQL or Chromium fails the run instead of skipping, and a test that rewrites
a file tracked by git fails it too.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
import weakref
from datetime import datetime, timezone

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from crisiscomm import create_app
from crisiscomm.clock import FrozenClock
from crisiscomm.extensions import db

from .factories import Factory

PG_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
_tmpdir = tempfile.mkdtemp(prefix="crisiscomm-tests-")
_schema = f"t_{uuid.uuid4().hex[:10]}"
_prepared = set()


def _pg_admin(sql):
    import psycopg

    with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def database_url(backend):
    if backend == "sqlite":
        return "sqlite:///" + os.path.join(_tmpdir, "test.db")
    sep = "&" if "?" in PG_URL else "?"
    # Each test run gets its own schema, so parallel runs on one database never meet.
    return f"{PG_URL}{sep}options=-csearch_path%3D{_schema}"


def pytest_configure(config):
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI is set but TEST_DATABASE_URL is not: under CI every test must also run on "
                                "PostgreSQL (make test sets it when PostgreSQL answers, and fails when it does not).")
    config._crisiscomm_tracked = _tracked_files() if IN_CI else None


def _tracked_files():
    """{path: (size, mtime)} of the files git tracks; None outside a git checkout."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    state = {}
    for path in out.decode().split("\0"):
        if path:
            try:
                st = os.stat(os.path.join(PROJECT_DIR, path))
                state[path] = (st.st_size, st.st_mtime_ns)
            except FileNotFoundError:
                state[path] = None
    return state


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_crisiscomm_tracked", None)
    if before is not None:
        after = _tracked_files() or {}
        changed = sorted(path for path in before if after.get(path) != before[path])
        if changed:
            # Tests write into tmp_path; files in the repository are made by scripts (scripts/screenshots.py…).
            print("\nFAILED: the test run changed files tracked by git: " + ", ".join(changed))
            session.exitstatus = 1
    if "postgresql" in _prepared:
        try:
            _pg_admin(f"DROP SCHEMA IF EXISTS {_schema} CASCADE")
        except Exception:
            pass
    shutil.rmtree(_tmpdir, ignore_errors=True)


class BufferedClient(FlaskClient):
    """Reads each response whole and closes it, as a browser would: a file sent with send_file (an attachment
    download) is then closed at once instead of when the garbage collector finds it (a ResourceWarning)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def make_app(backend, **overrides):
    """A new app on ``backend``'s test database (tests that need two app instances call it twice)."""
    from crisiscomm.config import TestConfig

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=database_url(backend), MAIL_PORT=1)
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = BufferedClient
    _prepare(app, backend)
    return app


_engines = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _track_engine(connection):
    _engines.add(connection.engine)


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Once a test ends, close the pooled connections of every engine it used (each app a test makes has its
    own), so none is left for the garbage collector to find: a ResourceWarning, an error in this suite."""
    yield
    for engine in list(_engines):
        engine.dispose()


def _prepare(app, backend):
    if backend in _prepared:
        return
    if backend == "postgresql":
        _pg_admin(f"CREATE SCHEMA IF NOT EXISTS {_schema}")
    with app.app_context():
        db.create_all()
    _prepared.add(backend)


def empty_database(app):
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for t in reversed(tables):
                    conn.execute(text(f'DELETE FROM "{t}"'))
                conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                    text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() else None
                conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
            if conn.dialect.name == "postgresql":
                conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def _fresh_request_globals():
    """The app fixture keeps one app context open for the whole test and Flask reuses it for every
    test-client request, so `g` (Flask-Login's user, Flask-WTF's CSRF token, the bearer-token flag,
    Flask-Babel's locale) would leak from one request into the next. Start each request clean, as in production."""
    from flask import g
    from flask_babel import refresh

    for name in ("_login_user", "csrf_token", "auth_via_token", "audit_actor"):
        g.pop(name, None)
    refresh()


@pytest.fixture
def app(backend):
    app = make_app(backend)
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    with app.app_context():
        yield app
        db.session.remove()
    empty_database(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def clock(app):
    """A frozen clock at 2026-06-26 01:00 UTC (08:00 in Hà Nội, the first morning of the graduation exam)."""
    c = FrozenClock(datetime(2026, 6, 26, 1, 0, tzinfo=timezone.utc))
    app.extensions["clock"] = c
    yield c
    app.extensions.pop("clock", None)


@pytest.fixture
def factory(app):
    return Factory(app)


@pytest.fixture
def departments(factory):
    """The 63 Departments of 2022 after the 2025 merger: 34 active, 29 merged."""
    return factory.departments()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free local port; the app sends to it."""
    from .smtp import SMTPServer

    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free local port, in a thread."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = server.url
    yield server
    server.shutdown()
    server.server_close()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)"
        if IN_CI:
            pytest.fail(f"CI is set and browser tests cannot run: {message}", pytrace=False)
        pytest.skip(f"browser tests skipped: {message}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def pytest_report_header(config):
    lines = [f"databases: {', '.join(BACKENDS)}"]
    if not os.path.exists(CHROMIUM):
        lines.append(f"browser tests: {'FAIL (CI)' if IN_CI else 'SKIPPED'} (no Chromium at {CHROMIUM})")
    else:
        lines.append(f"browser tests: Chromium at {CHROMIUM}")
    return lines
