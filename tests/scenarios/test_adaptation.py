"""Department adaptations: behind badge, readable diff of the Ministry's changes, three-way rebase."""
from crisiscomm.extensions import db
from crisiscomm.scenarios import merge, service

from ..factories import csrf_token
from .helpers import bump, valid_text, write

LOCAL_LINE = "- Zalo OA Sở GDĐT Hà Nội: zalo.me/sogddt-hanoi"


def _publish_v2(scenario_dir, text):
    write(scenario_dir, "test-rumour.md", text)
    report = service.sync(str(scenario_dir))
    assert report.ok, report.errors
    db.session.commit()


def test_merge3_clean_and_conflicting():
    base = "a\nb\nc\nd\ne\n"
    ours = "a\nB (ours)\nc\nd\ne\n"
    theirs = "a\nb\nc\nd\nE (theirs)\n"
    chunks = merge.merge3(base, ours, theirs)
    assert not [c for c in chunks if c[0] == "conflict"]
    assert merge.resolve_merge(chunks) == "a\nB (ours)\nc\nd\nE (theirs)\n"

    theirs = "a\nB (theirs)\nc\nd\ne\n"
    chunks = merge.merge3(base, ours, theirs)
    conflicts = [c for c in chunks if c[0] == "conflict"]
    assert conflicts == [("conflict", ["b"], ["B (ours)"], ["B (theirs)"])]
    assert merge.resolve_merge(chunks, {0: "both"}) == "a\nB (ours)\nB (theirs)\nc\nd\ne\n"
    assert merge.resolve_merge(chunks, {"0": "theirs"}) == "a\nB (theirs)\nc\nd\ne\n"


def test_diff_lines_are_readable():
    lines = merge.diff_lines("## A\nmột\nhai\n", "## A\nmột\nba\n")
    assert ("del", "-hai") in lines and ("add", "+ba") in lines and lines[0][0] == "hunk"
    assert merge.changed_sections("## A\nmột\n## B\nx\n", "## A\nmột\n## B\ny\n## C\nz\n") == [
        ("changed", "B"), ("added", "C")]


def test_adaptation_behind_diff_and_clean_rebase(app, scenario, scenario_dir, factory):
    officer = factory.user("comms_officer")
    client = factory.login(officer)
    page = client.get("/scenarios/test-rumour/adaptation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-wordcount="#total-words"' in html and "data-keymessages" in html
    body = scenario.version().body.replace("- Cổng thông tin, fanpage, Zalo, họp báo.",
                                           "- Cổng thông tin, fanpage, Zalo, họp báo.\n" + LOCAL_LINE)
    response = client.post("/scenarios/test-rumour/adaptation",
                           data={"csrf_token": csrf_token(page), "body": body, "updated_at": ""})
    assert response.status_code == 302
    hanoi = factory.department("ha-noi")
    adaptation = service.find_adaptation(scenario=scenario, department=hanoi)
    assert adaptation.base_version.version == 1 and not adaptation.behind

    # The Ministry publishes version 2, changing another section.
    _publish_v2(scenario_dir, bump(valid_text(), 2, "2. Mời Công an tỉnh phối hợp xác minh nguồn tin."))
    db.session.expire_all()
    listing = client.get("/scenarios/").get_data(as_text=True)
    assert "badge-red" in listing  # "behind"
    rebase_page = client.get("/scenarios/test-rumour/adaptation/rebase")
    html = rebase_page.get_data(as_text=True)
    assert '<span class="add">+2. Mời Công an tỉnh phối hợp xác minh nguồn tin.</span>' in html
    assert "Hành động đầu tiên" in html  # the changed section is named
    response = client.post("/scenarios/test-rumour/adaptation/rebase", data={"csrf_token": csrf_token(rebase_page)})
    assert response.status_code == 302
    db.session.expire_all()
    adaptation = service.find_adaptation(scenario=scenario, department=hanoi)
    assert adaptation.base_version.version == 2 and not adaptation.behind
    assert LOCAL_LINE in adaptation.body and "Mời Công an tỉnh" in adaptation.body


def test_conflicting_rebase_asks_and_loses_nothing(app, scenario, scenario_dir, factory):
    hanoi = factory.department("ha-noi")
    officer = factory.user("spokesperson")
    ours = scenario.version().body.replace("1. Báo cáo {{ director.name }}.", "1. Báo cáo ngay Giám đốc {{ director.name }} qua điện thoại.")
    service.save_adaptation(scenario=scenario, department=hanoi, body=ours, user=officer)
    db.session.commit()
    theirs = valid_text().replace("version: 1", "version: 2").replace(
        "1. Báo cáo {{ director.name }}.", "1. Báo cáo {{ director.name }} và Bộ GDĐT trong 15 phút.")
    _publish_v2(scenario_dir, theirs)

    client = factory.login(officer)
    page = client.get("/scenarios/test-rumour/adaptation/rebase")
    html = page.get_data(as_text=True)
    assert "Báo cáo ngay Giám đốc" in html and "Bộ GDĐT trong 15 phút" in html
    assert 'name="conflict_0"' in html
    # Without a choice: 422, nothing changes.
    response = client.post("/scenarios/test-rumour/adaptation/rebase", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 422
    db.session.expire_all()
    assert service.find_adaptation(scenario=scenario, department=hanoi).base_version.version == 1
    # Keep both: neither side's words are lost.
    response = client.post("/scenarios/test-rumour/adaptation/rebase",
                           data={"csrf_token": csrf_token(page), "conflict_0": "both"})
    assert response.status_code == 302
    db.session.expire_all()
    adaptation = service.find_adaptation(scenario=scenario, department=hanoi)
    assert adaptation.base_version.version == 2
    assert "Báo cáo ngay Giám đốc" in adaptation.body and "Bộ GDĐT trong 15 phút" in adaptation.body


def test_adaptation_with_broken_sections_is_refused(app, scenario, factory):
    client = factory.login(factory.user("comms_officer"))
    page = client.get("/scenarios/test-rumour/adaptation")
    body = scenario.version().body.replace("## Kênh truyền thông", "## Kênh").replace(
        "Tin đồn lan truyền", "{{ config }} Tin đồn")
    response = client.post("/scenarios/test-rumour/adaptation",
                           data={"csrf_token": csrf_token(page), "body": body, "updated_at": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kênh truyền thông" in html and "config" in html
    assert service.find_adaptation(scenario=scenario, department=factory.department("ha-noi")) is None


def test_another_department_cannot_touch_the_adaptation(app, scenario, factory):
    hanoi = factory.department("ha-noi")
    service.save_adaptation(scenario=scenario, department=hanoi, body=scenario.version().body + "\nriêng Hà Nội\n",
                            user=factory.user("comms_officer"))
    db.session.commit()
    hcm_client = factory.login(factory.user("comms_officer", department="ho-chi-minh"))
    html = hcm_client.get("/scenarios/test-rumour/adaptation").get_data(as_text=True)
    assert "riêng Hà Nội" not in html
    api = factory.api(factory.user("spokesperson", department="ho-chi-minh"))
    assert api.get("/api/v1/scenarios/test-rumour/render?department=ha-noi").status_code == 404
    rendered = api.get("/api/v1/scenarios/test-rumour/render").json
    assert rendered["department"] == "ho-chi-minh" and not rendered["adapted"]
    viewer = factory.login(factory.user("viewer"))
    assert viewer.get("/scenarios/test-rumour/adaptation").status_code == 403
