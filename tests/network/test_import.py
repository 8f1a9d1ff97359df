"""Importing a Department's network from the lists schools really send: titles above the header, Vietnamese
column names, phones typed as numbers, legacy encodings; every row checked (row, column, problem) and written all
or nothing; bounded size. Export writes the same columns back."""
import base64
import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from crisiscomm.errors import ValidationError
from crisiscomm.extensions import db
from crisiscomm.network import transfer
from crisiscomm.network.models import FocalPoint, School

from ..contacts.conftest import encode_cp1258
from ..factories import csrf_token

HEADER = ["STT", "Tên trường", "Cấp học", "Xã/phường", "Họ và tên", "Chức vụ", "SĐT", "Email"]
ROWS = [
    [1, "Trường THPT Kim Liên", "THPT", "Phường Kim Liên", "Trần Văn Bình", "Bí thư Đoàn", 912000111, ""],
    [2, "Trường Tiểu học Dịch Vọng", "Tiểu học", "Phường Cầu Giấy", "Tạ Thị Hương", "Hiệu trưởng", "0912 000 222",
     "huong@dichvong.edu.vn"],
    [3, "Trường Tiểu học Dịch Vọng", "Tiểu học", "Phường Cầu Giấy", "Lê Minh", "Giáo viên", "0912.000.333", ""],
    [4, "Trường Mầm non Hoa Sen", "", "Phường Giảng Võ", "Đào Thị Mai", "Hiệu trưởng", "0912000444", ""],
]


def _xlsx(rows, header=HEADER, title=True):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["DANH SÁCH ĐẦU MỐI TRUYỀN THÔNG CÁC TRƯỜNG"])
        ws.merge_cells("A1:H1")
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["", "", "", "", "Người lập biểu"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, data, filename, **form):
    page = client.get("/network/import")
    return client.post("/network/import", data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), filename),
                                                **form}, content_type="multipart/form-data")


def _confirm(client, preview, filename):
    html = preview.get_data(as_text=True)
    kept = html.split('name="data" value="', 1)[1].split('"', 1)[0]
    fields = dict(re.findall(r'<select name="(col_[A-Z]+)"[^>]*>.*?<option value="([a-z_]*)" selected', html, re.S))
    return client.post("/network/import", data={"csrf_token": csrf_token(preview), "data": kept,
                                                "filename": filename, "header_row": "3", "confirm": "1", **fields})


def test_xlsx_preview_then_import(world, factory):
    officer = factory.login(world.officer)
    preview = _upload(officer, _xlsx(ROWS), "danh-sach.xlsx")
    assert preview.status_code == 200, preview.get_data(as_text=True).split("<h1>", 1)[1][:3000]
    html = preview.get_data(as_text=True)
    assert "Số dòng: 4 · hợp lệ: 4 · có lỗi: 0" in html
    # the preview writes nothing
    assert db.session.scalar(select(func.count()).select_from(FocalPoint)) == 1
    r = _confirm(officer, preview, "danh-sach.xlsx")
    assert r.status_code == 302
    names = sorted(db.session.scalars(select(School.name)))
    # Kim Liên matched (same name and commune), two new schools; Dịch Vọng once with two focal points
    assert names == ["Trường Mầm non Hoa Sen", "Trường THPT Kim Liên", "Trường THPT Lê Hồng Phong",
                     "Trường Tiểu học Dịch Vọng"]
    dv = db.session.scalar(select(School).where(School.name == "Trường Tiểu học Dịch Vọng"))
    assert dv.level == "primary" and [f.full_name for f in dv.focal_points] == ["Tạ Thị Hương", "Lê Minh"]
    assert dv.focal_points[1].phone_number == "+84912000333"
    binh = db.session.scalar(select(FocalPoint).where(FocalPoint.full_name == "Trần Văn Bình"))
    assert binh.school_id == world.school.id and binh.phone_number == "+84912000111"
    # the level was read from the school's name when the cell was empty
    assert db.session.scalar(select(School.level).where(School.name == "Trường Mầm non Hoa Sen")) == "preschool"


def test_bad_rows_are_named_and_nothing_is_written(world, factory):
    rows = ROWS + [[5, "Trường Đại học Bách khoa", "Đại học", "Phường Bạch Mai", "Ngô An", "", "0912000555", ""],
                   [6, "Trường THCS Cầu Giấy", "THCS", "", "Bùi Thu Hà", "", "12345", "khong-phai-email"]]
    officer = factory.login(world.officer)
    preview = _upload(officer, _xlsx(rows), "loi.xlsx")
    assert preview.status_code == 422
    html = preview.get_data(as_text=True)
    assert "dòng 8, cột Cấp học: cấp học không rõ: Đại học" in html
    assert "dòng 9, cột SĐT: không phải số điện thoại: 12345" in html
    assert "dòng 9, cột Email:" in html
    assert "Nhập</button>" not in html
    r = _confirm(officer, preview, "loi.xlsx")
    assert r.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(School)) == 2  # the two of the fixture


def test_legacy_csv_encoding(world, factory):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Trường/đơn vị", "Cấp", "Xã/phường", "Đầu mối", "Điện thoại"])
    writer.writerow(["Trường THCS Giảng Võ", "Trung học cơ sở", "Phường Giảng Võ", "Hoàng Anh Tuấn", "0912 000 666"])
    data = encode_cp1258(out.getvalue())  # as Vietnamese Windows writes it: tones combining
    officer = factory.login(world.officer)
    preview = _upload(officer, data, "ds.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Windows-1258" in html and "Hoàng Anh Tuấn" in html
    page = preview
    r = officer.post("/network/import", data={
        "csrf_token": csrf_token(page), "data": base64.b64encode(data).decode(), "filename": "ds.csv",
        "header_row": "1", "col_A": "school_name", "col_B": "level", "col_C": "commune", "col_D": "full_name",
        "col_E": "phone", "confirm": "1"})
    assert r.status_code == 302
    school = db.session.scalar(select(School).where(School.name == "Trường THCS Giảng Võ"))
    assert school.level == "lower_secondary" and school.focal_points[0].full_name == "Hoàng Anh Tuấn"


def test_mapping_corrected_by_the_user(world, factory):
    header = ["Đơn vị", "Ghi chú cấp", "Địa bàn", "Người liên hệ"]
    officer = factory.login(world.officer)
    data = _xlsx([["Trường THPT Việt Đức", "THPT", "Phường Hoàn Kiếm", "Lê Thị Thanh"]], header=header, title=False)
    page = officer.get("/network/import")
    r = officer.post("/network/import", data={
        "csrf_token": csrf_token(page), "data": base64.b64encode(data).decode(), "filename": "x.xlsx",
        "header_row": "1", "col_A": "school_name", "col_B": "level", "col_C": "commune", "col_D": "",
        "confirm": "1"})
    assert r.status_code == 422 and "Đầu mối" in r.get_data(as_text=True)  # the required column is named
    r = officer.post("/network/import", data={
        "csrf_token": csrf_token(page), "data": base64.b64encode(data).decode(), "filename": "x.xlsx",
        "header_row": "1", "col_A": "school_name", "col_B": "level", "col_C": "commune", "col_D": "full_name",
        "confirm": "1"})
    assert r.status_code == 302
    assert db.session.scalar(select(School).where(School.name == "Trường THPT Việt Đức")).commune == "Phường Hoàn Kiếm"


def test_oversized_and_unreadable_files_are_refused(world, factory, app):
    officer = factory.login(world.officer)
    with pytest.raises(ValidationError) as refused:
        transfer.import_file(department=world.school.department, filename="big.csv",
                             data=b"a,b\n" + b"x" * transfer.MAX_IMPORT_BYTES)
    assert "file" in refused.value.fields
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = _upload(officer, b"a,b\n" + b"x" * 2000, "big.csv")
    assert r.status_code == 413
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    r = _upload(officer, b"not a zip", "x.xlsx")
    assert r.status_code == 422 and "xlsx" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(School)) == 2


def test_export_round_trip(world, factory):
    officer = factory.login(world.officer)
    body = officer.get("/network/export.xlsx").data
    ws = load_workbook(io.BytesIO(body)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["Tên trường/đơn vị", "Cấp học", "Loại hình"]
    assert rows[1][0] == "Trường THPT Kim Liên" and rows[1][1] == "Trường trung học phổ thông"
    assert len(rows) == 2  # Hà Nội's only; the other Department's school is not there
    text = officer.get("/network/export.csv").data.decode("utf-8-sig")
    assert "Nguyễn Thị Hoa" in text and "Lê Hồng Phong" not in text
    # what was exported imports back into another Department unchanged
    other = factory.login(world.other)
    preview = _upload(other, body, "export.xlsx")
    assert preview.status_code == 200 and "hợp lệ: 1" in preview.get_data(as_text=True)
