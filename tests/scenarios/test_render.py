"""Playbook rendering: real people and numbers filled in, blanks visible, the sandbox holds, no XSS."""
from datetime import datetime, timezone

from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident
from crisiscomm.scenarios import render, service
from crisiscomm.scenarios.models import ScenarioVersion

from ..factories import spokesperson_assignment


def _version(scenario, body):
    """A stored version with an arbitrary body (as if a file had bypassed `check`)."""
    v = ScenarioVersion(scenario=scenario, version=scenario.latest_version + 1, meta=scenario.version().meta,
                        body=body, checksum="x" * 64)
    db.session.add(v)
    scenario.latest_version = v.version
    db.session.commit()
    return v


def test_playbook_filled_with_department_people_and_incident(app, scenario, factory, clock):
    hanoi = factory.department("ha-noi")
    hanoi.website = "https://hanoi.edu.vn"
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn", phone="0905 000 111", title="Chánh Văn phòng")
    spokesperson_assignment(hanoi, spokesperson, raw=True, public_phone="024 3825 1234")
    factory.user("director", name="Nguyễn Văn Hùng")
    incident = Incident(department_id=hanoi.id, title="Tin đồn hoãn thi", category="misinformation",
                        occurred_at=datetime(2026, 6, 25, 23, 30, tzinfo=timezone.utc),
                        reported_at=datetime(2026, 6, 26, 0, 0, tzinfo=timezone.utc), place="Trường THPT Chu Văn An",
                        severity="high")
    db.session.add(incident)
    db.session.commit()

    pb = render.render_playbook(department=hanoi, scenario=scenario, incident=incident)
    html = str(pb.html)
    assert pb.version.version == 1
    assert "Sở GDĐT Hà Nội" in html
    assert "Báo cáo Nguyễn Văn Hùng" in html
    # The assignment's public phone takes precedence over the user's own number.
    assert pb.holding_statement == ("Sở GDĐT Hà Nội đã nắm được thông tin lúc 26/06/2026 06:30 tại Trường THPT "
                                    "Chu Văn An. Chúng tôi hiểu sự lo lắng của phụ huynh. Liên hệ: Đỗ Minh Tuấn, "
                                    "024 3825 1234.")
    assert "https://hanoi.edu.vn" in html
    assert "26/06/2026" in html  # {{ today }}
    assert '<div class="statement">' in html
    # Phases count from when the Department learned of it (00:00), not from when it happened (23:30).
    assert [p["due_at"] for p in pb.phases] == [datetime(2026, 6, 26, 0, 15, tzinfo=timezone.utc),
                                               datetime(2026, 6, 27, 0, 0, tzinfo=timezone.utc)]


def test_missing_values_render_as_visible_blanks(app, scenario, factory):
    hanoi = factory.department("ha-noi")
    pb = render.render_playbook(department=hanoi, scenario=scenario)
    html = str(pb.html)
    # No spokesperson, no director, no incident: blanks to fill, not errors and not empty strings.
    assert html.count('<span class="blank">…</span>') >= 5
    assert "Liên hệ: ……, ……." in pb.holding_statement


def test_sandbox_gives_a_template_nothing(app, scenario, factory):
    hanoi = factory.department("ha-noi")
    body = scenario.version().body.replace(
        "Tin đồn lan truyền",
        "A{{ ''.__class__.__mro__ }}B{{ config }}C{{ department.name.__class__ }}D{{ department.name|upper }}"
        "E{% for x in range(3) %}loop{% endfor %}F{{ self }}G{{ cycler.__init__.__globals__ }}H"
        "{% set department = 1 %}{{ lipsum() }}I Tin đồn lan truyền")
    v = _version(scenario, body)
    pb = render.render_playbook(department=hanoi, scenario=scenario, version=v.version)
    html = str(pb.html)
    assert "ABCDEFGHI Tin đồn lan truyền" in html
    for leaked in ("class", "SECRET", "Config", "loop", "SỞ GDĐT HÀ NỘI", "mro", "globals", "Lorem"):
        assert leaked not in html.split("ABCDEFGHI")[0] + "ABCDEFGHI"
    assert "<class" not in html and "SECRET_KEY" not in html and "looploop" not in html


def test_template_syntax_error_is_shown_as_text_not_a_crash(app, scenario, factory):
    v = _version(scenario, scenario.version().body.replace("Tin đồn lan truyền", "{{ department.name"))
    pb = render.render_playbook(department=factory.department("ha-noi"), scenario=scenario, version=v.version)
    html = str(pb.html)
    assert "{{" in html and "department.name" in html  # shown as written, nothing evaluated


def test_script_and_javascript_links_are_removed(app, scenario, factory):
    body = scenario.version().body.replace(
        "Tin đồn lan truyền",
        '<script>alert(1)</script><img src=x onerror="alert(2)"> [bấm vào đây](javascript:alert(3)) '
        '<a href="javascript:alert(4)">liên kết</a> <span class="blank" onclick="alert(5)">x</span> Tin đồn lan truyền')
    v = _version(scenario, body)
    hanoi = factory.department("ha-noi")
    hanoi.name = 'Sở <script>alert("name")</script>'
    db.session.commit()
    html = str(render.render_playbook(department=hanoi, scenario=scenario, version=v.version).html)
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html and "<img" not in html
    assert "Tin đồn lan truyền" in html
    assert "&lt;script&gt;" in html  # a Department name is text, never markup


def test_adaptation_is_used_when_present(app, scenario, factory):
    hanoi = factory.department("ha-noi")
    officer = factory.user("comms_officer")
    body = scenario.version().body.replace("- Cổng thông tin, fanpage, Zalo, họp báo.",
                                           "- Zalo OA Sở GDĐT Hà Nội: zalo.me/sogddt-hanoi")
    service.save_adaptation(scenario=scenario, department=hanoi, body=body, user=officer)
    db.session.commit()
    assert "zalo.me/sogddt-hanoi" in str(render.render_playbook(department=hanoi, scenario=scenario).html)
    other = factory.department("ho-chi-minh")
    assert "zalo.me/sogddt-hanoi" not in str(render.render_playbook(department=other, scenario=scenario).html)


def test_adaptation_follows_the_version_it_is_based_on(app, scenario, factory):
    hanoi = factory.department("ha-noi")
    body = scenario.version().body.replace("Tin đồn lan truyền", "Bản Hà Nội: tin đồn lan truyền")
    service.save_adaptation(scenario=scenario, department=hanoi, body=body, user=factory.user("spokesperson"))
    db.session.commit()
    v1 = scenario.version(1)
    assert "Bản Hà Nội" in str(render.render_playbook(department=hanoi, scenario=scenario, version=v1).html)
    v2 = _version(scenario, scenario.version().body.replace("Tin đồn lan truyền", "Phiên bản 2 của Bộ"))
    pb = render.render_playbook(department=hanoi, scenario=scenario, version=v2.version)
    assert pb.adaptation is None and "Phiên bản 2 của Bộ" in str(pb.html)
    # Without a version: the adaptation (based on version 1, now behind).
    pb = render.render_playbook(department=hanoi, scenario=scenario)
    assert pb.version.version == 1 and pb.adaptation.behind and "Bản Hà Nội" in str(pb.html)


def test_concurrent_edit_of_an_adaptation_is_a_conflict(app, scenario, factory):
    from crisiscomm.errors import Conflict
    import pytest

    hanoi = factory.department("ha-noi")
    user = factory.user("comms_officer")
    adaptation, _w = service.save_adaptation(scenario=scenario, department=hanoi, body=scenario.version().body,
                                             user=user)
    db.session.commit()
    seen = adaptation.updated_at.isoformat()
    db.session.expire_all()
    service.save_adaptation(scenario=scenario, department=hanoi, body=scenario.version().body + "\nA\n", user=user,
                            expected_updated_at=seen)
    db.session.commit()
    with pytest.raises(Conflict):
        service.save_adaptation(scenario=scenario, department=hanoi, body=scenario.version().body + "\nB\n",
                                user=user, expected_updated_at=seen)
