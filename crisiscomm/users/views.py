from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import TooManyRequests, ValidationError
from ..extensions import db
from ..security import roles_required
from . import service
from .forms import LoginForm, PasswordForm
from .models import MINISTRY_ADMIN, ApiToken

bp = Blueprint("users", __name__)


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.authenticate(email=form.email.data, password=form.password.data,
                                        remote_addr=request.remote_addr)
        except TooManyRequests:
            form.password.errors.append(_("Too many failed sign-ins. Try again in a few minutes."))
            status = 429
        except ValidationError:
            form.password.errors.append(_("Wrong email or password."))
            status = 401
        else:
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("web.home"))
    elif request.method == "POST":
        status = 422
    return render_template("users/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    response = redirect(url_for("users.login"))
    # The browser's HTTP cache of this person's pages goes too (app.js deletes the service worker's copies;
    # "storage" would also unregister the service worker and so end push on this phone).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.change_password(user=current_user, current_password=form.current_password.data,
                                    new_password=form.new_password.data)
        except ValidationError as exc:
            status = 422
            for name in exc.fields:
                getattr(form, name).errors.append(
                    _("Wrong password.") if name == "current_password" else _("At least 10 characters."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session; the others end with the old session_version
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("users.account"))
    tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == current_user.id)
                                .order_by(ApiToken.created_at.desc())).all()
    if request.method == "POST" and form.errors:
        status = 422
    return render_template("users/account.html", form=form, tokens=tokens,
                           new_token=session.pop("new_token", None)), status


@bp.post("/account/tokens")
@login_required
def create_token():
    label = (request.form.get("label") or "").strip()[:200] or None
    token = service.issue_token(user=current_user, label=label)
    db.session.commit()
    session["new_token"] = token
    flash(_("Copy your new token now: it is shown only once."), "warning")
    return redirect(url_for("users.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    service.revoke_token(user=current_user, token_id=token_id)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("users.account"))


@bp.get("/admin/users")
@roles_required(MINISTRY_ADMIN)
def admin_users():
    q = request.args.get("q", "").strip()
    return render_template("users/admin_list.html", users=service.list_users(q=q or None), q=q)
