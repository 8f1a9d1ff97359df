"""The statement library: what a Department said publicly, searchable without diacritics."""
import functools

from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import scoping
from ..departments.models import Department
from ..extensions import db
from ..sql import plain_rows
from ..text import where_all_terms
from ..users.models import User, load_person
from .models import Statement


@functools.cache  # built at first use: aliasing a mapped class at import would configure the mappers too early
def _page():
    approver = aliased(User)
    return ((Statement.id, Department.code.label("department"), Statement.source_type, Statement.source_id,
             Statement.subject, Statement.text, Statement.channel, Statement.published_at,
             approver.name.label("approved_by")),
            ((Department, Department.id == Statement.department_id, False),
             (approver, approver.id == Statement.approved_by_id, True)))


def record_statement(*, department_id, source_type, source_id, subject, text, channel=None, approved_by=None,
                     published_at):
    """Add what a Department said publicly to the library and flush (the caller commits).

    ``source_type`` is "incident" or "inquiry", ``source_id`` that row's id; ``approved_by`` a User or None.
    The subject is cut to 300 and the channel to 48 characters (the column sizes). Returns the Statement."""
    statement = Statement(department_id=department_id, source_type=source_type, source_id=source_id,
                          subject=subject[:300], text=text, channel=channel[:48] if channel else channel,
                          approved_by_id=approved_by.id if approved_by is not None else None,
                          published_at=published_at)
    statement.refresh_search_text()
    db.session.add(statement)
    db.session.flush()
    return statement


def statements_of(source_type, source_id):
    """The statements recorded for one incident or inquiry, oldest first."""
    return db.session.scalars(select(Statement).where(Statement.source_type == source_type,
                                                      Statement.source_id == source_id)
                              .order_by(Statement.id)).all()


def search_query(*, q=None, department=None, user=None, limit=50):
    """Statements the user may see, newest first; ``q`` matches every word, diacritics-insensitive.
    ``department`` (a Department) narrows to one Department (Ministry roles see all by default)."""
    stmt = scoping.scoped_select(Statement, user)
    if department is not None:
        stmt = stmt.where(Statement.department_id == department.id)
    if q:
        stmt = stmt.where(*where_all_terms(Statement.search_text, q))
    return stmt.order_by(Statement.published_at.desc(), Statement.id.desc()).limit(limit)


def search_statements(**filters):
    """The statements of ``search_query(**filters)`` with their approver."""
    return db.session.scalars(search_query(**filters).options(load_person(Statement.approved_by))).all()


def statement_dicts(stmt):
    """The statements ``stmt`` selects as the API returns them (plain rows: a page is only serialised)."""
    return [{"id": s.id, "department": s.department, "source_type": s.source_type, "source_id": s.source_id,
             "subject": s.subject, "text": s.text, "channel": s.channel, "published_at": s.published_at.isoformat(),
             "approved_by": s.approved_by} for s in plain_rows(stmt, *_page())]
