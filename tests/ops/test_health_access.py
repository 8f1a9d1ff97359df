"""/healthz: up/down for anyone, details for loopback, the monitoring token and the Ministry admin; "degraded"
when email has failed for minutes (issue 15)."""
from datetime import timedelta

from crisiscomm.extensions import db
from crisiscomm.jobs import try_acquire
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import EMAIL

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def test_anonymous_callers_learn_only_up_or_down(app, client):
    response = client.get("/healthz", environ_base=OUTSIDE)
    assert response.status_code == 200 and response.get_json() == {"status": "up"}
    # Through the reverse proxy (loopback with X-Forwarded-For, PROXY_FIX off) is not loopback either.
    response = client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_json() == {"status": "up"}


def test_details_for_loopback_the_monitoring_token_and_the_ministry_admin(app, client, factory):
    assert "outbox" in client.get("/healthz").get_json()  # loopback
    app.config["HEALTH_TOKEN"] = "monitoring-secret-token"
    wrong = client.get("/healthz", environ_base=OUTSIDE, headers={"Authorization": "Bearer nope"})
    assert wrong.get_json() == {"status": "up"}
    right = client.get("/healthz", environ_base=OUTSIDE, headers={"Authorization": "Bearer monitoring-secret-token"})
    assert "scheduler" in right.get_json()
    admin_api = factory.api(factory.user("ministry_admin"))
    assert "outbox" in admin_api.get("/healthz", environ_base=OUTSIDE).get_json()
    director_api = factory.api(factory.user("director"))
    assert director_api.get("/healthz", environ_base=OUTSIDE).get_json() == {"status": "up"}


def test_failing_smtp_makes_health_degraded_and_the_admin_sees_it(app, client, clock, factory):
    admin = factory.user("ministry_admin")
    assert try_acquire("host-a:1", 3600)  # a live scheduler: only email can make it degraded
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", 1  # nothing listens: refused
    outbox.enqueue(kind="test", channel=EMAIL, subject="Sự cố", address="gd@example.vn")
    db.session.commit()  # sent synchronously in tests: refused, waits for a retry
    body = client.get("/healthz").get_json()
    assert body["email"]["status"] == "ok" and body["status"] == "ok"  # a blip is not an outage
    clock.advance(minutes=app.config["SMTP_DEGRADED_MINUTES"] + 1)
    try_acquire("host-a:1", 3600)
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["email"]["status"] == "failing"
    assert body["email"]["last_error"]
    browser = factory.login(admin)
    home = browser.get("/").get_data(as_text=True)
    assert "Thư điện tử không gửi đi được" in home
    system = browser.get("/admin/system")
    assert system.status_code == 200 and "đang lỗi" in system.get_data(as_text=True)
    officer = factory.login(factory.user("comms_officer"))
    assert "Thư điện tử không gửi đi được" not in officer.get("/").get_data(as_text=True)
    assert officer.get("/admin/system").status_code == 403
