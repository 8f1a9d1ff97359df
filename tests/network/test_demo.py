"""The demo network: schools of every level in Hà Nội, groups, a few stale; the demo focal point's account."""
from sqlalchemy import func, select

from crisiscomm.demo import DEMO_PASSWORD, create_demo
from crisiscomm.extensions import db
from crisiscomm.network import service
from crisiscomm.network.models import LEVELS, NetworkGroup, School
from crisiscomm.users.service import find_by_email

from ..factories import csrf_token


def test_demo_network(factory):
    factory.departments()
    create_demo()
    db.session.commit()
    hanoi = db.session.scalars(select(School).where(School.department.has(code="ha-noi"))).all()
    assert len(hanoi) >= 20 and {s.level for s in hanoi} == set(LEVELS)
    assert all(s.focal_points for s in hanoi)
    assert 2 <= sum(service.is_stale(s) for s in hanoi) <= 5
    groups = {g.name: len(g.schools) for g in db.session.scalars(
        select(NetworkGroup).where(NetworkGroup.department_id == hanoi[0].department_id))}
    assert groups["Trường THPT"] >= 6 and groups["Điểm thi tốt nghiệp THPT 2026"] == 6
    member = find_by_email("hieupho@kimlien.demo")
    assert service.focal_point_of(member).school.name == "Trường THPT Kim Liên"
    client = factory.app.test_client()
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": member.email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert "Trường THPT Kim Liên" in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(School)) == len(hanoi) + 5
