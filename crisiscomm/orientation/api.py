from flask import jsonify, request
from flask_login import current_user

from .. import inputs, permissions
from ..api import api_blueprint, doc, json_body, reject_unknown
from ..clock import iso_utc
from . import service, tracking

bp = api_blueprint("orientation_api", __name__)

_STR = {"type": "string"}
_IDS = {"type": "array", "items": {"type": "integer"}}
_TARGETS = {"type": "object", "description": "a Department: all, group_ids, school_ids; the Ministry: all, "
                                             "departments (codes)",
            "properties": {"all": {"type": "boolean"}, "group_ids": _IDS, "school_ids": _IDS,
                           "departments": {"type": "array", "items": _STR}}}


def message_json(m, counts=None):
    total, acked = counts if counts is not None else (len(m.recipients), sum(1 for r in m.recipients
                                                                             if r.acknowledged_at))
    return {"id": m.id, "from": m.sender, "department": m.department.code if m.department else None,
            "incident_id": m.incident_id, "subject": m.subject, "holding_line": m.holding_line,
            "may_say": m.may_say, "may_not_say": m.may_not_say, "refer_press_to": m.refer_press_to,
            "playbook_url": m.playbook_url, "targets": m.targets, "state": m.state, "sent_at": iso_utc(m.sent_at),
            "reminder_rounds": m.reminder_rounds, "recipients": total, "acknowledged": acked}


def received_json(m):
    """What a focal point reads of a message sent to them (not whom else it went to)."""
    return {"id": m.id, "from": m.sender, "department": m.department.code if m.department else None,
            "subject": m.subject, "holding_line": m.holding_line, "may_say": m.may_say,
            "may_not_say": m.may_not_say, "refer_press_to": m.refer_press_to, "playbook_url": m.playbook_url,
            "sent_at": iso_utc(m.sent_at)}


def recipient_json(r, state=None):
    out = {"id": r.id, "school_id": r.school_id, "school": r.school.name, "name": r.name,
           "has_account": r.user_id is not None, "delivered_at": iso_utc(r.delivered_at),
           "acknowledged_at": iso_utc(r.acknowledged_at), "ack_channel": r.ack_channel,
           "reminders_sent": r.reminders_sent}
    if state is not None:
        out["delivery"] = state[0]
        out["channels"] = [{"channel": n.channel, "state": n.state, "sent_at": iso_utc(n.sent_at)} for n in state[1]]
    return out


@bp.get("/orientation/messages")
@permissions.required("orientation.view")
@doc(summary="Orientation messages your side sent (newest first), with acknowledgement counts",
     params={"incident": ({"type": "integer"}, "only those for this incident", False)})
def list_messages():
    incident_id = inputs.parse_id(request.args.get("incident"), "incident")
    messages = service.list_messages(user=current_user, incident_id=incident_id)
    counts = tracking.counts([m.id for m in messages])
    return jsonify({"messages": [message_json(m, counts.get(m.id, (0, 0))) for m in messages]})


@bp.post("/orientation/messages")
@permissions.required("orientation.send")
@doc(summary="Draft an orientation message (and send it at once with send: true)", body={
    "type": "object", "required": ["subject", "holding_line", "targets"], "properties": {
        **{k: _STR for k in service._FIELDS}, "incident_id": {"type": "integer"}, "targets": _TARGETS,
        "send": {"type": "boolean"}}}, responses={201: "the message"})
def create_message():
    data = json_body()
    reject_unknown(data, service._FIELDS + ("incident_id", "targets", "send"))
    send_now = inputs.boolean(data.get("send"), "send", default=False)
    message = service.create_message(user=current_user, data={k: v for k, v in data.items() if k != "send"})
    if send_now:
        service.send(message=message, user=current_user)
    return jsonify(message_json(message)), 201


@bp.get("/orientation/messages/<int:message_id>")
@permissions.required("orientation.view")
@doc(summary="One orientation message, with each recipient's delivery and acknowledgement")
def get_message(message_id):
    message = service.get_message(message_id, user=current_user)
    states = tracking.delivery(message)
    return jsonify({**message_json(message),
                    "recipient_status": [recipient_json(r, states.get(r.id)) for r in message.recipients]})


@bp.patch("/orientation/messages/<int:message_id>")
@permissions.required("orientation.send")
@doc(summary="Change a drafted message", body={
    "type": "object", "properties": {**{k: _STR for k in service._FIELDS}, "targets": _TARGETS}})
def update_message(message_id):
    message = service.get_message(message_id, user=current_user)
    data = json_body()
    reject_unknown(data, service._FIELDS + ("targets",))
    return jsonify(message_json(service.update_message(message=message, user=current_user, data=data)))


@bp.post("/orientation/messages/<int:message_id>/send")
@permissions.required("orientation.send")
@doc(summary="Send a drafted message to the focal points of the schools it addresses")
def send_message(message_id):
    message = service.get_message(message_id, user=current_user)
    return jsonify(message_json(service.send(message=message, user=current_user)))


@bp.post("/orientation/messages/<int:message_id>/remind")
@permissions.required("orientation.send")
@doc(summary="Remind the recipients who have not acknowledged (one round)")
def remind(message_id):
    message = service.get_message(message_id, user=current_user)
    reminded = tracking.remind(message=message, user=current_user)
    return jsonify({"reminded": [r.id for r in reminded], "round": message.reminder_rounds})


@bp.get("/orientation/inbox")
@permissions.required("orientation.receive")
@doc(summary="The orientation sent to you (a school's focal point)",
     params={"unacknowledged": ({"type": "boolean"}, "only what you have not acknowledged", False)})
def inbox():
    only = inputs.boolean(request.args.get("unacknowledged"), "unacknowledged", default=False)
    items = tracking.inbox(current_user, unacknowledged_only=only)
    return jsonify({"items": [{**recipient_json(r), "message": received_json(r.message)} for r in items]})


@bp.post("/orientation/inbox/<int:recipient_id>/acknowledge")
@permissions.required("orientation.receive")
@doc(summary="Acknowledge an orientation sent to you",
     params={"recipient_id": ({"type": "integer"}, "the id of your copy (from the inbox)", True)})
def acknowledge(recipient_id):
    recipient = tracking.acknowledge_mine(recipient_id=recipient_id, user=current_user, channel="api")
    return jsonify(recipient_json(recipient))
