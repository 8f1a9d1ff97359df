"""Distribution by the Ministry's centre, acknowledgement by Departments, reminders by email, scoping."""
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.notifications.models import Notification
from crisiscomm.scenarios.models import ScenarioDistribution

from ..factories import csrf_token


def test_distribute_to_all_active_departments(app, scenario, factory):
    centre = factory.api(factory.user("ministry_comms"))
    response = centre.post(f"/api/v1/scenarios/{scenario.id}/distributions", json={"version": 1, "departments": "all"})
    assert response.status_code == 201, response.json
    items = response.json["items"]
    assert len(items) == 34  # the active Departments after the 2025 merger
    assert len({i["department"] for i in items}) == 34
    assert all(i["version"] == 1 and not i["acknowledged"] for i in items)
    # Publishing again changes nothing: one record per Department and version.
    again = centre.post(f"/api/v1/scenarios/test-rumour/distributions", json={"version": 1, "departments": "all"})
    assert again.status_code == 201
    assert [i["id"] for i in again.json["items"]] == [i["id"] for i in items]
    assert db.session.query(ScenarioDistribution).count() == 34


def test_distribute_to_chosen_departments_and_bad_input(app, scenario, factory):
    centre = factory.api(factory.user("ministry_admin"))
    url = f"/api/v1/scenarios/{scenario.id}/distributions"
    ok = centre.post(url, json={"version": 1, "departments": ["ha-noi", "ho-chi-minh"]})
    assert ok.status_code == 201
    assert sorted(i["department"] for i in ok.json["items"]) == ["ha-noi", "ho-chi-minh"]
    bad = centre.post(url, json={"version": 7, "departments": ["ha-noi"]})
    assert bad.status_code == 422 and "version" in bad.json["error"]["fields"]
    bad = centre.post(url, json={"version": 1, "departments": ["atlantis"]})
    assert bad.status_code == 422 and "atlantis" in bad.json["error"]["fields"]["departments"]
    bad = centre.post(url, json={"version": 1, "departments": []})
    assert bad.status_code == 422 and "departments" in bad.json["error"]["fields"]
    bad = centre.post(url, json={"version": "1", "departments": "all"})
    assert bad.status_code == 422 and "version" in bad.json["error"]["fields"]
    assert db.session.query(ScenarioDistribution).count() == 2


def test_only_the_ministry_centre_distributes(app, scenario, factory):
    director = factory.api(factory.user("director"))
    response = director.post(f"/api/v1/scenarios/{scenario.id}/distributions", json={"version": 1, "departments": "all"})
    assert response.status_code == 403
    assert db.session.query(ScenarioDistribution).count() == 0


def test_acknowledge_own_department_only(app, scenario, factory, clock):
    centre = factory.api(factory.user("ministry_comms"))
    items = centre.post(f"/api/v1/scenarios/{scenario.id}/distributions",
                        json={"version": 1, "departments": ["ha-noi", "ho-chi-minh"]}).json["items"]
    hanoi_id = next(i["id"] for i in items if i["department"] == "ha-noi")
    hcm_id = next(i["id"] for i in items if i["department"] == "ho-chi-minh")
    officer = factory.user("comms_officer", name="Vũ Thị Mai")
    api = factory.api(officer)

    # Hà Nội cannot acknowledge for Hồ Chí Minh: it does not even see that record.
    assert api.post(f"/api/v1/distributions/{hcm_id}/acknowledge").status_code == 404
    listed = api.get(f"/api/v1/distributions?scenario={scenario.id}").json["items"]
    assert [i["department"] for i in listed] == ["ha-noi"]

    response = api.post(f"/api/v1/distributions/{hanoi_id}/acknowledge")
    assert response.status_code == 200
    assert response.json["acknowledged_by"] == "Vũ Thị Mai"
    assert response.json["acknowledged_at"].startswith("2026-06-26T01:00")
    # The first acknowledgement is kept.
    clock.advance(hours=2)
    again = factory.api(factory.user("spokesperson")).post(f"/api/v1/distributions/{hanoi_id}/acknowledge")
    assert again.json["acknowledged_by"] == "Vũ Thị Mai"

    # The Ministry sees every Department's status; it cannot acknowledge on a Department's behalf.
    status = {i["department"]: i["acknowledged"] for i in centre.get(f"/api/v1/distributions?scenario=test-rumour").json["items"]}
    assert status == {"ha-noi": True, "ho-chi-minh": False}
    assert centre.post(f"/api/v1/distributions/{hcm_id}/acknowledge").status_code == 403
    viewer = factory.api(factory.user("viewer", department="ho-chi-minh"))
    assert viewer.post(f"/api/v1/distributions/{hcm_id}/acknowledge").status_code == 403


def test_department_sees_new_template_and_acknowledges_in_browser_form(app, scenario, factory):
    centre = factory.user("ministry_comms")
    factory.api(centre).post(f"/api/v1/scenarios/{scenario.id}/distributions", json={"version": 1, "departments": "all"})
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn")
    client = factory.login(spokesperson)
    page = client.get("/scenarios/")
    html = page.get_data(as_text=True)
    assert "Tin đồn thử nghiệm" in html and "scenario-pending" in html
    # The distribution shown to Hà Nội is Hà Nội's.
    record = db.session.scalar(select(ScenarioDistribution).where(
        ScenarioDistribution.department_id == factory.department("ha-noi").id))
    response = client.post(f"/scenarios/distributions/{record.id}/acknowledge", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ScenarioDistribution, record.id).acknowledged_by_id == spokesperson.id
    assert "scenario-pending" not in client.get("/scenarios/").get_data(as_text=True)
    # The centre's table shows who acknowledged.
    table = factory.login(centre).get("/scenarios/test-rumour/versions/1/distributions").get_data(as_text=True)
    assert "Đỗ Minh Tuấn" in table


def test_reminder_email_to_departments_that_have_not_acknowledged(app, scenario, factory, smtp_server, clock):
    centre = factory.user("ministry_comms")
    factory.api(centre).post(f"/api/v1/scenarios/{scenario.id}/distributions",
                             json={"version": 1, "departments": ["ha-noi", "ho-chi-minh"]})
    factory.user("director", department="ho-chi-minh", email="giamdoc@hcm.example.vn")
    hanoi_officer = factory.user("comms_officer", email="vtmai@hanoi.example.vn")
    record = db.session.scalar(select(ScenarioDistribution).where(
        ScenarioDistribution.department_id == factory.department("ha-noi").id))
    factory.api(hanoi_officer).post(f"/api/v1/distributions/{record.id}/acknowledge")

    client = factory.login(centre)
    page = client.get("/scenarios/test-rumour/versions/1/distributions")
    token = csrf_token(page)
    response = client.post("/scenarios/test-rumour/versions/1/remind", data={"csrf_token": token})
    assert response.status_code == 302
    emails = db.session.scalars(select(Notification).where(Notification.kind == "scenario.reminder")).all()
    assert [e.address for e in emails] == ["giamdoc@hcm.example.vn"]  # Hà Nội acknowledged: not reminded
    assert emails[0].state == "sent"
    assert smtp_server.recipients() == ["giamdoc@hcm.example.vn"]
    message = smtp_server.to("giamdoc@hcm.example.vn")[0]
    assert "Tin đồn thử nghiệm" in message["Subject"]
    assert "/scenarios/test-rumour" in message.get_body(("plain",)).get_content()
    # A second click the same day sends nothing more (dedupe); the next day it reminds again.
    client.post("/scenarios/test-rumour/versions/1/remind", data={"csrf_token": token})
    assert db.session.query(Notification).filter_by(kind="scenario.reminder").count() == 1
    clock.advance(days=1)
    client.post("/scenarios/test-rumour/versions/1/remind", data={"csrf_token": token})
    assert db.session.query(Notification).filter_by(kind="scenario.reminder").count() == 2
    db.session.expire_all()
    hcm = db.session.scalar(select(ScenarioDistribution).where(
        ScenarioDistribution.department_id == factory.department("ho-chi-minh").id))
    assert hcm.reminder_count == 2 and hcm.reminded_at is not None
