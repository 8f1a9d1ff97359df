"""`flask demo generate`: years of synthetic data for every Department, consistent with the workflows and
visible in the app, written into a database that has only the reference data of `flask setup`."""
import re
from collections import Counter
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from crisiscomm.briefings.models import Briefing
from crisiscomm.contacts.models import Contact
from crisiscomm.demo import DEMO_PASSWORD
from crisiscomm.departments.models import ACTIVE, MERGED, Department
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Escalation, Incident, IncidentEvent
from crisiscomm.inquiries.models import (ANSWERED, CLOSED_STATES, DECLINED, OPEN_STATES, RECEIVED, Inquiry,
                                         InquiryEvent)
from crisiscomm.ops.generate import EMAIL_DOMAIN
from crisiscomm.spokespersons.models import SpokespersonAssignment
from crisiscomm.statements.models import Statement
from crisiscomm.text import fold
from crisiscomm.users.models import User

from ..conftest import empty_database

ARGS = ["demo", "generate", "--years", "2", "--scale", "0.02"]
# At scale 1 over 10 years: 200,000 inquiries, 50,000 contacts, 20,000 incidents, 1,500 briefings.
EXPECTED = {"inquiry": 800, "contact": 200, "incident": 80, "briefing": 6}
MERGER = datetime(2025, 6, 30, 17, tzinfo=timezone.utc)  # 1 July 2025, 00:00 in Hà Nội


def setup_and_generate(runner, args=ARGS):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output


def summary(output):
    """{table: rows} from the command's summary lines."""
    return {m.group(1): int(m.group(2).replace(",", "")) for m in re.finditer(r"^(\w+)\s+([\d,]+)$", output, re.M)}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def generated(clock, runner):
    return setup_and_generate(runner)


def test_volumes_in_proportion_with_a_summary_per_table(generated):
    printed = summary(generated)
    for table, n in EXPECTED.items():
        assert printed[table] == n
    assert count(Inquiry) == 800 and count(Contact) == 200 and count(Incident) == 80 and count(Briefing) == 6
    # about ten accounts per active Department, five moved (inactive) ones per former Department, three Ministry
    assert count(User, User.email.like(f"%.{EMAIL_DOMAIN}")) == printed["user_account"] == 34 * 10 + 29 * 5 + 3
    assert count(InquiryEvent) == printed["inquiry_event"] >= 4 * count(Inquiry, Inquiry.state == ANSWERED)
    answered = count(Inquiry, Inquiry.state == ANSWERED)
    assert 0.75 * 800 < answered < 0.92 * 800
    assert count(Statement, Statement.source_type == "inquiry") == answered
    with_statement = count(Incident, Incident.first_statement_id.is_not(None))
    assert count(Statement, Statement.source_type == "incident") == with_statement
    assert count(Escalation) >= count(Incident) and count(IncidentEvent) >= 3 * count(Incident)
    assert printed["spokesperson_assignment"] == count(SpokespersonAssignment) > 34
    assert re.search(r"^Generated [\d,]+ rows in [\d.]+ s\.", generated, re.M)


def test_every_active_department_gets_data_and_former_ones_stop_at_the_merger(generated):
    active = db.session.scalars(select(Department.id).where(Department.status == ACTIVE)).all()
    former = db.session.scalars(select(Department.id).where(Department.status == MERGED)).all()
    assert len(active) == 34 and len(former) == 29
    for model in (Inquiry, Contact, Incident):
        having = set(db.session.scalars(select(model.department_id).distinct()))
        assert set(active) <= having, model.__name__
        assert not having & set(former), "records of a former Department live with the unit it joined"
    dated = {Inquiry: Inquiry.received_at, Contact: Contact.created_at, Incident: Incident.occurred_at,
             Briefing: Briefing.starts_at, Statement: Statement.published_at,
             SpokespersonAssignment: SpokespersonAssignment.effective_from}
    for model, column in dated.items():
        assert count(model, model.origin_department_id.in_(former), column >= MERGER) == 0, model.__name__
    assert count(Inquiry, Inquiry.origin_department_id.in_(former)) > 0, "former Departments have history"
    for name in db.session.scalars(select(Department.province).where(Department.status == MERGED)):
        said = count(Statement, Statement.published_at >= MERGER, Statement.text.contains(f"Sở GDĐT {name} "))
        assert said == 0, f"after the merger nobody speaks for Sở GDĐT {name}"
    assert count(User, User.origin_department_id.in_(former), User.active.is_(True)) == 0
    ends = SpokespersonAssignment.effective_to
    still = count(SpokespersonAssignment, SpokespersonAssignment.origin_department_id.in_(former),
                  ends.is_(None) | (ends > MERGER))
    assert still == 0, "a former Department's spokespersons end with it"


def test_timelines_lead_to_each_inquiry_state(generated):
    events = {}
    for e in db.session.scalars(select(InquiryEvent).order_by(InquiryEvent.id)):
        events.setdefault(e.inquiry_id, []).append(e)
    states = Counter()
    for inquiry in db.session.scalars(select(Inquiry)):
        timeline = events[inquiry.id]
        states[inquiry.state] += 1
        assert (timeline[0].from_state, timeline[0].to_state) == (None, RECEIVED)
        for before, after in zip(timeline, timeline[1:]):
            assert after.from_state == before.to_state and after.at >= before.at
        assert timeline[-1].to_state == inquiry.state and inquiry.version == len(timeline)
        assert inquiry.received_at <= timeline[0].at <= inquiry.updated_at
        if inquiry.state == ANSWERED:
            assert inquiry.approved_text and inquiry.approved_by_id and inquiry.answered_at == timeline[-1].at
        if inquiry.state == DECLINED:
            assert inquiry.decline_reason and inquiry.refusal_ground_id
        assert (inquiry.closed_at is not None) == (inquiry.state in CLOSED_STATES)
    assert set(states) >= {ANSWERED, DECLINED, "referred_to_ministry"}
    on_time = count(Inquiry, Inquiry.state == ANSWERED, Inquiry.answered_at <= Inquiry.due_at)
    assert 0.7 < on_time / states[ANSWERED] < 0.97, "most answered on time, some late"
    assert count(Inquiry, Inquiry.state.in_(OPEN_STATES)) < 0.05 * 800, "only recent ones are still open"


def test_incident_escalations_follow_the_escalation_job(generated):
    for incident in db.session.scalars(select(Incident)):
        levels = {e.level for e in incident.escalations}
        assert 1 in levels and max(levels) == incident.escalation_level
        kinds = [e.kind for e in incident.events]
        assert kinds[:2] == ["created", "escalated"]
        assert [e.at for e in incident.events] == sorted(e.at for e in incident.events)
        if incident.level1_acknowledged_at is not None:
            assert any(e.acknowledged_at for e in incident.escalations if e.level == 1)
            assert "level_acknowledged" in kinds and incident.next_escalation_at is None
        if incident.status == "closed":
            assert incident.closing_summary and incident.closing_public_summary and incident.closed_at
    acknowledged = [i for i in db.session.scalars(select(Incident)) if i.level1_acknowledged_at]
    quick = [i for i in acknowledged if (i.level1_acknowledged_at - i.reported_at).total_seconds() < 600]
    assert len(quick) > len(acknowledged) / 2, "level 1 mostly acknowledges quickly"
    assert count(Incident, Incident.escalation_level >= 2) > 0, "some are escalated to level 2 or 3"


def test_visible_to_the_ministry_and_scoped_for_a_department(generated, factory, app):
    ministry = db.session.scalar(select(User).where(User.email == f"truyenthong1@moet.{EMAIL_DOMAIN}"))
    officer = db.session.scalar(select(User).where(User.email == f"truyenthong1@ha-noi.{EMAIL_DOMAIN}"))
    hanoi = officer.department_id
    stats = factory.api(ministry).get("/api/v1/inquiries/stats").get_json()
    assert stats["total"] == 800 and len(stats["departments"]) == 34
    assert stats["answered"] == count(Inquiry, Inquiry.state == ANSWERED) and stats["median_hours_to_answer"]
    own = factory.api(officer).get("/api/v1/inquiries/stats").get_json()
    assert own["total"] == count(Inquiry, Inquiry.department_id == hanoi) > 0
    assert [d["department"] for d in own["departments"]] == ["ha-noi"]

    # The generated accounts sign in with the demo password; pages show the generated records.
    browser = factory.login(SimpleNamespace(email=ministry.email), password=DEMO_PASSWORD)
    overview = browser.get("/overview/?view=records")  # the spokesperson column is paperwork
    assert overview.status_code == 200
    spokesperson = db.session.scalar(select(User.name).where(User.email == f"phatngon@ha-noi.{EMAIL_DOMAIN}"))
    assert spokesperson in overview.get_data(as_text=True)
    for url in ("/inquiries/stats", "/inquiries", "/incidents/", "/contacts/", "/overview/scorecard"):
        assert browser.get(url).status_code == 200, url
    from flask import g

    g.pop("_login_user", None)  # the test's app context outlives requests
    page = factory.login(SimpleNamespace(email=officer.email), password=DEMO_PASSWORD)
    listed = {int(i) for i in re.findall(r'href="/inquiries/(\d+)"', page.get("/inquiries").get_data(as_text=True))}
    assert listed and count(Inquiry, Inquiry.id.in_(listed), Inquiry.department_id != hanoi) == 0
    assert page.get("/overview/").status_code == 404

    # Search works on generated data: without diacritics, on the folded column.
    contact = db.session.scalar(select(Contact).where(Contact.department_id == hanoi, Contact.archived.is_(False))
                                .limit(1))

    found = factory.api(officer).get("/api/v1/contacts", query_string={"q": fold(contact.full_name)}).get_json()
    assert contact.id in [c["id"] for c in found["items"]]


def test_a_second_run_is_refused(generated, runner):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 2 and "Cơ sở dữ liệu đã có dữ liệu" in result.output
    assert count(Inquiry) == 800
    assert runner.invoke(args=["demo", "generate", "--scale", "0"]).exit_code == 2


def test_an_empty_database_without_departments_is_refused(clock, runner):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 2 and "flask setup" in result.output


def test_the_same_seed_gives_the_same_data(app, clock, runner):
    def per_department():
        return sorted(db.session.execute(select(Inquiry.department_id, Inquiry.state, func.count())
                                         .group_by(Inquiry.department_id, Inquiry.state)).all())

    first = summary(setup_and_generate(runner))
    first_split = per_department()
    db.session.remove()
    empty_database(app)
    second = summary(setup_and_generate(runner))
    assert second == first and per_department() == first_split


def test_generated_texts_follow_the_institutions_valid_at_their_date(app, clock):
    from crisiscomm.ops import generate_data as words
    from crisiscomm.ops.generate import Generator

    gen = Generator(years=2, seed=7, scale=0.01, echo=lambda *a: None)
    before = gen.fill(datetime(2025, 3, 10, 3, tzinfo=timezone.utc), "Hà Nội")
    after = gen.fill(datetime(2025, 9, 10, 3, tzinfo=timezone.utc), "Hà Nội")
    assert "huyện" in before["local_office"] and "huyện" not in after["local_office"] and "xã" in after["local_office"]
    assert "HĐND tỉnh" in before["tuition_answer"] and "công lập được miễn học phí" in after["tuition_answer"]
    # The statement library never teaches a flat denial of an exam leak.
    for subject, _questions, answer, _months in words.INQUIRY_TOPICS:
        if "lộ đề" in subject:
            assert "không chính xác" not in answer and "đối chiếu" in answer
    # One term for the backup paper, no abolished bodies anywhere in the generator's texts.
    with open(words.__file__, encoding="utf-8") as fh:
        source = fh.read()
    assert "đề dự phòng" not in source and "Thanh tra Sở" not in source and "quận/huyện" not in source
