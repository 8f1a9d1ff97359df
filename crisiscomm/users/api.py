from flask import jsonify
from flask_login import current_user

from ..api import api_blueprint, doc

bp = api_blueprint("users_api", __name__)


def user_json(user):
    return {"id": user.id, "email": user.email, "name": user.name, "title": user.title, "role": user.role,
            "department": user.department.code if user.department else None}


@bp.get("/me")
@doc(summary="The signed-in user")
def me():
    return jsonify(user_json(current_user))
