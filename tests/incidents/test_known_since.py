"""The first-statement clock starts when the Department learns of an incident, under its province's rule."""
from datetime import datetime, timedelta, timezone

from crisiscomm.clock import to_local
from crisiscomm.extensions import db
from crisiscomm.incidents import service
from crisiscomm.rules import service as rules

from .. import factories
from .conftest import incident_body


def test_a_clip_that_surfaces_two_days_later_is_not_overdue_before_anyone_knew(world, factory, clock):
    dep = factory.department("ha-noi")
    # The fight happened two days ago; the Department learns of it now, from a clip.
    incident = service.create_incident(actor=world.officer, department=dep, data=incident_body(
        title="Clip học sinh đánh nhau", category="school_safety", exam_related=False,
        occurred_at="2026-06-24T07:00:00+07:00"))
    db.session.commit()
    assert incident.known_at == clock.now()
    assert incident.first_statement_due_at == clock.now() + timedelta(hours=6)  # the Ministry's benchmark
    assert not incident.statement_overdue
    assert incident.first_statement_rule.authority == "ministry_benchmark"


def test_known_since_can_be_set_and_edited_and_moves_the_deadline(world, factory, clock):
    dep = factory.department("ha-noi")
    incident = service.create_incident(actor=world.officer, department=dep, data=incident_body(
        known_at="2026-06-26T07:55:00+07:00"))
    db.session.commit()
    assert to_local(incident.first_statement_due_at).strftime("%d/%m %H:%M") == "26/06 13:55"
    service.update_incident(incident=incident, actor=world.officer, data={"known_at": "2026-06-26T08:00:00+07:00"})
    db.session.commit()
    assert to_local(incident.first_statement_due_at).strftime("%d/%m %H:%M") == "26/06 14:00"
    assert any(e.field == "first_statement_due_at" for e in incident.events)


def test_known_since_cannot_precede_the_event_nor_be_in_the_future(world, factory, clock):
    import pytest

    from crisiscomm.errors import ValidationError

    dep = factory.department("ha-noi")
    with pytest.raises(ValidationError) as exc:
        service.create_incident(actor=world.officer, department=dep, data=incident_body(
            known_at="2026-06-26T07:00:00+07:00"))
    assert "known_at" in exc.value.fields
    db.session.rollback()
    with pytest.raises(ValidationError) as exc:
        service.create_incident(actor=world.officer, department=dep, data=incident_body(
            known_at="2026-06-27T07:00:00+07:00"))
    assert "known_at" in exc.value.fields


def test_the_province_rule_replaces_the_ministry_benchmark_for_that_department_only(world, factory, clock):
    hanoi, hcm = factory.department("ha-noi"), factory.department("ho-chi-minh")
    rule = factories.rule(world.director)
    assert rule.department_id == hanoi.id and rule.authority == "province_regulation"
    mine = service.create_incident(actor=world.officer, department=hanoi, data=incident_body())
    theirs = service.create_incident(actor=world.other, department=hcm, data=incident_body())
    db.session.commit()
    assert mine.first_statement_due_at == clock.now() + timedelta(hours=12)
    assert mine.first_statement_rule_id == rule.id
    assert theirs.first_statement_due_at == clock.now() + timedelta(hours=6)
    assert theirs.first_statement_rule.authority == "ministry_benchmark"


def test_the_incident_page_shows_the_deadline_with_its_source(world, factory, clock):
    dep = factory.department("ha-noi")
    incident = service.create_incident(actor=world.officer, department=dep, data=incident_body())
    db.session.commit()
    client = factory.login(world.officer)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Mốc tham chiếu của Bộ" in page and "Quyết định 22/QĐ-BGDĐT" in page
    assert "theo tin đã đăng, chưa kiểm chứng" in page
    factories.rule(world.director)
    clock.set(clock.now() + timedelta(minutes=5))
    other = service.create_incident(actor=world.officer, department=dep, data=incident_body())
    db.session.commit()
    page = client.get(f"/incidents/{other.id}").get_data(as_text=True)
    assert "Quy chế phát ngôn của tỉnh" in page and "Quyết định 12/2024/QĐ-UBND, Điều 7, ban hành 15/03/2024" in page
    assert "đã kiểm chứng" in page


def test_rule_selection_respects_validity_and_specificity(world, factory, clock):
    hanoi = factory.department("ha-noi")
    from crisiscomm.rules.models import INCIDENT_FIRST_STATEMENT

    old = factories.rule(world.director, duration_minutes=24 * 60, valid_to="2026-06-01T00:00")
    new = factories.rule(world.director, name="Sự cố nghiêm trọng", duration_minutes=4 * 60, severities=["critical"],
                         valid_from="2026-06-01T00:00")
    at = datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert rules.applicable_rule(INCIDENT_FIRST_STATEMENT, at=at, severity="high", department_id=hanoi.id) == old
    # After 1 June the old rule has ended; a high incident falls back to the Ministry's benchmark,
    # a critical one takes the province's specific rule.
    got = rules.applicable_rule(INCIDENT_FIRST_STATEMENT, at=clock.now(), severity="high", department_id=hanoi.id)
    assert got.authority == "ministry_benchmark"
    assert rules.applicable_rule(INCIDENT_FIRST_STATEMENT, at=clock.now(), severity="critical",
                                 department_id=hanoi.id) == new


def test_ids_beyond_what_a_database_holds_are_unknown_not_a_500(world, factory, clock):
    api = factory.api(world.officer)
    response = api.post("/api/v1/incidents", json=incident_body(scenario=-9312817246949))
    assert response.status_code == 422 and "scenario" in response.get_json()["error"]["fields"]
    response = api.post("/api/v1/incidents", json=incident_body(scenario=2**40, drill=True,
                                                                drill_recipients=[2**40]))
    assert response.status_code == 422
    assert {"scenario", "drill_recipients"} <= set(response.get_json()["error"]["fields"])
