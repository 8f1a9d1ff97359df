from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..security import safe_redirect_target
from . import service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def inbox():
    return render_template("notifications/inbox.html", items=service.inbox(current_user, limit=100))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id):
    row = service.mark_read(user=current_user, notification_id=notification_id)
    db.session.commit()
    return redirect(safe_redirect_target((row.payload or {}).get("url"))
                    or safe_redirect_target(request.referrer) or url_for("notifications.inbox"))
