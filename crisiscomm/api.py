"""API conventions for /api/v1, shared by every domain.

- ``api_blueprint(name, import_name)`` gives a blueprint under /api/v1 that requires a signed-in
  user: a bearer token (``Authorization: Bearer …``) for any method, or the browser session for
  reads and for writes that carry the page's CSRF token in ``X-CSRFToken``.
- Errors are ``{"error": {"code", "message", "fields"}}`` (see errors.py).
- ``@doc(...)`` describes an endpoint for ``/api/v1/openapi.json``; undocumented routes are
  still listed, from their docstrings.
"""
import re

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError as WTFValidationError

from .errors import DomainError, ValidationError, error_payload
from .extensions import csrf

API_PREFIX = "/api/v1"
_blueprints = []


def api_blueprint(name, import_name):
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(bp)
    bp.before_request(_authenticate)
    _blueprints.append(bp)
    return bp


def _authenticate():
    if getattr(request.url_rule, "endpoint", "").endswith("openapi"):
        return None
    if not current_user.is_authenticated:
        return jsonify(error_payload("unauthorized", "A bearer token or a signed-in session is required.")), 401
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("auth_via_token"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (CSRFError, WTFValidationError):
            return jsonify(error_payload("csrf_failed",
                                         "Writes from a browser session need the X-CSRFToken header.")), 400
    return None


def json_body():
    """The request's JSON object, or a 400 that says so."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_("The request body must be a JSON object."), fields={"body": _("expected a JSON object")})
    return data


def reject_unknown(data, allowed):
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: _("unknown field") for k in unknown})


def bool_arg(name):
    """A true/false query parameter; None when absent; a 422 naming it when it is neither."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ValidationError(_("Bad parameter."), fields={name: _("true or false")})


MAX_OFFSET = 2**31 - 1  # what every database takes as an integer; beyond it a 500, not an empty page


def paginate_args(default=50, maximum=500):
    errors = {}
    try:
        limit = int(request.args.get("limit", default))
        if not 1 <= limit <= maximum:
            raise ValueError
    except ValueError:
        errors["limit"] = f"an integer from 1 to {maximum}"
        limit = default
    try:
        offset = int(request.args.get("offset", 0))
        if not 0 <= offset <= MAX_OFFSET:
            raise ValueError
    except ValueError:
        errors["offset"] = f"an integer from 0 to {MAX_OFFSET}"
        offset = 0
    if errors:
        raise ValidationError(_("Bad paging parameters."), fields=errors)
    return limit, offset


def doc(summary=None, params=None, body=None, responses=None, tags=None, body_type="application/json"):
    """Attach OpenAPI facts to a view. ``params``: {name: (schema, description, required)};
    ``body``: a JSON schema for the request body; ``responses``: {status: description or schema}."""

    def decorator(view):
        view.openapi = {"summary": summary, "params": params or {}, "body": body, "responses": responses or {},
                        "tags": tags, "body_type": body_type}
        return view

    return decorator


_ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}}}


def openapi_document(app):
    paths = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint.endswith("openapi"):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", {}) or {}
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        path_params = re.findall(r"<(?:([^:<>]+):)?([^<>]+)>", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": meta.get("summary") or ((view.__doc__ or rule.endpoint).strip().splitlines()[0]),
                "tags": meta.get("tags") or [rule.endpoint.split(".")[0].replace("_api", "")],
                "security": [{"bearer": []}],
                "parameters": [],
                "responses": {},
            }
            for conv, name in path_params:
                schema = {"type": "integer"} if conv == "int" else {"type": "string"}
                op["parameters"].append({"name": name, "in": "path", "required": True, "schema": schema})
            if method == "GET":
                for name, spec in meta.get("params", {}).items():
                    schema, description, required = (list(spec) + [None, False])[:3]
                    op["parameters"].append({"name": name, "in": "query", "required": bool(required),
                                             "description": description or "", "schema": schema})
            if method in ("POST", "PUT", "PATCH") and meta.get("body") is not None:
                op["requestBody"] = {"required": True, "content": {meta["body_type"]: {"schema": meta["body"]}}}
            for status, resp in (meta.get("responses") or {200: "OK"}).items():
                entry = {"description": resp if isinstance(resp, str) else "OK"}
                if isinstance(resp, dict):
                    entry["content"] = {"application/json": {"schema": resp}}
                op["responses"][str(status)] = entry
            for status, text in (("401", "Not signed in"), ("404", "Not found or outside your scope"),
                                 ("422", "Invalid input; error.fields names each bad field")):
                op["responses"].setdefault(status, {"description": text, "content": {
                    "application/json": {"schema": _ERROR_SCHEMA}}})
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "crisiscomm API", "version": "1",
                 "description": "Crisis communication and press liaison for the Ministry of Education and Training "
                                "and the provincial Departments. Errors: {error: {code, message, fields}}."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": dict(sorted(paths.items())),
    }


core_api = Blueprint("core_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(core_api)


@core_api.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of every /api/v1 endpoint."""
    return jsonify(openapi_document(current_app))


def init_app(app):
    app.register_blueprint(core_api)
