"""Writes the audit log from SQLAlchemy's flush, so no change to an Auditable model escapes it."""
import datetime as dt
import decimal

from sqlalchemy import event, inspect, insert, select
from sqlalchemy.orm import Session

from ..clock import now
from ..extensions import db
from ..models import AUDIT_NOTES, Auditable, current_actor
from .models import AuditEntry


def _jsonable(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _columns(obj):
    return [c for c in inspect(obj).mapper.column_attrs if c.key not in obj.__audit_exclude__]


def _department_of(obj):
    if type(obj).__name__ == "Department":
        return obj.id
    return getattr(obj, "department_id", None)


def _row(obj, action, changes):
    actor = current_actor()
    return {
        "at": now(),
        "actor_id": actor["id"],
        "actor_label": actor["label"],
        "action": action,
        "entity_type": type(obj).__name__,
        "entity_id": getattr(obj, "id", None),
        "department_id": _department_of(obj),
        "changes": changes,
    }


def _collect(session):
    rows = []
    for obj in session.new:
        if isinstance(obj, Auditable):
            rows.append(("create", obj, None))
    for obj in session.dirty:
        if isinstance(obj, Auditable) and session.is_modified(obj, include_collections=False):
            changes = {}
            state = inspect(obj)
            for attr in _columns(obj):
                hist = state.attrs[attr.key].history
                if hist.has_changes():
                    before = hist.deleted[0] if hist.deleted else None
                    after = hist.added[0] if hist.added else None
                    if before != after:
                        changes[attr.key] = [_jsonable(before), _jsonable(after)]
            if changes:
                rows.append(("update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Auditable):
            rows.append(("delete", obj, {c.key: [_jsonable(getattr(obj, c.key)), None] for c in _columns(obj)}))
    return rows


def _write_notes(session):
    # models.audit_note: the explicit entries of the packages below this one
    for note in session.info.pop(AUDIT_NOTES, []):
        session.add(AuditEntry(**note))


def _before_flush(session, flush_context, instances):
    _write_notes(session)
    session.info.setdefault("audit_pending", []).extend(_collect(session))


def _before_commit(session):
    _write_notes(session)


def _after_soft_rollback(session, previous_transaction):
    if not previous_transaction.nested:
        session.info.pop(AUDIT_NOTES, None)


def _after_flush(session, flush_context):
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    values = []
    for action, obj, changes in pending:
        if action == "create":
            changes = {c.key: [None, _jsonable(getattr(obj, c.key))] for c in _columns(obj)}
        values.append(_row(obj, action, changes))
    table = AuditEntry.__table__

    session.connection().execute(insert(table), values)


def record(action, entity_type, entity_id=None, department_id=None, summary=None, changes=None):
    """An explicit entry for actions that are not a single row change (e.g. a story approved)."""
    actor = current_actor()
    db.session.add(AuditEntry(at=now(), actor_id=actor["id"], actor_label=actor["label"], action=action,
                              entity_type=entity_type, entity_id=entity_id, department_id=department_id,
                              summary=summary, changes=changes or {}))


def query(entity_type=None, entity_id=None, actor=None, action=None, department_id=None, since=None, until=None):
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor_label.ilike(f"%{actor}%"))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if department_id:
        stmt = stmt.where(AuditEntry.department_id == department_id)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


def install():
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
