"""The incident and the inquiry link back to the mention they came from; positive coverage is weighted in the
Ministry's scorecard of the school year."""
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident
from crisiscomm.inquiries.models import Inquiry
from crisiscomm.monitoring import service

from ..factories import csrf_token


def _mention(title, link, **kw):
    (m,) = service.record(title=title, text="Sở GDĐT Hà Nội đã nắm thông tin.", link=link, outlet="Báo Dân trí", **kw)
    db.session.commit()
    return m


def test_the_incident_and_the_inquiry_pages_link_back_to_the_mention(world, factory, clock):
    m = _mention("Nghi lộ đề thi Ngữ văn ở Hà Nội", "https://bao.example/lo-de.html")
    client = factory.login(world.officer)
    page = client.get(f"/monitoring/mentions/{m.id}")
    client.post(f"/monitoring/mentions/{m.id}/incident", data={"csrf_token": csrf_token(page), "category": "exam"})
    client.post(f"/monitoring/mentions/{m.id}/inquiry", data={"csrf_token": csrf_token(page),
                                                              "journalist_name": "Nguyễn Thu Trang"})
    incident, inquiry = db.session.scalar(select(Incident)), db.session.scalar(select(Inquiry))
    for url in (f"/incidents/{incident.id}", f"/inquiries/{inquiry.id}"):
        html = client.get(url).get_data(as_text=True)
        assert f'href="/monitoring/mentions/{m.id}"' in html and m.title in html, url
    mention_page = client.get(f"/monitoring/mentions/{m.id}").get_data(as_text=True)
    assert f"/incidents/{incident.id}" in mention_page and f"/inquiries/{inquiry.id}" in mention_page


def test_positive_coverage_is_weighted_in_the_scorecard(world, factory, clock, monkeypatch):
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)  # the shipped weights
    for n in range(3):
        m = _mention(f"Học sinh Hà Nội đoạt huy chương vàng {n}", f"https://bao.example/hcv-{n}.html")
        service.triage(mention=m, user=world.officer, tone="positive")
    neutral = _mention("Hà Nội công bố lịch thi", "https://bao.example/lich.html")
    service.triage(mention=neutral, user=world.officer, tone="neutral")
    db.session.commit()
    body = factory.api(world.admin).get("/api/v1/scorecard?year=2025-2026").get_json()
    (criterion,) = [c for c in body["criteria"] if c["key"] == "mentions_positive"]
    assert (criterion["weight"], criterion["target"]) == (2, 12)
    rows = {r["department"]: r["evidence"]["mentions_positive"] for r in body["departments"]}
    assert rows["ha-noi"]["value"] == 3 and rows["ho-chi-minh"]["value"] == 0
    assert "Tin báo chí tích cực" in factory.login(world.admin).get("/overview/scorecard?year=2025-2026").get_data(
        as_text=True)
