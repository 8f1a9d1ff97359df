"""/healthz: what a load balancer and the on-call engineer see."""
from datetime import timedelta

from crisiscomm.extensions import db
from crisiscomm.jobs import try_acquire
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import EMAIL


def test_healthz_without_login_reports_database_scheduler_and_outbox(app, client, clock):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["scheduler"] == {"holder": None, "lease_expires_at": None, "alive": False}
    assert body["status"] == "degraded"  # no scheduler holds the lease
    assert body["outbox"] == {"backlog": 0, "oldest_pending_age_seconds": None}
    assert body["version"]
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_shows_live_scheduler_and_aging_backlog(app, client, clock):
    app.config["NOTIFY_DISPATCH"] = "off"
    assert try_acquire("host-a:42", 30)
    for i in range(3):
        outbox.enqueue(kind="test", channel=EMAIL, subject=f"Tin {i}", address=f"a{i}@example.vn")
    db.session.commit()
    clock.advance(seconds=10)
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["scheduler"]["holder"] == "host-a:42"
    assert body["scheduler"]["alive"] is True
    assert body["outbox"] == {"backlog": 3, "oldest_pending_age_seconds": 10}

    clock.advance(seconds=31)  # the holder stopped renewing: the lease lapsed
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["alive"] is False
    assert body["status"] == "degraded"


def test_healthz_answers_503_when_the_database_is_gone(app, client):
    from sqlalchemy import create_engine

    good = db.engines[None] if hasattr(db, "engines") else db.engine
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    db.session.remove()
    db._app_engines[app][None] = dead
    try:
        response = client.get("/healthz")
    finally:
        db._app_engines[app][None] = good
        db.session.remove()
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "error" and body["status"] == "error"
    assert client.get("/healthz").status_code == 200  # recovers without restart
