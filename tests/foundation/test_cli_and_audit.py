"""`users create`, `tokens issue`, and the append-only audit log with its admin page."""
import pytest
from sqlalchemy import select

from crisiscomm.audit.models import AppendOnlyError, AuditEntry
from crisiscomm.extensions import db
from crisiscomm.users.models import ApiToken, User


def test_users_create_and_tokens_issue(app, runner, departments):
    result = runner.invoke(args=["users", "create", "Lan.Nguyen@HaNoi.edu.vn", "--name", "Nguyễn Thị Lan",
                                 "--role", "spokesperson", "--department", "ha-noi",
                                 "--password", "mật-khẩu-dài-đủ"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "lan.nguyen@hanoi.edu.vn"))
    assert user.role == "spokesperson" and user.department.code == "ha-noi" and user.check_password("mật-khẩu-dài-đủ")
    assert "mật-khẩu" not in user.password_hash

    result = runner.invoke(args=["tokens", "issue", "lan.nguyen@hanoi.edu.vn"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # alone on stdout
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != token and token not in stored.token_hash and stored.token_hash == ApiToken.hash(token)
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == "lan.nguyen@hanoi.edu.vn"

    created = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                         AuditEntry.action == "create"))
    assert created.actor_label == "cli" and "password_hash" not in created.changes


def test_users_create_refuses_bad_input(runner, departments):
    result = runner.invoke(args=["users", "create", "not-an-email", "--name", "X", "--role", "spokesperson",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "email" in result.output and "password" in result.output and "department" in result.output
    result = runner.invoke(args=["users", "create", "a@b.vn", "--name", "X", "--role", "spokesperson",
                                 "--department", "atlantis", "--password", "long-enough-password"])
    assert result.exit_code != 0 and "Sở không xác định" in result.output  # "unknown Department", in Vietnamese
    assert db.session.scalar(select(User)) is None
    # A merged Department's old code leads to the unit it joined.
    result = runner.invoke(args=["users", "create", "a@b.vn", "--name", "X", "--role", "spokesperson",
                                 "--department", "kien-giang", "--password", "long-enough-password"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).department.code == "an-giang"
    result = runner.invoke(args=["tokens", "issue", "nobody@example.vn"])
    assert result.exit_code != 0 and result.stdout == ""


def test_audit_log_is_append_only(factory, departments):
    factory.user("spokesperson", name="Đỗ Minh Quân")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User"))
    entry.summary = "rewritten history"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User"))
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User")).summary is None


def test_changes_are_recorded_before_and_after(factory, departments):
    user = factory.user("spokesperson", name="Đỗ Minh Quân")
    api = factory.api(user)
    api.patch("/api/v1/me", json={"title": "Chánh Văn phòng Sở"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                       AuditEntry.action == "update"))
    assert entry.changes == {"title": [None, "Chánh Văn phòng Sở"]}
    assert entry.actor_id == user.id and entry.department_id == user.department_id


def test_admin_browses_and_filters_the_audit_log(app, factory, departments, clock):
    admin = factory.login(factory.user("ministry_admin", email="admin@moet.gov.vn"))
    quan = factory.user("spokesperson", name="Đỗ Minh Quân")
    factory.api(quan).patch("/api/v1/me", json={"title": "Chánh Văn phòng Sở"})

    assert admin.get("/admin/audit/").status_code == 200
    page = admin.get("/admin/audit/?entity_type=User")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nhật ký thay đổi" in html and "26/06/2026 08:00" in html  # local time, dd/mm/yyyy

    html = admin.get("/admin/audit/?entity_type=User&action=update").get_data(as_text=True)
    assert "Chánh Văn phòng Sở" in html
    assert f"<td>{quan.department.name}</td>" in html  # the Department by name, not by id
    rows = html.split("<tbody>")[1].count("<tr>")
    assert rows == 1
    html = admin.get(f"/admin/audit/?actor={quan.email}").get_data(as_text=True)
    assert html.split("<tbody>")[1].count("<tr>") == 1
    html = admin.get("/admin/audit/?action=merge").get_data(as_text=True)
    assert html.split("<tbody>")[1].count("<tr>") == 29
    html = admin.get("/admin/audit/?since=2026-06-27&entity_type=User").get_data(as_text=True)
    assert "Không tìm thấy kết quả nào." in html
    html = admin.get("/admin/audit/?until=2026-06-26&entity_type=User&action=update").get_data(as_text=True)
    assert html.split("<tbody>")[1].count("<tr>") == 1

    # Only a Ministry administrator may read it.
    assert factory.login(quan).get("/admin/audit/").status_code == 403
    assert factory.login(factory.user("ministry_comms")).get("/admin/audit/").status_code == 403
