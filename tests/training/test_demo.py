"""The demo's courses: the scorecard shows the training evidence and one Hà Nội officer appears untrained."""
from crisiscomm.demo import DEMO_PASSWORD, create_demo
from crisiscomm.extensions import db
from crisiscomm.plans.years import current_school_year
from crisiscomm.training.models import Course
from crisiscomm.users.service import find_by_email


def test_demo_training(factory, clock):
    factory.departments()
    create_demo()
    db.session.commit()
    courses = db.session.query(Course).all()
    assert len(courses) == 3 and any(c.department_id is None and c.invited for c in courses)
    ministry = find_by_email("admin@moet.demo")
    card = factory.api(ministry).get(f"/api/v1/scorecard?year={current_school_year()}").get_json()
    evidence = {r["department"]: r["evidence"]["training_trained"]["value"] for r in card["departments"]}
    assert evidence["ha-noi"] == 0.5 and evidence["ho-chi-minh"] == 1.0
    director = find_by_email("giamdoc@hanoi.demo")
    untrained = factory.api(director).get("/api/v1/training/untrained").get_json()["people"]
    assert [p["name"] for p in untrained] == ["Vũ Thị Mai"]
    pages = factory.login(director, DEMO_PASSWORD)
    assert "Bồi dưỡng kỹ năng phát ngôn" in pages.get("/training/?when=past").get_data(as_text=True)
    spokesperson = factory.login(find_by_email("phatngon@hanoi.demo"), DEMO_PASSWORD)
    account = spokesperson.get("/account").get_data(as_text=True)
    assert "Bồi dưỡng kỹ năng phát ngôn" in account and "xử lý khủng hoảng" in account
