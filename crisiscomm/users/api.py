from flask import jsonify
from flask_login import current_user

from ..api import api_blueprint, doc, json_body, reject_unknown
from ..clock import iso_utc
from ..errors import NotFound
from . import service

bp = api_blueprint("users_api", __name__)

USER_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
    "title": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]}, "role": {"type": "string"},
    "department": {"type": ["string", "null"], "description": "Department code; null for Ministry users"},
    "locale": {"type": ["string", "null"], "enum": ["vi", "en", None]}}}


def user_json(user):
    return {"id": user.id, "email": user.email, "name": user.name, "title": user.title, "phone": user.phone,
            "role": user.role, "department": user.department.code if user.department else None,
            "locale": user.locale}


@bp.get("/me")
@doc(summary="The signed-in user", responses={200: USER_SCHEMA})
def me():
    return jsonify(user_json(current_user))


@bp.patch("/me")
@doc(summary="Change your own name, title, phone or UI language",
     body={"type": "object", "additionalProperties": False, "properties": {
         "name": {"type": "string"}, "title": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]},
         "locale": {"type": ["string", "null"], "enum": ["vi", "en", None]}}},
     responses={200: USER_SCHEMA})
def update_me():
    user = service.update_profile(user=current_user._get_current_object(), **json_body())
    return jsonify(user_json(user))


TOKEN_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "prefix": {"type": "string"}, "label": {"type": ["string", "null"]},
    "created_at": {"type": "string", "format": "date-time"},
    "last_used_at": {"type": ["string", "null"], "format": "date-time"},
    "expires_at": {"type": ["string", "null"], "format": "date-time"},
    "revoked_at": {"type": ["string", "null"], "format": "date-time"}}}


def token_json(token):
    return {"id": token.id, "prefix": token.prefix, "label": token.label, "created_at": iso_utc(token.created_at),
            "last_used_at": iso_utc(token.last_used_at), "expires_at": iso_utc(token.expires_at),
            "revoked_at": iso_utc(token.revoked_at)}


@bp.get("/me/tokens")
@doc(summary="Your API tokens (never their values), newest first", responses={200: {
    "type": "object", "properties": {"items": {"type": "array", "items": TOKEN_SCHEMA}}}})
def my_tokens():
    return jsonify({"items": [token_json(t) for t in service.tokens_of(current_user)]})


@bp.post("/me/tokens")
@doc(summary="Create an API token; its value is in this answer only",
     body={"type": "object", "additionalProperties": False, "properties": {
         "label": {"type": ["string", "null"], "maxLength": 200},
         "expires_in_days": {"type": ["integer", "null"], "minimum": 1, "maximum": service.MAX_TOKEN_DAYS}}},
     responses={201: TOKEN_SCHEMA})
def create_my_token():
    body = json_body()
    reject_unknown(body, ("label", "expires_in_days"))
    value = service.issue_token(user=current_user._get_current_object(), label=body.get("label"),
                                expires_in_days=body.get("expires_in_days"))
    token = service.tokens_of(current_user)[0]
    return jsonify({**token_json(token), "token": value}), 201


@bp.delete("/me/tokens/<int:token_id>")
@doc(summary="Revoke one of your API tokens", responses={200: TOKEN_SCHEMA})
def revoke_my_token(token_id):
    token = service.revoke_token(user=current_user._get_current_object(), token_id=token_id)
    if token.user_id != current_user.id:
        raise NotFound()
    return jsonify(token_json(token))
