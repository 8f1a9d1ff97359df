from datetime import datetime, timedelta, timezone

import pytest

from crisiscomm.extensions import db
from crisiscomm.inquiries import queries, service, workflow
from crisiscomm.statements.service import search_statements

from ..factories import inquiry as make_inquiry

EML = b"""From: Vu Thi Mai <truyenthong@hanoi.vn>
To: inbox@hanoi.vn
Subject: =?UTF-8?B?RndkOiBI4buPaSB24buBIHR1eeG7g24gc2luaCBs4bubcCAxMA==?=
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

---------- Forwarded message ---------
From: Tran Minh Duc <duc.tran@vnexpress.net>
Date: Fri, 26 Jun 2026 07:45:00 +0700
Subject: Hoi ve tuyen sinh lop 10

Kinh gui So GDDT,
Xin cho biet khi nao cong bo diem chuan lop 10?
"""


def test_eml_import_with_vietnamese_encoded_subject(officer, hanoi, runner, tmp_path):
    parsed = service.parse_eml(EML)
    assert parsed["email"] == "duc.tran@vnexpress.net" and parsed["name"] == "Tran Minh Duc"
    path = tmp_path / "fwd.eml"
    path.write_bytes(EML.replace(b"Subject: Hoi ve tuyen sinh lop 10\n", b""))
    result = runner.invoke(args=["inquiries", "import-eml", str(path), "--department", "ha-noi"])
    assert result.exit_code == 0, result.output
    inquiry = queries.list_inquiries(department=hanoi, user=officer)[0]
    assert inquiry.subject == "Hỏi về tuyển sinh lớp 10"  # decoded from =?UTF-8?B?...?=, "Fwd:" dropped
    assert inquiry.sender_email == "duc.tran@vnexpress.net" and inquiry.channel == "email"
    assert "diem chuan lop 10" in inquiry.questions and "Forwarded" not in inquiry.questions


def test_eml_html_only_falls_back_to_text():
    data = (b"From: =?UTF-8?Q?Ph=E1=BA=A1m_B=C3=ADch?= <bich@hanoimoi.vn>\nSubject: Hoc phi\nMIME-Version: 1.0\n"
            b"Content-Type: text/html; charset=utf-8\n\n<p>Xin h&#7887;i <b>h\xe1\xbb\x8dc ph\xc3\xad</b></p>")
    parsed = service.parse_eml(data)
    assert parsed["name"] == "Phạm Bích" and parsed["body"] == "Xin hỏi học phí"


def test_stats_on_seeded_data(officer, spokesperson, hanoi, clock, factory):
    # Three inquiries received in June 2026 (local), one in May; two answered: one in 4 h (on time), one in 30 h
    # (due after 24 h: late). Median 17 h, on time 1/2.
    t0 = clock.now()
    a = make_inquiry(officer, hanoi, received_at="2026-06-20T08:00")
    b = make_inquiry(officer, hanoi, received_at="2026-06-21T08:00")
    make_inquiry(officer, hanoi, received_at="2026-06-25T08:00")
    make_inquiry(officer, hanoi, received_at="2026-05-31T23:30")  # still May in local time
    for inquiry, hours in ((a, 4), (b, 30)):
        clock.set(inquiry.received_at)
        for step in ("assigned", "drafting", "awaiting_approval", "answered"):
            kw = {"assignee": officer.email} if step == "assigned" else {}
            if step == "awaiting_approval":
                kw["answer_text"] = "Trả lời"
            if step == "answered":
                clock.set(inquiry.received_at + timedelta(hours=hours))
            workflow.transition(inquiry=inquiry, user=spokesperson if step == "answered" else officer, to=step, **kw)
            db.session.commit()
    clock.set(t0)
    api = factory.api(officer)
    data = api.get("/api/v1/inquiries/stats?department=ha-noi&from=2026-05-01&to=2026-06-30").get_json()
    assert data["total"] == 4
    assert data["by_month"] == [{"month": "2026-05", "count": 1}, {"month": "2026-06", "count": 3}]
    assert data["answered"] == 2 and data["median_hours_to_answer"] == 17.0 and data["share_on_time"] == 0.5
    june = api.get("/api/v1/inquiries/stats?department=ha-noi&from=2026-06-01").get_json()
    assert june["total"] == 3
    from flask import g

    g.pop("_login_user", None)  # the test's app context outlives requests
    xlsx = factory.login(officer).get("/inquiries/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_statement_search_is_diacritics_insensitive_and_scoped(officer, spokesperson, hanoi, factory, clock):
    from crisiscomm.statements.models import Statement

    hcm = factory.department("ho-chi-minh")
    for dep, text in ((hanoi, "Điểm chuẩn lớp 10 công bố ngày 10/7."), (hcm, "Điểm chuẩn lớp 10 của TP HCM.")):
        s = Statement(department_id=dep.id, source_type="inquiry", source_id=1, subject="Tuyển sinh lớp 10",
                      text=text, published_at=clock.now())
        s.refresh_search_text()
        db.session.add(s)
    db.session.commit()
    assert [s.department_id for s in search_statements(q="diem chuan", user=officer)] == [hanoi.id]
    api = factory.api(officer)
    items = api.get("/api/v1/statements?q=DIEM+CHUAN").get_json()["items"]
    assert [i["department"] for i in items] == ["ha-noi"]
    assert api.get("/api/v1/statements?q=x&department=ho-chi-minh").status_code == 404
    ministry = factory.user("ministry_comms")
    assert len(search_statements(q="tuyển sinh", user=ministry)) == 2


def test_scoping_web_and_api(officer, hanoi, factory):
    inquiry = make_inquiry(officer, hanoi)
    outsider = factory.user("comms_officer", department="ho-chi-minh")
    api = factory.api(outsider)
    assert api.get(f"/api/v1/inquiries/{inquiry.id}").status_code == 404
    assert api.post(f"/api/v1/inquiries/{inquiry.id}/transitions", json={"to": "assigned"}).status_code == 404
    assert api.get("/api/v1/inquiries").get_json()["items"] == []
    assert api.get("/api/v1/inquiries?department=ha-noi").status_code == 404
    assert api.delete(f"/api/v1/inquiries/{inquiry.id}").status_code == 405


def test_scoping_web_page(officer, hanoi, factory):
    inquiry = make_inquiry(officer, hanoi)
    outsider = factory.user("comms_officer", department="ho-chi-minh")
    assert factory.login(outsider).get(f"/inquiries/{inquiry.id}").status_code == 404


def test_api_create_and_validation(officer, hanoi, factory):
    api = factory.api(officer)
    r = api.post("/api/v1/inquiries", json={"subject": "Học phí", "journalist_name": "Lê Hoàng Anh",
                                            "outlet": "Tuổi Trẻ", "channel": "phone",
                                            "deadline": "2026-06-26T17:00"})
    assert r.status_code == 201 and r.get_json()["state"] == "received"
    bad = api.post("/api/v1/inquiries", json={"subject": "", "channel": "fax"})
    assert bad.status_code == 422
    assert {"subject", "channel", "journalist_name"} <= set(bad.get_json()["error"]["fields"])


@pytest.mark.browser
def test_officer_logs_phone_inquiry_on_a_phone(page, live_server, factory, setup_data, clock):
    """A journalist calls: from the start page, in six taps, the officer logs who called, their number,
    the subject and "+2 giờ"; the number is kept on the new contact and the inquiry is due two hours later."""
    from crisiscomm.contacts.models import Contact
    from crisiscomm.inquiries.models import Inquiry
    from tests.factories import PASSWORD

    user = factory.user("comms_officer", email="mai@hanoi.vn")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    taps = []

    def tap(locator):
        taps.append(locator)
        locator.click()

    tap(page.get_by_role("link", name="Ghi nhận câu hỏi báo chí"))  # the first thing on the officer's home
    page.wait_for_url("**/inquiries/new")
    page.keyboard.type("Hoàng Thị Yến")  # the journalist field has the focus
    tap(page.get_by_label("Số điện thoại của phóng viên"))
    page.keyboard.type("0912 345 678")
    tap(page.get_by_label("Cơ quan báo chí (phóng viên mới)"))
    page.keyboard.type("Báo Dân trí")
    tap(page.get_by_label("Chủ đề"))
    page.keyboard.type("Bạo lực học đường tại trường THCS")
    tap(page.locator("label.chip", has_text="+2 giờ"))
    tap(page.get_by_role("button", name="Lưu câu hỏi"))
    page.wait_for_url("**/inquiries")
    assert len(taps) <= 6
    assert page.locator("text=Bạo lực học đường tại trường THCS").is_visible()
    assert page.locator("text=Hoàng Thị Yến").is_visible()
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    assert inquiry.due_at == clock.now() + timedelta(hours=2)
    assert inquiry.deadline_source == "journalist"
    contact = db.session.get(Contact, inquiry.contact_id)
    assert contact.full_name == "Hoàng Thị Yến" and "0912" in "".join(contact.phones)


def test_admin_pages_render_and_rule_in_use_is_end_dated(officer, hanoi, factory, clock):
    from flask import g

    from crisiscomm.rules.models import DeadlineRule
    from crisiscomm.rules.service import update_rule
    from tests.factories import csrf_token

    make_inquiry(officer, hanoi)  # computed from the Department default (24 h rule)
    admin = factory.user("ministry_admin")
    client = factory.login(admin)
    for url in ("/admin/rules", "/admin/rules/new", "/inquiries/refusal-grounds", "/inquiries/stats",
                "/inquiries/settings?department=ha-noi", "/statements", "/inquiries?department=ha-noi",
                "/inquiries/new?department=ha-noi"):
        assert client.get(url).status_code == 200, url
    rule = db.session.query(DeadlineRule).filter_by(key="inquiry_default").one()
    successor = update_rule(user=admin, rule=rule, data={
        "name": rule.name, "legal_source": rule.legal_source, "applies_to": rule.applies_to,
        "duration_minutes": 12 * 60, "incident_linked": ""})
    db.session.commit()
    assert successor.id != rule.id and rule.valid_to == clock.now() and rule.duration_minutes == 24 * 60
    g.pop("csrf_token", None)
    page = client.get("/inquiries/settings?department=ha-noi")
    r = client.post("/inquiries/settings", data={"department": "ha-noi", "approver": "director",
                                                 "default_hours": "8", "due_soon_minutes": "60",
                                                 "csrf_token": csrf_token(page)})
    assert r.status_code == 302
    db.session.refresh(hanoi)
    assert hanoi.settings["inquiry_approver"] == "director" and hanoi.settings["inquiry_default_hours"] == 8


def test_inquiry_list_is_paged_newest_first(officer, hanoi, clock, factory):
    from ..factories import inquiry as make_inquiry

    for n in range(1, 106):
        make_inquiry(officer, hanoi, subject=f"Câu hỏi số {n:03d}")
        clock.advance(minutes=1)
    web = factory.login(officer)
    first = web.get("/inquiries?q=cau hoi so").get_data(as_text=True)
    assert "Câu hỏi số 105" in first and "Câu hỏi số 006" in first and "Câu hỏi số 005" not in first
    assert 'href="/inquiries?page=2&amp;q=cau+hoi+so"' in first
    second = web.get("/inquiries?q=cau+hoi+so&page=2").get_data(as_text=True)
    assert "Câu hỏi số 005" in second and "Câu hỏi số 001" in second and "Câu hỏi số 006" not in second
