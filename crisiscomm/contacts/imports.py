"""The contact-import flow's state: uploads waiting for their column mapping and confirmation, and the
mapping each Department last confirmed.

An upload is kept in the database (not on a worker's disk) for PREVIEW_TTL: the import deletes it,
and the contacts.purge_imports job deletes the ones nobody confirmed. A user keeps at most
MAX_PENDING_PER_USER of them. Services only flush; the caller commits.
"""
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..clock import now
from ..errors import NotFound
from ..extensions import db
from ..scoping import scope
from .models import ContactImport, ContactImportMapping

PREVIEW_TTL = timedelta(hours=2)
MAX_PENDING_PER_USER = 5
MAX_REMEMBERED_HEADERS = 200


def stash(*, department, user, filename, data):
    """Keep an uploaded file for the mapping and preview steps; returns the ContactImport."""
    purge_expired()
    mine = db.session.scalars(select(ContactImport).where(ContactImport.user_id == user.id)
                              .order_by(ContactImport.created_at.desc(), ContactImport.id.desc())).all()
    for old in mine[MAX_PENDING_PER_USER - 1:]:
        db.session.delete(old)
    upload = ContactImport(token=secrets.token_hex(16), department_id=department.id, user_id=user.id,
                           filename=(filename or "")[:200], data=data, created_at=now(),
                           expires_at=now() + PREVIEW_TTL)
    db.session.add(upload)
    db.session.flush()
    return upload


def pending(*, token, user):
    """The unexpired upload with this token, if the user sees its Department (a colleague may finish an import).
    Another Department's upload, a missing one and an expired one are the same NotFound, which says that
    uploads expire."""
    gone = NotFound(_("This import is no longer available: previews expire after %(hours)s hours. "
                      "Please upload the file again.", hours=int(PREVIEW_TTL.total_seconds() // 3600)))
    if not isinstance(token, str) or len(token) != 32:
        raise gone
    upload = db.session.scalars(scope(select(ContactImport).where(ContactImport.token == token), ContactImport,
                                      user=user)).first()
    if upload is None or upload.expires_at <= now():
        raise gone
    return upload


def save_mapping(*, upload, mapping):
    upload.mapping = dict(mapping)
    db.session.flush()
    return upload


def mark_imported(*, upload):
    """Drop the imported file now; the row (for "already imported") goes when it expires."""
    upload.data = b""
    upload.imported_at = now()
    db.session.flush()


def purge_expired():
    """Delete uploads whose preview expired (job contacts.purge_imports; idempotent). Returns how many."""
    result = db.session.execute(delete(ContactImport).where(ContactImport.expires_at <= now())
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def remembered(department):
    """The Department's remembered mapping (ContactImportMapping) or None."""
    return db.session.scalars(select(ContactImportMapping)
                              .where(ContactImportMapping.department_id == department.id)).first()


def remember(*, department, headers, default_outlet_type, user=None):
    """Keep a confirmed mapping: ``headers`` maps each header's key (columns.header_key) to its field, or ""
    for a column left out. Headers the Department used before and not in this file are kept."""
    row = remembered(department)
    if row is None:
        row = ContactImportMapping(department_id=department.id, headers={})
        db.session.add(row)
    merged = {**{k: v for k, v in (row.headers or {}).items() if k not in headers}, **headers}
    row.headers = dict(list(merged.items())[-MAX_REMEMBERED_HEADERS:])  # newest last
    row.default_outlet_type = default_outlet_type
    row.updated_at = now()
    row.updated_by_id = user.id if user is not None and getattr(user, "id", None) else None
    db.session.flush()
    return row
