"""The network pages and API: folded search, filters, archive and restore, the stale flag, groups, scoping."""
from crisiscomm.extensions import db
from crisiscomm.network.models import NetworkGroup, School

from ..factories import csrf_token, focal_point, school


def _post(client, url, data=None, page=None):
    token = csrf_token(client.get(page or url))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_search_is_folded_over_schools_and_focal_points(world, factory):
    school(name="Trường Tiểu học Điện Biên", level="primary", commune="Phường Ba Đình")
    officer = factory.login(world.officer)
    page = officer.get("/network/?q=truong thpt kim lien").get_data(as_text=True)
    assert "Trường THPT Kim Liên" in page and "Điện Biên" not in page
    page = officer.get("/network/?q=DIEN BIEN").get_data(as_text=True)
    assert "Trường Tiểu học Điện Biên" in page and "Kim Liên</a>" not in page
    # by the focal point's name and by the phone as the office typed it
    assert "Trường THPT Kim Liên" in officer.get("/network/?q=nguyen thi hoa").get_data(as_text=True)
    assert "Trường THPT Kim Liên" in officer.get("/network/?q=0912345678").get_data(as_text=True)
    # the level filter shows the Vietnamese label and keeps only that level
    page = officer.get("/network/?level=primary").get_data(as_text=True)
    assert "Điện Biên" in page and "Kim Liên</a>" not in page and "Trường tiểu học" in page


def test_school_page_links_phone_and_mail(world, factory):
    page = factory.login(world.officer).get(f"/network/schools/{world.school.id}").get_data(as_text=True)
    assert 'href="tel:+84912345678"' in page and 'href="mailto:hoa@kimlien.edu.vn"' in page
    assert "Trường trung học phổ thông" in page  # the level in Vietnamese, not its stored value
    assert "upper_secondary" not in page


def test_create_edit_archive_restore_and_verify(world, factory, clock):
    officer = factory.login(world.officer)
    r = _post(officer, "/network/schools/new", {"name": "Trường THCS Giảng Võ", "level": "lower_secondary",
                                                 "ownership": "public", "commune": "Phường Giảng Võ"})
    assert r.status_code == 302
    new = db.session.scalar(db.select(School).where(School.name == "Trường THCS Giảng Võ"))
    # the same name in the same commune (folded) is refused, naming the field
    r = _post(officer, "/network/schools/new", {"name": "truong thcs giang vo", "level": "lower_secondary",
                                                 "ownership": "public", "commune": "PHƯỜNG GIẢNG VÕ"})
    assert r.status_code == 422 and "đã có trong mạng lưới" in r.get_data(as_text=True)
    r = _post(officer, f"/network/schools/{new.id}/focal-points/new", {"full_name": "Hoàng Anh Tuấn",
                                                                        "kind": "principal", "phone": "abc"},
              page=f"/network/schools/{new.id}/focal-points/new")
    assert r.status_code == 422 and "không phải số điện thoại" in r.get_data(as_text=True)
    r = _post(officer, f"/network/schools/{new.id}/archive", page=f"/network/schools/{new.id}")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(School, new.id).archived_at is not None
    assert "THCS Giảng Võ" not in officer.get("/network/").get_data(as_text=True)
    assert "THCS Giảng Võ" in officer.get("/network/?archived=1").get_data(as_text=True)
    _post(officer, f"/network/schools/{new.id}/restore", page=f"/network/schools/{new.id}")
    db.session.expire_all()
    assert db.session.get(School, new.id).archived_at is None


def test_stale_after_twelve_months_unverified(world, factory, clock):
    officer = factory.login(world.officer)
    clock.advance(days=366)
    page = officer.get("/network/?stale=1").get_data(as_text=True)
    assert "Trường THPT Kim Liên" in page and "stale-badge" in page
    _post(officer, f"/network/schools/{world.school.id}/verify", page=f"/network/schools/{world.school.id}")
    assert "Trường THPT Kim Liên" not in officer.get("/network/?stale=1").get_data(as_text=True)


def test_groups_add_all_of_a_level_and_remove(world, factory):
    school(name="Trường THPT Việt Đức", commune="Phường Hoàn Kiếm")
    school(name="Trường Mầm non Hoa Sen", level="preschool", commune="Phường Hoàn Kiếm")
    officer = factory.login(world.officer)
    r = _post(officer, "/network/groups", {"name": "Trường THPT", "description": ""})
    assert r.status_code == 302
    group = db.session.scalar(db.select(NetworkGroup))
    r = _post(officer, f"/network/groups/{group.id}/schools", {"level": "upper_secondary"},
              page=f"/network/groups/{group.id}")
    db.session.expire_all()
    assert sorted(s.name for s in group.schools) == ["Trường THPT Kim Liên", "Trường THPT Việt Đức"]
    _post(officer, f"/network/groups/{group.id}/schools", {"commune": "Phường Hoàn Kiếm"},
          page=f"/network/groups/{group.id}")
    db.session.expire_all()
    assert len(group.schools) == 3
    _post(officer, f"/network/groups/{group.id}/schools", {"remove": str(world.school.id)},
          page=f"/network/groups/{group.id}")
    db.session.expire_all()
    assert "Trường THPT Kim Liên" not in [s.name for s in group.schools]
    page = officer.get(f"/network/?group={group.id}").get_data(as_text=True)
    assert "Việt Đức" in page and "Kim Liên</a>" not in page


def test_ministry_reads_every_department_and_cannot_edit(world, factory):
    ministry = factory.login(world.ministry)
    page = ministry.get("/network/").get_data(as_text=True)
    assert "Kim Liên" in page and "Lê Hồng Phong" in page
    page = ministry.get("/network/?department=ho-chi-minh").get_data(as_text=True)
    assert "Lê Hồng Phong" in page and "Kim Liên</a>" not in page
    assert ministry.get("/network/schools/new").status_code == 403


def test_api_scoping_and_crud(world, factory):
    api = factory.api(world.officer)
    r = api.post("/api/v1/network/schools", json={"name": "Trường Tiểu học Kim Liên", "level": "primary",
                                                   "commune": "Phường Kim Liên"})
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    r = api.post(f"/api/v1/network/schools/{sid}/focal-points", json={"full_name": "Phan Thị Nga",
                                                                       "phone": "0912.000.111"})
    assert r.status_code == 201 and r.get_json()["phone_e164"] == "+84912000111"
    r = api.post("/api/v1/network/schools", json={"name": "X", "level": "university"})
    assert r.status_code == 422 and "level" in r.get_json()["error"]["fields"]
    names = [s["name"] for s in api.get("/api/v1/network/schools?q=kim lien").get_json()["schools"]]
    assert sorted(names) == ["Trường THPT Kim Liên", "Trường Tiểu học Kim Liên"]
    r = api.post("/api/v1/network/groups", json={"name": "Phường Kim Liên"})
    gid = r.get_json()["id"]
    r = api.patch(f"/api/v1/network/groups/{gid}", json={"add_commune": "Phường Kim Liên"})
    assert len(r.get_json()["schools"]) == 2
    assert [g["name"] for g in api.get("/api/v1/network/groups?q=phuong kim").get_json()["groups"]] == \
        ["Phường Kim Liên"]
    r = api.post(f"/api/v1/network/groups/{gid}/archive")
    assert r.status_code == 200 and api.get("/api/v1/network/groups").get_json()["groups"] == []
    assert api.patch(f"/api/v1/network/groups/{gid}", json={"archived": False}).get_json()["archived_at"] is None
    r = api.patch(f"/api/v1/network/schools/{sid}", json={"archived": True})
    assert r.status_code == 200 and r.get_json()["archived_at"]
    # another Department's school, focal point and group are a 404
    other = factory.api(world.other)
    assert other.get(f"/api/v1/network/schools/{sid}").status_code == 404
    assert other.patch(f"/api/v1/network/schools/{sid}", json={"name": "Y"}).status_code == 404
    assert other.post(f"/api/v1/network/schools/{sid}/archive").status_code == 404
    assert other.patch(f"/api/v1/network/focal-points/{world.focal.id}", json={"title": "Y"}).status_code == 404
    assert other.patch(f"/api/v1/network/groups/{gid}", json={"name": "Y"}).status_code == 404
    assert other.get("/api/v1/network/schools").get_json()["schools"][0]["name"] == "Trường THPT Lê Hồng Phong"
    assert factory.login(world.other).get(f"/network/schools/{sid}").status_code == 404


def test_openapi_documents_the_network(world, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/network/schools" in paths and "/api/v1/network/groups/{group_id}" in paths


def test_archived_focal_point_loses_its_account(world, factory):
    officer = factory.login(world.officer)
    _post(officer, f"/network/focal-points/{world.focal.id}/archive", page=f"/network/schools/{world.school.id}")
    db.session.expire_all()
    assert world.member.active is False


def test_give_an_account(world, factory):
    person = focal_point(world.school, "Lê Văn Khải", email="khai@kimlien.edu.vn")
    officer = factory.login(world.officer)
    r = _post(officer, f"/network/focal-points/{person.id}/account",
              {"email": "khai@kimlien.edu.vn", "password": "mot-mat-khau-dai-2026"},
              page=f"/network/schools/{world.school.id}")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert person.user is not None and person.user.role == "network_member"
    client = factory.login(person.user, password="mot-mat-khau-dai-2026")
    assert "Trường THPT Kim Liên" in client.get("/").get_data(as_text=True)
    # a weak password is refused under its field, nothing written
    other = focal_point(world.school, "Đinh Thị Lụa")
    r = _post(officer, f"/network/focal-points/{other.id}/account", {"email": "lua@x.vn", "password": "123"},
              page=f"/network/schools/{world.school.id}")
    assert r.status_code == 422
    db.session.expire_all()
    assert other.user is None
