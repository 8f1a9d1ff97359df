"""Contact lists as provincial offices keep them: header on row 4 under a merged title, merged outlet cells,
phones typed as numbers, section rows and a signature block; CSVs in every encoding offices produce; the
column-mapping step (web and API) and its memory; previews that expire; files that would exhaust the server."""
import io
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from crisiscomm import jobs
from crisiscomm.contacts import imports, service
from crisiscomm.contacts.models import Contact, ContactImport
from crisiscomm.extensions import db

from ..factories import csrf_token


@pytest.fixture
def hanoi(factory, departments):
    return factory.department("ha-noi")


def _upload(api, name, data, **form):
    return api.post("/api/v1/contacts/import", data={"file": (io.BytesIO(data), name), **form},
                    content_type="multipart/form-data")


EXPECTED = {  # name: (outlet, outlet type, position, phones, e164)
    "Nguyễn Văn An": ("Báo Tuổi Trẻ", "central_resident", "Trưởng văn phòng", ["0912 345 678"], ["+84912345678"]),
    "Trần Thị Bích Ngọc": ("Báo Tuổi Trẻ", "central_resident", "Phóng viên", ["0983.111.201"], ["+84983111201"]),
    "Lê Hải Yến": ("Báo Thanh Niên", "central_resident", "Phóng viên", ["0977 444 503"], ["+84977444503"]),
    "Phạm Quốc Huy": ("Đài Phát thanh và Truyền hình Hà Nội", "broadcast", "Biên tập viên", ["+84 24 3825 0001"],
                      ["+842438250001"]),
    "Đỗ Thu Hà": ("Báo Hànộimới", "provincial", "Phóng viên", ["0936 333 402"], ["+84936333402"]),
}


def _web_upload(web, data, name="ds.xlsx"):
    """Upload a file on the import page; returns the response (a redirect to the column-mapping step)."""
    page = web.get("/contacts/import")
    return web.post("/contacts/import", data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def _imported(department):
    return {c.full_name: (c.outlet, c.outlet_type, c.position, c.phones, c.phone_numbers)
            for c in db.session.query(Contact).filter_by(department_id=department.id, archived=False)}


def test_office_xlsx_is_read_as_the_office_laid_it_out(hanoi, factory, clock, office_files):
    api = factory.api(factory.user("comms_officer"))
    r = _upload(api, "DS phong vien thuong tru 2026.xlsx", office_files.xlsx(), dry_run="true")
    assert r.status_code == 200, r.get_json()
    report = r.get_json()
    assert report["mapping"]["header_row"] == 4
    assert report["mapping"]["columns"] == {"B": "full_name", "C": "outlet", "D": "position", "E": "phones",
                                            "F": "email", "G": "notes"}  # STT (A) is not imported
    assert report["total"] == 5 and report["errors"] == [] and report["would_create"] == 5
    kinds = {s["row"]: s["kind"] for s in report["skipped"]}
    assert kinds == {1: "above_header", 2: "above_header", 5: "section", 9: "section", 13: "after_table",
                     14: "after_table", 17: "after_table"}  # the signer "Nguyễn Thị Hoa" is no journalist
    by_name = {p["full_name"]: p for p in report["preview"]}
    assert by_name["Trần Thị Bích Ngọc"]["outlet"] == "Báo Tuổi Trẻ"  # the merged outlet cell's second row
    assert by_name["Phạm Quốc Huy"]["type_source"] == "outlet" and by_name["Đỗ Thu Hà"]["type_source"] == "section"
    assert db.session.query(Contact).count() == 0
    r = _upload(api, "DS phong vien thuong tru 2026.xlsx", office_files.xlsx())
    assert r.status_code == 200 and r.get_json()["created"] == 5
    assert _imported(hanoi) == EXPECTED
    ngoc = db.session.query(Contact).filter_by(full_name="Trần Thị Bích Ngọc").one()
    assert ngoc.notes == "Phụ trách giáo dục"


@pytest.mark.parametrize("encoding,label", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"),
                                            ("cp1258", "Windows-1258")])
def test_office_csv_in_each_encoding(hanoi, factory, clock, office_files, encoding, label):
    api = factory.api(factory.user("comms_officer"))
    data = office_files.csv(office_files.rows(), encoding, delimiter=";" if encoding == "cp1258" else ",")
    if encoding == "cp1258":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # a real legacy file, not UTF-8 in disguise
    r = _upload(api, "danh-sach.csv", data, dry_run="true")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["encoding"] == label and r.get_json()["mapping"]["header_row"] == 4
    assert r.get_json()["errors"] == []
    r = _upload(api, "danh-sach.csv", data)
    assert r.get_json()["created"] == 5
    assert _imported(hanoi) == EXPECTED  # NFC text: "Nguyễn" decoded from Windows-1258 equals the typed one
    assert service.search_contacts(department_ids=[hanoi.id], q="Nguyễn Văn An")


def test_western_windows_1252_csv(hanoi, factory, clock, office_files):
    api = factory.api(factory.user("comms_officer"))
    data = office_files.csv(office_files.foreign_rows, "cp1252", delimiter=";")
    r = _upload(api, "foreign-press.csv", data, dry_run="true")
    assert r.get_json()["encoding"] == "Windows-1252"
    names = [p["full_name"] for p in r.get_json()["preview"]]
    assert names == ["François Lefèvre", "Jürgen Müller", "Inês Conceição"]
    _upload(api, "foreign-press.csv", data)
    assert db.session.query(Contact).filter_by(full_name="Jürgen Müller").one().phone_numbers == ["+498921830"]


def test_a_file_whose_columns_are_not_recognised_asks_for_the_mapping(hanoi, factory, clock, office_files):
    api = factory.api(factory.user("comms_officer"))
    rows = [["Danh sách đầu mối báo chí"], [], ["TT", "Đầu mối", "Báo/Đài", "Số máy"],
            ["1", "Vũ Minh Khôi", "Báo Nhân Dân", "0904 111 222"]]
    data = office_files.csv(rows, "utf-8")
    r = _upload(api, "dau-moi.csv", data, dry_run="true")
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert "header_row" in error["fields"] and [c["column"] for c in error["columns"]] == ["A", "B", "C", "D"]
    mapping = {"header_row": 3, "columns": {"Đầu mối": "full_name", "C": "outlet", "D": "phones"}}
    r = _upload(api, "dau-moi.csv", data, mapping=json.dumps(mapping))
    assert r.status_code == 200, r.get_json()
    assert _imported(hanoi) == {"Vũ Minh Khôi": ("Báo Nhân Dân", "central_resident", None, ["0904 111 222"],
                                                 ["+84904111222"])}
    # remembered: the Department's next list with these headers maps itself
    assert api.get("/api/v1/contacts/import/mapping").get_json()["headers"]["dau moi"] == "full_name"
    rows[3] = ["1", "Hoàng Lan", "VTV1", "0912 000 111"]
    r = _upload(api, "dau-moi-2.csv", office_files.csv(rows, "utf-8"), dry_run="true")
    assert r.status_code == 200 and r.get_json()["mapping"]["columns"] == {"B": "full_name", "C": "outlet",
                                                                           "D": "phones"}
    # a bad mapping names what is wrong
    r = _upload(api, "dau-moi.csv", data, mapping=json.dumps({"header_row": 3, "columns": {"B": "shoe_size"}}))
    assert r.status_code == 422 and "columns" in r.get_json()["error"]["fields"]
    r = _upload(api, "dau-moi.csv", data, mapping="{not json")
    assert r.status_code == 422 and "mapping" in r.get_json()["error"]["fields"]


def test_phones_typed_any_way_are_one_number(hanoi, factory, clock, office_files):
    api = factory.api(factory.user("comms_officer"))
    r = api.post("/api/v1/contacts", json={"full_name": "Nguyễn Văn An", "outlet": "Báo Tuổi Trẻ",
                                           "outlet_type": "central_resident", "phones": ["0912.345.678"]})
    assert r.status_code == 201 and r.get_json()["phone_numbers"] == ["+84912345678"]
    # The office's list has the same journalist with the number typed as a number (leading zero lost)
    report = _upload(api, "ds.xlsx", office_files.xlsx(), dry_run="true").get_json()
    dup = [d for d in report["duplicates"] if d["row"] == 6]
    assert dup and dup[0]["existing_name"] == "Nguyễn Văn An" and dup[0]["value"] == "+84912345678"
    for q in ("912345678", "0912 345 678", "+84 912 345 678", "84912345678", "0912.345.678"):
        found = api.get("/api/v1/contacts", query_string={"q": q}).get_json()["items"]
        assert [c["full_name"] for c in found] == ["Nguyễn Văn An"], q
    # the web form: an old eleven-digit mobile is stored as today's number; duplicates see it
    r = api.post("/api/v1/contacts", json={"full_name": "Lê Văn Cường", "outlet": "VTV", "outlet_type": "broadcast",
                                           "phones": "01689 123 456; +84 389 123 456"})
    assert r.get_json()["phones"] == ["0389 123 456"] and r.get_json()["phone_numbers"] == ["+84389123456"]
    api.post("/api/v1/contacts", json={"full_name": "Lê V. Cường", "outlet": "VTV", "outlet_type": "broadcast",
                                       "phones": ["038 912 3456"]})
    groups = api.get("/api/v1/contacts/duplicates").get_json()["items"]
    assert {(g["match"], g["value"]) for g in groups} == {("phone", "+84389123456")}
    r = api.post("/api/v1/contacts", json={"full_name": "X", "outlet": "Y", "outlet_type": "online",
                                           "phones": ["12345"]})
    assert r.status_code == 422 and "phones" in r.get_json()["error"]["fields"]
    # intake finds a journalist by name and any spelling of the number (the one place that reads phones)
    dep = hanoi
    assert service.find_contact(department=dep, full_name="Nguyễn Văn An", outlet="Tuổi Trẻ",
                                phone="+84912345678").phones == ["0912.345.678"]
    # the list shows the number as written and dials its canonical form
    listing = factory.login(factory.user("comms_officer")).get("/contacts/").get_data(as_text=True)
    assert 'href="tel:+84912345678">0912.345.678</a>' in listing


def test_column_mapping_step_on_the_web(hanoi, factory, clock, office_files):
    officer = factory.user("comms_officer")
    web = factory.login(officer)
    r = _web_upload(web, office_files.xlsx(), "DS phóng viên.xlsx")
    assert r.status_code == 302 and "/columns" in r.location
    columns_url = r.location
    page = web.get(columns_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'<option value="4" selected>Dòng 4: STT · Họ và tên', html)
    assert re.search(r'name="col_D">.*?<option value="position" selected>Chức vụ</option>', html, re.S)
    assert re.search(r'name="col_A">\s*<option value="" selected>', html)  # STT: not imported
    # the officer keeps "Ghi chú" out of this import and confirms
    form = {"csrf_token": csrf_token(page), "header_row": "4", "shown_header_row": "4", "action": "columns",
            "default_outlet_type": "provincial", "col_A": "", "col_B": "full_name", "col_C": "outlet",
            "col_D": "position", "col_E": "phones", "col_F": "email", "col_G": ""}
    r = web.post(columns_url, data={**form, "col_C": ""})
    assert r.status_code == 422 and "Cơ quan báo chí" in r.get_data(as_text=True)  # outlet is required
    r = web.post(columns_url, data=form)
    assert r.status_code == 302
    preview = web.get(r.location)
    html = preview.get_data(as_text=True)
    assert "Người lập biểu" in html and "dưới bảng" in html and "đề mục" in html
    assert "Số dòng: 5" in html and "Phụ trách giáo dục" not in html
    assert db.session.query(Contact).count() == 0
    r = web.post(r.location, data={"csrf_token": csrf_token(preview)})  # no duplicates: no choice shown
    assert r.status_code == 302 and r.location.endswith("/contacts/")
    assert _imported(hanoi) == EXPECTED
    assert db.session.query(Contact).filter_by(full_name="Trần Thị Bích Ngọc").one().notes is None
    upload = db.session.query(ContactImport).one()
    assert upload.data == b"" and upload.imported_at is not None  # the file is gone once imported
    again = web.post(preview.request.path, data={"csrf_token": csrf_token(preview)})
    assert again.status_code == 302 and len(_imported(hanoi)) == 5  # a second click imports nothing
    remembered = imports.remembered(hanoi)
    assert remembered.headers["ghi chu"] == "" and remembered.default_outlet_type == "provincial"


def test_row_problems_are_in_vietnamese(hanoi, factory, clock, office_files):
    web = factory.login(factory.user("comms_officer"))
    rows = office_files.rows()
    rows[5] = ["1", "Nguyễn Văn An", "Báo Tuổi Trẻ", "Trưởng văn phòng", "0912 345 678 (anh An)", "an@", ""]
    r = _web_upload(web, office_files.csv(rows, "utf-8"), "ds.csv")
    columns = web.get(r.location)
    assert "Bảng mã: UTF-8" in columns.get_data(as_text=True)
    form = {"csrf_token": csrf_token(columns), "header_row": "4", "shown_header_row": "4", "action": "columns",
            "default_outlet_type": "central_resident", "col_A": "", "col_B": "full_name", "col_C": "outlet",
            "col_D": "position", "col_E": "phones", "col_F": "email", "col_G": "notes"}
    preview = web.get(web.post(r.location, data=form).location)
    html = preview.get_data(as_text=True)
    assert "không phải số điện thoại: 0912 345 678 (anh An)" in html
    assert "không phải địa chỉ email hợp lệ" in html
    assert "not a valid email" not in html and "not a phone number" not in html
    r = web.post(preview.request.path, data={"csrf_token": csrf_token(preview), "on_duplicate": "skip"})
    assert r.status_code == 422 and db.session.query(Contact).count() == 0  # all or nothing
    r = web.post(preview.request.path, data={"csrf_token": csrf_token(preview), "on_duplicate": "skip",
                                             "only_valid": "y"})
    assert r.status_code == 302 and db.session.query(Contact).count() == 4


def test_previews_expire_and_are_deleted(hanoi, factory, clock, app, office_files):
    officer = factory.user("comms_officer")
    web = factory.login(officer)
    r = _web_upload(web, office_files.xlsx(), "ds.xlsx")
    columns_url = r.location
    assert db.session.query(ContactImport).count() == 1
    other = factory.login(factory.user("comms_officer", department="ho-chi-minh"))
    assert other.get(columns_url).status_code == 404  # another Department's upload is not shown
    clock.advance(hours=1)
    jobs.run_all_once(app)
    assert db.session.query(ContactImport).count() == 1
    clock.advance(hours=1, minutes=1)
    jobs.run_all_once(app)
    db.session.expire_all()
    assert db.session.query(ContactImport).count() == 0
    r = web.get(columns_url)
    assert r.status_code == 404 and "hết hạn" in r.get_data(as_text=True)
    # a user keeps at most a few uploads waiting
    for n in range(imports.MAX_PENDING_PER_USER + 3):
        _web_upload(web, office_files.xlsx(), f"ds{n}.xlsx")
    assert db.session.query(ContactImport).filter_by(user_id=officer.id).count() == imports.MAX_PENDING_PER_USER


def test_cli_reads_office_files_and_enforces_the_upload_limit(hanoi, runner, tmp_path, clock, app, office_files):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(office_files.xlsx())
    result = runner.invoke(args=["contacts", "import", str(path), "--department", "ha-noi"])
    assert result.exit_code == 0, result.output
    assert "Người lập biểu" in result.output and db.session.query(Contact).count() == 5
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    result = runner.invoke(args=["contacts", "import", str(big), "--department", "ha-noi", "--dry-run"])
    assert result.exit_code != 0 and "MAX_UPLOAD_BYTES" in result.output


# --- files that would exhaust the server: refused with bounded memory, measured in a subprocess ------------

def _long_list(n):
    """A province's full list at the limit: n journalists under the office's title and header."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["DANH SÁCH PHÓNG VIÊN"])
    ws.append(["STT", "Họ và tên", "Cơ quan báo chí", "Chức vụ", "Điện thoại", "Email", "Ghi chú"])
    for i in range(1, n + 1):
        ws.append([i, f"Phóng viên số {i}", "Báo Điện tử Dân trí", "Phóng viên", 912000000 + i, f"pv{i}@dantri.vn",
                   "Thi cử, tuyển sinh"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


READ_IN_SUBPROCESS = textwrap.dedent("""
    import resource, sys
    from crisiscomm import create_app
    from crisiscomm.config import TestConfig
    from crisiscomm.contacts import tables
    from crisiscomm.errors import ValidationError

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    app = create_app(config)
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with app.test_request_context():
        try:
            tables.read_table("list.xlsx", data)
            print("ACCEPTED")
        except ValidationError as exc:
            print("REFUSED", exc.message, "|", "; ".join(map(str, exc.fields.values())))
    print("GROWTH_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
""")


@pytest.mark.parametrize("kind,expect", [
    ("declared_whole_sheet", "16384"),
    ("shared_strings_bomb", "xl/sharedStrings.xml"),
    ("million_rows", "xl/worksheets/sheet1.xml"),
    ("million_empty_rows", "5000"),
    ("five_thousand_contacts", "ACCEPTED"),
])
def test_hostile_workbooks_are_refused_with_bounded_memory(tmp_path, hostile_files, kind, expect, backend):
    if backend != "sqlite":
        pytest.skip("reading a file does not touch the database")
    data = {"million_empty_rows": lambda: hostile_files.million_rows(line=b"<row/>"),
            "five_thousand_contacts": lambda: _long_list(5000)}.get(kind, getattr(hostile_files, kind, None))()
    assert len(data) < 5 * 1024 * 1024  # each fits under the upload limit
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    result = subprocess.run([sys.executable, "-c", READ_IN_SUBPROCESS, str(path)], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert ("ACCEPTED" if expect == "ACCEPTED" else "REFUSED") in result.stdout and expect in result.stdout, \
        result.stdout
    growth_kb = int(re.search(r"GROWTH_KB (\d+)", result.stdout).group(1))
    assert growth_kb < 64 * 1024, f"reading grew the process by {growth_kb // 1024} MB"


def test_two_row_header_and_several_numbers_in_a_cell(hanoi, factory, clock, office_files):
    """"Điện thoại" over "Di động" and "Cơ quan": both columns are phones, the second header row is no journalist;
    a cell with two numbers ("… - …") gives two."""
    api = factory.api(factory.user("comms_officer"))
    rows = [["DANH SÁCH ĐẦU MỐI BÁO CHÍ"], ["STT", "Họ và tên", "Cơ quan báo chí", "Điện thoại", "Điện thoại"],
            ["", "", "", "Di động", "Cơ quan"],
            ["1", "Vũ Minh Khôi", "Báo Nhân Dân", "0904 111 222 - 0904.333.444", "024 3825 0001"]]
    r = _upload(api, "dau-moi.csv", office_files.csv(rows, "utf-8"))
    assert r.status_code == 200, r.get_json()
    assert {s["row"]: s["kind"] for s in r.get_json()["skipped"]} == {1: "above_header", 3: "header"}
    contact = db.session.query(Contact).one()
    assert contact.phones == ["0904 111 222", "0904.333.444", "024 3825 0001"]
    assert contact.phone_numbers == ["+84904111222", "+84904333444", "+842438250001"]
