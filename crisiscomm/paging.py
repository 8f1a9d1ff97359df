"""Paged lists on web pages: the page number from the query string and the links to its neighbours."""
from flask import request, url_for

MAX_PAGE = 10**6


def page_number():
    """?page=N as an integer ≥ 1; anything else (missing, 0, "abc", huge) is page 1 or the last allowed."""
    value = request.args.get("page", "1")
    return min(int(value), MAX_PAGE) if value.isascii() and value.isdigit() and int(value) > 0 else 1


def fetch_page(session, stmt, page, per_page):
    """(rows of ``page``, whether a next page exists), reading one row more than shown."""
    rows = session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).unique().all()
    return rows[:per_page], len(rows) > per_page


def neighbour_urls(page, has_next):
    """(previous URL, next URL) of the current endpoint with the same filters, None at either end."""
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    endpoint, view_args = request.endpoint, request.view_args or {}
    prev_url = url_for(endpoint, page=page - 1, **view_args, **args) if page > 1 else None
    next_url = url_for(endpoint, page=page + 1, **view_args, **args) if has_next else None
    return prev_url, next_url
