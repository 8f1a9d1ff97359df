"""Spokesperson assignments: one official at a time (also under concurrency), authorisations, history,
the expiry alert, the merger, the API lookup and the public page."""
import threading
from datetime import timedelta

import pytest

from crisiscomm.extensions import db
from crisiscomm.notifications.models import Notification
from crisiscomm.spokespersons import service
from crisiscomm.spokespersons.models import SpokespersonAssignment

from ..factories import csrf_token, spokesperson_assignment


@pytest.fixture
def hanoi(factory, departments):
    return factory.department("ha-noi")


def test_one_official_at_a_time_and_replacement_keeps_history(hanoi, factory, clock):
    a = factory.user("spokesperson", name="Đỗ Minh Tuấn")
    b = factory.user("deputy_director", name="Phạm Thị Lan")
    director = factory.api(factory.user("director"))
    first = spokesperson_assignment(hanoi, a, public_phone="024 3825 1234")
    r = director.post("/api/v1/departments/ha-noi/spokespersons", json={"user_id": b.id, "kind": "official"})
    assert r.status_code == 409
    assert service.official_spokesperson(hanoi.id).user_id == a.id
    clock.advance(days=10)
    r = director.post("/api/v1/departments/ha-noi/spokespersons",
                      json={"user_id": b.id, "kind": "official", "replace": True, "decision_number": "12/QĐ"})
    assert r.status_code == 201, r.get_json()
    db.session.expire_all()
    assert service.official_spokesperson(hanoi.id).user_id == b.id
    old = db.session.get(SpokespersonAssignment, first.id)
    assert old.effective_to == clock.now()  # ended, not overwritten
    assert service.official_spokesperson(hanoi.id, at=clock.now() - timedelta(days=1)).user_id == a.id
    hist = director.get("/api/v1/departments/ha-noi/spokespersons?history=true").get_json()["items"]
    assert [(i["name"], i["status"]) for i in hist] == [("Phạm Thị Lan", "current"), ("Đỗ Minh Tuấn", "ended")]
    # a planned official overlapping the current one is refused too
    r = director.post("/api/v1/departments/ha-noi/spokespersons",
                      json={"user_id": a.id, "kind": "official",
                            "effective_from": (clock.now() + timedelta(days=5)).isoformat()})
    assert r.status_code == 409
    assert db.session.query(SpokespersonAssignment).count() == 2


def test_authorisation_requires_decision_topics_and_end(hanoi, factory, clock):
    deputy = factory.user("deputy_director")
    director = factory.api(factory.user("director"))
    r = director.post("/api/v1/departments/ha-noi/spokespersons", json={"user_id": deputy.id, "kind": "authorized"})
    assert r.status_code == 422
    assert {"decision_number", "decision_date", "topics", "effective_to"} <= set(r.get_json()["error"]["fields"])
    r = director.post("/api/v1/departments/ha-noi/spokespersons", json={
        "user_id": deputy.id, "kind": "authorized", "topics": ["tuyển sinh lớp 10"], "decision_number": "845/QĐ-SGDĐT",
        "decision_date": "2026-06-20", "effective_to": (clock.now() + timedelta(days=5)).isoformat(),
        "decision_url": "https://hanoi.edu.vn/qd-845.pdf"})
    assert r.status_code == 201
    # the topic lookup: the authorisation covers its topic only; it expires by itself
    assert len(director.get("/api/v1/departments/ha-noi/spokespersons?topic=tuyen sinh lop 10").get_json()["items"]) == 1
    assert director.get("/api/v1/departments/ha-noi/spokespersons?topic=học phí").get_json()["items"] == []
    clock.advance(days=6)
    assert director.get("/api/v1/departments/ha-noi/spokespersons").get_json()["items"] == []
    # only the director (or the Ministry admin) changes assignments; others read
    officer = factory.api(factory.user("comms_officer"))
    assert officer.post("/api/v1/departments/ha-noi/spokespersons",
                        json={"user_id": deputy.id, "kind": "official"}).status_code == 403
    other = factory.user("comms_officer", department="ho-chi-minh")
    r = director.post("/api/v1/departments/ha-noi/spokespersons", json={"user_id": other.id, "kind": "official"})
    assert r.status_code == 422 and "user_id" in r.get_json()["error"]["fields"]


def test_two_concurrent_official_assignments_leave_one(hanoi, factory, app, clock):
    a = factory.user("spokesperson")
    b = factory.user("deputy_director")
    tokens = [factory.token(factory.user("director")) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def request(token, user_id):
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/v1/departments/ha-noi/spokespersons", json={"user_id": user_id, "kind": "official"},
                        headers={"Authorization": f"Bearer {token}"})
        results.append(r.status_code)

    threads = [threading.Thread(target=request, args=(tokens[0], a.id)),
               threading.Thread(target=request, args=(tokens[1], b.id))]
    db.session.commit()
    db.session.remove()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [201, 409]
    assert db.session.query(SpokespersonAssignment).filter_by(kind="official").count() == 1


def test_scoping_of_assignments(hanoi, factory, clock):
    theirs = spokesperson_assignment(factory.department("ho-chi-minh"),
                                     factory.user("director", department="ho-chi-minh"))
    director = factory.user("director")
    api = factory.api(director)
    assert api.get("/api/v1/departments/ho-chi-minh/spokespersons").status_code == 404
    assert api.post(f"/api/v1/spokespersons/{theirs.id}/end").status_code == 404
    web = factory.login(director)
    assert web.get("/spokespersons/department?department=ho-chi-minh").status_code == 404


def test_pages_assign_and_end(hanoi, factory, clock):
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn")
    director = factory.user("director")
    web = factory.login(director)
    page = web.get("/spokespersons/department")
    assert page.status_code == 200
    token = csrf_token(page)
    r = web.post("/spokespersons/department/ha-noi/assign", data={
        "csrf_token": token, "user_id": spokesperson.id, "kind": "authorized"})
    assert r.status_code == 422 and "an authorisation needs an end date" in r.get_data(as_text=True)
    r = web.post("/spokespersons/department/ha-noi/assign", data={
        "csrf_token": token, "user_id": spokesperson.id, "kind": "official", "public_phone": "024 3825 1234"})
    assert r.status_code == 302
    row = service.official_spokesperson(hanoi.id)
    assert "Đỗ Minh Tuấn" in web.get("/spokespersons/department").get_data(as_text=True)
    clock.advance(hours=1)
    r = web.post(f"/spokespersons/{row.id}/end", data={"csrf_token": token})
    assert r.status_code == 302
    db.session.expire_all()
    assert service.official_spokesperson(hanoi.id) is None
    assert db.session.get(SpokespersonAssignment, row.id).effective_to == clock.now()
    viewer = factory.login(factory.user("viewer"))
    html = viewer.get("/spokespersons/department").get_data(as_text=True)
    assert "Đỗ Minh Tuấn" in html and "/assign" not in html


def test_expiry_alert_job_notifies_once(hanoi, factory, clock, smtp_server):
    director = factory.user("director", email="giamdoc@example.vn")
    spokesperson = factory.user("spokesperson", email="phatngon@example.vn")
    officer = factory.user("comms_officer", email="truyenthong@example.vn")
    factory.user("viewer", email="xem@example.vn")
    deputy = factory.user("deputy_director", email="pgd@example.vn")
    spokesperson_assignment(hanoi, deputy, "authorized", topics=["tuyển sinh lớp 10"], decision_number="845/QĐ-SGDĐT",
                            decision_date=clock.now().date(), effective_to=clock.now() + timedelta(days=10))
    assert service.alert_expiring_authorisations() == 0
    clock.advance(days=3, hours=1)  # 6 days 23 hours left
    service.alert_expiring_authorisations()
    db.session.commit()
    service.alert_expiring_authorisations()  # idempotent
    db.session.commit()
    rows = db.session.query(Notification).filter_by(kind="spokesperson_authorisation_expiring").all()
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (u.id, ch) for u in (director, spokesperson, officer, deputy) for ch in ("in_app", "email")}
    received = [addr for m in smtp_server.messages for addr in m["to"]]
    assert sorted(received) == sorted(["giamdoc@example.vn", "phatngon@example.vn", "truyenthong@example.vn",
                                       "pgd@example.vn"])  # one real email each, the viewer none


def test_merger_ends_the_merged_departments_official(factory, clock):
    from crisiscomm.departments import service as departments

    departments.load_reference()
    db.session.commit()
    old = departments.find_by_code("ha-nam", follow_merger=False)
    new = departments.find_by_code("ninh-binh", follow_merger=False)
    a = factory.user("spokesperson", department="ha-nam")
    b = factory.user("spokesperson", department="ninh-binh")
    spokesperson_assignment(old, a)
    spokesperson_assignment(new, b)
    clock.advance(days=1)
    departments.merge(old=old, new=new)
    db.session.commit()
    current = service.current_assignments(new.id)
    assert [r.user_id for r in current if r.kind == "official"] == [b.id]
    assert db.session.query(SpokespersonAssignment).filter_by(user_id=a.id).one().effective_to == clock.now()


def test_public_page_shows_published_contacts_only(hanoi, factory, client, clock):
    person = factory.user("spokesperson", name="Đỗ Minh Tuấn", title="Chánh Văn phòng Sở", phone="0905 999 888",
                          email="rieng.tu@example.vn")
    spokesperson_assignment(hanoi, person, public_phone="024 3825 1234", public_email="phatngon@hanoi.edu.vn",
                            decision_url="https://hanoi.edu.vn/scan-qd.pdf", note="Ghi chú nội bộ mật")
    r = client.get("/spokespersons/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Đỗ Minh Tuấn" in html and "Chánh Văn phòng Sở" in html and "024 3825 1234" in html
    assert "phatngon@hanoi.edu.vn" in html and "Sở GDĐT Hà Nội" in html
    for private in ("0905 999 888", "rieng.tu@example.vn", "scan-qd.pdf", "Ghi chú nội bộ mật"):
        assert private not in html
    assert html.count("<tr>") - 1 == 34  # every active Department is listed


def test_demo_assignments(hanoi, app, clock):
    from crisiscomm.demo import create_demo

    create_demo()
    db.session.commit()
    current = service.current_assignments(hanoi.id)
    assert current[0].kind == "official" and current[0].user.email == "phatngon@hanoi.demo"
    auth = [r for r in current if r.kind == "authorized"]
    assert auth and auth[0].topics == ["tuyển sinh lớp 10"] and auth[0].effective_to - clock.now() < timedelta(days=7)
