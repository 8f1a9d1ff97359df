import pytest
from flask import g
from flask_babel import refresh


@pytest.fixture(autouse=True)
def _fresh_request_globals(app):
    """The `app` fixture keeps one app context open for the whole test, and Flask reuses it for every
    test-client request, so `g` (Flask-Login's cached user, Flask-WTF's CSRF token, the bearer-token flag, the locale)
    would leak from one request into the next. Start each request with them cleared, as in production."""

    def clear():
        for name in ("_login_user", "csrf_token", "auth_via_token"):
            g.pop(name, None)
        refresh()  # Flask-Babel's cached locale

    app.before_request_funcs.setdefault(None, []).insert(0, clear)
    yield
