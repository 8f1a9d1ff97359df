"""Press contacts: search, import/export, duplicates, scoping."""
import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook

from crisiscomm.clock import to_local
from crisiscomm.contacts import service, transfer  # noqa: F401
from crisiscomm.contacts.models import Contact
from crisiscomm.extensions import db

from ..factories import contact, csrf_token


@pytest.fixture
def hanoi(factory, departments):
    return factory.department("ha-noi")


def test_search_ignores_case_and_diacritics(hanoi, factory, clock):
    contact(hanoi, "Nguyễn Văn An", "Báo Giáo dục và Thời đại", "ministry", email=None, phones=["0912 345 601"])
    contact(hanoi, "Phạm Thu Trang", "VnExpress", "online", email=None)
    api = factory.api(factory.user("comms_officer"))
    names = lambda r: [i["full_name"] for i in r.get_json()["items"]]  # noqa: E731
    assert names(api.get("/api/v1/contacts?q=nguyen van an")) == ["Nguyễn Văn An"]
    assert names(api.get("/api/v1/contacts?q=NGUYEN")) == ["Nguyễn Văn An"]
    assert names(api.get("/api/v1/contacts?q=bao giao duc")) == ["Nguyễn Văn An"]
    assert names(api.get("/api/v1/contacts?q=345 601")) == ["Nguyễn Văn An"]
    assert names(api.get("/api/v1/contacts?outlet_type=online")) == ["Phạm Thu Trang"]
    r = api.get("/api/v1/contacts?outlet_type=magazine")
    assert r.status_code == 422 and "outlet_type" in r.get_json()["error"]["fields"]
    # Paging beyond what a database integer holds is refused by name (found by the API fuzzer: it was a 500).
    r = api.get("/api/v1/contacts?offset=894402971030265918390272")
    assert r.status_code == 422 and "offset" in r.get_json()["error"]["fields"]
    assert api.get("/api/v1/contacts?offset=2147483647").get_json()["items"] == []


def test_stale_flag_after_twelve_months(hanoi, factory, clock):
    c = contact(hanoi, "Lê Minh Đức", "Báo Giáo dục và Thời đại", "ministry", email=None)
    api = factory.api(factory.user("comms_officer"))
    assert api.get("/api/v1/contacts").get_json()["items"][0]["stale"] is False
    clock.advance(days=366)
    item = api.get("/api/v1/contacts").get_json()["items"][0]
    assert item["stale"] is True
    assert [i["id"] for i in api.get("/api/v1/contacts?stale=true").get_json()["items"]] == [c.id]
    assert api.post(f"/api/v1/contacts/{c.id}/verify").get_json()["stale"] is False


def test_create_update_archive_via_api_and_bad_input(hanoi, factory, clock):
    api = factory.api(factory.user("comms_officer"))
    r = api.post("/api/v1/contacts", json={"full_name": "", "outlet": "VTV", "outlet_type": "tv", "email": "x@",
                                           "phones": ["abc"]})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"full_name", "outlet_type", "email", "phones"}
    assert db.session.query(Contact).count() == 0
    r = api.post("/api/v1/contacts", json={"full_name": "Lê Hải Yến", "outlet": "VTV1", "outlet_type": "broadcast",
                                           "phones": ["0977 444 503"], "email": "Yen@VTV.vn"})
    assert r.status_code == 201
    cid = r.get_json()["id"]
    assert r.get_json()["email"] == "yen@vtv.vn"
    r = api.patch(f"/api/v1/contacts/{cid}", json={"beat": "Thời sự 19h", "archived": True})
    assert r.status_code == 200 and r.get_json()["archived"] is True
    assert api.get("/api/v1/contacts").get_json()["items"] == []
    assert [i["id"] for i in api.get("/api/v1/contacts?archived=true").get_json()["items"]] == [cid]
    assert db.session.get(Contact, cid) is not None  # never deleted
    viewer = factory.api(factory.user("viewer"))
    assert viewer.post("/api/v1/contacts", json={"full_name": "X", "outlet": "Y", "outlet_type": "online"}).status_code == 403


def test_scoping_other_department_is_404(hanoi, factory, clock):
    hcm = factory.department("ho-chi-minh")
    theirs = contact(hcm, "Trương Văn Bình", "Báo Tuổi Trẻ", "central_resident", email=None)
    officer = factory.user("comms_officer", department="ha-noi")
    api = factory.api(officer)
    assert api.get(f"/api/v1/contacts/{theirs.id}").status_code == 404
    assert api.patch(f"/api/v1/contacts/{theirs.id}", json={"beat": "x"}).status_code == 404
    assert api.get("/api/v1/contacts?department=ho-chi-minh").status_code == 404
    assert api.get("/api/v1/contacts?q=binh").get_json()["items"] == []
    web = factory.login(officer)
    assert web.get(f"/contacts/{theirs.id}").status_code == 404
    assert "Trương Văn Bình" not in web.get("/contacts/?q=binh").get_data(as_text=True)
    ministry = factory.api(factory.user("ministry_comms"))
    assert [i["full_name"] for i in ministry.get("/api/v1/contacts?department=ho-chi-minh").get_json()["items"]] == \
        ["Trương Văn Bình"]


CSV_OK = ("Họ và tên,Cơ quan báo chí,Loại hình,Lĩnh vực phụ trách,Điện thoại,Email\r\n"
          "Nguyễn Văn An,Báo Giáo dục và Thời đại,Cơ quan báo chí cấp Bộ,Thi cử,0912 345 601,an@gd.vn\r\n"
          "Phạm Thu Trang,VnExpress,online,Tuyển sinh,0983 111 201; 024 3825 0001,trang@vne.vn\r\n")
CSV_BROKEN = ("Họ và tên,Cơ quan báo chí,Loại hình,Điện thoại,Email\r\n"
              "Nguyễn Văn An,Báo Giáo dục và Thời đại,ministry,0912 345 601,an@gd.vn\r\n"
              ",VnExpress,online,0983 111 201,trang@vne.vn\r\n"
              "Lê Hải Yến,VTV1,tờ rơi,0977 444 503,yen@vtv\r\n")


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(api, name, data, **form):
    return api.post("/api/v1/contacts/import", data={"file": (io.BytesIO(data), name), **form},
                    content_type="multipart/form-data")


def test_import_valid_csv_and_xlsx(hanoi, factory, clock):
    api = factory.api(factory.user("comms_officer"))
    r = _upload(api, "list.csv", CSV_OK.encode(), dry_run="true")
    assert r.status_code == 200 and r.get_json()["would_create"] == 2 and r.get_json()["errors"] == []
    assert db.session.query(Contact).count() == 0  # dry run writes nothing
    r = _upload(api, "list.csv", CSV_OK.encode())
    assert r.status_code == 200 and r.get_json()["created"] == 2
    trang = db.session.query(Contact).filter_by(full_name="Phạm Thu Trang").one()
    assert trang.phones == ["0983 111 201", "024 3825 0001"] and trang.outlet_type == "online"
    xlsx = _xlsx([["Full name", "Outlet", "Outlet type", "Phones", "Email"],
                  ["Lê Hải Yến", "VTV1", "Phát thanh – Truyền hình", "0977444503", "yen@vtv.vn"]])
    r = _upload(api, "list.xlsx", xlsx)
    assert r.status_code == 200 and r.get_json()["created"] == 1
    assert db.session.query(Contact).filter_by(full_name="Lê Hải Yến").one().outlet_type == "broadcast"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_broken_file_imports_nothing_and_reports_rows(hanoi, factory, clock, kind):
    api = factory.api(factory.user("comms_officer"))
    if kind == "csv":
        name, data = "broken.csv", CSV_BROKEN.encode()
    else:
        import csv as _csv

        name, data = "broken.xlsx", _xlsx(list(_csv.reader(io.StringIO(CSV_BROKEN))))
    r = _upload(api, name, data)
    assert r.status_code == 422
    report = r.get_json()["error"]["report"]
    problems = {(e["row"], e["column"]) for e in report["errors"]}
    assert (3, "Họ và tên") in problems
    assert (4, "Loại hình") in problems and (4, "Email") in problems
    assert db.session.query(Contact).count() == 0  # all or nothing
    r = _upload(api, name, data, only_valid="true")
    assert r.status_code == 200 and r.get_json()["created"] == 1
    assert [c.full_name for c in db.session.query(Contact)] == ["Nguyễn Văn An"]


def test_wrong_type_and_too_large_uploads(hanoi, factory, app, clock):
    api = factory.api(factory.user("comms_officer"))
    r = _upload(api, "photo.png", b"\x89PNG\r\n")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    r = _upload(api, "fake.xlsx", b"not a zip")
    assert r.status_code == 422
    r = _upload(api, "broken.xlsx", b"PK\x03\x04garbage")
    assert r.status_code == 422
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = _upload(api, "big.csv", CSV_OK.encode() * 20)
    assert r.status_code == 413
    assert db.session.query(Contact).count() == 0


def test_duplicates_reported_and_merged(hanoi, factory, clock):
    existing = contact(hanoi, "Nguyễn Văn An", "Báo Giáo dục và Thời đại", "ministry", phones=["0912 345 601"],
                       email="an@gd.vn")
    api = factory.api(factory.user("comms_officer"))
    csv_text = ("Họ và tên,Cơ quan báo chí,Loại hình,Điện thoại,Email\r\n"
                "Nguyễn V. An,Báo GD&TĐ,ministry,+84 912 345 601,\r\n"
                "Trần Bình,Dân trí,online,0983 000 111,binh@dt.vn\r\n"
                "Trần Văn Bình,Dân trí,online,,binh@dt.vn\r\n")
    report = _upload(api, "d.csv", csv_text.encode(), dry_run="1").get_json()
    dups = {d["row"]: d for d in report["duplicates"]}
    assert dups[2]["existing_id"] == existing.id and dups[4]["same_as_row"] == 3
    r = _upload(api, "d.csv", csv_text.encode())
    assert r.get_json()["created"] == 1 and r.get_json()["skipped_duplicates"] == 2
    r = _upload(api, "d.csv", csv_text.encode(), on_duplicate="import")
    assert r.get_json()["created"] == 3
    groups = api.get("/api/v1/contacts/duplicates").get_json()["items"]
    assert any(g["match"] == "phone" and {c["full_name"] for c in g["contacts"]} == {"Nguyễn Văn An", "Nguyễn V. An"}
               for g in groups)
    # merge through the page: keep the original, the copy is archived and its blanks are filled
    copy = db.session.query(Contact).filter_by(full_name="Nguyễn V. An").one()
    copy.beat = "Thi cử"
    db.session.commit()
    web = factory.login(factory.user("comms_officer"))
    page = web.get("/contacts/duplicates")
    assert "Nguyễn V. An" in page.get_data(as_text=True)
    r = web.post("/contacts/merge", data={"csrf_token": csrf_token(page), "contact_ids": [existing.id, copy.id],
                                          "keep_id": existing.id})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, copy.id).archived is True
    assert db.session.get(Contact, existing.id).beat == "Thi cử"


def test_export_round_trip_and_formula_guard(hanoi, factory, clock):
    contact(hanoi, "Nguyễn Văn An", "Báo Giáo dục và Thời đại", "ministry", phones=["+84 912 345 601", "024 3825 0001"],
            email="an@gd.vn", beat="Thi cử, tuyển sinh", notes="Dòng 1\nDòng 2")
    contact(hanoi, "=HYPERLINK(\"http://evil\")", "@Báo; giả", "online", email=None, beat="-1+2", notes="+cmd")
    contact(hanoi, "Lê Hải Yến", "VTV1", "broadcast", email=None,
            last_verified_at=clock.now() - timedelta(days=400))
    officer = factory.user("comms_officer")
    web = factory.login(officer)
    original = sorted(((c.full_name, c.outlet, c.outlet_type, c.beat, tuple(c.phones), c.email, c.notes,
                        to_local(c.last_verified_at).date()) for c in db.session.query(Contact)))
    csv_bytes = web.get("/contacts/export.csv").data
    assert "'=HYPERLINK" in csv_bytes.decode("utf-8-sig") and "'@Báo; giả" in csv_bytes.decode("utf-8-sig")
    assert "'+84 912 345 601" in csv_bytes.decode("utf-8-sig")
    xlsx_bytes = web.get("/contacts/export.xlsx").data
    ws = load_workbook(io.BytesIO(xlsx_bytes)).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value}
    # typed as text, shown exactly as written (no apostrophe), never a formula
    assert cells["=HYPERLINK(\"http://evil\")"].data_type == "s" and not any(c.data_type == "f" for c in cells.values())
    assert ws["A1"].value == "Họ và tên"
    vcf = web.get("/contacts/export.vcf?version=4.0").get_data(as_text=True)
    assert "BEGIN:VCARD" in vcf and "VERSION:4.0" in vcf and "FN:Nguyễn Văn An" in vcf
    assert "VERSION:3.0" in web.get("/contacts/export.vcf").get_data(as_text=True)
    # import each export into another Department: the same contacts come back
    ministry = factory.api(factory.user("ministry_admin"))
    for name, data in (("export.csv", csv_bytes), ("export.xlsx", xlsx_bytes)):
        target = factory.department("hai-phong")
        r = _upload(ministry, name, data, department="hai-phong")
        assert r.status_code == 200, r.get_json()
        back = sorted(((c.full_name, c.outlet, c.outlet_type, c.beat, tuple(c.phones), c.email, c.notes,
                        to_local(c.last_verified_at).date()) for c in db.session.query(Contact)
                       .filter_by(department_id=target.id, archived=False)))
        assert back == original
        for c in db.session.query(Contact).filter_by(department_id=target.id):
            c.archived = True
        db.session.commit()


def test_contact_pages_create_edit_and_import_flow(hanoi, factory, clock):
    officer = factory.user("comms_officer")
    web = factory.login(officer)
    page = web.get("/contacts/new")
    token = csrf_token(page)
    r = web.post("/contacts/new", data={"csrf_token": token, "full_name": "Tạ Thị Phương Thảo", "outlet": "Báo Hànộimới",
                                        "outlet_type": "provincial", "phones": "0936 333 402", "email": "khong-hop-le"})
    assert r.status_code == 422 and "không phải địa chỉ email hợp lệ" in r.get_data(as_text=True)
    assert db.session.query(Contact).count() == 0
    r = web.post("/contacts/new", data={"csrf_token": token, "full_name": "Tạ Thị Phương Thảo", "outlet": "Báo Hànộimới",
                                        "outlet_type": "provincial", "phones": "0936 333 402\n024 3825 0002",
                                        "email": "thao@hanoimoi.vn"})
    assert r.status_code == 302
    c = db.session.query(Contact).one()
    assert c.phones == ["0936 333 402", "024 3825 0002"]
    listing = web.get("/contacts/?q=phuong thao").get_data(as_text=True)
    assert "Tạ Thị Phương Thảo" in listing
    # import: upload → columns → preview → confirm
    page = web.get("/contacts/import")
    r = web.post("/contacts/import", data={"csrf_token": csrf_token(page),
                                           "file": (io.BytesIO(CSV_BROKEN.encode()), "b.csv")},
                 content_type="multipart/form-data")
    assert r.status_code == 302
    columns = web.get(r.location)
    assert columns.status_code == 200 and "Loại hình" in columns.get_data(as_text=True)
    r = web.post(r.location, data={"csrf_token": csrf_token(columns), "header_row": "1", "shown_header_row": "1",
                                   "default_outlet_type": "online", "col_A": "full_name", "col_B": "outlet",
                                   "col_C": "outlet_type", "col_D": "phones", "col_E": "email"})
    assert r.status_code == 302
    preview_url = r.location
    preview = web.get(preview_url)
    assert preview.status_code == 200 and "import-errors" in preview.get_data(as_text=True)
    assert db.session.query(Contact).count() == 1
    r = web.post(preview_url, data={"csrf_token": csrf_token(preview), "on_duplicate": "skip"})
    assert r.status_code == 422 and db.session.query(Contact).count() == 1
    r = web.post(preview_url, data={"csrf_token": csrf_token(preview), "on_duplicate": "skip", "only_valid": "y"})
    assert r.status_code == 302
    assert db.session.query(Contact).count() == 2


def test_cli_import_prints_report(hanoi, runner, tmp_path, clock):
    path = tmp_path / "broken.csv"
    path.write_text(CSV_BROKEN, encoding="utf-8")
    result = runner.invoke(args=["contacts", "import", str(path), "--department", "ha-noi", "--dry-run"])
    assert "row 3, column Họ và tên: required" in result.output
    assert db.session.query(Contact).count() == 0
    result = runner.invoke(args=["contacts", "import", str(path), "--department", "ha-noi"])
    assert result.exit_code != 0 and "nothing was imported" in result.output
    assert db.session.query(Contact).count() == 0
    ok = tmp_path / "ok.csv"
    ok.write_text(CSV_OK, encoding="utf-8")
    result = runner.invoke(args=["contacts", "import", str(ok), "--department", "ha-noi"])
    assert result.exit_code == 0 and "Imported 2 contacts" in result.output


def test_demo_contacts(hanoi, app, clock):
    from crisiscomm.demo import create_demo

    create_demo()
    db.session.commit()
    contacts = db.session.query(Contact).filter_by(department_id=hanoi.id).all()
    assert 25 <= len(contacts) <= 40
    assert any(service.is_stale(c) for c in contacts) and not all(service.is_stale(c) for c in contacts)
    assert [c.full_name for c in service.search_contacts(department_ids=[hanoi.id], q="bao giao duc")]


def test_long_contact_list_is_paged_with_the_total_and_filters_kept(hanoi, factory, clock):
    for n in range(1, 106):
        contact(hanoi, f"Phóng viên {n:03d}", "Báo Hà Nội mới", "provincial", email=None, commit=False)
    db.session.commit()
    web = factory.login(factory.user("comms_officer"))
    first = web.get("/contacts/?q=phong vien").get_data(as_text=True)
    assert "105" in first.split('<p class="muted">')[1].split("</p>")[0]  # the total, not the page size
    assert "Phóng viên 100" in first and "Phóng viên 101" not in first
    assert 'href="/contacts/?page=2&amp;q=phong+vien"' in first
    second = web.get("/contacts/?q=phong+vien&page=2").get_data(as_text=True)
    assert "Phóng viên 101" in second and "Phóng viên 105" in second and "Phóng viên 100" not in second
    assert web.get("/contacts/?page=abc").status_code == 200  # a bad page number is page 1, not an error
