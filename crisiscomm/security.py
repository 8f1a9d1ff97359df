"""The request's edges: secure response headers (CSP), safe redirects, NUL-free input, the session cookie.
(Who is signed in: crisiscomm/users/loaders.py; who may do what: crisiscomm/permissions.py.)"""
from urllib.parse import urlsplit

from flask import g, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user

from .errors import ValidationError
from .extensions import login_manager

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def safe_redirect_target(target):
    """A same-site path for ``target`` (a ``next=`` value or a Referer), else None: never another host, never a
    scheme-relative ``//host`` or a backslash that browsers read as one."""
    if not isinstance(target, str) or not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _nul_in(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_nul_in(v) for v in value)
    return False


def reject_nul_characters():
    """A NUL character is never meaningful input and PostgreSQL cannot store it: refuse it, naming the field."""
    bad = [k for k, v in request.args.items(multi=True) if _nul_in(k) or _nul_in(v)]
    if request.form:
        bad += [k for k, v in request.form.items(multi=True) if _nul_in(k) or _nul_in(v)]
    if request.is_json:
        data = request.get_json(silent=True)
        if isinstance(data, dict):
            bad += [k for k, v in data.items() if _nul_in(k) or _nul_in(v)]
        elif _nul_in(data):
            bad.append("body")
    if bad:
        raise ValidationError(_("Input contains a NUL character."),
                              # a multipart part the parser could not name comes back without a key
                              fields={(str(k) if k is not None else "body").replace("\x00", ""):
                                      _("contains a NUL character") for k in bad})


OFFLINE_FETCH_HEADER = "X-Crisiscomm-Offline"


class SessionInterface(SecureCookieSessionInterface):
    """The cookie session, except that the service worker's background fetches of offline copies never write
    it: such a response can land after sign-out or after the sign-in page was opened, and would replace that
    newer session (and its CSRF token) with the older one."""

    def save_session(self, app, session, response):
        if request.headers.get(OFFLINE_FETCH_HEADER):
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = SessionInterface()
    app.before_request(reject_nul_characters)
    login_manager.login_view = "users.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @app.before_request
    def fresh_identity():
        # Tests keep one app context across requests, so g outlives a request: never reuse its user.
        g.pop("_login_user", None)
        g.pop("auth_via_token", None)
        g.pop("csrf_token", None)  # Flask-WTF caches the session's token in g

    @app.after_request
    def secure_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") or current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response
