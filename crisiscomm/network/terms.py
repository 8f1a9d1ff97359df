"""The schools' names (and the short forms the press uses) that media monitoring matches as naming their
Department (registry.watch_terms)."""
from sqlalchemy import select

from ..extensions import db
from .models import School


def school_terms(department_ids):
    """{department_id: [name, alias, …]} of the Departments' schools that are not archived."""
    out = {}
    if not department_ids:
        return out
    rows = db.session.execute(select(School.department_id, School.name, School.aliases)
                              .where(School.department_id.in_(department_ids), School.archived_at.is_(None)))
    for department_id, name, aliases in rows:
        out.setdefault(department_id, []).extend([name, *(a for a in aliases or [] if isinstance(a, str))])
    return out
