"""Capture, push, triage and the one-step actions; alerts once per mention and once per burst; scoping."""
from sqlalchemy import func, select

from crisiscomm.extensions import db
from crisiscomm.incidents.models import Escalation, Incident
from crisiscomm.inquiries.models import Inquiry
from crisiscomm.monitoring import service
from crisiscomm.monitoring.models import BurstAlert, Mention
from crisiscomm.notifications.models import Notification

from .. import factories
from ..factories import csrf_token

PUSH = {"link": "https://www.facebook.com/groups/phuhuynh/posts/123?fbclid=abc",
        "title": "Phụ huynh tố trường thu tiền máy lạnh", "text": "Lớp con tôi phải đóng 500 nghìn…",
        "outlet": "Nhóm Phụ huynh Hà Nội", "published_at": "2026-06-26T07:30:00+07:00", "reach": 12000}


def _mention(world, title="Phụ huynh phản ánh lạm thu ở Hà Nội", link="https://bao.example/a.html", **kw):
    (m,) = service.record(title=title, text=kw.pop("text", "Sở GDĐT Hà Nội đã yêu cầu kiểm tra."), link=link,
                          outlet=kw.pop("outlet", "Báo Dân trí"), **kw)
    db.session.commit()
    return m


def _alerts(user):
    return db.session.scalars(select(Notification).where(Notification.recipient_id == user.id,
                                                         Notification.kind == "monitoring_alert",
                                                         Notification.channel == "in_app")).all()


def test_push_creates_once_then_adds_a_sighting(world, factory, clock):
    api = factory.api(world.officer)
    first = api.post("/api/v1/mentions", json=PUSH)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["department"] == "ha-noi" and body["link"] == "https://www.facebook.com/groups/phuhuynh/posts/123"
    again = api.post("/api/v1/mentions", json={**PUSH, "link": PUSH["link"] + "&utm_source=zalo"})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert len(again.get_json()["sightings"]) == 2
    bad = api.post("/api/v1/mentions", json={**PUSH, "link": "javascript:alert(1)", "reach": -1})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) >= {"reach"}
    listed = api.get("/api/v1/mentions?state=new&q=thu tien").get_json()["mentions"]
    assert [m["id"] for m in listed] == [body["id"]]
    spec = factory.api(world.officer).get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in spec["/api/v1/mentions"] and "patch" in spec["/api/v1/mentions/{mention_id}"]


def test_another_departments_mention_is_a_404(world, factory, clock):
    m = _mention(world)
    other = factory.api(world.other)
    assert other.get(f"/api/v1/mentions/{m.id}").status_code == 404
    assert other.patch(f"/api/v1/mentions/{m.id}", json={"state": "ignored"}).status_code == 404
    assert other.post(f"/api/v1/mentions/{m.id}/incident", json={}).status_code == 404
    assert other.get("/api/v1/mentions").get_json()["mentions"] == []
    page = factory.login(world.other)
    assert page.get(f"/monitoring/mentions/{m.id}").status_code == 404
    assert page.post(f"/monitoring/mentions/{m.id}/triage", data={"state": "ignored",
                                                                 "csrf_token": csrf_token(page.get("/monitoring/"))
                                                                 }).status_code == 404
    db.session.refresh(m)
    assert m.state == "new"
    admin = factory.api(world.admin)
    assert admin.get(f"/api/v1/mentions/{m.id}").status_code == 200  # the Ministry sees every Department's


def test_triage_states_tone_and_note(world, factory, clock):
    m = _mention(world)
    api = factory.api(world.officer)
    r = api.patch(f"/api/v1/mentions/{m.id}", json={"state": "seen", "tone": "negative", "note": "Đã gọi trường"})
    assert r.status_code == 200 and (r.get_json()["state"], r.get_json()["tone"]) == ("seen", "negative")
    assert api.patch(f"/api/v1/mentions/{m.id}", json={"state": "done"}).status_code == 422
    client = factory.login(world.officer)
    page = client.get(f"/monitoring/mentions/{m.id}")
    assert page.status_code == 200 and "Phụ huynh phản ánh lạm thu" in page.get_data(as_text=True)
    r = client.post(f"/monitoring/mentions/{m.id}/triage", data={"state": "ignored", "tone": "false_information",
                                                                 "note": "Tin sai", "csrf_token": csrf_token(page)})
    assert r.status_code == 303
    db.session.refresh(m)
    assert (m.state, m.tone, m.note) == ("ignored", "false_information", "Tin sai")
    inbox = client.get("/monitoring/?state=ignored").get_data(as_text=True)
    assert f'data-mention="{m.id}"' in inbox


def test_an_incident_created_from_a_mention_escalates(world, factory, clock):
    m = _mention(world, title="Nghi lộ đề thi Ngữ văn ở Hà Nội", text="Ảnh đề thi lan truyền trên Zalo")
    client = factory.login(world.officer)
    page = client.get(f"/monitoring/mentions/{m.id}")
    r = client.post(f"/monitoring/mentions/{m.id}/incident", data={
        "title": m.title, "category": "exam", "severity": "high", "exam_related": "1", "csrf_token": csrf_token(page)})
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    incident = db.session.scalar(select(Incident))
    assert r.headers["Location"].endswith(f"/incidents/{incident.id}")
    assert incident.title == m.title and incident.exam_related and incident.department_id == world.hanoi.id
    assert "Ảnh đề thi lan truyền trên Zalo" in incident.description
    level1 = {e.recipient_id for e in db.session.scalars(select(Escalation).where(
        Escalation.incident_id == incident.id, Escalation.level == 1))}
    assert {world.director.id, world.board.id} <= level1  # the head and, for an exam, the steering board
    db.session.refresh(m)
    assert (m.state, m.incident_id) == ("handled", incident.id)


def test_link_an_existing_incident_and_log_an_inquiry(world, factory, clock):
    m = _mention(world)
    incident = factories.incident("ha-noi", title="Lạm thu đầu năm")
    theirs = factories.incident("ho-chi-minh", title="Sự cố khác")
    api = factory.api(world.officer)
    r = api.post(f"/api/v1/mentions/{m.id}/incident", json={"incident_id": theirs.id})
    assert r.status_code == 422 and "incident_id" in r.get_json()["error"]["fields"]
    r = api.post(f"/api/v1/mentions/{m.id}/incident", json={"incident_id": incident.id})
    assert r.status_code == 200 and r.get_json()["incident_id"] == incident.id
    client = factory.login(world.officer)
    page = client.get(f"/monitoring/mentions/{m.id}")
    r = client.post(f"/monitoring/mentions/{m.id}/inquiry", data={"journalist_name": "Nguyễn Thu Trang",
                                                                  "csrf_token": csrf_token(page)})
    assert r.status_code == 303
    inquiry = db.session.scalar(select(Inquiry))
    assert inquiry.subject == m.title and inquiry.journalist_name == "Nguyễn Thu Trang"
    assert inquiry.incident_id == incident.id  # the incident the mention was linked to
    db.session.refresh(m)
    assert m.inquiry_id == inquiry.id


def test_a_high_severity_mention_alerts_the_officers_and_spokesperson_once(world, factory, clock):
    m = _mention(world, title="Clip bạo lực học đường ở Hà Nội", link="https://bao.example/clip.html")
    assert m.severity == "high"
    for person in (world.officer, world.spokesperson):
        (alert,) = _alerts(person)
        assert m.title in alert.subject
    assert _alerts(world.director) == [] and _alerts(world.other) == []
    _mention(world, title="Clip bạo lực học đường ở Hà Nội", link="https://bao.example/clip.html?utm_source=x")
    assert len(_alerts(world.officer)) == 1  # the same story again: a sighting, no new alert


def test_a_burst_is_alerted_once(world, factory, clock):
    for n in range(7):  # 5 in 30 minutes make a burst; the 6th and 7th are the same burst
        _mention(world, title=f"Tin thứ {n} về Sở GDĐT Hà Nội", link=f"https://bao.example/{n}.html")
        clock.advance(minutes=3)
    (burst,) = db.session.scalars(select(BurstAlert)).all()
    assert burst.department_id == world.hanoi.id and burst.count == 7
    (alert,) = _alerts(world.officer)
    assert alert.payload.get("urgent") and "5" in alert.subject
    clock.advance(hours=2)  # quiet, then a new burst
    for n in range(5):
        _mention(world, title=f"Tin mới {n} về Sở GDĐT Hà Nội", link=f"https://bao.example/moi-{n}.html")
    assert db.session.scalar(select(func.count()).select_from(BurstAlert)) == 2
    assert len(_alerts(world.officer)) == 2


def test_manual_capture_page(world, factory, clock):
    client = factory.login(world.officer)
    page = client.get("/monitoring/capture")
    assert page.status_code == 200
    data = {"link": "https://www.tiktok.com/@hs/video/1?is_from_webapp=1", "title": "Video học sinh bị phạt quỳ",
            "text": "Clip lan truyền", "outlet": "TikTok", "published_at": "2026-06-26T07:00", "reach": "5000",
            "csrf_token": csrf_token(page)}
    r = client.post("/monitoring/capture", data=data)
    assert r.status_code == 303
    m = db.session.scalar(select(Mention))
    assert (m.department_id, m.source, m.reach) == (world.hanoi.id, "manual", 5000)
    r = client.post("/monitoring/capture", data={**data, "link": "không phải địa chỉ"})
    assert r.status_code == 422 and db.session.scalar(select(func.count()).select_from(Mention)) == 1


def test_overview_counts_negative_mentions_of_the_last_day_and_positive_coverage(world, factory, clock):
    from crisiscomm.monitoring import figures

    old = _mention(world, title="Tin cũ về Hà Nội", link="https://bao.example/cu.html",
                   published_at=clock.now().replace(day=20))
    fresh = _mention(world, title="Tin mới về Hà Nội", link="https://bao.example/moi.html")
    good = _mention(world, title="Học sinh Hà Nội đạt giải", link="https://bao.example/giai.html")
    for m, tone in ((old, "negative"), (fresh, "false_information"), (good, "positive")):
        service.triage(mention=m, user=world.officer, tone=tone)
    db.session.commit()
    ids = [world.hanoi.id, world.hcm.id]
    assert figures.negative_last_day(ids, {"now": clock.now()}) == {world.hanoi.id: 1, world.hcm.id: 0}
    year = {"start": clock.now().replace(month=1, day=1), "end": clock.now().replace(month=12, day=31)}
    assert figures.positive_coverage(ids, year) == {world.hanoi.id: 1, world.hcm.id: 0}
    page = factory.login(world.admin).get("/overview/")
    assert page.status_code == 200 and "Tin tiêu cực (24 giờ)" in page.get_data(as_text=True)


def test_record_a_correction_into_the_statement_library(world, factory, clock):
    from crisiscomm.statements.models import Statement

    m = _mention(world, title="Tin đồn Hà Nội cho học sinh nghỉ học", link="https://bao.example/tin-don.html")
    client = factory.login(world.spokesperson)
    page = client.get(f"/monitoring/mentions/{m.id}")
    r = client.post(f"/monitoring/mentions/{m.id}/correction", data={
        "text": "Sở GDĐT Hà Nội khẳng định học sinh vẫn đi học bình thường.", "channel": "Cổng thông tin Sở",
        "published_at": "2026-06-26T07:45", "csrf_token": csrf_token(page)})
    assert r.status_code == 303
    (statement,) = db.session.scalars(select(Statement)).all()
    assert (statement.source_type, statement.source_id, statement.approved_by_id) == ("mention", m.id,
                                                                                      world.spokesperson.id)
    db.session.refresh(m)
    assert m.state == "handled"
    library = client.get("/statements?q=di hoc binh thuong").get_data(as_text=True)
    assert f"/monitoring/mentions/{m.id}" in library
    assert "Sở GDĐT Hà Nội khẳng định" in client.get(f"/monitoring/mentions/{m.id}").get_data(as_text=True)
    empty = client.post(f"/monitoring/mentions/{m.id}/correction", data={"text": "", "csrf_token": csrf_token(page)})
    assert empty.status_code == 303 and db.session.scalar(select(func.count()).select_from(Statement)) == 1
