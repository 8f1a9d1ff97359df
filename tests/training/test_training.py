"""Training courses: materials, attendance, histories with drills, the untrained list, overview and scorecard."""
import io
from datetime import date, datetime, timezone

from crisiscomm.extensions import db
from crisiscomm.incidents.models import IncidentEvent
from crisiscomm.network.models import FocalPoint, School

from .. import factories
from ..factories import csrf_token

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _course_via_api(api, **extra):
    body = {"title": "Kỹ năng phát ngôn", "starts_on": "2026-03-15", "ends_on": "2026-03-16",
            "topics": ["spokesperson_skills"], "trainers": ["TS. Nguyễn Minh"], "place": "Hà Nội", **extra}
    return api.post("/api/v1/training/courses", json=body)


def test_course_with_materials_and_bad_files(app, factory, clock):
    director = factory.user("director")
    api = factory.api(director)
    created = _course_via_api(api)
    assert created.status_code == 201, created.get_json()
    course_id = created.get_json()["id"]
    ok = api.post(f"/api/v1/training/courses/{course_id}/materials",
                  data={"file": (io.BytesIO(PDF), "giao-trinh.pdf"), "title": "Giáo trình"},
                  content_type="multipart/form-data")
    assert ok.status_code == 201
    # an HTML page named .pdf, an executable, and a file over the limit are refused, naming the field
    fake = api.post(f"/api/v1/training/courses/{course_id}/materials",
                    data={"file": (io.BytesIO(b"<html><script>x</script>"), "bai-giang.pdf")},
                    content_type="multipart/form-data")
    assert fake.status_code == 422 and "file" in fake.get_json()["error"]["fields"]
    exe = api.post(f"/api/v1/training/courses/{course_id}/materials",
                   data={"file": (io.BytesIO(b"MZ\x90\x00"), "setup.exe")}, content_type="multipart/form-data")
    assert exe.status_code == 422 and "file" in exe.get_json()["error"]["fields"]
    app.config["TRAINING_MATERIAL_MAX_BYTES"] = 1000
    big = api.post(f"/api/v1/training/courses/{course_id}/materials",
                   data={"file": (io.BytesIO(PDF + b"0" * 2000), "lon.pdf")}, content_type="multipart/form-data")
    assert big.status_code == 422 and "MB" in big.get_json()["error"]["fields"]["file"]
    link = api.post(f"/api/v1/training/courses/{course_id}/materials", json={"url": "javascript:alert(1)"})
    assert link.status_code == 422 and "url" in link.get_json()["error"]["fields"]
    detail = api.get(f"/api/v1/training/courses/{course_id}").get_json()
    assert [m["filename"] for m in detail["materials"]] == ["giao-trinh.pdf"]
    # downloaded as an attachment, never rendered
    client = factory.login(director)
    page = client.get(f"/training/{course_id}")
    assert "Giáo trình" in page.get_data(as_text=True)
    download = client.get(f"/training/{course_id}/materials/{detail['materials'][0]['id']}")
    assert download.data == PDF and download.headers["Content-Disposition"].startswith("attachment")
    # the page form names the field too
    token = csrf_token(page)
    refused = client.post(f"/training/{course_id}/materials", data={
        "csrf_token": token, "file": (io.BytesIO(b"GIF89a"), "anh.gif")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "JPEG" in refused.get_data(as_text=True)


def test_bad_course_input_is_422_naming_fields(factory, clock):
    api = factory.api(factory.user("comms_officer"))
    bad = _course_via_api(api, title="", starts_on="15/03/2026", topics=["cooking"], ends_on="2026-01-01")
    fields = bad.get_json()["error"]["fields"]
    assert bad.status_code == 422 and {"title", "starts_on", "topics"} <= set(fields)
    backwards = _course_via_api(api, ends_on="2026-03-01")
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["error"]["fields"]
    unknown = _course_via_api(api, colour="red")
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["error"]["fields"]
    assert api.get("/api/v1/training/courses?topic=cooking").status_code == 422


def test_attendance_marked_on_one_screen(factory, clock):
    director = factory.user("director")
    spokesperson, officer = factory.user("spokesperson"), factory.user("comms_officer")
    course = factories.course(director)
    school = School(department_id=director.department_id, name="Trường THPT Kim Liên", level="upper_secondary")
    focal = FocalPoint(department_id=director.department_id, school=school, full_name="Trần Thu Trang")
    db.session.add_all([school, focal])
    db.session.commit()
    client = factory.login(director)
    page = client.get(f"/training/{course.id}")
    assert "Trần Thu Trang" in page.get_data(as_text=True)  # offered to add
    token = csrf_token(page)
    added = client.post(f"/training/{course.id}/participants", data={
        "csrf_token": token, "user_id": [str(spokesperson.id), str(officer.id)], "focal_point_id": str(focal.id)})
    assert added.status_code == 302
    rows = {p.name: p for p in course.participants}
    assert set(rows) == {spokesperson.name, officer.name, "Trần Thu Trang"}
    assert all(p.attendance == "registered" for p in rows.values())
    marked = client.post(f"/training/{course.id}/attendance", data={
        "csrf_token": token, f"attendance-{rows[spokesperson.name].id}": "attended",
        f"note-{rows[spokesperson.name].id}": "GCN số 12", f"attendance-{rows[officer.name].id}": "absent",
        f"attendance-{rows['Trần Thu Trang'].id}": "attended"})
    assert marked.status_code == 302
    db.session.expire_all()
    shown = client.get(f"/training/{course.id}").get_data(as_text=True)
    assert 'value="GCN số 12"' in shown
    detail = factory.api(director).get(f"/api/v1/training/courses/{course.id}").get_json()
    assert {p["name"]: p["attendance"] for p in detail["participants"]} == {
        spokesperson.name: "attended", officer.name: "absent", "Trần Thu Trang": "attended"}
    # a bad value writes nothing at all
    bad = client.post(f"/training/{course.id}/attendance", data={
        "csrf_token": token, f"attendance-{rows[officer.name].id}": "attended",
        f"attendance-{rows[spokesperson.name].id}": "maybe"})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(type(rows[officer.name]), rows[officer.name].id).attendance == "absent"


def test_history_on_the_profile_includes_a_drill(factory, clock):
    director = factory.user("director")
    officer = factory.user("comms_officer", name="Vũ Thị Mai")
    course = factories.course(director, title="Xử lý khủng hoảng truyền thông", topics=["crisis_communication"])
    factories.participant(course, director, officer)
    factories.incident(title="Diễn tập: tin giả về ngộ độc thực phẩm", drill=True,
                       drill_recipient_ids=[officer.id], at=datetime(2026, 5, 4, 3, tzinfo=timezone.utc))
    factories.incident(title="Sự cố thật không tính", at=datetime(2026, 5, 5, 3, tzinfo=timezone.utc))
    # a drill she was not named in but acted on (a timeline entry of hers) counts too
    acted = factories.incident(title="Diễn tập lộ đề thi", drill=True, at=datetime(2026, 3, 2, 3, tzinfo=timezone.utc))
    db.session.add(IncidentEvent(incident_id=acted.id, at=acted.occurred_at, actor_id=officer.id, kind="note",
                                 message="Đã soạn dự thảo thông cáo"))
    db.session.commit()
    account = factory.login(officer).get("/account").get_data(as_text=True)
    assert "Xử lý khủng hoảng truyền thông" in account and "Diễn tập: tin giả về ngộ độc thực phẩm" in account
    assert "04/05/2026" in account and "Sự cố thật không tính" not in account
    assert "Diễn tập lộ đề thi" in account and "02/03/2026" in account
    assert account.count('data-history="drill"') == 2 and account.count('data-history="course"') == 1
    person = factory.login(director).get(f"/training/people/{officer.id}").get_data(as_text=True)
    assert "Xử lý khủng hoảng truyền thông" in person and "Diễn tập: tin giả" in person


def test_untrained_list_at_school_year_boundaries(factory, clock):
    director = factory.user("director")
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn")
    officer = factory.user("comms_officer", name="Vũ Thị Mai")
    factory.user("viewer")  # not counted: neither a spokesperson nor communication staff
    # attended in October 2024: school year 2024-2025 (a school year runs 1 July – 30 June, as the appraisal counts)
    course = factories.course(director, starts_on=date(2024, 10, 10))
    factories.participant(course, director, spokesperson)
    factories.participant(course, director, officer, attendance="absent")
    api = factory.api(director)

    def untrained():
        return [p["name"] for p in api.get("/api/v1/training/untrained").get_json()["people"]]

    clock.set(datetime(2026, 6, 30, 16, 59, tzinfo=timezone.utc))  # 23:59 on 30/06/2026 in Hà Nội: 2025-2026
    assert untrained() == ["Vũ Thị Mai"]
    clock.set(datetime(2026, 6, 30, 17, 0, tzinfo=timezone.utc))  # 00:00 on 01/07/2026: 2026-2027 begins
    assert sorted(untrained()) == ["Vũ Thị Mai", "Đỗ Minh Tuấn"]
    page = factory.login(director).get("/training/people").get_data(as_text=True)
    assert "Đỗ Minh Tuấn" in page.split('id="trained"')[0]


def test_overview_metric_and_scorecard_evidence(factory, clock):
    ministry = factory.user("ministry_comms")
    director = factory.user("director")
    spokesperson, officer = factory.user("spokesperson"), factory.user("comms_officer")
    factory.user("comms_officer", department="ho-chi-minh")
    course = factories.course(ministry, invited=["ha-noi", "ho-chi-minh"], starts_on=date(2025, 11, 3))
    factories.participant(course, ministry, spokesperson)
    factories.participant(course, ministry, officer, attendance="absent")
    factories.participant(course, ministry, director)  # a director attended too: not in the share
    rows = {r["department"]: r["cells"] for r in factory.api(ministry).get("/api/v1/overview").get_json()["rows"]}
    cell = rows["ha-noi"]["training_trained"]
    assert cell["value"] == 0.5 and "50%" in cell["display"] and "(1/2)" in cell["display"]
    assert rows["ho-chi-minh"]["training_trained"]["value"] == 0
    card = factory.api(ministry).get("/api/v1/scorecard?year=2025-2026").get_json()
    hanoi = next(r for r in card["departments"] if r["department"] == "ha-noi")
    assert hanoi["evidence"]["training_trained"]["value"] == 0.5
    earlier = factory.api(ministry).get("/api/v1/scorecard?year=2023-2024").get_json()
    assert next(r for r in earlier["departments"] if r["department"] == "ha-noi")[
        "evidence"]["training_trained"]["value"] == 0


def test_scoping_other_departments_course_is_404(factory, clock):
    ministry = factory.user("ministry_comms")
    hanoi = factory.user("director")
    hcm = factory.user("director", department="ho-chi-minh")
    da_nang = factory.user("comms_officer", department="da-nang")
    own = factories.course(hanoi)
    national = factories.course(ministry, invited=["ho-chi-minh"], title="Khóa của Bộ")
    hcm_api = factory.api(hcm)
    assert hcm_api.get(f"/api/v1/training/courses/{own.id}").status_code == 404
    assert hcm_api.patch(f"/api/v1/training/courses/{own.id}", json={"title": "x"}).status_code == 404
    assert factory.login(hcm).get(f"/training/{own.id}").status_code == 404
    assert hcm_api.get(f"/api/v1/training/courses/{national.id}").status_code == 200
    assert factory.api(da_nang).get(f"/api/v1/training/courses/{national.id}").status_code == 404
    titles = [c["title"] for c in hcm_api.get("/api/v1/training/courses").get_json()["courses"]]
    assert titles == ["Khóa của Bộ"]
    # an invited Department adds and marks its own people, not another Department's, and cannot edit the course
    hcm_officer = factory.user("comms_officer", department="ho-chi-minh")
    added = hcm_api.post(f"/api/v1/training/courses/{national.id}/participants", json={"user_id": hcm_officer.id})
    assert added.status_code == 201
    other = hcm_api.post(f"/api/v1/training/courses/{national.id}/participants",
                         json={"user_id": factory.user("spokesperson").id})
    assert other.status_code == 422 and "user_id" in other.get_json()["error"]["fields"]
    assert hcm_api.patch(f"/api/v1/training/courses/{national.id}", json={"title": "x"}).status_code == 403
    marked = hcm_api.patch(f"/api/v1/training/courses/{national.id}/participants/{added.get_json()['id']}",
                           json={"attendance": "attended"})
    assert marked.status_code == 200 and marked.get_json()["attendance"] == "attended"
    assert hcm_api.patch(f"/api/v1/training/courses/{national.id}/participants/{added.get_json()['id']}",
                         json={"attendance": "yes"}).status_code == 422
    # on a Ministry course a Department sees its own people only; the Ministry sees everyone
    hanoi_spokesperson = factory.user("spokesperson", name="Người của Hà Nội")
    national.invited.append(factory.department("ha-noi"))
    db.session.commit()
    factories.participant(national, ministry, hanoi_spokesperson)
    seen = [p["name"] for p in hcm_api.get(f"/api/v1/training/courses/{national.id}").get_json()["participants"]]
    assert seen == [hcm_officer.name]
    assert "Người của Hà Nội" not in factory.login(hcm).get(f"/training/{national.id}").get_data(as_text=True)
    everyone = factory.api(ministry).get(f"/api/v1/training/courses/{national.id}").get_json()["participants"]
    assert {p["name"] for p in everyone} == {hcm_officer.name, "Người của Hà Nội"}
    hanoi_row = next(p for p in everyone if p["name"] == "Người của Hà Nội")
    assert hcm_api.patch(f"/api/v1/training/courses/{national.id}/participants/{hanoi_row['id']}",
                         json={"attendance": "absent"}).status_code == 404


def test_course_form_pages_create_and_edit(factory, clock):
    ministry = factory.user("ministry_comms")
    hanoi = factory.department("ha-noi")
    client = factory.login(ministry)
    form = client.get("/training/new")
    assert form.status_code == 200 and "Sở GDĐT Hà Nội" in form.get_data(as_text=True)  # Departments to invite
    token = csrf_token(form)
    refused = client.post("/training/new", data={"csrf_token": token, "title": "Khóa của Bộ",
                                                 "starts_on": "2026-09-10", "ends_on": "2026-09-01",
                                                 "topics": ["exam_communication"]})
    assert refused.status_code == 422 and "ngày kết thúc không được trước ngày bắt đầu" in refused.get_data(as_text=True)
    created = client.post("/training/new", data={"csrf_token": token, "title": "Khóa của Bộ",
                                                 "starts_on": "2026-09-10", "topics": ["exam_communication"],
                                                 "trainers": "Lê Thu Hà\nTrần Đức Long", "invited": [str(hanoi.id)],
                                                 "online": "y"})
    assert created.status_code == 302
    course_id = int(created.headers["Location"].rsplit("/", 1)[1])
    shown = client.get(f"/training/{course_id}").get_data(as_text=True)
    assert "Lê Thu Hà, Trần Đức Long" in shown and "Sở GDĐT Hà Nội" in shown and "trực tuyến" in shown
    edited = client.post(f"/training/{course_id}/edit", data={
        "csrf_token": token, "title": "Khóa của Bộ (đổi lịch)", "starts_on": "2026-09-12", "ends_on": "",
        "topics": ["exam_communication", "social_media"], "invited": [str(hanoi.id)]})
    assert edited.status_code == 302
    # the invited Department sees it among its upcoming courses, but cannot open its edit page
    director = factory.user("director")
    listing = factory.login(director).get("/training/?when=upcoming").get_data(as_text=True)
    assert "Khóa của Bộ (đổi lịch)" in listing
    assert factory.login(director).get(f"/training/{course_id}/edit").status_code == 404
    own = factory.api(director).post("/api/v1/training/courses", json={
        "title": "Khóa của Sở", "starts_on": "2026-09-12", "topics": ["social_media"], "invited": ["ho-chi-minh"]})
    assert own.status_code == 422 and "invited" in own.get_json()["error"]["fields"]


def test_a_merger_moves_courses_invitations_and_participants(factory, clock):
    from crisiscomm.departments import service as departments_service

    factory.departments(merger=False)
    ministry = factory.user("ministry_comms")
    ha_giang = factory.user("director", department="ha-giang")
    officer = factory.user("comms_officer", department="ha-giang")
    own = factories.course(ha_giang, title="Khóa của Sở Hà Giang")
    factories.participant(own, ha_giang, officer)
    national = factories.course(ministry, invited=["ha-giang", "tuyen-quang"], title="Khóa của Bộ")
    old, new = departments_service.find_by_code("ha-giang", False), departments_service.find_by_code("tuyen-quang")
    departments_service.merge(old=old, new=new)
    db.session.commit()
    db.session.expire_all()
    assert own.department_id == new.id and own.participants[0].department_id == new.id
    assert [d.code for d in national.invited] == ["tuyen-quang"]
    tuyen_quang = factory.user("director", department="tuyen-quang")
    titles = {c["title"] for c in factory.api(tuyen_quang).get("/api/v1/training/courses").get_json()["courses"]}
    assert titles == {"Khóa của Sở Hà Giang", "Khóa của Bộ"}
