"""Two app instances (two gunicorn processes on two ports, as two hosts would be) on one database: a session and
a token work on both, and with both instances and a third process dispatching, every escalation email of every
incident is sent exactly once."""
import re
import time
from collections import Counter

import httpx
import pytest

from crisiscomm.extensions import db
from crisiscomm.notifications import service as outbox

from .. import factories
from ..conftest import database_url, free_port
from ..gunicorn import Gunicorn


@pytest.mark.slow
def test_two_instances_share_sessions_tokens_and_the_outbox_without_doubles(app, backend, smtp_server):
    department = factories.department()
    officer = factories.user("comms_officer", department)
    director = factories.user("director", department)
    board = factories.user("steering_board", department)
    token = factories.token(officer)
    smtp = smtp_server  # this process sends to it too
    env = dict(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=0, SMTP_SSL=0, SMTP_USERNAME="",
               NOTIFY_DISPATCH="thread")
    instances = [Gunicorn(database_url(backend), free_port(), workers=2, **env) for _ in range(2)]
    try:
        for instance in instances:
            instance.wait_until_serving()
        first, second = (instance.url for instance in instances)

        # Signed in on one host, the officer's next request lands on the other: still signed in.
        with httpx.Client(base_url=first, timeout=30) as browser:
            page = browser.get("/login")
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
            signed_in = browser.post("/login", data={"email": officer.email, "password": factories.PASSWORD,
                                                     "csrf_token": csrf})
            assert signed_in.status_code == 302
            elsewhere = httpx.get(f"{second}/incidents/", cookies=browser.cookies, timeout=30)
        assert elsewhere.status_code == 200 and officer.name in elsewhere.text

        # Exam incidents reported round-robin; this test process sweeps the outbox meanwhile, as the scheduler does.
        titles = [f"Nghi lộ đề thi tại điểm thi số {n}" for n in range(8)]
        for n, title in enumerate(titles):
            response = httpx.post(f"{instances[n % 2].url}/api/v1/incidents", timeout=30,
                                  headers={"Authorization": f"Bearer {token}"},
                                  json={"title": title, "category": "exam", "severity": "high",
                                        "exam_related": True, "occurred_at": "2026-06-26T08:10"})
            assert response.status_code == 201, response.text
            outbox.sweep()
            db.session.commit()

        def drained():
            db.session.expire_all()
            return outbox.backlog() == 0

        deadline = time.monotonic() + 60
        while not drained():
            assert time.monotonic() < deadline, "the outbox was not drained"
            outbox.sweep()
            db.session.commit()
            time.sleep(0.05)
        with smtp.lock:
            sent = Counter((address, str(m["message"]["Subject"])) for m in smtp.messages for address in m["to"])
        for title in titles:
            for person in (director, board):
                copies = [n for (address, subject), n in sent.items() if address == person.email and title in subject]
                assert copies == [1], (person.email, title, copies)
    finally:
        for instance in instances:
            instance.stop()
