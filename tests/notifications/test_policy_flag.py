"""The escalation policy can require an instant channel for level 1; the policy page and the Ministry overview
flag a director or board member who has none."""
from ..factories import csrf_token
from .conftest import confirm_apprise


def test_level1_people_without_instant_channel_are_flagged(world, factory, http_recorder, smtp_server):
    confirm_apprise(factory.login(world.board1), http_recorder, "/hook/board1")
    director = factory.login(world.director)
    page = director.get("/incidents/policy")
    form = {"csrf_token": csrf_token(page), "timeout_minutes": "10", "critical_timeout_minutes": "5",
            "require_instant_channel": "y", "members_1": "", "members_2": "", "members_3": ""}
    assert director.post("/incidents/policy", data=form).status_code == 302
    html = director.get("/incidents/policy").get_data(as_text=True)
    flagged = html.count("data-no-instant=")
    assert flagged == 2  # the director and board2; board1 confirmed a chat channel
    assert f'data-no-instant="{world.director.id}"' in html and f'data-no-instant="{world.board1.id}"' not in html
    assert "badge-red" in html.split('data-no-instant=')[0].rsplit("<span", 1)[1]

    data = factory.api(world.admin).get("/api/v1/overview").get_json()
    [hanoi] = [r for r in data["rows"] if r["department"] == "ha-noi"]
    cell = hanoi["cells"]["level1_instant_channel"]
    assert cell["value"] == 2 and cell["severity"] == "red"
    assert "Nguyễn Văn Hùng" in cell["detail"] and "Hoàng Văn Nam" not in cell["detail"]
    assert "/incidents/policy" in cell["link"]
