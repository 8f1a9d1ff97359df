from flask import jsonify, request

from ..api import api_blueprint, doc
from .. import scoping
from . import service

bp = api_blueprint("statements_api", __name__)

_ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "department": {"type": "string"}, "source_type": {"type": "string"},
    "source_id": {"type": "integer"}, "subject": {"type": "string"}, "text": {"type": "string"},
    "published_at": {"type": "string", "format": "date-time"}}}


_SEARCH_PARAMS = {"q": ({"type": "string"}, "words to find, diacritics-insensitive"),
                  "department": ({"type": "string"}, "Department code (Ministry roles: optional)")}
_FOUND = {200: {"type": "object", "properties": {"items": {"type": "array", "items": _ITEM}}}}


@bp.get("/statements")
@doc(summary="Search the statement library (approved answers and incident statements)", params=_SEARCH_PARAMS,
     responses=_FOUND)
def search():
    code = request.args.get("department") or None
    stmt = service.search_query(q=request.args.get("q", "").strip() or None,
                                department=scoping.resolve_department(code) if code else None)
    return jsonify({"items": service.statement_dicts(stmt)})
