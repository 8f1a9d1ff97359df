"""The deployment examples stay true to the code: every setting documented, gunicorn serves wsgi:app."""
import os
import re

import pytest

from crisiscomm import PROJECT_DIR, create_app
from crisiscomm.config import Config

from ..conftest import database_url, free_port
from ..gunicorn import Gunicorn

DEPLOY = os.path.join(PROJECT_DIR, "deploy")


def read(name):
    with open(os.path.join(DEPLOY, name), encoding="utf-8") as fh:
        return fh.read()


def test_env_example_lists_every_setting_of_config_py():
    with open(os.path.join(PROJECT_DIR, "crisiscomm", "config.py"), encoding="utf-8") as fh:
        source = fh.read()
    names = set(re.findall(r'(?:environ\.get|env_bool)\("([A-Z_]+)"', source)) - {"name"}
    documented = set(re.findall(r"^([A-Z_]+)=", read("crisiscomm.env.example"), re.M))
    assert names - documented == set(), "settings missing from deploy/crisiscomm.env.example"
    # read by create_app and by the gunicorn worker (crisiscomm/lanes.py, priority.py), not config.py
    assert documented - names == {"DATABASE_URL", "ALERT_LANE_THREADS", "ALERT_GATE_SECONDS"}


def test_nginx_body_limit_matches_the_app_upload_limit():
    nginx = read("nginx-crisiscomm.conf")
    size = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    env = read("crisiscomm.env.example")
    assert f"MAX_UPLOAD_BYTES={Config.MAX_CONTENT_LENGTH}" in env
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert header in nginx
    assert "alias /opt/crisiscomm/crisiscomm/static/;" in nginx


def test_units_run_gunicorn_and_exactly_one_scheduler():
    web = read("crisiscomm-web.service")
    assert "gunicorn -w 4 -k crisiscomm.lanes.AlertLaneWorker" in web and "-b 127.0.0.1:8000" in web
    assert "wsgi:app" in web
    assert "EnvironmentFile=/etc/crisiscomm/crisiscomm.env" in web
    assert "flask --app crisiscomm scheduler" in read("crisiscomm-scheduler.service")
    assert "flask --app crisiscomm backup" in read("crisiscomm-backup.service")
    assert "OnCalendar=" in read("crisiscomm-backup.timer")


def test_proxy_fix_trusts_the_proxy_only_when_configured(app):
    from flask import request

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "crisiscomm.example.gov.vn",
               "X-Forwarded-For": "203.0.113.9"}
    plain = create_app({**app.config, "PROXY_FIX": False})
    proxied = create_app({**app.config, "PROXY_FIX": True})
    with proxied.test_client() as client:
        client.get("/healthz", headers=headers)
        assert request.remote_addr == "203.0.113.9" and request.scheme == "https"
        assert request.url_root == "https://crisiscomm.example.gov.vn/"
    with plain.test_client() as client:
        client.get("/healthz", headers=headers)
        assert request.remote_addr == "127.0.0.1" and request.scheme == "http"


@pytest.mark.slow
def test_gunicorn_serves_wsgi_app(app, backend):
    import httpx

    server = Gunicorn(database_url(backend), free_port(), workers=2, worker_class="sync", threads=1)
    try:
        response = httpx.get(f"{server.wait_until_serving().url}/healthz", timeout=5)
        assert response.status_code == 200
        assert response.json()["database"] == "ok"
        login = httpx.get(f"{server.url}/login", timeout=5)
        assert login.status_code == 200 and 'lang="vi"' in login.text
    finally:
        server.stop()
