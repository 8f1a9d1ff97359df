"""A school's focal point with a light account: only the network member's pages open (404 elsewhere: the rest does not exist for it), the menu
holds only them, and an incident reported from the school reaches the Department awaiting confirmation; a
communication officer confirms it and the escalation starts."""
import re

import pytest
from sqlalchemy import select

from crisiscomm import permissions
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Escalation, Incident

from ..factories import csrf_token


def _nav_labels(html):
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)]


@pytest.mark.parametrize("path", ["/incidents/", "/contacts/", "/network/", "/inquiries", "/briefings",
                                  "/stories/", "/plans/", "/departments/", "/statements"])
def test_other_pages_answer_404_in_vietnamese(world, factory, path):
    member = factory.login(world.member)
    r = member.get(path)
    assert r.status_code == 404
    assert "Không tìm thấy" in r.get_data(as_text=True)


def test_api_is_closed_too(world, factory):
    api = factory.api(world.member)
    assert api.get("/api/v1/incidents").status_code == 404
    assert api.get("/api/v1/network/schools").status_code == 404


def test_open_pages_and_menu(world, factory):
    member = factory.login(world.member)
    home = member.get("/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "Trường THPT Kim Liên" in html and "Báo cáo sự cố tại trường tôi" in html
    assert _nav_labels(html) == ["Trường của tôi", "Định hướng đã nhận"]  # their school, what was sent to them
    for path in ("/network/my-school", "/account", "/notifications/", "/good-stories/", "/spokespersons/"):
        assert member.get(path).status_code == 200, path
    officer = _nav_labels(factory.login(world.officer).get("/").get_data(as_text=True))
    assert "Mạng lưới truyền thông" in officer and "Trường của tôi" not in officer


def test_gate_follows_the_permission_a_view_names(app, world):
    """A view of another package that names a permission the member holds opens without the gate knowing it."""
    view = permissions.required("network.member")(lambda: "ok")
    app.view_functions["elsewhere.inbox"] = view
    assert permissions.opens(world.member, "elsewhere.inbox", app)
    app.view_functions["elsewhere.staff"] = permissions.required("incident.write")(lambda: "no")
    assert not permissions.opens(world.member, "elsewhere.staff", app)
    assert permissions.opens(world.officer, "elsewhere.staff", app)


def test_report_confirm_and_escalate(world, factory, smtp_server):
    member = factory.login(world.member)
    page = member.get("/network/report")
    assert page.status_code == 200
    r = member.post("/network/report", data={"csrf_token": csrf_token(page), "title": "",
                                             "occurred_at": "2026-06-26T07:30", "place": "Trường THPT Kim Liên"})
    assert r.status_code == 422
    assert db.session.scalar(select(Incident)) is None
    r = member.post("/network/report", data={
        "csrf_token": csrf_token(page), "title": "Phụ huynh tụ tập trước cổng trường", "occurred_at": "2026-06-26T07:30",
        "place": "Cổng trường", "exam_related": "y", "description": "Khoảng 30 phụ huynh phản đối kết quả."})
    assert r.status_code == 302
    incident = db.session.scalar(select(Incident))
    assert incident.awaiting_confirmation and incident.exam_related and incident.reporter_id == world.member.id
    # Nothing escalates yet; the officer and the director are told at once.
    assert db.session.scalars(select(Escalation)).all() == []
    assert incident.first_statement_due_at is None and incident.next_escalation_at is None
    for address in ("truyenthong@hanoi.edu.vn", "giamdoc@hanoi.edu.vn"):
        [message] = smtp_server.to(address)
        assert "Trường báo cáo sự cố" in message["Subject"]
    assert smtp_server.to("xem@hanoi.edu.vn") == []
    # The member sees the status of their own report, and not the incident page.
    assert "chờ Sở xác nhận" in member.get("/network/my-school").get_data(as_text=True)
    assert member.get(f"/incidents/{incident.id}").status_code == 404
    # The officer confirms with one button: escalation and statement clock start.
    officer = factory.login(world.officer)
    page = officer.get(f"/incidents/{incident.id}")
    assert "Xác nhận và bắt đầu báo cáo lên cấp trên" in page.get_data(as_text=True)
    r = officer.post(f"/incidents/{incident.id}/confirm", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 302
    db.session.expire_all()
    incident = db.session.get(Incident, incident.id)
    assert not incident.awaiting_confirmation and incident.first_statement_due_at is not None
    assert incident.next_escalation_at is not None
    assert {e.recipient_key for e in incident.escalations}
    assert len(smtp_server.to("giamdoc@hanoi.edu.vn")) == 2  # the report notice, then the escalation
    assert "Sở đã xác nhận" in member.get("/network/my-school").get_data(as_text=True)
    # Confirming twice is refused.
    assert officer.post(f"/incidents/{incident.id}/confirm",
                        data={"csrf_token": csrf_token(page)}).status_code == 409


def test_member_sees_only_their_own_reports(world, factory):
    from crisiscomm.network import service
    from ..factories import focal_point, user

    other = user("network_member", email="khai@kimlien.edu.vn", quick=True)
    focal = focal_point(world.school, "Lê Văn Khải")
    focal.user = other
    db.session.commit()
    client = factory.login(other)
    page = client.get("/network/report")
    r = client.post("/network/report", data={"csrf_token": csrf_token(page), "title": "Mất điện",
                                              "occurred_at": "2026-06-26T07:30"})
    assert r.status_code == 302
    assert service.focal_point_of(other) is not None
    assert "Mất điện" in client.get("/network/my-school").get_data(as_text=True)
    assert "Mất điện" not in factory.login(world.member).get("/network/my-school").get_data(as_text=True)
