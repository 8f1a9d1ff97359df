"""No 500 on any input: every value the API fuzzer or a hand found once is replayed here on every run.

Each case is (who, method, path, body, field): the answer must be a 4xx that names ``field`` (422), and
nothing may be written. Paths use {incident}, {inquiry}, {contact}, {briefing} for records made by the fixture.
"""
import json

import pytest
from sqlalchemy import func, select

from crisiscomm import inputs
from crisiscomm.errors import ValidationError
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident
from crisiscomm.inquiries import grounds as inquiries
from crisiscomm.inquiries.models import Inquiry
from crisiscomm.rules.service import seed_defaults

BIG = [2**31, 2**63, 2**70]
DEEP_LIST = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 3000 + "1" + "}" * 3000
YEAR_ONE = ["0001-01-01T00:00", "0001-01-01"]
NOT_TEXT = [-1, 1.5, True, {"a": [1]}, ["x"]]

REGRESSIONS = [
    # ids above 2^31 (and 2^63: SQLite's limit) in bodies
    *[("officer", "POST", "/api/v1/inquiries", {"subject": "s", "contact_id": v}, "contact_id") for v in BIG],
    *[("officer", "POST", "/api/v1/inquiries", {"subject": "s", "journalist_name": "J", "outlet": "O",
                                                "incident_id": v}, "incident_id") for v in BIG],
    *[("officer", "POST", "/api/v1/incidents", {"title": "t", "category": "exam", "severity": "high",
                                                "occurred_at": "2026-06-26T07:00", "scenario": v}, "scenario")
      for v in [*BIG, "²", "²²", "١٢"]],
    *[("officer", "PATCH", "/api/v1/incidents/{incident}", {"scenario": v}, "scenario") for v in [*BIG, "²"]],
    *[("officer", "POST", "/api/v1/incidents/{incident}/statement", {"text": "t", "channel": "web",
                                                                    "approved_by": v}, "approved_by")
      for v in [*BIG, "²", "x" * 5000]],
    *[("officer", "POST", "/api/v1/incidents", {"title": "t", "category": "exam", "severity": "high",
                                                "occurred_at": "2026-06-26T07:00", "drill": True,
                                                "drill_recipients": [v]}, "drill_recipients")
      for v in [*BIG, "²"]],
    *[("officer", "POST", "/api/v1/inquiries/{inquiry}/transitions", {"to": "assigned", "assignee": v}, "assignee")
      for v in [*BIG, "²"]],
    *[("officer", "POST", "/api/v1/inquiries/{inquiry}/transitions", {"to": "declined", "reason": "r",
                                                                      "refusal_ground": v}, "refusal_ground")
      for v in [*BIG, "²"]],
    *[("director", "POST", "/api/v1/departments/ha-noi/spokespersons", {"user_id": v, "kind": "official"}, "user_id")
      for v in [*BIG, "²"]],
    *[("officer", "POST", "/api/v1/briefings", {"title": "t", "starts_at": "2026-07-01T09:00",
                                                "contact_ids": [v]}, "contact_ids") for v in [*BIG, "²"]],
    # non-string values for string fields
    *[("officer", "POST", "/api/v1/incidents", {"title": "t", "category": "exam", "severity": "high",
                                                "occurred_at": "2026-06-26T07:00", name: v}, name)
      for name in ("exam", "place", "title", "description") for v in NOT_TEXT],
    *[("officer", "POST", "/api/v1/inquiries", {"subject": "s", "journalist_name": "J", "outlet": "O", name: v}, name)
      for name in ("subject", "journalist_name", "outlet", "questions") for v in NOT_TEXT],
    *[("officer", "POST", "/api/v1/inquiries/{inquiry}/transitions", {"to": "declined", name: v}, name)
      for name in ("reason", "note") for v in NOT_TEXT],
    *[("admin", "PUT", "/api/v1/plans/ministry/2025-2026", {"title": v, "themes": ["a"]}, "title") for v in NOT_TEXT],
    *[("officer", "POST", "/api/v1/briefings", {"title": v, "starts_at": "2026-07-01T09:00"}, "title")
      for v in NOT_TEXT],
    *[("officer", "PATCH", "/api/v1/briefings/{briefing}", {name: v}, name)
      for name in ("place", "topics", "status_reason") for v in NOT_TEXT],
    *[(who, "POST", path, {"department": v, **body}, "department")
      for who, path, body in (("officer", "/api/v1/inquiries", {"subject": "s"}),
                              ("officer", "/api/v1/contacts", {"full_name": "A", "outlet": "B",
                                                               "outlet_type": "online"}),
                              ("officer", "/api/v1/briefings", {"title": "t", "starts_at": "2026-07-01T09:00"}))
      for v in [2**31, -1, 1.5, True, {"a": [1]}]],
    # over-long values on PATCH /api/v1/me (the bounds follow the columns)
    *[("officer", "PATCH", "/api/v1/me", {name: "x" * 5000}, name) for name in ("name", "title", "phone")],
    *[("officer", "PATCH", "/api/v1/me", {name: 5}, name) for name in ("name", "title", "phone")],
    ("officer", "PATCH", "/api/v1/contacts/{contact}", {"full_name": "x" * 201}, "full_name"),
    ("officer", "PATCH", "/api/v1/incidents/{incident}", {"title": "x" * 301}, "title"),
    ("officer", "PATCH", "/api/v1/briefings/{briefing}", {"title": "x" * 301}, "title"),
    # dates like year 1 (overflow on the way to UTC)
    *[("officer", "POST", "/api/v1/incidents", {"title": "t", "category": "exam", "severity": "high",
                                                "occurred_at": v}, "occurred_at") for v in YEAR_ONE],
    *[("officer", "PATCH", "/api/v1/incidents/{incident}", {"occurred_at": v}, "occurred_at") for v in YEAR_ONE],
    *[("officer", "POST", "/api/v1/inquiries", {"subject": "s", "journalist_name": "J", "outlet": "O", name: v}, name)
      for name in ("received_at", "deadline") for v in YEAR_ONE],
    *[("officer", "POST", "/api/v1/briefings", {"title": "t", "starts_at": v}, "starts_at") for v in YEAR_ONE],
    *[("officer", "PATCH", "/api/v1/briefings/{briefing}", {name: v}, name)
      for name in ("starts_at", "ends_at") for v in YEAR_ONE],
    *[("officer", "POST", "/api/v1/contacts", {"full_name": "A", "outlet": "B", "outlet_type": "online",
                                               "last_verified_at": v}, "last_verified_at") for v in YEAR_ONE],
    *[("officer", "POST", "/api/v1/incidents/{incident}/statement", {"text": "t", "channel": "web",
                                                                    "approved_by": "giamdoc@hanoi.vn",
                                                                    "published_at": v}, "published_at")
      for v in YEAR_ONE],
    # lone UTF-16 surrogates and NUL: nothing UTF-8 or PostgreSQL can store
    *[("officer", method, path, {name: "a\ud800b"}, name)
      for method, path, name in (("PATCH", "/api/v1/incidents/{incident}", "title"),
                                 ("PATCH", "/api/v1/briefings/{briefing}", "place"),
                                 ("PATCH", "/api/v1/contacts/{contact}", "notes"),
                                 ("PATCH", "/api/v1/me", "name"),
                                 ("POST", "/api/v1/incidents", "department"))],
    ("officer", "PATCH", "/api/v1/me", {"title": "a\x00b"}, "title"),
    # control characters and line breaks where a header is built from the value
    ("officer", "PATCH", "/api/v1/incidents/{incident}", {"title": "Lộ đề\x1bthi"}, "title"),
    ("officer", "POST", "/api/v1/inquiries", {"subject": "s\x08", "journalist_name": "J", "outlet": "O"}, "subject"),
]

RAW = [  # bodies no json.dumps would write
    ("officer", "POST", "/api/v1/incidents", DEEP_LIST, "body"),
    ("officer", "POST", "/api/v1/incidents", DEEP_OBJECT, "body"),  # too deep for the parser itself
    ("officer", "PATCH", "/api/v1/me", '{"title": "\\ud800"}', "title"),
    ("officer", "PATCH", "/api/v1/me", '{"title": NaN}', "body"),
    ("officer", "POST", "/api/v1/inquiries", '{"subject": "s", "contact_id": 1e400}', "contact_id"),
    ("officer", "POST", "/api/v1/inquiries", '{"subject": "s", "contact_id": 1' + "0" * 30 + "}", "contact_id"),
    ("officer", "POST", "/api/v1/departments/ha-noi/spokespersons", '{"a":' * 40 + "1" + "}" * 40, "a"),
]


# Query strings and web pages: (who, path, query) must not answer 5xx; API 422s name the parameter.
QUERY_REGRESSIONS = [
    *[("admin", "/api/v1/distributions", {"scenario": v}) for v in ("²", str(2**64), str(2**31))],
    *[("admin", path, {"from": v}) for path in ("/api/v1/inquiries", "/api/v1/inquiries/stats", "/inquiries/")
      for v in ("0001-01-01", "0001-01-01T00:00", "²")],
    *[("admin", path, {"page": v}) for path in ("/briefings", "/contacts/", "/incidents/", "/inquiries/",
                                                "/admin/audit/") for v in ("²", "١٢", str(2**70))],
    *[("admin", "/admin/audit/", {name: v}) for name in ("since", "until", "entity_id")
      for v in ("0001-01-01", "²", str(2**70))],
    ("admin", "/api/v1/scenarios/²", {}),
    ("admin", f"/api/v1/scenarios/{2**64}", {}),
    # str.strip() drops \x1c-\x1f but int() refuses them (found by the API fuzz test)
    ("admin", "/api/v1/scenarios/\x1d9/render", {}),
    ("admin", "/api/v1/inquiries", {"page": "\x1f2"}),
]


@pytest.fixture
def targets(app, factory, clock):
    factory.departments()
    seed_defaults()
    inquiries.seed_refusal_grounds()
    db.session.commit()
    officer = factory.user("comms_officer", email="officer@hanoi.vn")
    director = factory.user("director", email="giamdoc@hanoi.vn")
    clients = {"officer": factory.api(officer), "director": factory.api(director),
               "admin": factory.api(factory.user("ministry_admin"))}
    api = clients["officer"]
    ids = {
        "incident": api.post("/api/v1/incidents", json={"title": "Sự cố", "category": "exam", "severity": "high",
                                                        "occurred_at": "2026-06-26T07:00"}).get_json()["id"],
        "inquiry": api.post("/api/v1/inquiries", json={"subject": "Hỏi", "journalist_name": "J",
                                                       "outlet": "O"}).get_json()["id"],
        "contact": api.post("/api/v1/contacts", json={"full_name": "A", "outlet": "B",
                                                      "outlet_type": "online"}).get_json()["id"],
        "briefing": api.post("/api/v1/briefings", json={"title": "Họp báo",
                                                        "starts_at": "2026-07-01T09:00"}).get_json()["id"],
    }
    return clients, ids


def _counts():
    return (db.session.scalar(select(func.count(Incident.id))), db.session.scalar(select(func.count(Inquiry.id))))


def _call(targets, who, method, path, body=None, raw=None):
    clients, ids = targets
    client = clients[who]
    url = path.format(**ids)
    if raw is not None:
        return client.client.open(url, method=method, data=raw, headers={
            "Authorization": f"Bearer {client.token}", "Content-Type": "application/json"})
    return client.client.open(url, method=method, json=body, headers={"Authorization": f"Bearer {client.token}"})


def test_hostile_input_is_a_clear_4xx_naming_the_field(targets):
    failures = []
    for who, method, path, body, field in REGRESSIONS + RAW:
        before = _counts()
        if isinstance(body, str):
            response = _call(targets, who, method, path, raw=body)
        else:
            response = _call(targets, who, method, path, body=body)
        case = f"{method} {path} {json.dumps(body, ensure_ascii=True)[:80] if not isinstance(body, str) else body[:40]}"
        db.session.rollback()
        if not 400 <= response.status_code < 500:
            failures.append(f"{case}: {response.status_code}")
            continue
        fields = response.get_json()["error"]["fields"]
        if response.status_code == 422 and not any(k == field or k.startswith((field + "[", field + "."))
                                                   for k in fields):
            failures.append(f"{case}: 422 names {sorted(fields)}, not {field}")
        if _counts() != before:
            failures.append(f"{case}: something was written")
    assert not failures, "\n".join(failures)


def test_single_line_fields_are_normalised_and_multi_line_ones_keep_their_lines():
    assert inputs.text(" Lộ đề\u2028thi\r\nmôn\tVăn\u2029 ", "title", single_line=True) == "Lộ đề thi môn Văn"
    assert inputs.text("dòng 1\r\ndòng 2\u2028dòng 3", "description") == "dòng 1\ndòng 2\ndòng 3"
    with pytest.raises(ValidationError) as exc:
        inputs.text("a\x00b", "notes")
    assert set(exc.value.fields) == {"notes"}
    assert inputs.parse_id("42", "id") == 42
    for bad in ("²", "١٢", "4 2", "-1", "0", 2**31, True, 1.5, "\x1d9", "9\x1c"):
        with pytest.raises(ValidationError):
            inputs.parse_id(bad, "id")


def test_a_value_that_does_not_fit_its_column_is_a_422_not_a_database_error(targets):
    """The flush-time net: a service that forgets a bound still answers 422 naming the attribute."""
    incident = db.session.get(Incident, targets[1]["incident"])
    incident.exam = "x" * 301  # bypassing the service on purpose
    with pytest.raises(ValidationError) as exc:
        db.session.flush()
    assert exc.value.fields == {"exam": "at most 300 characters"} or "exam" in exc.value.fields
    db.session.rollback()


def test_hostile_query_strings_never_fail(targets, factory):
    web = factory.login(factory.user("ministry_admin"))
    clients = {"admin": targets[0]["admin"]}
    failures = []
    for who, path, query in QUERY_REGRESSIONS:
        if path.startswith("/api/"):
            client = clients[who]
            response = client.client.get(path, query_string=query,
                                         headers={"Authorization": f"Bearer {client.token}"})
        else:
            response = web.get(path, query_string=query)
        if response.status_code >= 500:
            failures.append(f"{path} {query}: {response.status_code}")
        elif response.status_code == 422 and path.startswith("/api/"):
            fields = response.get_json()["error"]["fields"]
            if not set(query) & set(fields):
                failures.append(f"{path} {query}: 422 names {sorted(fields)}")
    assert not failures, "\n".join(failures)


def test_a_form_part_the_parser_left_unnamed_is_refused_naming_the_body(app):
    """Found by the randomised fuzz on the contacts import: a multipart part whose name the form parser could not
    read came back without a key, and the NUL check itself failed (500) instead of refusing the input."""
    from flask import request
    from werkzeug.datastructures import ImmutableMultiDict

    from crisiscomm.errors import ValidationError
    from crisiscomm.security import reject_nul_characters

    with app.test_request_context("/api/v1/contacts/import", method="POST"):
        request.form = ImmutableMultiDict([(None, "a\x00b"), ("department", "ha-noi")])
        with pytest.raises(ValidationError) as refused:
            reject_nul_characters()
    assert refused.value.fields == {"body": "có ký tự NUL"}
