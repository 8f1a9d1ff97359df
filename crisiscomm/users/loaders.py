"""Who is signed in: Flask-Login's loaders for the session cookie and for an API bearer token."""
from flask import g
from sqlalchemy.exc import OperationalError

from ..extensions import db
from .models import User
from .service import token_user


def load_user(session_id):
    user_id, _, version = str(session_id).partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 9:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    found = token_user(header[7:].strip())
    if found is None:
        return None
    user, token = found
    if db.session.is_modified(token):
        # last_used_at, written at once: a GET commits nothing. Losing a race for the SQLite write lock only
        # postpones the note to the next request.
        try:
            db.session.commit()
        except OperationalError:
            db.session.rollback()
    g.auth_via_token = True
    return user


def init_app(login_manager):
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_token)
