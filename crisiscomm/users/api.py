from flask import jsonify
from flask_login import current_user

from ..api import api_blueprint, doc, json_body
from ..extensions import db
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
    db.session.commit()
    return jsonify(user_json(user))
