"""Test data: one factory per model, plain functions with keyword defaults, each returning its row.

A factory goes through the model's domain service (validation, audit, notifications as in production), unless
``raw=True``: then it writes the row itself with exactly the fields given, as a test that seeds a known past
state needs. Each commits unless ``commit=False`` (then it only adds the row to the session; seeds commit once).
``department`` is a Department row or its code. The ``factory`` fixture (class Factory) adds what needs the app:
tokens, API clients, signed-in clients.
"""
import itertools
import re
from datetime import date, datetime, timedelta, timezone

from werkzeug.security import generate_password_hash

from crisiscomm import permissions
from crisiscomm.briefings import service as briefings_service
from crisiscomm.briefings.models import Briefing, ExamPeriod
from crisiscomm.clock import now
from crisiscomm.contacts import service as contacts_service
from crisiscomm.contacts.models import Contact
from crisiscomm.departments import service as departments_service
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Escalation, Incident
from crisiscomm.inquiries import service as inquiries_service
from crisiscomm.inquiries.models import Inquiry
from crisiscomm.rules import service as rules_service
from crisiscomm.scenarios.models import Scenario, ScenarioDistribution, ScenarioVersion
from crisiscomm.spokespersons import service as spokespersons_service
from crisiscomm.spokespersons.models import SpokespersonAssignment
from crisiscomm.stories import service as stories_service
from crisiscomm.users import service as users_service
from crisiscomm.users.models import User

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)
_HASH = None  # PASSWORD hashed once per test session, for users written with quick=True


def _done(row, commit):
    if commit:
        db.session.commit()
    return row


def _add(row, commit):
    db.session.add(row)
    return _done(row, commit)


# --- departments and users --------------------------------------------------------------------------------------

def departments(merger=True):
    """The 63 Departments of 2022 (after the 2025 merger unless ``merger=False``)."""
    departments_service.load_reference()
    if merger:
        departments_service.apply_merger()
    db.session.commit()
    return departments_service


def department(code="ha-noi"):
    """The Department with this code (loading the reference list first if it is not there yet)."""
    dep = departments_service.find_by_code(code)
    if dep is None:
        departments()
        dep = departments_service.find_by_code(code)
    return dep


def _department(department_or_code):
    return department(department_or_code) if isinstance(department_or_code, str) else department_or_code


def user(role="comms_officer", department="ha-noi", email=None, name=None, password=PASSWORD, quick=False, **kw):
    """A user of ``department`` (none for Ministry roles), through users.service.create_user; ``quick=True``
    writes the row itself with PASSWORD hashed once per session (fast: no service call, no audit record)."""
    n = next(_seq)
    email = email or f"{role}{n}@example.vn"
    if quick:
        dep = None if role in permissions.MINISTRY_ROLES else _department(department)
        row = User(email=email, name=name or email.split("@")[0], role=role, password_hash=_password_hash(),
                   department_id=dep.id if dep else None, **kw)
        return _add(row, True)
    if role in permissions.MINISTRY_ROLES:
        department = None
    elif department is not None:
        department = _department(department).code
    row = users_service.create_user(email=email, name=name or f"{role.title()} {n}", role=role, password=password,
                                    department_code=department, **kw)
    return _done(row, True)


def _password_hash():
    global _HASH
    if _HASH is None:
        _HASH = generate_password_hash(PASSWORD, method="scrypt")
    return _HASH


def token(user):
    """A bearer token of ``user`` (its secret text)."""
    return _done(users_service.issue_token(user=user, label="test"), True)


# --- press contacts and spokespersons ---------------------------------------------------------------------------

def contact(department="ha-noi", name="Nguyễn Thu Trang", outlet="Báo Hànộimới", outlet_type="provincial", *,
            email="trang@hanoimoi.example", phones=None, raw=False, commit=True, **fields):
    """A press contact, through contacts.service.create_contact (``fields``: its other arguments), or with
    ``raw=True`` the Contact row as given (``fields``: any column, e.g. last_verified_at, archived, created_at)."""
    dep = _department(department)
    if raw:
        row = Contact(department_id=dep.id, full_name=name, outlet=outlet, outlet_type=outlet_type, email=email,
                      phones=list(phones or []), **fields)
        row.refresh_search_text()
        return _add(row, commit)
    row = contacts_service.create_contact(department=dep, full_name=name, outlet=outlet, outlet_type=outlet_type,
                                          email=email, phones=phones, **fields)
    return _done(row, commit)


def spokesperson_assignment(department, user, kind="official", *, raw=False, commit=True, **fields):
    """An assignment through spokespersons.service.assign (``fields``: its arguments), or with ``raw=True`` the
    row itself: in force since 30 days ago, no topics, unless ``fields`` say otherwise."""
    dep = _department(department)
    if raw:
        values = {"effective_from": now() - timedelta(days=30), "topics": [], **fields}
        return _add(SpokespersonAssignment(department_id=dep.id, user_id=user.id, kind=kind, **values), commit)
    return _done(spokespersons_service.assign(department=dep, user=user, kind=kind, **fields), commit)


# --- briefings, incidents, inquiries -----------------------------------------------------------------------------

def briefing(department="ha-noi", title="Họp báo định kỳ", starts_at=None, status="planned", contacts=(), *,
             user=None, raw=False, commit=True, **data):
    """A press briefing through briefings.service.create_briefing (``data``: more of its fields), or with
    ``raw=True`` the Briefing row itself, an hour long, without attachments."""
    dep = _department(department)
    starts_at = starts_at or datetime(2026, 10, 15, 2, 0, tzinfo=timezone.utc)
    if raw:
        row = Briefing(department_id=dep.id, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
                       status=status, attachments=[], internal_units=[], **data)
        return _add(row, commit)
    row = briefings_service.create_briefing(department=dep, user=user, data={
        "title": title, "starts_at": starts_at.isoformat(), "status": status,
        "contact_ids": [c.id for c in contacts], **data})
    return _done(row, commit)


def exam_period(name="Kỳ thi tốt nghiệp THPT 2026", start_date=None, end_date=None, *, commit=True):
    """A national exam's days (local dates, inclusive; by default 25–27/06/2026), written directly."""
    start_date = start_date or date(2026, 6, 25)
    return _add(ExamPeriod(name=name, start_date=start_date, end_date=end_date or start_date + timedelta(days=2)),
                commit)


def incident(department="ha-noi", title="Nghi lộ đề thi môn Ngữ văn", *, exam_related=False, at=None, severity="high",
             commit=True, **fields):
    """An Incident row as given (tests that need the incident service post to the API): exam or school safety,
    happened and reported ``at`` (by default 20/06/2026 10:00 in Hà Nội); ``fields``: any other column."""
    dep = _department(department)
    at = at or datetime(2026, 6, 20, 3, tzinfo=timezone.utc)
    values = {"category": "exam" if exam_related else "school_safety", "occurred_at": at, "reported_at": at,
              **fields}
    return _add(Incident(department_id=dep.id, title=title, exam_related=exam_related, severity=severity, **values),
                commit)


def escalation(incident, notified_at, n=0, acknowledged_at=None, *, level=1, commit=True):
    """Recipient ``n`` of the incident's alert at ``level`` (the director's email), acknowledged or not, written
    directly (the incident must have its id: flush first)."""
    return _add(Escalation(incident_id=incident.id, level=level, audience="director", recipient_key=f"email:{n}@x.vn",
                           recipient_label=f"Người nhận {n}", notified_at=notified_at,
                           ack_nonce=f"n{incident.id}-{n}", acknowledged_at=acknowledged_at), commit)


def inquiry(user=None, department="ha-noi", *, subject="Tuyển sinh lớp 10", journalist_name="Nguyễn Thu Trang",
            outlet="Báo Giáo dục và Thời đại", questions="Khi nào công bố điểm chuẩn?", raw=False, commit=True,
            **fields):
    """A press inquiry logged by ``user`` through inquiries.service.create_inquiry (``fields``: its other
    arguments), or with ``raw=True`` the Inquiry row as given: received a day before it is due and closed when
    answered unless ``fields`` say otherwise."""
    dep = _department(department)
    if raw:
        due = fields.get("due_at")
        fields.setdefault("received_at", due - timedelta(days=1) if due else now())
        fields.setdefault("closed_at", fields.get("answered_at"))
        row = Inquiry(department_id=dep.id, subject=subject, journalist_name=journalist_name, outlet=outlet,
                      questions=questions, **fields)
        row.refresh_search_text()
        return _add(row, commit)
    row = inquiries_service.create_inquiry(user=user, department=dep, subject=subject,
                                           journalist_name=journalist_name, outlet=outlet, questions=questions,
                                           **fields)
    return _done(row, commit)


# --- rules, scenarios, stories ------------------------------------------------------------------------------------

def rule(user, *, commit=True, **data):
    """A deadline rule through rules.service.create_rule: by default a province's 12-hour first-statement rule."""
    values = {"name": "Thông tin ban đầu về sự cố (quy chế phát ngôn của Thành phố)",
              "applies_to": "incident_first_statement", "duration_minutes": 12 * 60,
              "legal_source": "Người phát ngôn cung cấp thông tin ban đầu chậm nhất 12 giờ sau khi biết sự việc.",
              "source_document": "Quyết định 12/2024/QĐ-UBND", "source_article": "Điều 7",
              "source_date": "2024-03-15", "confidence": "verified", **data}
    return _done(rules_service.create_rule(user=user, data=values), commit)


def scenario(slug="exam-paper-leak", versions=1, *, title=None, meta=None, body=None, checksum=None, commit=True,
             **fields):
    """A Scenario row with ``versions`` ScenarioVersion rows (body, checksum and meta per version: the given
    ones, or made from the slug); returns the list of versions."""
    s = Scenario(slug=slug, title=title or slug, category="exam", exam_related=True, latest_version=versions,
                 **fields)
    db.session.add(s)
    db.session.flush()
    out = []
    for n in range(1, versions + 1):
        v = ScenarioVersion(scenario_id=s.id, version=n, meta={} if meta is None else meta,
                            body=body or f"# {slug} v{n}", checksum=checksum or f"{slug}{n}")
        db.session.add(v)
        out.append(v)
    db.session.flush()
    return _done(out, commit)


def scenario_distribution(version, department, distributed_at, acknowledged_at=None, *, commit=True):
    """The record that ``version`` was sent to ``department`` (and acknowledged), written directly."""
    dep = _department(department)
    return _add(ScenarioDistribution(scenario_version_id=version.id, department_id=dep.id,
                                     distributed_at=distributed_at, acknowledged_at=acknowledged_at), commit)


def story(user, *, title="Cô giáo dạy chữ cho trẻ khuyết tật", student=True, commit=True):
    """A proposed story of the user's Department through stories.service, with (``student=True``) a student
    under 16 named."""
    row = stories_service.create_story(department=user.department, user=user, title=title,
                                       summary="Hai mươi năm đến tận nhà dạy chữ cho học sinh khuyết tật.",
                                       body="Câu chuyện **đã xác minh**.", unit="Trường Tiểu học Ba Trại A",
                                       topics=["difficult_circumstances"])
    if student:
        stories_service.add_person(story=row, user=user, name="Phạm Minh Đức", role="student",
                                   school="Trường Tiểu học Ba Trại A", class_or_subject="Lớp 5A", under_16=True)
    return _done(row, commit)


# --- the app: tokens, API clients, signed-in clients ----------------------------------------------------------

class Factory:
    """The ``factory`` fixture: the factories above, and clients that need the app."""

    def __init__(self, app):
        self.app = app

    departments = staticmethod(departments)
    department = staticmethod(department)
    user = staticmethod(user)
    token = staticmethod(token)

    def api(self, user):
        """A test client whose requests carry the user's bearer token."""
        return ApiClient(self.app.test_client(), token(user))

    def login(self, user, password=PASSWORD):
        client = self.app.test_client()
        csrf = csrf_token(client.get("/login"))
        response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": csrf})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client


def csrf_token(response):
    """The CSRF token of a rendered page (its meta tag or a form's hidden field)."""
    html = response.get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class ApiClient:
    def __init__(self, client, token):
        self.client, self.token = client, token

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def put(self, url, json=None, headers=None, **kw):
        return self.client.put(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


def browser_sign_in(page, email, password=PASSWORD, viewport=None, next=None):
    """Sign in through the login form in Chromium (optionally at a viewport size) and land on the start page,
    or on ``next``."""
    if viewport:
        page.set_viewport_size(viewport)
    page.context.clear_cookies()
    page.goto("/login?lang=vi" + (f"&next={next}" if next else ""))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**" + (next or "/"))


# --- orientation: a small school network and orientation messages ---------------------------------------------

def orientation_network(department="ha-noi", schools=3, *, per_school=1, accounts=0, group="Điểm thi THPT",
                        commit=True):
    """``schools`` schools of ``department`` in one group, each with ``per_school`` focal points with an email;
    the first ``accounts`` focal points get a network-member account (their user). Returns (group, schools)."""
    from crisiscomm.network.models import FocalPoint, NetworkGroup, School

    dep = _department(department)
    grp = NetworkGroup(department_id=dep.id, name=f"{group} {next(_seq)}")
    made, n_accounts = [], 0
    for i in range(schools):
        school = School(department_id=dep.id, name=f"Trường THPT số {next(_seq)}", level="upper_secondary")
        school.refresh_search_text()
        for j in range(per_school):
            n = next(_seq)
            point = FocalPoint(department_id=dep.id, school=school, full_name=f"Đầu mối {n}", title="Phó Hiệu trưởng",
                               email=f"daumoi{n}@truong.example.vn")
            if n_accounts < accounts:
                point.user = User(email=point.email, name=point.full_name, role=permissions.NETWORK_MEMBER,
                                  password_hash=_password_hash(), department_id=dep.id)
                n_accounts += 1
            point.refresh_search_text()
            db.session.add(point)
        grp.schools.append(school)
        db.session.add(school)
        made.append(school)
    db.session.add(grp)
    db.session.flush()
    return _done((grp, made), commit)


def orientation_message(user, *, targets=None, incident=None, send=True, commit=True, **fields):
    """An orientation message of ``user``'s side through orientation.service (sent unless ``send=False``);
    ``targets`` by default: all the Department's schools (all Departments for a Ministry user)."""
    from crisiscomm.orientation import service as orientation_service

    data = {"subject": "Định hướng thông tin về đề thi", "holding_line": "Kỳ thi diễn ra an toàn, đúng quy chế.",
            "may_say": "Nhà trường thực hiện đúng quy chế.", "may_not_say": "Không bình luận về đề thi.",
            "targets": targets or {"all": True}, **fields}
    if incident is not None:
        data["incident_id"] = incident.id
    message = orientation_service.create_message(user=user, data=data)
    if send:
        orientation_service.send(message=message, user=user)
    return _done(message, commit)


def orientation_recipient(message, focal_point, *, acknowledged_at=None, commit=True, **fields):
    """The row that ``message`` went to ``focal_point``, written directly (no outbox row)."""
    from crisiscomm.orientation.models import OrientationRecipient

    return _add(OrientationRecipient(message_id=message.id, focal_point_id=focal_point.id,
                                     school_id=focal_point.school_id, department_id=focal_point.department_id,
                                     user_id=focal_point.user_id, name=focal_point.full_name,
                                     email=focal_point.email, ack_nonce=f"n{next(_seq)}",
                                     acknowledged_at=acknowledged_at, **fields), commit)
# --- network ------------------------------------------------------------------------------------------------------

def school(department="ha-noi", name="Trường THPT Kim Liên", level="upper_secondary", commune="Phường Kim Liên", *,
           commit=True, **data):
    """A School through the network service (``data``: ownership, address, code, aliases, notes)."""
    from crisiscomm.network import service as network_service

    row = network_service.create_school(department=_department(department),
                                        data={"name": name, "level": level, "commune": commune, **data})
    return _done(row, commit)


def focal_point(school, full_name="Nguyễn Thị Hoa", *, phone="0912 345 678", email=None, kind="comms_contact",
                commit=True, **data):
    """A FocalPoint of ``school`` through the network service (``data``: title)."""
    from crisiscomm.network import service as network_service

    row = network_service.create_focal_point(school=school, data={"full_name": full_name, "phone": phone,
                                                                  "email": email, "kind": kind, **data})
    return _done(row, commit)


def network_group(department="ha-noi", name="Trường THPT", schools=(), *, commit=True, description=""):
    """A NetworkGroup holding ``schools``."""
    from crisiscomm.network import service as network_service

    row = network_service.create_group(department=_department(department),
                                       data={"name": name, "description": description})
    network_service.add_schools(group=row, schools=list(schools))
    return _done(row, commit)
# --- monitoring ---------------------------------------------------------------------------------------------------

def mention_screenshot(mention, *, size=(640, 480), commit=True):
    """A screenshot kept with a captured mention (a plain JPEG, as re-encoded on upload)."""
    import io

    from PIL import Image

    from crisiscomm.monitoring.models import Screenshot

    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, "JPEG")
    row = Screenshot(mention=mention, data=out.getvalue(), width=size[0], height=size[1])
    return _add(row, commit)


# --- training ---------------------------------------------------------------------------------------------------

def course(user, *, title="Tập huấn kỹ năng phát ngôn", starts_on=None, topics=("spokesperson_skills",), invited=(),
           commit=True, **fields):
    """A course organised by ``user``'s Department (the Ministry's, with ``invited`` Department codes, for a
    Ministry user), through training.service; by default on 15/03/2026."""
    from crisiscomm.training import service as training_service

    row = training_service.create_course(user=user, title=title, starts_on=starts_on or date(2026, 3, 15),
                                         topics=list(topics), invited=list(invited) or None, **fields)
    return _done(row, commit)


def participant(course, organiser, person=None, *, focal_point=None, attendance="attended", commit=True):
    """``person`` (a user) or ``focal_point`` on ``course``, marked ``attendance`` by ``organiser``."""
    from crisiscomm.training import service as training_service

    row = training_service.add_participant(course=course, user=organiser, person_id=person.id if person else None,
                                           focal_point_id=focal_point.id if focal_point else None)
    training_service.set_attendance(course=course, user=organiser, participant=row, attendance=attendance)
    return _done(row, commit)
