"""The library, scenario, playbook and distribution pages, and the read API, with the real scenario files."""
import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from crisiscomm import SCENARIO_DIR
from crisiscomm.extensions import db
from crisiscomm.scenarios import fileformat, service
from crisiscomm.scenarios.models import ScenarioDistribution

from .. import factories
from ..factories import csrf_token

# The version the repository's exam-paper-leak file is at (the texts are revised; tests follow the file).
LEAK_VERSION = str(fileformat.parse_file(os.path.join(SCENARIO_DIR, "exam-paper-leak.md")).meta["version"])
# An exam-paper leak reported five minutes after it was seen.
LEAK = {"category": "exam", "exam_related": True, "exam": "Kỳ thi tốt nghiệp THPT năm 2026",
        "occurred_at": datetime(2026, 6, 26, 2, 15, tzinfo=timezone.utc),
        "reported_at": datetime(2026, 6, 26, 2, 20, tzinfo=timezone.utc), "place": "Điểm thi THPT Kim Liên",
        "severity": "critical"}


@pytest.fixture
def library(app, departments):
    report = service.sync()
    assert report.ok, report.errors
    db.session.commit()
    return report


def test_library_filters(app, library, factory):
    client = factory.login(factory.user("viewer"))
    html = client.get("/scenarios/").get_data(as_text=True)
    assert "Lộ, lọt đề thi trước hoặc trong khi thi" in html
    assert html.count('class="card"') >= 12
    exam_only = client.get("/scenarios/?exam=1").get_data(as_text=True)
    assert "Lộ, lọt đề thi" in exam_only and "Ngộ độc thực phẩm" not in exam_only
    health = client.get("/scenarios/?category=health").get_data(as_text=True)
    assert "Lộ, lọt đề thi" not in health
    search = client.get("/scenarios/?q=lo lot de").get_data(as_text=True)  # without diacritics
    assert "Lộ, lọt đề thi" in search


def test_playbook_page_for_an_incident(app, library, factory, clock):
    hanoi = factory.department("ha-noi")
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn", phone="0905 123 405")
    factories.spokesperson_assignment(hanoi, spokesperson, raw=True)
    incident = factories.incident(hanoi, **LEAK)
    client = factory.login(spokesperson)
    response = client.get(f"/scenarios/exam-paper-leak/playbook?incident={incident.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-copy="#holding-statement"' in html
    assert "Sở GDĐT Hà Nội" in html and "0905 123 405" in html
    assert "Kỳ thi tốt nghiệp THPT năm 2026" in html and "26/06/2026 09:15" in html
    assert 'class="checklist"' in html
    # Phase deadlines count from the moment the Department learned of it (02:20), not when it occurred (02:15).
    assert 'data-deadline="2026-06-26T02:35:00+00:00"' in html

    # Another Department's incident is a 404, never its content.
    other = factories.incident(factory.department("ho-chi-minh"), title="Sự cố TP HCM", **LEAK)
    assert client.get(f"/scenarios/exam-paper-leak/playbook?incident={other.id}").status_code == 404


def test_ministry_previews_any_department(app, library, factory):
    client = factory.login(factory.user("ministry_comms"))
    chooser = client.get("/scenarios/food-poisoning/playbook")
    assert chooser.status_code == 200 and 'name="department"' in chooser.get_data(as_text=True)
    html = client.get("/scenarios/food-poisoning/playbook?department=da-nang").get_data(as_text=True)
    assert "Sở GDĐT Đà Nẵng" in html


def test_distribute_form(app, library, factory):
    client = factory.login(factory.user("ministry_comms"))
    page = client.get("/scenarios/exam-paper-leak/distribute")
    assert page.status_code == 200
    token = csrf_token(page)
    response = client.post("/scenarios/exam-paper-leak/distribute",
                           data={"csrf_token": token, "version": LEAK_VERSION, "target": "chosen"})
    assert response.status_code == 422  # chosen, but no Department ticked
    assert db.session.query(ScenarioDistribution).count() == 0
    response = client.post("/scenarios/exam-paper-leak/distribute",
                           data={"csrf_token": token, "version": LEAK_VERSION, "target": "chosen",
                                 "departments": ["ha-noi", "hue"]})
    assert response.status_code == 302
    assert db.session.query(ScenarioDistribution).count() == 2
    response = client.post("/scenarios/exam-paper-leak/distribute",
                           data={"csrf_token": token, "version": LEAK_VERSION, "target": "all"})
    assert db.session.query(ScenarioDistribution).count() == 34
    table = client.get(f"/scenarios/exam-paper-leak/versions/{LEAK_VERSION}/distributions")
    assert table.get_data(as_text=True).count('class="waiting"') == 34
    # A Department user cannot open the distribution pages.
    dep = factory.login(factory.user("director"))
    assert dep.get("/scenarios/exam-paper-leak/distribute").status_code == 403
    assert dep.get(f"/scenarios/exam-paper-leak/versions/{LEAK_VERSION}/distributions").status_code == 403


def test_read_api(app, library, factory):
    api = factory.api(factory.user("comms_officer"))
    items = api.get("/api/v1/scenarios").json["items"]
    assert len(items) >= 12
    assert {"id", "title", "category", "latest_version"} <= set(items[0])
    exam = api.get("/api/v1/scenarios?exam_related=true").json["items"]
    assert exam and all(i["exam_related"] for i in exam)
    assert api.get("/api/v1/scenarios?category=weather").status_code == 422
    leak = next(i for i in items if i["slug"] == "exam-paper-leak")
    detail = api.get(f"/api/v1/scenarios/{leak['id']}").json
    assert detail["front_matter"]["phases"][0]["due_after"] == "15m"
    assert [v["version"] for v in detail["versions"]] == [int(LEAK_VERSION)]
    assert api.get("/api/v1/scenarios/no-such-thing").status_code == 404
    rendered = api.get(f"/api/v1/scenarios/{leak['id']}/render?department=ha-noi").json
    assert "Sở GDĐT Hà Nội" in rendered["html"] and rendered["holding_statement"]
    assert "<span class=\"blank\">" in rendered["html"]  # no spokesperson assigned yet
    spec = api.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/scenarios", "/api/v1/scenarios/{ident}", "/api/v1/scenarios/{ident}/distributions",
                 "/api/v1/distributions", "/api/v1/distributions/{distribution_id}/acknowledge",
                 "/api/v1/scenarios/{ident}/render"):
        assert path in spec


def test_scenario_page_and_version_diff(app, library, factory):
    client = factory.login(factory.user("spokesperson"))
    html = client.get("/scenarios/exam-paper-leak").get_data(as_text=True)
    assert "Lộ, lọt đề thi" in html and "15 phút" in html and "15m" not in html
    assert client.get("/scenarios/exam-paper-leak?version=9").status_code == 422
    assert client.get(f"/scenarios/exam-paper-leak/diff?from={LEAK_VERSION}&to={LEAK_VERSION}").status_code == 200


def test_demo_data(app, factory):
    from crisiscomm.demo import create_demo

    factory.departments()
    create_demo()
    db.session.commit()
    hanoi = factory.department("ha-noi")
    rows = db.session.scalars(select(ScenarioDistribution).where(ScenarioDistribution.department_id == hanoi.id)).all()
    assert len(rows) >= 12
    acknowledged = [r for r in rows if r.acknowledged]
    assert 0 < len(acknowledged) < len(rows)
    assert db.session.query(ScenarioDistribution).count() == 34 * len(rows)
