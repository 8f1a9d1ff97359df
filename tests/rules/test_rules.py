"""Deadline rules carry their source as data; a Department enters its own province's regulation."""
import pytest

from crisiscomm.errors import PermissionDenied, ValidationError
from crisiscomm.extensions import db
from crisiscomm.rules import service
from crisiscomm.rules.models import DeadlineRule

from ..factories import csrf_token

PROVINCE = {"name": "Trả lời câu hỏi của báo chí (quy chế của tỉnh)", "applies_to": "inquiry_response",
            "duration_minutes": "720", "legal_source": "Trả lời trong 12 giờ.",
            "source_document": "Quyết định 12/2024/QĐ-UBND", "source_article": "Điều 8", "source_date": "2024-03-15",
            "confidence": "verified", "incident_linked": "", "active": "1"}


@pytest.fixture
def seeded(app, factory, clock):
    factory.departments()
    service.seed_defaults()
    db.session.commit()


def test_seeded_rules_say_what_they_are(seeded):
    rules = {r.key: r for r in db.session.query(DeadlineRule)}
    hot = rules["incident_first_statement_hot"]
    assert hot.authority == "ministry_benchmark" and hot.confidence == "reported"
    assert hot.source_document.startswith("Quyết định 22/QĐ-BGDĐT") and hot.department_id is None
    assert "chưa kiểm chứng" in hot.legal_source
    assert rules["inquiry_default"].authority == "product_default"
    assert "inquiry_incident_linked" not in rules  # the decision sets no deadline for every such inquiry


def test_a_department_enters_its_province_rule_and_cannot_touch_anothers(seeded, factory):
    director = factory.user("director", department="ha-noi")
    rule = service.create_rule(user=director, data={**PROVINCE, "department_id": "999", "authority": "law"})
    assert rule.department.code == "ha-noi" and rule.authority == "province_regulation"
    other = factory.user("spokesperson", department="ho-chi-minh")
    with pytest.raises(PermissionDenied):
        service.update_rule(user=other, rule=rule, data=PROVINCE)
    with pytest.raises(PermissionDenied):
        service.create_rule(user=factory.user("comms_officer", department="ha-noi"), data=PROVINCE)
    national = db.session.query(DeadlineRule).filter_by(key="inquiry_default").one()
    with pytest.raises(PermissionDenied):
        service.update_rule(user=director, rule=national, data=PROVINCE)


def test_a_province_rule_needs_its_document_and_date(seeded, factory):
    director = factory.user("director", department="ha-noi")
    with pytest.raises(ValidationError) as exc:
        service.create_rule(user=director, data={**PROVINCE, "source_document": "", "source_date": ""})
    assert set(exc.value.fields) == {"source_document", "source_date"}
    client = factory.login(director)
    page = client.get("/admin/rules/new")
    response = client.post("/admin/rules/new", data={**PROVINCE, "source_date": "15/03/2024",
                                                     "csrf_token": csrf_token(page)})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "một ngày, ví dụ 2024-03-15" in body and db.session.query(DeadlineRule).count() == 3


def test_the_rules_page_shows_sources_and_confidence_to_the_department(seeded, factory):
    director = factory.user("director", department="ha-noi")
    service.create_rule(user=director, data=PROVINCE)
    service.create_rule(user=factory.user("ministry_admin"), data={**PROVINCE, "department_id": str(
        factory.department("ho-chi-minh").id), "authority": "province_regulation",
        "source_document": "Quyết định 77/2023/QĐ-UBND"})
    db.session.commit()
    body = factory.login(factory.user("comms_officer", department="ha-noi")).get("/admin/rules").get_data(as_text=True)
    assert "Quyết định 12/2024/QĐ-UBND, Điều 8, ban hành 15/03/2024" in body
    assert "Quy chế phát ngôn của tỉnh" in body and "Mốc tham chiếu của Bộ" in body
    assert "Mặc định của sản phẩm" in body and "theo tin đã đăng, chưa kiểm chứng" in body
    assert "77/2023" not in body  # another province's rule is not shown to this Department
    admin_page = factory.login(factory.user("ministry_admin")).get("/admin/rules").get_data(as_text=True)
    assert "77/2023" in admin_page


def test_a_rule_an_incident_deadline_came_from_is_in_use_and_gets_a_new_version(seeded, factory):
    """Rules asks incidents (through the registry) whether a due time came from a rule; it never imports them."""
    officer = factory.user("comms_officer", department="ha-noi")
    hot = db.session.query(DeadlineRule).filter_by(key="incident_first_statement_hot").one()
    assert not service.rule_in_use(hot)
    response = factory.api(officer).post("/api/v1/incidents", json={
        "title": "Ảnh đề thi lộ trên mạng xã hội", "category": "exam", "occurred_at": "2026-06-26T07:50:00+07:00",
        "severity": "high"})
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    hot = db.session.get(DeadlineRule, hot.id)
    assert service.rule_in_use(hot)
    admin = factory.user("ministry_admin")
    data = {"name": hot.name, "legal_source": hot.legal_source, "applies_to": hot.applies_to,
            "duration_minutes": "300", "severities": hot.severities, "authority": hot.authority,
            "source_document": hot.source_document, "confidence": hot.confidence, "active": True}
    successor = service.update_rule(user=admin, rule=hot, data=data)
    assert successor.id != hot.id and hot.valid_to is not None and successor.duration_minutes == 300


def test_the_rule_form_offers_the_conditions_of_inquiries_and_incidents(seeded, factory):
    client = factory.login(factory.user("ministry_admin"))
    html = client.get("/admin/rules/new?lang=en").get_data(as_text=True)
    for value, label in (("social_media", "Social media"), ("urgent", "Urgent"), ("critical", "critical")):
        assert f'value="{value}"' in html and label in html
