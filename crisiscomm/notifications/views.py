import json
import os

from flask import (Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import boundary, registry
from ..errors import TooManyRequests, ValidationError
from ..extensions import csrf
from ..security import safe_redirect_target
from . import methods, service
from .push import current_key

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
# The service worker, the manifest and the one-tap action links live at the root: a service worker only
# controls pages under the path it is served from.
app_bp = Blueprint("pwa", __name__)


@bp.get("/")
@login_required
def inbox():
    return render_template("notifications/inbox.html", items=service.inbox(current_user, limit=100))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id):
    row = service.mark_read(user=current_user, notification_id=notification_id)
    return redirect(safe_redirect_target((row.payload or {}).get("url"))
                    or safe_redirect_target(request.referrer) or url_for("notifications.inbox"))


# --- contact methods (account page) ------------------------------------------------------------------

def _back(done=None):
    """Back to the account page's channels, saying what was ``done``."""
    if done:
        flash(done, "success")
    return redirect(url_for("users.account") + "#channels")


@bp.post("/channels")
@login_required
def add_channel():
    with boundary.saving() as saved:
        method = methods.add_method(user=current_user, kind=request.form.get("kind"),
                                    address=request.form.get("address"), label=request.form.get("label"),
                                    short_form=True if request.form.get("short_form") else None)
    if not saved:
        return _back()
    flash(_("A test message with a code was sent to %(channel)s. Enter the code below to start using it.",
            channel=methods.describe(method)), "success")
    return _back()


@bp.post("/channels/<int:method_id>/confirm")
@login_required
def confirm_channel(method_id):
    # A wrong code is an answer, not a failed request: it counts towards the limit, so it is committed.
    method, refused = methods.check_code(user=current_user, method_id=method_id, code=request.form.get("code"))
    if refused:
        flash(refused, "error")
        return _back()
    flash(_("%(channel)s is confirmed: your alerts will reach it.", channel=methods.describe(method)), "success")
    return _back()


@bp.post("/channels/<int:method_id>/test")
@login_required
def test_channel(method_id):
    try:
        methods.send_test(user=current_user, method_id=method_id)
    except TooManyRequests as exc:
        flash(exc.message, "error")
        return _back()
    flash(_("A new test message was sent."), "success")
    return _back()


@bp.post("/channels/<int:method_id>/remove")
@login_required
def remove_channel(method_id):
    methods.remove_method(user=current_user, method_id=method_id)
    return _back(_("Channel removed."))


@bp.post("/routes")
@login_required
def save_routes():
    routes = {kind: request.form.getlist(f"route-{kind}") for kind in methods.ROUTABLE}
    methods.save_routes(user=current_user, routes=routes)
    return _back(_("Your choices were saved. Escalations still reach every confirmed channel."))


# --- Web Push subscription (JSON, from app.js) ---------------------------------------------------------

@bp.post("/push/key")
@login_required
def push_key():
    key = current_key(create=True)
    return jsonify({"public_key": key[1]})


@bp.post("/push/subscribe")
@login_required
def push_subscribe():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(_("Expected a JSON object."), fields={"body": _("not JSON")})
    current_key(create=True)  # the browser subscribed with /push/key's key; make sure the server can sign
    method = methods.add_method(user=current_user, kind="push", address=data.get("endpoint"),
                                keys=data.get("keys") if isinstance(data.get("keys"), dict) else None,
                                label=str(data.get("label") or "")[:120])
    return jsonify({"id": method.id, "verified": method.verified_at is not None,
                    "message": _("Push is on for this device.") if method.verified_at else
                    _("A test notification is on its way: tap it to confirm this device.")}), 201


@bp.post("/push/unsubscribe")
@login_required
def push_unsubscribe():
    data = request.get_json(silent=True) or {}
    methods.remove_push_endpoint(user=current_user, endpoint=str(data.get("endpoint") or ""))
    return jsonify({"ok": True})


@bp.get("/offline.json")
@login_required
def offline_manifest():
    """What the service worker keeps readable offline for this person: their Department's playbooks, the
    spokesperson card and their open incidents (as last rendered for them)."""
    urls = ["/"]
    for pages in registry.items("offline"):  # registry.offline: each domain's pages
        urls += pages(current_user)
    return jsonify({"user": current_user.id, "urls": urls})


# --- one-tap actions from a push button or an SMS link (no sign-in: the signed token is the credential) ---

@app_bp.get("/n/<token>")
def action_link(token):
    row = service.action_row(token)
    return render_template("notifications/action.html", row=row, token=token, result=None)


@app_bp.post("/n/<token>")
@csrf.exempt  # the single-use signed token is the credential; the service worker has no CSRF token
def action_do(token):
    row, result = service.perform_action(token=token)
    if request.accept_mimetypes.best == "application/json" or request.headers.get("X-Crisiscomm-Action"):
        return jsonify({"ok": True, **{k: str(v) for k, v in result.items()}})
    return render_template("notifications/action.html", row=row, token=token, result=result)


# --- installable app ------------------------------------------------------------------------------------

@app_bp.get("/sw.js")
def service_worker():
    # Read whole (a few KB) rather than streamed: a streamed file stays open until the client closes the response.
    with open(os.path.join(current_app.root_path, "static", "js", "sw.js"), "rb") as fh:
        response = Response(fh.read(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@app_bp.get("/manifest.webmanifest")
def manifest():
    icons = [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any"} for size in (192, 512)]
    icons.append({"src": url_for("static", filename="icons/icon-maskable-512.png"), "sizes": "512x512",
                  "type": "image/png", "purpose": "maskable"})
    body = {"name": _("crisiscomm — crisis communication"), "short_name": "crisiscomm",
            "description": _("Incidents, playbooks and press liaison of the Ministry of Education and Training"),
            "lang": "vi", "start_url": "/?source=app", "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#b3261e", "icons": icons}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json",
                    headers={"Cache-Control": "no-cache"})
