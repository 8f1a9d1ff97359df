"""Small helpers for briefing tests (the rows come from tests/factories.py)."""
from tests.factories import csrf_token


def post(client, url, data=None, page=None):
    token = csrf_token(client.get(page or "/briefings"))
    return client.post(url, data={"csrf_token": token, **(data or {})})
