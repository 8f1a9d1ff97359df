"""Small builders for briefing tests: real rows through the real services."""
from datetime import datetime, timezone

from crisiscomm.briefings import service
from crisiscomm.contacts.models import Contact
from crisiscomm.departments.service import find_by_code
from crisiscomm.extensions import db
from tests.factories import csrf_token


def contact(department="ha-noi", name="Nguyễn Thu Trang", outlet="Báo Hànộimới", outlet_type="provincial",
            email="trang@hanoimoi.example"):
    dep = find_by_code(department)
    c = Contact(department_id=dep.id, full_name=name, outlet=outlet, outlet_type=outlet_type, email=email, phones=[],
                archived=False)
    c.refresh_search_text()
    db.session.add(c)
    db.session.commit()
    return c


def briefing(department="ha-noi", starts_at=None, status="planned", contacts=(), title="Họp báo định kỳ", **data):
    dep = find_by_code(department)
    starts_at = starts_at or datetime(2026, 10, 15, 2, 0, tzinfo=timezone.utc)
    b = service.create_briefing(department=dep, user=None, data={
        "title": title, "starts_at": starts_at.isoformat(), "status": status,
        "contact_ids": [c.id for c in contacts], **data})
    db.session.commit()
    return b


def post(client, url, data=None, page=None):
    token = csrf_token(client.get(page or "/briefings"))
    return client.post(url, data={"csrf_token": token, **(data or {})})
