"""The demo has good stories at every step, and its public page shows only the published, consented ones."""
from crisiscomm.demo import create_demo
from crisiscomm.extensions import db
from crisiscomm.stories.models import Story


def test_demo_stories(factory, client):
    factory.departments()
    create_demo()
    db.session.commit()
    states = {s.title: s.state for s in db.session.query(Story)}
    assert {"proposed", "verified", "approved", "published"} <= set(states.values())
    page = client.get("/good-stories/ha-noi").get_data(as_text=True)
    assert "Cô giáo 20 năm dạy chữ cho trẻ khuyết tật ở Ba Vì" in page
    assert "Em Hoàng Gia Bảo" not in page  # proposed, his parents have not signed yet
    assert "Cô giáo 20 năm" in client.get("/good-stories/").get_data(as_text=True)  # featured nationally
