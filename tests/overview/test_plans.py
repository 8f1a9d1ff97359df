from crisiscomm.extensions import db
from crisiscomm.plans.models import DepartmentPlan

from ..factories import csrf_token

YEAR = "2025-2026"
THEMES = ["Kỳ thi tốt nghiệp THPT 2026", "Sách giáo khoa mới", "An toàn trường học"]


def publish(factory, ministry):
    r = factory.api(ministry).put(f"/api/v1/plans/ministry/{YEAR}", json={
        "title": "Kế hoạch truyền thông năm học 2025-2026", "body": "## Mục tiêu\n- Thông tin **kịp thời**",
        "themes": THEMES, "key_dates": [{"date": "2026-06-11", "label": "Thi tốt nghiệp THPT"},
                                        {"date": "05/09/2025", "label": "Khai giảng năm học"}]})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_ministry_publishes_departments_draft_submit_and_resubmit_with_history(factory, departments, clock):
    ministry = factory.user("ministry_admin")
    plan = publish(factory, ministry)
    assert [d["label"] for d in plan["key_dates"]] == ["Khai giảng năm học", "Thi tốt nghiệp THPT"]  # sorted by date

    writer = factory.api(factory.user("comms_officer", department="ha-noi"))
    r = writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch Sở Hà Nội", "body": "Bản nháp",
                                                             "themes": [THEMES[0]]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "draft" and r.get_json()["versions"] == []

    clock.advance(days=1)
    r = writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch Sở Hà Nội", "body": "Bản 1",
                                                             "themes": THEMES[:2], "submit": True})
    first = r.get_json()
    assert first["status"] == "submitted" and first["version"] == 1
    assert first["submitted_at"].startswith("2026-06-27")

    clock.advance(days=2)
    r = writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch Sở Hà Nội (sửa)", "body": "Bản 2",
                                                             "themes": THEMES, "submit": True})
    second = r.get_json()
    assert second["version"] == 2 and second["first_submitted_at"] == first["submitted_at"]
    assert [(v["version"], v["body"]) for v in second["versions"]] == [(2, "Bản 2"), (1, "Bản 1")]

    # an edit after submitting is a draft change the Ministry does not see yet
    writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch Sở Hà Nội (sửa)", "body": "Bản 3 nháp",
                                                         "themes": THEMES})
    status = {s["department"]: s for s in factory.api(ministry).get(f"/api/v1/plans?year={YEAR}")
              .get_json()["submission_status"]}
    assert len(status) == 34
    assert status["ha-noi"]["status"] == "submitted" and status["ho-chi-minh"]["status"] == "missing"
    listed = factory.api(ministry).get(f"/api/v1/plans/{second['id']}").get_json()
    assert listed["has_unsubmitted_changes"] is True and listed["versions"][0]["body"] == "Bản 2"


def test_bad_plans_are_refused_naming_the_field(factory, departments, clock):
    ministry = factory.user("ministry_comms")
    api = factory.api(ministry)
    r = api.put("/api/v1/plans/ministry/2025-2027", json={"title": "x", "themes": ["a"]})
    assert r.status_code == 422 and "school_year" in r.get_json()["error"]["fields"]
    r = api.put(f"/api/v1/plans/ministry/{YEAR}", json={"title": "x", "themes": ["a"],
                                                        "key_dates": [{"date": "31/02/2026", "label": "?"}]})
    assert r.status_code == 422 and "key_dates" in r.get_json()["error"]["fields"]
    writer = factory.api(factory.user("comms_officer", department="ha-noi"))
    r = writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch", "themes": []})
    assert r.status_code == 422 and "school_year" in r.get_json()["error"]["fields"]  # no Ministry plan yet
    publish(factory, ministry)
    r = writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch", "themes": ["Chủ đề lạ"]})
    assert r.status_code == 422 and "themes" in r.get_json()["error"]["fields"]
    r = writer.put(f"/api/v1/plans/department/{YEAR}", json={"title": "Kế hoạch", "body": " ", "submit": True})
    assert set(r.get_json()["error"]["fields"]) == {"body", "themes"}
    assert db.session.query(DepartmentPlan).count() == 0  # nothing half-written
    assert writer.put(f"/api/v1/plans/ministry/{YEAR}", json={"title": "x", "themes": ["a"]}).status_code == 403


def test_departments_see_only_their_own_plan_and_never_the_comparison(factory, departments, clock):
    ministry = factory.user("ministry_admin")
    publish(factory, ministry)
    ids = {}
    for code in ("ha-noi", "ho-chi-minh"):
        api = factory.api(factory.user("director", department=code))
        ids[code] = api.put(f"/api/v1/plans/department/{YEAR}", json={
            "title": f"Kế hoạch {code}", "body": f"Nội dung riêng của {code}", "themes": [THEMES[0]],
            "submit": True}).get_json()["id"]
    hanoi_user = factory.user("viewer", department="ha-noi")
    api = factory.api(hanoi_user)
    listed = api.get(f"/api/v1/plans?year={YEAR}").get_json()
    assert [p["department"] for p in listed["department_plans"]] == ["ha-noi"]
    assert "submission_status" not in listed
    assert api.get(f"/api/v1/plans/{ids['ho-chi-minh']}").status_code == 404
    assert api.get(f"/api/v1/plans/compare?year={YEAR}&departments=ha-noi,ho-chi-minh").status_code == 404
    web = factory.login(hanoi_user)
    assert web.get(f"/plans/view/{ids['ho-chi-minh']}").status_code == 404
    assert web.get(f"/plans/{YEAR}/compare?d=ha-noi&d=ho-chi-minh").status_code == 403
    assert web.get(f"/plans/{YEAR}/mine").status_code == 403  # a viewer does not write the plan
    page = web.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "Kế hoạch ha-noi" not in page or "ho-chi-minh" not in page
    assert "Nội dung riêng của ho-chi-minh" not in page


def test_ministry_reads_submitted_plans_side_by_side(factory, departments, clock):
    ministry = factory.user("ministry_comms")
    publish(factory, ministry)
    for code, body in (("ha-noi", "Họp báo **hằng quý** tại Sở"), ("ho-chi-minh", "Tọa đàm với báo chí mỗi tháng")):
        factory.api(factory.user("comms_officer", department=code)).put(
            f"/api/v1/plans/department/{YEAR}", json={"title": f"Kế hoạch {code}", "body": body,
                                                      "themes": THEMES[:2], "submit": True})
    web = factory.login(ministry)
    year_page = web.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "2/34 Sở đã gửi kế hoạch." in year_page
    html = web.get(f"/plans/{YEAR}/compare?d=ha-noi&d=ho-chi-minh").get_data(as_text=True)
    assert html.count('class="card plan-column"') == 2
    assert "Họp báo <strong>hằng quý</strong> tại Sở" in html and "Tọa đàm với báo chí mỗi tháng" in html
    api = factory.api(ministry).get(f"/api/v1/plans/compare?year={YEAR}&departments=ha-noi,ho-chi-minh").get_json()
    assert [c["department"] for c in api["columns"]] == ["ha-noi", "ho-chi-minh"]
    assert api["columns"][1]["submitted"]["themes"] == THEMES[:2]


def test_department_plan_form_saves_and_shows_errors_under_the_field(factory, departments, clock):
    ministry = factory.user("ministry_admin")
    publish(factory, ministry)
    user = factory.user("spokesperson", department="ha-noi")
    web = factory.login(user)
    form = web.get(f"/plans/{YEAR}/mine")
    assert form.status_code == 200
    token = csrf_token(form)
    r = web.post(f"/plans/{YEAR}/mine", data={"csrf_token": token, "title": "Kế hoạch Hà Nội", "body": "",
                                               "action": "submit"})
    assert r.status_code == 422
    assert "hãy soạn kế hoạch trước khi gửi" in r.get_data(as_text=True)
    r = web.post(f"/plans/{YEAR}/mine", data={"csrf_token": token, "title": "Kế hoạch Hà Nội", "body": "Nội dung",
                                               "themes": [THEMES[1], THEMES[2]], "action": "submit"})
    assert r.status_code == 302
    plan = db.session.query(DepartmentPlan).one()
    assert plan.status == "submitted" and plan.themes == [THEMES[1], THEMES[2]] and plan.submitted_by_id == user.id


def test_openapi_describes_the_plans_overview_and_scorecard_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/plans", "/api/v1/plans/ministry/{year}", "/api/v1/plans/department/{year}",
                 "/api/v1/plans/compare", "/api/v1/overview", "/api/v1/scorecard"):
        assert path in paths, path
    assert {p["name"] for p in paths["/api/v1/scorecard"]["get"]["parameters"]} == {"year"}
