from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from .. import inputs, permissions
from ..clock import from_local
from ..departments.models import Department
from ..extensions import db
from ..paging import fetch_page, neighbour_urls, page_number
from . import service

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE = 100


def _date_arg(name):
    value = request.args.get(name, "").strip()
    try:
        return from_local(datetime.strptime(value, "%Y-%m-%d")) if value else None
    except (ValueError, OverflowError):  # year 1 overflows on the way to UTC
        return None


@bp.get("/")
@permissions.required("audit.read")
def index():
    filters = {k: request.args.get(k, "").strip() or None for k in ("entity_type", "action", "actor")}
    entity_id = request.args.get("entity_id", "").strip()
    since, until = _date_arg("since"), _date_arg("until")
    stmt = service.query(entity_type=filters["entity_type"], action=filters["action"], actor=filters["actor"],
                         entity_id=inputs.id_or_none(entity_id), since=since,
                         until=until + timedelta(days=1) if until else None)
    page = page_number()
    entries, has_next = fetch_page(db.session, stmt, page, PAGE)
    # Entries keep the Department's id (names change in mergers); show today's name beside it.
    ids = {e.department_id for e in entries if e.department_id}
    department_names = dict(db.session.execute(
        select(Department.id, Department.name).where(Department.id.in_(ids))).all()) if ids else {}
    prev_url, next_url = neighbour_urls(page, has_next)
    return render_template("audit/index.html", entries=entries, page=page, prev_url=prev_url,
                           next_url=next_url, department_names=department_names, filters=filters, entity_id=entity_id, args=request.args)
