"""Dashboards (Ministry overview, inquiry figures) are shared for FIGURES_CACHE_SECONDS and say when they were
computed; lists are never held back. Time moves with the frozen clock."""
import pytest

from crisiscomm.extensions import db
from crisiscomm.rules.service import seed_defaults

from ..factories import incident, inquiry
from .seed import seed_year


@pytest.fixture
def cached(app):
    app.config["FIGURES_CACHE_SECONDS"] = 30
    yield app
    app.extensions.pop("figures_cache", None)


def test_inquiry_figures_are_shared_for_the_configured_seconds_then_recounted(cached, factory, departments, clock):
    seed_defaults()
    db.session.commit()
    hanoi = factory.department("ha-noi")
    officer = factory.user("comms_officer", department="ha-noi")
    api = factory.api(officer)
    inquiry(officer, hanoi, subject="Điểm thi", journalist_name="Lê Hà", outlet="Báo Hà Nội Mới", questions="?")
    first = api.get("/api/v1/inquiries/stats?department=ha-noi").get_json()
    assert first["total"] == 1 and first["as_of"] == clock.now().isoformat()

    inquiry(officer, hanoi, subject="Phúc khảo", journalist_name="Lê Hà", outlet="Báo Hà Nội Mới", questions="?")
    clock.advance(seconds=29)
    held = api.get("/api/v1/inquiries/stats?department=ha-noi").get_json()
    assert held["total"] == 1 and held["as_of"] == first["as_of"]
    # The list is live all the while.
    assert len(api.get("/api/v1/inquiries?department=ha-noi").get_json()["items"]) == 2
    page = factory.login(officer).get("/inquiries/stats").get_data(as_text=True)
    assert "Số liệu tính đến" in page

    clock.advance(seconds=2)
    fresh = api.get("/api/v1/inquiries/stats?department=ha-noi").get_json()
    assert fresh["total"] == 2 and fresh["as_of"] == clock.now().isoformat()


def test_figures_of_one_department_never_answer_for_another(cached, factory, departments, clock):
    seed_defaults()
    db.session.commit()
    hanoi = factory.department("ha-noi")
    hanoi_officer = factory.user("comms_officer", department="ha-noi")
    hue_officer = factory.user("comms_officer", department="hue")
    inquiry(hanoi_officer, hanoi, subject="Điểm thi", journalist_name="Lê Hà", outlet="Báo Hà Nội Mới", questions="?")
    assert factory.api(hanoi_officer).get("/api/v1/inquiries/stats").get_json()["total"] == 1
    # Same request (no department given) by a user of another Department: its own figures, not Hà Nội's.
    assert factory.api(hue_officer).get("/api/v1/inquiries/stats").get_json()["total"] == 0


def test_ministry_overview_is_recomputed_after_the_configured_seconds(cached, factory, departments, clock):
    seeded = seed_year(factory, clock)
    api = factory.api(seeded["ministry"])

    def open_incidents_of_da_nang():
        body = api.get("/api/v1/overview").get_json()
        return {r["department"]: r["cells"] for r in body["rows"]}["da-nang"]["incidents_open"]["value"], body

    before, body = open_incidents_of_da_nang()
    assert before == 0 and body["generated_at"] == clock.now().isoformat()
    incident(factory.department("da-nang"), "Nghi lộ đề thi", exam_related=True)
    clock.advance(seconds=10)
    held, held_body = open_incidents_of_da_nang()
    assert held == 0 and held_body["generated_at"] == body["generated_at"]
    clock.advance(seconds=21)
    after, after_body = open_incidents_of_da_nang()
    assert after == 1 and after_body["generated_at"] == clock.now().isoformat()
