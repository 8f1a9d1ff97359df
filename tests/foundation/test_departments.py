"""Departments: the 63 of 2022, the 2025 merger into 34 (via the CLI), the Departments API."""
from sqlalchemy import func, select

from crisiscomm.audit.models import AuditEntry
from crisiscomm.contacts.models import Contact
from crisiscomm.departments.models import Department
from crisiscomm.departments.service import MERGER_CSV, find_by_code
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident
from crisiscomm.users.models import User

from .. import factories


def _count(status):
    return db.session.scalar(select(func.count()).select_from(Department).where(Department.status == status))


def _records_in(code, factory, clock):
    dep = find_by_code(code)
    user = factory.user("spokesperson", department=code, name="Hoàng Văn Nam")
    contact = factories.contact(dep, "Phạm Thu Trang", "Báo Hà Giang", "provincial", email=None, raw=True,
                                commit=False)
    incident = factories.incident(dep, "Lộ đề thi môn Ngữ văn", category="exam_leak", at=clock.now(),
                                  reporter_id=user.id)
    return dep.id, user.id, contact.id, incident.id


def test_apply_merger_command_moves_records_keeps_history_and_is_idempotent(app, factory, runner, clock):
    factory.departments(merger=False)
    assert _count("active") == 63
    ha_giang_id, user_id, contact_id, incident_id = _records_in("ha-giang", factory, clock)

    result = runner.invoke(args=["departments", "apply-merger", MERGER_CSV])
    assert result.exit_code == 0, result.output
    assert "active now: 34" in result.output and "merged in total: 29" in result.output
    assert "ha-giang -> tuyen-quang" in result.output
    db.session.expire_all()
    assert (_count("active"), _count("merged")) == (34, 29)

    ha_giang = db.session.get(Department, ha_giang_id)
    tuyen_quang = find_by_code("tuyen-quang")
    assert ha_giang.status == "merged" and ha_giang.merged_into_id == tuyen_quang.id
    assert find_by_code("ha-giang").code == "tuyen-quang"  # the old code leads to the successor
    for model, ident in ((User, user_id), (Contact, contact_id), (Incident, incident_id)):
        row = db.session.get(model, ident)
        assert row.department_id == tuyen_quang.id, model
        assert row.origin_department_id == ha_giang_id, model

    # Thừa Thiên Huế continues as Huế, its former name and code kept.
    hue = find_by_code("hue")
    assert hue.status == "active" and hue.province == "Huế" and hue.name == "Sở GDĐT Huế"
    assert "Thừa Thiên Huế" in hue.former_names and find_by_code("thua-thien-hue").id == hue.id

    merges = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).all()
    assert len(merges) == 29
    ha_giang_entry = next(e for e in merges if e.entity_id == ha_giang_id)
    assert ha_giang_entry.actor_label == "cli" and ha_giang_entry.changes["into"] == "tuyen-quang"
    assert ha_giang_entry.changes["moved"] == {"User": 1, "Contact": 1, "Incident": 1}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "rename")) == 1
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEntry))

    again = runner.invoke(args=["departments", "apply-merger", MERGER_CSV])
    assert again.exit_code == 0, again.output
    assert "merged: 0, renamed: 0, already merged: 29" in again.output
    db.session.expire_all()
    assert (_count("active"), _count("merged")) == (34, 29)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows
    assert db.session.get(Contact, contact_id).origin_department_id == ha_giang_id

    # The survivor's page lists its former units; its API entry names them; the old name finds it.
    api = factory.api(factory.user("ministry_comms"))
    found = api.get("/api/v1/departments", query_string={"q": "ha giang"}).json["items"]
    assert [d["code"] for d in found] == ["tuyen-quang"]
    assert "Hà Giang" in found[0]["former_names"]
    found = api.get("/api/v1/departments", query_string={"q": "Thừa Thiên"}).json["items"]
    assert [d["code"] for d in found] == ["hue"]
    html = factory.login(factory.user("ministry_admin")).get("/departments/tuyen-quang").get_data(as_text=True)
    assert "Sở GDĐT Hà Giang" in html and "ha-giang" in html


def test_apply_merger_rejects_a_bad_file(app, factory, runner, tmp_path):
    factory.departments(merger=False)
    bad = tmp_path / "merger.csv"
    bad.write_text("code_before,province_before,code_after,province_after\nnowhere,Nowhere,ha-noi,Hà Nội\n",
                   encoding="utf-8")
    result = runner.invoke(args=["departments", "apply-merger", str(bad)])
    assert result.exit_code != 0 and "nowhere" in result.output
    db.session.expire_all()
    assert _count("active") == 63


def test_departments_api(factory, departments):
    api = factory.api(factory.user("viewer", department="ha-noi"))
    items = api.get("/api/v1/departments").json["items"]
    assert len(items) == 34 and all(d["status"] == "active" for d in items)
    assert set(items[0]) >= {"code", "name", "status", "merged_into", "former_names"}
    everything = api.get("/api/v1/departments?status=all").json["items"]
    assert len(everything) == 63
    kien_giang = next(d for d in everything if d["code"] == "kien-giang")
    assert kien_giang["status"] == "merged" and kien_giang["merged_into"] == "an-giang"
    an_giang = next(d for d in everything if d["code"] == "an-giang")
    assert "Kiên Giang" in an_giang["former_names"]
    assert len(api.get("/api/v1/departments?status=merged").json["items"]) == 29

    bad = api.get("/api/v1/departments?status=sleeping")
    assert bad.status_code == 422
    assert bad.json == {"error": {"code": "validation_error", "message": "Trạng thái không hợp lệ.",
                                  "fields": {"status": "một trong: active, merged, all"}}}


def test_department_pages(factory, departments):
    client = factory.login(factory.user("spokesperson", department="ha-noi"))
    html = client.get("/departments/").get_data(as_text=True)
    assert "Sở GDĐT Hà Nội" in html and "34 Sở GDĐT" in html
    html = client.get("/departments/?q=kien giang&status=all").get_data(as_text=True)
    assert "Sở GDĐT Kiên Giang" in html
    html = client.get("/departments/ha-noi").get_data(as_text=True)
    assert "Dữ liệu hiện có" in html and "Các đơn vị cũ" in html


def test_me_and_authentication(app, factory, departments):
    user = factory.user("director", department="ha-noi", name="Nguyễn Văn An")
    me = factory.api(user).get("/api/v1/me").json
    assert me["email"] == user.email and me["role"] == "director" and me["department"] == "ha-noi"
    assert me["name"] == "Nguyễn Văn An"

    anonymous = app.test_client()
    for url in ("/api/v1/me", "/api/v1/departments"):
        response = anonymous.get(url)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
    bad = anonymous.get("/api/v1/me", headers={"Authorization": "Bearer cc_not-a-real-token"})
    assert bad.status_code == 401


def test_error_format(factory, departments):
    api = factory.api(factory.user("ministry_admin"))
    missing = api.get("/api/v1/departments/atlantis")
    assert missing.status_code == 404
    assert set(missing.json["error"]) == {"code", "message", "fields"}
    assert api.get("/api/v1/no-such-endpoint").json["error"]["code"] == "not_found"
    wrong_method = api.delete("/api/v1/departments")
    assert wrong_method.status_code == 405
    assert wrong_method.json["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]

    invalid = api.patch("/api/v1/me", json={"locale": "fr", "shoe_size": 42})
    assert invalid.status_code == 422
    assert invalid.json["error"]["fields"] == {"locale": "một trong: vi, en", "shoe_size": "trường không hợp lệ"}
    not_json = api.patch("/api/v1/me", data="locale=en", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 400 and "body" in not_json.json["error"]["fields"]
    assert api.get("/api/v1/me").json["locale"] is None  # nothing half-written


def test_openapi_lists_foundation_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {"get", "patch"} <= set(doc["paths"]["/api/v1/me"])
    assert "get" in doc["paths"]["/api/v1/departments"] and "get" in doc["paths"]["/api/v1/departments/{code}"]
