"""Sign-in, sessions, CSRF, throttling, scoping and secure headers, as a user or an attacker sees them."""
from datetime import datetime, timedelta, timezone

import pytest

from crisiscomm.clock import now
from crisiscomm.contacts.models import Contact
from crisiscomm.errors import NotFound
from crisiscomm.extensions import db
from crisiscomm.scoping import get_or_404, scoped_select

from ..factories import PASSWORD, contact, csrf_token


def _session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


# --- scoping -----------------------------------------------------------------------------------

def test_department_user_cannot_open_another_departments_page_or_api(factory, departments):
    user = factory.user("spokesperson", department="ha-noi")
    web = factory.login(user)
    assert web.get("/departments/ha-noi").status_code == 200
    other = web.get("/departments/hai-phong")
    assert other.status_code == 404
    assert "Hải Phòng" not in other.get_data(as_text=True)

    api = factory.api(user)
    assert api.get("/api/v1/departments/ha-noi").json["code"] == "ha-noi"
    response = api.get("/api/v1/departments/hai-phong")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert "Hải Phòng" not in response.get_data(as_text=True)


def test_ministry_user_sees_every_department(factory, departments):
    api = factory.api(factory.user("ministry_comms"))
    assert api.get("/api/v1/departments/hai-phong").json["name"] == "Sở GDĐT Hải Phòng"
    web = factory.login(factory.user("ministry_admin"))
    assert "Sở GDĐT Hải Phòng" in web.get("/departments/hai-phong").get_data(as_text=True)


def test_department_owned_records_are_scoped(app, factory, departments):
    mine = contact("ha-noi", "Trần Văn Bình", "Báo Tuổi Trẻ", "central_resident", email=None,
                   phones=["0912345678"], raw=True)
    theirs = contact("hai-phong", "Lê Thị Hoa", "Báo Tuổi Trẻ", "central_resident", email=None,
                     phones=["0912345678"], raw=True)
    hanoi = factory.user("comms_officer", department="ha-noi")
    ministry = factory.user("ministry_comms")

    with app.test_request_context():
        assert [c.full_name for c in db.session.scalars(scoped_select(Contact, user=hanoi))] == ["Trần Văn Bình"]
        assert get_or_404(Contact, mine.id, user=hanoi).id == mine.id
        with pytest.raises(NotFound):
            get_or_404(Contact, theirs.id, user=hanoi)
        with pytest.raises(NotFound):
            get_or_404(Contact, "not-a-number", user=hanoi)
        assert len(db.session.scalars(scoped_select(Contact, user=ministry)).all()) == 2
        # Anonymous callers see nothing at all.
        assert db.session.scalars(scoped_select(Contact)).all() == []


# --- sign-in, sessions -------------------------------------------------------------------------

def test_login_logout_and_session_fixation(app, factory):
    user = factory.user("spokesperson")
    client = app.test_client()
    assert client.get("/").status_code == 302  # the start page needs a sign-in
    token = csrf_token(client.get("/login"))
    before = _session_cookie(client)
    assert before
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    after = _session_cookie(client)
    assert after and after != before
    assert client.get("/").status_code == 200

    home = client.get("/")
    client.post("/logout", data={"csrf_token": csrf_token(home)})
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    # A stolen copy of the old cookie is no good either once the password changes (see below); a signed-out
    # browser is back on the sign-in page.
    assert "/login" in client.get("/account").headers["Location"]


def test_login_next_parameter_stays_on_site(app, factory):
    user = factory.user("spokesperson")
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    response = client.post("/login?next=https://evil.example/x",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_wrong_password_is_rejected_with_the_form_shown_again(app, factory):
    user = factory.user("spokesperson")
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token})
    assert response.status_code == 401
    assert "Sai email hoặc mật khẩu." in response.get_data(as_text=True)


def test_login_is_slowed_after_repeated_failures_but_never_locked(app, factory, clock):
    user = factory.user("spokesperson")
    client = app.test_client()
    token = csrf_token(client.get("/login"))

    def attempt(password):
        return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})

    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert attempt("guess-guess-guess").status_code == 401
    slowed = attempt(PASSWORD)
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "2"
    assert "Đăng nhập sai quá nhiều lần" in slowed.get_data(as_text=True)
    clock.advance(seconds=2)
    assert attempt(PASSWORD).status_code == 302  # a short wait, then the right password works


def test_password_change_ends_other_sessions(app, factory):
    user = factory.user("spokesperson")
    phone = factory.login(user)
    laptop = factory.login(user)
    page = laptop.get("/account")
    response = laptop.post("/account", data={"current_password": PASSWORD, "new_password": "a-new-long-password",
                                             "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # this session stays signed in
    assert phone.get("/account").status_code == 302  # the other one is signed out
    assert phone.get("/api/v1/me").status_code == 401
    assert factory.login(user, password="a-new-long-password").get("/").status_code == 200


def test_password_change_with_wrong_current_password(app, factory):
    user = factory.user("spokesperson")
    client = factory.login(user)
    page = client.get("/account")
    response = client.post("/account", data={"current_password": "not-my-password", "new_password": "x" * 12,
                                             "csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert "Sai mật khẩu." in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


# --- CSRF --------------------------------------------------------------------------------------

def test_form_post_without_csrf_token_is_refused(app, factory):
    user = factory.user("spokesperson")
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert _session_cookie(client) is None or client.get("/").status_code == 302

    signed_in = factory.login(user)
    response = signed_in.post("/logout")
    assert response.status_code == 400
    assert signed_in.get("/").status_code == 200  # still signed in


def test_api_writes_from_a_session_need_the_csrf_header(app, factory):
    user = factory.user("spokesperson")
    client = factory.login(user)
    # A write without X-CSRFToken is refused.
    response = client.patch("/api/v1/me", json={"phone": "0900000001"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"
    assert client.get("/api/v1/me").json["phone"] is None
    # With the page's token it goes through.
    token = csrf_token(client.get("/"))
    response = client.patch("/api/v1/me", json={"phone": "0900000002"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json["phone"] == "0900000002"
    # A bearer token needs no CSRF header.
    response = factory.api(user).patch("/api/v1/me", json={"phone": "0900000003"})
    assert response.status_code == 200 and response.json["phone"] == "0900000003"


# --- headers and production config ------------------------------------------------------------

def test_secure_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_production_refuses_to_start_without_secret_key(monkeypatch, backend):
    from crisiscomm import create_app

    from ..conftest import database_url

    monkeypatch.setenv("CRISISCOMM_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url(backend)})


def test_production_sets_secure_cookie_flags(monkeypatch, backend, app, factory):
    from crisiscomm import create_app

    from ..conftest import database_url

    user = factory.user("spokesperson")
    monkeypatch.setenv("CRISISCOMM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key")
    prod = create_app({"SQLALCHEMY_DATABASE_URI": database_url(backend), "NOTIFY_DISPATCH": "off"})
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["REMEMBER_COOKIE_SECURE"]
    with prod.app_context():
        client = prod.test_client()
        page = client.get("/login", base_url="https://localhost")
        response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"}, data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)})
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Strict-Transport-Security" in response.headers
        db.session.remove()


# --- dates -------------------------------------------------------------------------------------

def test_dates_are_shown_dd_mm_yyyy_in_hanoi_time(app, clock):
    from crisiscomm.clock import format_date, format_datetime

    late_evening_utc = datetime(2026, 6, 26, 18, 30, tzinfo=timezone.utc)  # 01:30 on the 27th in Hà Nội
    assert format_datetime(late_evening_utc) == "27/06/2026 01:30"
    assert format_date(late_evening_utc) == "27/06/2026"
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ t | datetime }} · {{ t | date }}").render(t=now() + timedelta(hours=17))
    assert rendered == "27/06/2026 01:00 · 27/06/2026"
