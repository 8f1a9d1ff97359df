"""API tokens (expiry, last use, listing, revocation) and the Ministry admin's user management (issue 15)."""
import base64
import json
import zlib
from datetime import timedelta

from sqlalchemy import select

from crisiscomm.audit.models import AuditEntry
from crisiscomm.extensions import db
from crisiscomm.users.models import ApiToken, User

from ..factories import PASSWORD, csrf_token
from .conftest import sign_in


def _bearer(client, token, url="/api/v1/me"):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def _session_data(client, app):
    """The decoded Flask session cookie of ``client`` (what a cookie thief would read)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    payload = cookie.value.split(".")[0] if not cookie.value.startswith(".") else cookie.value.split(".")[1]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.value.startswith("."):
        raw = zlib.decompress(raw)
    return json.loads(raw)


# --- tokens -----------------------------------------------------------------------------------

def test_new_token_is_shown_once_and_never_put_in_the_session_cookie(app, factory):
    user = factory.user("comms_officer")
    browser = factory.login(user)
    page = browser.get("/account")
    response = browser.post("/account/tokens", data={"label": "chat bridge", "expires": "30",
                                                     "csrf_token": csrf_token(page)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = html.split("data-new-token>")[1].split("<")[0]
    assert token.startswith("cc_")
    assert token not in json.dumps(_session_data(browser, app))
    assert token not in browser.get("/account").get_data(as_text=True)  # shown once
    assert _bearer(app.test_client(), token).status_code == 200


def test_token_expires_and_records_when_it_was_last_used(app, factory, clock):
    user = factory.user("comms_officer")
    api = factory.api(user)
    response = api.post("/api/v1/me/tokens", json={"label": "bot", "expires_in_days": 30})
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert response.get_json()["expires_at"].startswith("2026-07-26")
    client = app.test_client()
    assert _bearer(client, token).status_code == 200
    stored = db.session.scalar(select(ApiToken).where(ApiToken.label == "bot"))
    assert stored.last_used_at == clock.now()
    clock.advance(seconds=20)
    _bearer(client, token)
    db.session.refresh(stored)
    assert stored.last_used_at == clock.now() - timedelta(seconds=20)  # kept to the minute: no write per request
    clock.advance(minutes=2)
    _bearer(client, token)
    db.session.refresh(stored)
    assert stored.last_used_at == clock.now()
    clock.advance(days=30)
    response = _bearer(client, token)
    assert response.status_code == 401


def test_owner_lists_and_revokes_tokens_but_not_another_users(app, factory):
    owner, other = factory.user("comms_officer"), factory.user("comms_officer")
    api = factory.api(owner)
    mine = api.get("/api/v1/me/tokens").get_json()["items"]
    assert len(mine) == 1 and "token" not in mine[0] and "token_hash" not in mine[0]
    theirs = factory.token(other)
    their_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    assert api.delete(f"/api/v1/me/tokens/{their_id}").status_code == 404
    assert _bearer(app.test_client(), theirs).status_code == 200
    extra = api.post("/api/v1/me/tokens", json={}).get_json()
    assert api.delete(f"/api/v1/me/tokens/{extra['id']}").get_json()["revoked_at"]
    assert _bearer(app.test_client(), extra["token"]).status_code == 401
    bad = api.post("/api/v1/me/tokens", json={"expires_in_days": 0})
    assert bad.status_code == 422 and "expires_in_days" in bad.get_json()["error"]["fields"]
    assert api.delete(f"/api/v1/me/tokens/{2**40}").status_code == 404


def test_token_page_lists_expiry_and_last_use(app, factory):
    user = factory.user("comms_officer")
    token = factory.token(user)
    _bearer(app.test_client(), token)
    html = factory.login(user).get("/account").get_data(as_text=True)
    assert "Dùng lần cuối" in html and "không hết hạn" in html and token[:10] in html


# --- the Ministry admin -----------------------------------------------------------------------

def test_admin_deactivates_a_user_ending_sessions_and_tokens(app, factory):
    admin = factory.user("ministry_admin")
    user = factory.user("director")
    token = factory.token(user)
    user_browser = factory.login(user)
    admin_browser = factory.login(admin)
    page = admin_browser.get(f"/admin/users/{user.id}")
    assert page.status_code == 200 and token[:10] in page.get_data(as_text=True)
    response = admin_browser.post(f"/admin/users/{user.id}/active", data={"active": "0",
                                                                       "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert user_browser.get("/account").status_code == 302
    assert _bearer(app.test_client(), token).status_code == 401
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 401
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                       AuditEntry.entity_id == user.id, AuditEntry.action == "update")
                              .order_by(AuditEntry.id.desc()))
    assert entry.actor_label == admin.email and entry.changes["active"] == [True, False]
    # Reactivation lets the user sign in again, but the revoked token stays dead.
    admin_browser.post(f"/admin/users/{user.id}/active", data={"active": "1", "csrf_token": csrf_token(page)})
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302
    assert _bearer(app.test_client(), token).status_code == 401


def test_deactivated_token_stops_even_if_the_row_was_not_revoked(app, factory):
    user = factory.user("director")
    token = factory.token(user)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert _bearer(app.test_client(), token).status_code == 401


def test_admin_changes_role_and_department_audited(app, factory):
    admin = factory.user("ministry_admin")
    user = factory.user("comms_officer", department="ha-noi")
    factory.department("hai-phong")
    browser = factory.login(admin)
    page = browser.get(f"/admin/users/{user.id}")
    response = browser.post(f"/admin/users/{user.id}", data={"role": "spokesperson", "department": "hai-phong",
                                                             "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.role == "spokesperson" and changed.department.code == "hai-phong"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                       AuditEntry.entity_id == user.id, AuditEntry.action == "update")
                              .order_by(AuditEntry.id.desc()))
    assert entry.actor_label == admin.email and entry.changes["role"] == ["comms_officer", "spokesperson"]
    # A Department role without a Department, or a merged one, is refused with the field named.
    response = browser.post(f"/admin/users/{user.id}", data={"role": "director", "department": "",
                                                             "csrf_token": csrf_token(page)})
    assert response.status_code == 422 and "Vai trò của Sở cần chọn một Sở." in response.get_data(as_text=True)


def test_admin_cannot_lock_themselves_out(app, factory):
    admin = factory.user("ministry_admin")
    browser = factory.login(admin)
    page = browser.get(f"/admin/users/{admin.id}")
    response = browser.post(f"/admin/users/{admin.id}/active", data={"active": "0", "csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert "không thể tự vô hiệu hóa" in response.get_data(as_text=True)
    assert browser.get("/account").status_code == 200


def test_user_pages_are_for_the_ministry_admin_only(app, factory):
    user = factory.user("director")
    for role in ("ministry_comms", "director"):
        client = factory.login(factory.user(role))
        assert client.get(f"/admin/users/{user.id}").status_code == 403
    admin = factory.login(factory.user("ministry_admin"))
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get(f"/admin/users/{2**40}").status_code == 404


def test_cli_deactivates_changes_role_lists_and_revokes(app, runner, factory):
    user = factory.user("director", email="gd@example.vn")
    token = factory.token(user)
    factory.user("ministry_admin", email="admin@example.vn")
    result = runner.invoke(args=["users", "update", "gd@example.vn", "--role", "deputy_director"])
    assert result.exit_code == 0, result.output
    assert "deputy_director" in result.output
    listing = runner.invoke(args=["tokens", "list", "gd@example.vn"]).output
    token_id = int(listing.split("\t")[0])
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    assert _bearer(app.test_client(), token).status_code == 401
    result = runner.invoke(args=["users", "update", "gd@example.vn", "--deactivate"])
    assert result.exit_code == 0 and "deactivated" in result.output
    assert "gd@example.vn\tdeputy_director\tha-noi\tdeactivated" in runner.invoke(args=["users", "list"]).output
    result = runner.invoke(args=["users", "update", "admin@example.vn", "--deactivate"])
    assert result.exit_code != 0 and "quản trị viên Bộ cuối cùng" in result.output
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_label == "cli")).all()
    assert {e.action for e in entries} >= {"update", "revoke"}
    issued = runner.invoke(args=["tokens", "issue", "admin@example.vn", "--expires-days", "7"]).output.strip()
    assert _bearer(app.test_client(), issued).status_code == 200


def test_admin_revokes_a_users_token_from_their_page(app, factory):
    admin, user = factory.user("ministry_admin"), factory.user("director")
    token = factory.token(user)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    stranger = factory.login(factory.user("director"))
    refused = stranger.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(stranger.get("/"))})
    assert refused.status_code == 404 and _bearer(app.test_client(), token).status_code == 200
    browser = factory.login(admin)
    page = browser.get(f"/admin/users/{user.id}")
    response = browser.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert _bearer(app.test_client(), token).status_code == 401
    assert "đã thu hồi" in browser.get(f"/admin/users/{user.id}").get_data(as_text=True)
