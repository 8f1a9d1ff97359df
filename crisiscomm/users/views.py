from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import boundary, permissions
from ..clock import now
from ..departments.models import ACTIVE, Department
from ..errors import NotFound, TooManyRequests
from ..extensions import db
from ..permissions import ROLE_LABELS
from ..security import safe_redirect_target
from . import devices, service
from .forms import LoginForm, PasswordForm, TokenForm, UserAdminForm
from .models import User

bp = Blueprint("users", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        email = form.email.data
        # A miss is a 401 with the message under the password; the throttle keeps its count (committed by itself).
        try:
            with boundary.saving(form) as signed_in:
                user = service.authenticate(email=email, password=form.password.data,
                                            remote_addr=request.remote_addr, device=devices.known_device(email))
        except TooManyRequests as exc:
            form.password.errors.append(exc.message)
            status, headers = 429, {"Retry-After": str(exc.extra["retry_after"])}
        else:
            if not signed_in:
                return render_template("users/login.html", form=form), 401, headers
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(user)
            response = redirect(safe_redirect_target(request.args.get("next")) or url_for("web.home"))
            return devices.remember(response, user.email)
    elif request.method == "POST":
        status = 422
    return render_template("users/login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    # Every session of this user ends, so a copy of the cookie taken before is worth nothing.
    service.end_sessions(user=current_user._get_current_object())
    logout_user()
    session.clear()
    response = redirect(url_for("users.login"))
    # The browser's HTTP cache of this person's pages goes too (app.js deletes the service worker's copies;
    # "storage" would also unregister the service worker and so end push on this phone).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


def _account_page(form=None, token_form=None, new_token=None, status=200):
    return render_template("users/account.html", form=form or PasswordForm(formdata=None),
                           token_form=token_form or TokenForm(formdata=None),
                           tokens=service.tokens_of(current_user), new_token=new_token, now=now()), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            service.change_password(user=current_user, current_password=form.current_password.data,
                                    new_password=form.new_password.data)
        if not saved:
            return _account_page(form=form, status=422)
        login_user(current_user._get_current_object())  # this session goes on with the new session_version
        flash(_("Your password was changed. Other sessions were signed out."), "success")
        return redirect(url_for("users.account"))
    return _account_page(form=form, status=422 if request.method == "POST" else 200)


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form, status=422)
    with boundary.saving(form, aliases={"expires_in_days": "expires"}, flash_unplaced=False) as saved:
        token = service.issue_token(user=current_user, label=form.label.data or None,
                                    expires_in_days=int(form.expires.data) if form.expires.data else None)
    if not saved:
        return _account_page(token_form=form, status=422)
    # Shown in this response only (never stored in the session cookie, never cached: no-store).
    return _account_page(new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    # Your own token, or (the Ministry admin, from the user's page) anyone's; another's is a 404 for everyone else.
    token = service.revoke_token(user=current_user, token_id=token_id)
    flash(_("Token revoked."), "success")
    if token.user_id != current_user.id:
        return redirect(url_for("users.admin_user", user_id=token.user_id))
    return redirect(url_for("users.account"))


@bp.get("/admin/users")
@permissions.required("user.manage")
def admin_users():
    q = request.args.get("q", "").strip()[:200]
    return render_template("users/admin_list.html", users=service.list_users(q=q or None), q=q)


def _admin_form(user, formdata=None):
    form = UserAdminForm(formdata=formdata, data={"role": user.role,
                                                  "department": user.department.code if user.department else ""})
    form.role.choices = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]
    departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                     .order_by(Department.name)).all()
    form.department.choices = [SelectChoice("", _("Ministry (no Department)"))] + [
        SelectChoice(d.code, d.name) for d in departments]
    return form


def _user_or_404(user_id):
    user = db.session.get(User, user_id) if user_id < 2**31 else None
    if user is None:
        raise NotFound()
    return user


def _admin_page(user, form=None, status=200):
    return render_template("users/admin_user.html", user=user, form=form or _admin_form(user),
                           tokens=service.tokens_of(user), now=now()), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@permissions.required("user.manage")
def admin_user(user_id):
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _admin_page(user)
    form = _admin_form(user, formdata=request.form)
    if not form.validate_on_submit():
        return _admin_page(user, form, 422)
    with boundary.saving(form, flash_unplaced=False) as saved:
        service.update_user(actor=current_user, user=user, role=form.role.data,
                            department_code=form.department.data or "")
    if not saved:
        return _admin_page(_user_or_404(user_id), form, 422)
    flash(_("The user was changed."), "success")
    return redirect(url_for("users.admin_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/active")
@permissions.required("user.manage")
def admin_set_active(user_id):
    user = _user_or_404(user_id)
    active = request.form.get("active") == "1"
    with boundary.saving() as saved:
        service.update_user(actor=current_user, user=user, active=active)
    if not saved:
        return _admin_page(_user_or_404(user_id), status=422)
    flash(_("The user can sign in again.") if active else
          _("The user was deactivated: their sessions ended and their API tokens were revoked."), "success")
    return redirect(url_for("users.admin_user", user_id=user.id))
