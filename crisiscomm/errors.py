"""Domain errors raised by services, and how the web and the API answer them.

Services raise these; views and API endpoints never build error responses by hand.
API answers are ``{"error": {"code", "message", "fields"}}`` with the status below.
"""
from flask import g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db, login_manager


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message=None, fields=None, **extra):
        super().__init__(message or self.code)
        self.message = message or self.code
        self.fields = fields or {}
        self.extra = extra


class ValidationError(DomainError):
    """Bad input; ``fields`` maps each bad field to what is wrong with it."""

    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The record changed under you, or the request clashes with current state."""

    status = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


# Signed one-click links (email acknowledge links, push buttons, SMS links).
class LinkInvalid(DomainError):
    status = 400
    code = "invalid_link"


class LinkExpired(DomainError):
    status = 410
    code = "link_expired"


class LinkUsed(DomainError):
    status = 409
    code = "link_used"


def wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def error_payload(code, message, fields=None, **extra):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    body["error"].update(extra)
    return body


def _render(status, code, message, fields=None, **extra):
    if wants_json():
        return jsonify(error_payload(code, message, fields, **extra)), status
    return render_template("errors/error.html", status=status, message=message, fields=fields or {}), status


def init_app(app):
    @app.errorhandler(DomainError)
    def domain_error(exc):
        db.session.rollback()
        return _render(exc.status, exc.code, exc.message, exc.fields, **exc.extra)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        messages = {
            400: _("The request could not be understood."),
            401: _("Please sign in."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            405: _("This action is not allowed here."),
            413: _("The file is too large."),
            429: _("Too many attempts. Please wait and try again."),
        }
        message = messages.get(exc.code, exc.description)
        code = (exc.name or "error").lower().replace(" ", "_")
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            code, message = "csrf_failed", _("The form expired or was not sent from this site. Please reload and try again.")
        response = make_response(_render(exc.code, code, message))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(StaleDataError)
    def stale_write(exc):
        # Two saves of a versioned record crossed between the version check and the UPDATE.
        db.session.rollback()
        return _render(409, "conflict", _("Someone else changed this record at the same moment. "
                                          "Nothing of yours was saved; reload and try again."),
                       {"version": "stale"})

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc):
        app.logger.error("database unavailable: %s", exc)
        try:
            db.session.rollback()
        except Exception:  # the connection itself may be gone
            db.session.remove()
        # Answer as an anonymous user: loading the signed-in user (for the locale, the headers,
        # the page's navigation) would need the database again and turn this 503 into a 500.
        g._login_user = login_manager.anonymous_user()
        response = make_response(_render(503, "database_unavailable",
                                         _("The database is briefly unavailable. Nothing was saved; please try again.")))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return _render(500, "internal_error", _("An unexpected error occurred. Nothing was saved."))
