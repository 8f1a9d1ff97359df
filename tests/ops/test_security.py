"""Security properties that hold for every page and endpoint, written over the URL map and the
OpenAPI document so they cover each domain as it lands."""
import re

import pytest
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter

from crisiscomm.markup import render_markdown

from ..factories import PASSWORD, csrf_token

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def assert_secure_headers(response):
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    style_src = re.search(r"style-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert script_src.strip() == "'self'" and style_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")


def test_secure_headers_on_pages_api_errors_and_health(app, client, factory):
    user = factory.user()
    api = factory.api(user)
    signed_in = factory.login(user)
    for response in (client.get("/login"), signed_in.get("/"), client.get("/no-such-page"),
                     api.get("/api/v1/me"), api.get("/api/v1/departments/no-such"), client.get("/api/v1/me"),
                     client.get("/healthz"), client.get("/api/v1/openapi.json")):
        assert_secure_headers(response)
    assert api.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert signed_in.get("/").headers["Cache-Control"] == "no-store"


def test_production_adds_hsts_and_secure_cookies(app):
    from crisiscomm import create_app

    prod = create_app({**app.config, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True})
    response = prod.test_client().get("/login", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_session_fixation_a_cookie_planted_before_sign_in_never_becomes_signed_in(app, factory):
    # Each request in its own app context: Flask-Login caches the user on `g`, which the
    # fixture's outer app context would otherwise share between the two browsers.
    user = factory.user()
    victim = app.test_client()
    with app.app_context():
        token = csrf_token(victim.get("/login"))
    planted = victim.get_cookie("session").value  # what an attacker could have fixed in the browser
    with app.app_context():
        response = victim.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert victim.get_cookie("session").value != planted

    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    with app.app_context():
        assert attacker.get("/account").status_code == 302  # sent to sign-in, not into the victim's account
    with app.app_context():
        assert victim.get("/account").status_code == 200  # the victim's own fresh session works


def _state_changing_html_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            yield rule, method


def _fill(rule):
    values = {}
    for arg, converter in rule._converters.items():
        if isinstance(converter, (IntegerConverter, FloatConverter)):
            values[arg] = 1
        elif isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]
        else:
            values[arg] = "ha-noi"
    return rule.build(values, append_unknown=False)[1]


def test_every_state_changing_form_rejects_a_post_without_csrf_token(app, factory):
    rules = list(_state_changing_html_rules(app))
    assert {r.endpoint for r, _ in rules} >= {"users.login", "users.logout"}  # the walk found the forms
    admin = factory.user(role="ministry_admin")
    officer = factory.user(role="comms_officer")
    for who in (None, admin, officer):
        with app.app_context():  # a fresh `g` per browser (Flask-Login caches the user there)
            client = factory.login(who) if who else app.test_client()
        for rule, method in rules:
            url = _fill(rule)
            with app.app_context():
                response = client.open(url, method=method, data={"email": "x@example.vn", "title": "x"})
            assert response.status_code == 400, f"{method} {url} as {who and who.role}: {response.status_code}"
            if response.mimetype == "application/json":
                assert response.get_json()["error"]["code"] in ("csrf_failed", "bad_request")


def test_api_session_writes_need_the_csrf_header_but_bearer_tokens_do_not(app, factory):
    user = factory.user()
    session_client = factory.login(user)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            response = session_client.open(_fill(rule), method=method, json={})
            assert response.status_code == 400, f"{method} {rule.rule}"
            assert response.get_json()["error"]["code"] == "csrf_failed"


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", ["<script"]),
    ("[click](javascript:alert(1))", ["javascript:"]),
    ("[click](JaVaScRiPt:alert(1))", ["javascript:"]),
    ("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", ["javascript", "jav&#x09;ascript"]),
    ("<img src=x onerror=alert(1)>", ["onerror", "<img"]),
    ("![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", ["data:"]),
    ("[x](data:text/html,<script>alert(1)</script>)", ["data:", "<script"]),
    ("<svg><script>alert(1)</script></svg>", ["<svg", "<script"]),
    ("<iframe src=https://evil.example></iframe>", ["<iframe"]),
    ("<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">x</div>", ["style=", "onclick"]),
    ("<a href=\"https://ok.example\" onmouseover=\"alert(1)\">ok</a>", ["onmouseover"]),
    ("<form action=https://evil.example><input name=q></form>", ["<form", "<input"]),
    ("<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", ["javascript:", "<math"]),
    ("<<script>script>alert(1)<</script>/script>", ["<script"]),
])
def test_markdown_injection_never_produces_executable_html(app, source, forbidden):
    html = str(render_markdown(source)).lower()
    for bad in forbidden:
        assert bad.lower() not in html, html
    assert not re.search(r"\son[a-z]+\s*=", html), html


def test_markdown_keeps_safe_formatting_and_links(app):
    html = str(render_markdown("**Lưu ý**: xem [thông cáo](https://moet.gov.vn/tin)\n\n- một\n- hai"))
    assert "<strong>Lưu ý</strong>" in html
    assert 'href="https://moet.gov.vn/tin"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<li>một</li>" in html


def test_oversized_request_gets_a_clear_413_in_html_and_json(app, client, factory):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = "x" * (65 * 1024)
    response = client.post("/login", data={"email": "a@example.vn", "password": big})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "too large" in response.get_data(as_text=True).lower() or "quá lớn" in response.get_data(as_text=True)

    api = factory.api(factory.user())
    writes = [(r, m) for r in app.url_map.iter_rules() if r.rule.startswith("/api/")
              for m in sorted((r.methods or set()) & STATE_CHANGING)]
    writes.sort(key=lambda rm: (bool(rm[0].arguments), rm[0].rule))  # a collection endpoint first
    target = _fill(writes[0][0]) if writes else "/api/v1/me"
    method = writes[0][1] if writes else "POST"
    response = api.client.open(target, method=method, data=big, content_type="application/json",
                               headers={"Authorization": f"Bearer {api.token}"})
    if writes:
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "request_entity_too_large"
    else:  # no API write yet: the limit still answers before any view
        assert response.status_code in (405, 413)
