"""Orientation pages: the sender's list, form and status page; a focal point's inbox; the email's acknowledge
link (no sign-in)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import boundary, permissions, scoping
from ..departments.models import ACTIVE, Department
from ..extensions import csrf, db
from ..forms import select_choices
from ..incidents.models import Incident
from ..network.models import NetworkGroup, School
from . import ack_links, service, tracking
from .forms import MessageForm
from .models import ACK_EMAIL, DRAFTED

bp = Blueprint("orientation", __name__, url_prefix="/orientation")


@bp.get("/")
@permissions.required("orientation.view")
def index():
    messages = service.list_messages(user=current_user)
    return render_template("orientation/index.html", messages=messages,
                           counts=tracking.counts([m.id for m in messages]), labels=service.STATE_LABELS)


def _choices(form):
    if current_user.is_ministry:
        deps = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                  .order_by(Department.sort_name)).all()
        form.departments.choices = select_choices((d.code, d.name) for d in deps)
        return
    groups = db.session.scalars(select(NetworkGroup).where(NetworkGroup.department_id == current_user.department_id)
                                .order_by(NetworkGroup.name)).all()
    schools = db.session.scalars(select(School).where(School.department_id == current_user.department_id,
                                                      School.archived_at.is_(None)).order_by(School.name)).all()
    form.group_ids.choices = select_choices((str(g.id), g.name) for g in groups)
    form.school_ids.choices = select_choices((str(s.id), s.name) for s in schools)


def _data(form, incident_id=None):
    data = {name: getattr(form, name).data for name in service._FIELDS}
    data["targets"] = {"all": bool(form.all.data), "group_ids": form.group_ids.data or [],
                       "school_ids": form.school_ids.data or [], "departments": form.departments.data or []}
    if incident_id:
        data["incident_id"] = incident_id
    return data


@bp.route("/new", methods=["GET", "POST"])
@permissions.required("orientation.send")
def new():
    incident = None
    incident_id = request.values.get("incident")
    if incident_id:
        incident = scoping.get_or_404(Incident, incident_id)
    form = MessageForm()
    _choices(form)
    if request.method == "GET":
        for name, value in service.prefill(user=current_user, incident=incident).items():
            if hasattr(form, name):
                getattr(form, name).data = value
        return render_template("orientation/form.html", form=form, incident=incident)
    with boundary.saving(form) as saved:
        message = service.create_message(user=current_user, data=_data(form, incident.id if incident else None))
        if request.form.get("send"):
            service.send(message=message, user=current_user)
    if not saved:
        return render_template("orientation/form.html", form=form, incident=incident), 422
    flash(_("Sent to %(n)s focal points. They are reminded until they acknowledge.", n=len(message.recipients))
          if message.state != DRAFTED else _("Draft saved."), "success")
    return redirect(url_for("orientation.show", message_id=message.id))


@bp.route("/<int:message_id>/edit", methods=["GET", "POST"])
@permissions.required("orientation.send")
def edit(message_id):
    message = service.get_message(message_id, user=current_user)
    if message.state != DRAFTED:
        return redirect(url_for("orientation.show", message_id=message.id))
    form = MessageForm(obj=message if request.method == "GET" else None)
    _choices(form)
    if request.method == "GET":
        targets = message.targets or {}
        form.all.data = bool(targets.get("all"))
        form.group_ids.data = [str(i) for i in targets.get("group_ids") or []]
        form.school_ids.data = [str(i) for i in targets.get("school_ids") or []]
        form.departments.data = [d.code for d in db.session.scalars(select(Department).where(
            Department.id.in_(targets.get("department_ids") or [-1])))]
        return render_template("orientation/form.html", form=form, incident=message.incident, message=message)
    with boundary.saving(form) as saved:
        service.update_message(message=message, user=current_user, data=_data(form))
        if request.form.get("send"):
            service.send(message=message, user=current_user)
    if not saved:
        return render_template("orientation/form.html", form=form, incident=message.incident, message=message), 422
    flash(_("Sent to %(n)s focal points. They are reminded until they acknowledge.", n=len(message.recipients))
          if message.state != DRAFTED else _("Draft saved."), "success")
    return redirect(url_for("orientation.show", message_id=message.id))


@bp.get("/<int:message_id>")
@permissions.required("orientation.view")
def show(message_id):
    message = service.get_message(message_id, user=current_user)
    states = tracking.delivery(message)
    return render_template("orientation/show.html", message=message, states=states,
                           schools=tracking.by_school(message), labels=service.STATE_LABELS,
                           delivery_labels=tracking.DELIVERY_LABELS, ack_labels=tracking.ACK_LABELS,
                           silent=len(tracking.silent(message)), targets=service.target_schools(message)
                           if message.state == DRAFTED else [])


@bp.post("/<int:message_id>/send")
@permissions.required("orientation.send")
def send(message_id):
    message = service.get_message(message_id, user=current_user)
    with boundary.saving() as saved:
        service.send(message=message, user=current_user)
    if saved:
        flash(_("Sent to %(n)s focal points. They are reminded until they acknowledge.", n=len(message.recipients)),
              "success")
    return redirect(url_for("orientation.show", message_id=message_id))


@bp.post("/<int:message_id>/remind")
@permissions.required("orientation.send")
def remind(message_id):
    message = service.get_message(message_id, user=current_user)
    with boundary.saving() as saved:
        reminded = tracking.remind(message=message, user=current_user)
    if saved:
        flash(_("Reminder sent to %(n)s people who have not acknowledged.", n=len(reminded)) if reminded
              else _("Everyone has acknowledged: nobody to remind."), "success")
    return redirect(url_for("orientation.show", message_id=message_id))


# --- a focal point's inbox -----------------------------------------------------------------------------------

@bp.get("/inbox")
@permissions.required("orientation.receive")
def inbox():
    return render_template("orientation/inbox.html", items=tracking.inbox(current_user))


@bp.get("/inbox/<int:recipient_id>")
@permissions.required("orientation.receive")
def received(recipient_id):
    return render_template("orientation/received.html",
                           recipient=tracking.my_recipient(recipient_id, user=current_user),
                           ack_labels=tracking.ACK_LABELS)


@bp.post("/inbox/<int:recipient_id>/ack")
@permissions.required("orientation.receive")
def acknowledge(recipient_id):
    tracking.acknowledge_mine(recipient_id=recipient_id, user=current_user)
    flash(_("Acknowledged. Thank you."), "success")
    return redirect(url_for("orientation.received", recipient_id=recipient_id))


# --- the email's link (no sign-in: the signed, single-use token is the credential) -----------------------------

@bp.get("/ack/<token>")
def ack_link(token):
    recipient = ack_links.recipient_from_token(token)
    return render_template("orientation/ack.html", recipient=recipient, token=token, done=False)


@bp.post("/ack/<token>")
@csrf.exempt  # a focal point without an account has no session; the token is the credential
def ack_link_confirm(token):
    recipient = ack_links.recipient_from_token(token)
    tracking.acknowledge(recipient=recipient, channel=ACK_EMAIL)
    return render_template("orientation/ack.html", recipient=recipient, token=token, done=True)


