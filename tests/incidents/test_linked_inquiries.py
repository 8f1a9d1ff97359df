"""A press question linked to an incident shows its state on the incident (API and page)."""
from .conftest import incident_body


def test_linked_inquiry_shows_its_state_in_the_api_and_on_the_page(world, factory, clock):
    api = factory.api(world.officer)
    incident_id = api.post("/api/v1/incidents", json=incident_body()).get_json()["id"]
    response = api.post("/api/v1/inquiries", json={
        "department": "ha-noi", "subject": "Sở đã xác minh ảnh đề thi chưa?", "journalist_name": "Hoàng Thị Yến",
        "outlet": "Báo Dân trí", "incident_id": incident_id})
    assert response.status_code == 201, response.get_json()
    [linked] = api.get(f"/api/v1/incidents/{incident_id}").get_json()["inquiries"]
    assert linked["status"] == "received"
    page = factory.login(world.officer).get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Sở đã xác minh ảnh đề thi chưa?" in page
    assert '<span class="badge">Tiếp nhận</span>' in page  # the state, in Vietnamese
