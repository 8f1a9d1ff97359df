from datetime import datetime, timezone

from crisiscomm.briefings.models import Briefing, ExamPeriod
from crisiscomm.extensions import db

from ..factories import briefing, contact, exam_period
from .helpers import post


def test_another_departments_briefing_is_a_404_in_web_and_api(departments, factory):
    other = briefing("ho-chi-minh", title="Họp báo TP HCM")
    mine = briefing(title="Họp báo Hà Nội")
    user = factory.user("comms_officer")
    client, api = factory.login(user), factory.api(user)
    for url in (f"/briefings/{other.id}", f"/briefings/{other.id}/edit", f"/briefings/{other.id}/hop-bao.ics"):
        assert client.get(url).status_code == 404, url
    assert post(client, f"/briefings/{other.id}/invitations").status_code == 404
    assert api.get(f"/api/v1/briefings/{other.id}").status_code == 404
    assert api.patch(f"/api/v1/briefings/{other.id}", json={"title": "x"}).status_code == 404
    assert api.get("/api/v1/briefings?department=ho-chi-minh").status_code == 404
    assert api.post("/api/v1/briefings", json={"department": "ho-chi-minh", "title": "x",
                                               "starts_at": "2026-10-01T09:00"}).status_code == 404
    assert [b["id"] for b in api.get("/api/v1/briefings").get_json()["items"]] == [mine.id]
    assert "Họp báo TP HCM" not in client.get("/briefings").get_data(as_text=True)
    ministry = factory.api(factory.user("ministry_comms"))
    assert ministry.get(f"/api/v1/briefings/{other.id}").status_code == 200


def test_api_create_validates_and_writes_nothing_on_error(departments, factory):
    api = factory.api(factory.user("spokesperson"))
    response = api.post("/api/v1/briefings", json={"title": "", "starts_at": "mai", "online_link": "ftp://x",
                                                   "attachments": [{"url": "javascript:alert(1)"}]})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) >= {"title", "starts_at", "online_link", "attachments"}
    assert db.session.scalar(db.select(db.func.count(Briefing.id))) == 0
    response = api.post("/api/v1/briefings", json={
        "title": "Họp báo quý IV", "starts_at": "2026-10-15T09:00", "place": "23 Quang Trung",
        "attachments": [{"title": "Thông cáo", "url": "https://hanoi.edu.vn/thong-cao.pdf"}],
        "internal_units": ["Phòng Giáo dục Trung học"]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["quarter"] == "2026Q4" and body["starts_at"] == "2026-10-15T02:00:00+00:00"
    assert body["ends_at"] == "2026-10-15T04:00:00+00:00" and body["department"] == "ha-noi"
    assert any("provincial" in w or "tỉnh" in w for w in body["warnings"])
    viewer = factory.api(factory.user("viewer"))
    assert viewer.post("/api/v1/briefings", json={"title": "x", "starts_at": "2026-10-15T09:00"}).status_code == 403


def test_form_shows_errors_and_warnings(departments, factory, clock):
    exam_period("Kỳ thi tốt nghiệp THPT 2026", datetime(2026, 6, 25).date(), datetime(2026, 6, 27).date())
    provincial = contact(raw=True)
    client = factory.login(factory.user("comms_officer"))
    form = client.get("/briefings/new?lang=en").get_data(as_text=True)
    assert "Báo Hànộimới" in form and "Provincial press" in form
    response = post(client, "/briefings/new", {"title": "", "starts_at": "2026-06-26T09:00", "status": "planned"},
                    page="/briefings/new")
    assert response.status_code == 422 and 'class="error"' in response.get_data(as_text=True)
    response = post(client, "/briefings/new", {"title": "Họp báo giữa kỳ thi", "starts_at": "2026-06-26T09:00",
                                               "status": "postponed", "contact_ids": [str(provincial.id)]},
                    page="/briefings/new")
    assert response.status_code == 422  # postponed without a reason
    assert db.session.scalar(db.select(db.func.count(Briefing.id))) == 0
    response = post(client, "/briefings/new", {"title": "Họp báo giữa kỳ thi", "starts_at": "2026-06-26T09:00",
                                               "status": "planned", "contact_ids": [str(provincial.id)],
                                               "minutes": ""}, page="/briefings/new")
    assert response.status_code == 302
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Kỳ thi tốt nghiệp THPT 2026" in page  # warned: planned on an exam day
    assert "No central press agency resident in the province is invited." in page
    assert "No provincial press outlet is invited." not in page
    b = db.session.scalars(db.select(Briefing)).one()
    assert b.starts_at == datetime(2026, 6, 26, 2, 0, tzinfo=timezone.utc)

    # Minutes are Markdown, sanitised; attendance is recorded.
    post(client, f"/briefings/{b.id}/edit", {"title": b.title, "starts_at": "2026-06-26T09:00", "status": "held",
                                             "contact_ids": [str(provincial.id)],
                                             "minutes": "## Kết luận\n<script>alert(1)</script>**rõ ràng**"},
         page=f"/briefings/{b.id}/edit")
    post(client, f"/briefings/{b.id}/attendance", {"attended": [str(b.invitations[0].id)]}, page=f"/briefings/{b.id}")
    page = client.get(f"/briefings/{b.id}").get_data(as_text=True)
    assert "<h2>Kết luận</h2>" in page and "<strong>rõ ràng</strong>" in page and "<script>alert" not in page
    db.session.expire_all()
    assert b.status == "held" and b.invitations[0].attended and b.outlets_present == 1


def test_planning_a_school_year_avoids_exam_days(departments, factory, clock):
    exam_period("Kỳ thi HSG", datetime(2026, 2, 10).date(), datetime(2026, 2, 17).date())
    briefing(starts_at=datetime(2025, 11, 12, 2, 0, tzinfo=timezone.utc), title="Đã có quý IV")
    client = factory.login(factory.user("director"))
    page = client.get("/briefings/plan?school_year=2025-2026").get_data(as_text=True)
    for key in ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"):
        assert f'name="use_{key}"' in page
    assert 'name="date_2026Q1" value="2026-02-18"' in page  # mid-quarter (14/02) is in the exam, 18/02 is not
    assert "Đã có quý IV" in page
    response = post(client, "/briefings/plan", {"school_year": "2025-2026", "use_2026Q1": "1",
                                                "date_2026Q1": "2026-02-12", "time_2026Q1": "09:00",
                                                "use_2026Q2": "1", "date_2026Q2": "2026-07-01",
                                                "time_2026Q2": "09:00"}, page="/briefings/plan")
    assert response.status_code == 422  # 1 July is not in Q2
    assert db.session.scalar(db.select(db.func.count(Briefing.id))) == 1
    response = post(client, "/briefings/plan", {"school_year": "2025-2026", "use_2026Q1": "1",
                                                "date_2026Q1": "2026-02-12", "time_2026Q1": "09:00",
                                                "use_2026Q2": "1", "date_2026Q2": "2026-05-13",
                                                "time_2026Q2": "14:30"}, page="/briefings/plan")
    assert response.status_code == 302
    starts = sorted(b.starts_at for b in db.session.scalars(db.select(Briefing)))
    assert starts[1:] == [datetime(2026, 2, 12, 2, 0, tzinfo=timezone.utc),
                          datetime(2026, 5, 13, 7, 30, tzinfo=timezone.utc)]
    listing = client.get("/briefings?lang=en").get_data(as_text=True)
    assert "Kỳ thi HSG" in listing  # the exam-day warning is flashed


def test_exam_periods_are_edited_by_the_ministry(departments, factory):
    client = factory.login(factory.user("ministry_admin"))
    response = post(client, "/briefings/exams", {"name": "Kỳ thi tốt nghiệp THPT 2026", "start_date": "2026-06-27",
                                                 "end_date": "2026-06-25"}, page="/briefings/exams")
    assert response.status_code == 422
    response = post(client, "/briefings/exams", {"name": "Kỳ thi tốt nghiệp THPT 2026", "start_date": "2026-06-25",
                                                 "end_date": "2026-06-27"}, page="/briefings/exams")
    assert response.status_code == 302
    assert "25/06/2026 – 27/06/2026" in client.get("/briefings/exams").get_data(as_text=True)
    assert factory.login(factory.user("director")).get("/briefings/exams").status_code == 403


def test_setup_and_demo_hooks(app, departments, factory, runner):
    from crisiscomm.demo import create_demo

    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(ExamPeriod.id))) >= 4
    create_demo()
    db.session.commit()
    hanoi = db.session.scalars(db.select(Briefing).join(Briefing.department).where(
        Briefing.department.has(code="ha-noi"))).all()
    assert sum(b.status == "held" for b in hanoi) == 3 and sum(b.status == "planned" for b in hanoi) == 1
    assert all(b.minutes and b.outlets_present for b in hanoi if b.status == "held")
    client = factory.login(factory.user("ministry_comms"))
    for url in ("/briefings", "/briefings/compliance", "/briefings/exams", "/briefings/calendar",
                f"/briefings/{hanoi[0].id}", "/briefings/plan?department=ha-noi",
                f"/briefings/{hanoi[0].id}/edit", "/briefings/new?department=ha-noi", "/briefings/new"):
        assert client.get(url).status_code == 200, url
