"""`flask demo generate`: years of realistic synthetic data for every Department, written fast.

At ``scale`` 1 over 10 years: about 50,000 press contacts, 200,000 press inquiries with their timelines and the
statements of the answered ones, 20,000 incidents with escalations, timelines, first public statements and playbook
checklists, and 1,500 periodic briefings with speakers and invitations. Volumes scale with ``years / 10`` and
``scale``; the people (about ten accounts per Department, password ``crisiscomm.demo.DEMO_PASSWORD``) and the
spokesperson assignments do not.

How it is written: SQLAlchemy Core bulk INSERTs of plain dicts, ``BATCH`` rows per statement, one transaction per
batch; the database assigns the ids (``INSERT ... RETURNING`` in parameter order where children need them), so
PostgreSQL sequences stay right. No ORM objects, hence no audit entry per row: one audit entry records the run.
Denormalised columns (``search_text``) come from the models' own methods; deadlines from the deadline rules
(``inquiries.deadlines.compute_due``), timeouts from the escalation policies, timeline texts from the same Vietnamese
messages the services write.

Records are consistent with the workflows: every inquiry's timeline leads to its state (answered ones carry the
approved text, most of them on time), an incident's escalation follows the escalation job (reminders and level 2/3
when level 1 acknowledges late), and everything is cut at ``clock.now()``: what would happen later has not yet
happened (recent records are still open).

The 2025 merger: a Department merged on 1 July 2025 has records dated before that day only, stored as the merger
leaves them (moved to the unit it joined, ``origin_department_id`` naming it); what it would have had afterwards is
its successor's own. Its accounts are moved and deactivated, its spokesperson assignments end on that day.
"""
import bisect
import math
import random
import secrets
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from time import monotonic
from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy import text as sql
from werkzeug.security import generate_password_hash

from ..audit.service import record
from ..briefings.models import CANCELLED, HELD, PLANNED, POSTPONED, Briefing, BriefingInvitation, briefing_speaker
from ..briefings.quarters import current_quarter, quarter_bounds, quarter_key, shift_quarter
from ..clock import local_tz, now
from ..contacts import phones as phone_numbers
from ..contacts.models import Contact
from ..demo import DEMO_PASSWORD
from ..departments.models import ACTIVE, Department
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..incidents import common as incident_common, labels as incident_labels, playbook as incident_playbook
from ..incidents import policies as incident_policies, statement_clock as incident_clock
from ..models import acting_as
from ..incidents.models import (ACKNOWLEDGED, AUD_DEPUTY, AUD_DIRECTOR, AUD_DRILL, AUD_SPOKESPERSON, AUD_STEERING,
                                CLOSED, CONTAINED, OPEN, STATUSES, ChecklistItem, Escalation, Incident,
                                IncidentEvent)
from ..inquiries.models import (ANSWERED, ASSIGNED, AWAITING_APPROVAL, DECLINED, DRAFTING, RECEIVED, REFERRED,
                                Inquiry, InquiryEvent, RefusalGround)
from ..inquiries.deadlines import compute_due
from ..inquiries.settings import department_settings
from ..rules.models import DeadlineRule
from ..scenarios.models import Scenario
from ..spokespersons.models import AUTHORIZED, OFFICIAL, SpokespersonAssignment
from ..statements.models import Statement
from ..text import fold
from ..users.models import ROLES, User
from . import generate_data as words

BASE_VOLUMES = {"contacts": 50_000, "inquiries": 200_000, "incidents": 20_000, "briefings": 1_500}
BASE_YEARS = 10
MERGER_DAY = date(2025, 7, 1)  # local date the 63 Departments became 34
HANDFUL = 100  # more inquiries than this: the database holds real (or generated) data
EMAIL_DOMAIN = "gen.demo"  # every generated account is <prefix>@<department code>.gen.demo
BATCH = 5000
WEIGHTS = {"ha-noi": 3.5, "ho-chi-minh": 3.5, "hai-phong": 1.5, "da-nang": 1.5, "nghe-an": 1.4, "thanh-hoa": 1.4,
           "can-tho": 1.3, "dong-nai": 1.3, "binh-duong": 1.3}  # how busy a Department is, relative to 1
# Seasonality per month (January first): the exam season and the start of the school year are busy.
INQUIRY_MONTHS = (0.85, 0.6, 0.95, 1.0, 1.2, 1.6, 1.5, 1.25, 1.35, 1.05, 1.0, 0.9)
INCIDENT_MONTHS = (0.8, 0.6, 0.9, 1.0, 1.2, 2.2, 1.4, 1.0, 1.3, 1.1, 1.0, 0.9)
FLAT = (1,) * 12
HOURS = (1, .5, .3, .3, .3, .8, 2, 5, 9, 10, 10, 9, 6, 7, 9, 9, 8, 6, 4, 3, 2.5, 2, 1.5, 1.2)  # local hour of day

Person = namedtuple("Person", "id name email role")
Recipient = namedtuple("Recipient", "audience id key label email role")
ContactRef = namedtuple("ContactRef", "created id name outlet email archived")


def generate(*, years=10, seed=1, scale=1.0, echo=print):
    """Fill the database; returns {table: rows written}. Refuses (Conflict) when it already holds data."""
    check_empty()
    return Generator(years=years, seed=seed, scale=scale, echo=echo).run()


def check_empty():
    if not db.session.scalar(select(func.count(Department.id)).where(Department.status == ACTIVE)):
        raise ValidationError("There are no Departments: run `flask setup` first.")
    generated = db.session.scalar(select(func.count(User.id)).where(User.email.like(f"%.{EMAIL_DOMAIN}")))
    inquiries = db.session.scalar(select(func.count(Inquiry.id)))
    if generated or inquiries > HANDFUL:
        raise Conflict(f"The database already holds data ({inquiries} press inquiries"
                       f"{', generated accounts' if generated else ''}): generate into an empty database "
                       f"(`flask db upgrade` and `flask setup` on a new one).")


def apportion(total, weights, at_least_one=()):
    """``total`` split over ``weights`` ({key: weight}) by largest remainders; every key of ``at_least_one``
    gets one when there are enough to go round."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[:total - sum(counts.values())]:
        counts[k] += 1
    if total >= len(at_least_one):
        for k in at_least_one:
            if not counts[k]:
                donor = max(counts, key=lambda j: (counts[j], -j))
                counts[donor] -= 1
                counts[k] += 1
    return counts


def minutes(value):
    return timedelta(minutes=value)


class Calendar:
    """Times in [start, end] weighted by month, weekday, a growth over the years and the local hour of day."""

    def __init__(self, start, end, months, growth=0.6, weekend=0.35):
        self.tz, self.start, self.end = local_tz(), start, end
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        n = (last - first).days + 1
        self.days = [first + timedelta(days=i) for i in range(n)]
        self.cum = list(accumulate(months[d.month - 1] * (weekend if d.weekday() >= 5 else 1.0) *
                                   (1 + growth * i / max(n - 1, 1)) for i, d in enumerate(self.days)))
        self.hours = list(accumulate(HOURS))

    def at(self, day, hour, minute=0, second=0):
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=self.tz).astimezone(
            self.start.tzinfo)

    def sample(self, rng, k):
        out = []
        while len(out) < k:  # the first and the last day are partly outside [start, end]: draw again
            days = rng.choices(self.days, cum_weights=self.cum, k=k - len(out))
            hours = rng.choices(range(24), cum_weights=self.hours, k=k - len(out))
            out.extend(t for t in (self.at(day, hour, rng.randrange(60), rng.randrange(60))
                                   for day, hour in zip(days, hours)) if self.start < t < self.end)
        return out


@dataclass(eq=False)
class Unit:
    """A Department of 2022 and where its records live."""

    id: int
    code: str
    province: str
    department: object  # the Department row (settings, escalation policy)
    successor: "Unit | None" = None  # the unit a merged Department joined
    until: datetime | None = None  # merged: records dated from here on are the successor's
    former_name: str | None = None  # renamed (Thừa Thiên Huế → Huế): the name before the merger
    weight: float = 1.0
    on_time: float = 0.9  # share of inquiries answered by the deadline
    compliance: float = 0.8  # how regularly it holds its quarterly briefing
    staff: dict = field(default_factory=dict)  # role -> [Person]
    officials: list = field(default_factory=list)  # [(from, Person)]: its official spokespersons
    outlets: list = field(default_factory=list)
    contacts: list = field(default_factory=list)  # [ContactRef] by creation time
    contact_times: list = field(default_factory=list)
    incidents: list = field(default_factory=list)  # [(occurred_at, id, title)] by time, drills left out

    @property
    def active(self):
        return self.successor is None

    def at(self, t):
        """(department_id, origin_department_id, the unit whose people act) for a record dated ``t``."""
        if self.successor is None:
            return self.id, None, self
        if t < self.until:
            return self.successor.id, self.id, self
        return self.successor.id, None, self.successor

    def province_at(self, t, cutoff):
        """The name a record dated ``t`` speaks of: the former name of a renamed unit before the merger.
        (Call it on the unit ``at`` names: a former Department's later records are its successor's.)"""
        return self.former_name if self.former_name and t < cutoff else self.province

    def official(self, t):
        person = None
        for since, who in self.officials:
            if since <= t:
                person = who
        return person or self.staff["spokesperson"][0]


class Generator:
    def __init__(self, *, years, seed, scale, echo):
        self.rng = random.Random(seed)
        self.now = now()
        self.start = self.now - timedelta(days=round(365.25 * years))
        self.tz = local_tz()
        self.cutoff = datetime.combine(MERGER_DAY, time(), tzinfo=self.tz).astimezone(self.now.tzinfo)
        self.volumes = {k: round(v * scale * years / BASE_YEARS) for k, v in BASE_VOLUMES.items()}
        self.echo = echo
        self.counts = {}
        self._due, self._statement_due, self._timeouts = {}, {}, {}

    # --- plumbing ------------------------------------------------------------------------------------

    def insert(self, model, rows, returning=False):
        """Bulk INSERT in batches, one transaction each; the new ids in row order when ``returning``.

        The database assigns the ids: ``INSERT ... RETURNING`` in parameter order, or on PostgreSQL the table's
        own sequence (``nextval``) and a plain pipelined executemany, much faster there than a RETURNING
        statement of thousands of VALUES."""
        table = getattr(model, "__table__", model)
        ids = []
        for i in range(0, len(rows), BATCH):
            chunk = rows[i:i + BATCH]
            with db.engine.begin() as conn:
                if returning and conn.dialect.name == "postgresql":
                    new = conn.scalars(sql("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                                           "FROM generate_series(1, :n)"), {"t": table.name, "n": len(chunk)}).all()
                    conn.execute(insert(table), [dict(row, id=n) for row, n in zip(chunk, new)])
                    ids.extend(new)
                elif returning:
                    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                    ids.extend(conn.execute(stmt, chunk).scalars().all())
                else:
                    conn.execute(insert(table), chunk)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        return ids

    def phase(self, label, step):
        began = monotonic()
        step()
        self.echo(f"  {label:<14} {monotonic() - began:6.1f} s")

    def run(self):
        began = monotonic()
        self.echo(f"Generating {self.volumes['inquiries']:,} inquiries, {self.volumes['incidents']:,} incidents, "
                  f"{self.volumes['contacts']:,} contacts and {self.volumes['briefings']:,} briefings from "
                  f"{self.start:%Y-%m-%d} to {self.now:%Y-%m-%d} ...")
        self.load()
        for label, step in (("people", self.people), ("spokespersons", self.spokespersons),
                            ("contacts", self.contacts), ("incidents", self.incidents),
                            ("inquiries", self.inquiries), ("briefings", self.briefings)):
            self.phase(label, step)
        db.session.rollback()  # the reads above; the audit entry below starts a fresh transaction
        with acting_as(label="demo generate"):
            record("generate", "Demo", summary=f"demo generate: {sum(self.counts.values())} rows",
                   changes={"counts": self.counts, "volumes": self.volumes})
        db.session.commit()
        # Fresh planner statistics: without them SQLite and PostgreSQL guess at a million new rows.
        db.session.execute(sql("ANALYZE"))
        db.session.commit()
        for table, n in self.counts.items():
            self.echo(f"{table:<28} {n:>10,}")
        self.echo(f"Generated {sum(self.counts.values()):,} rows in {monotonic() - began:.1f} s. "
                  f"Accounts: <role>@<department code>.{EMAIL_DOMAIN}, e.g. truyenthong1@ha-noi.{EMAIL_DOMAIN}.")
        return dict(self.counts)

    # --- reference data ------------------------------------------------------------------------------

    def load(self):
        rng = self.rng
        deps = db.session.scalars(select(Department).order_by(Department.id)).all()
        units = {d.id: Unit(id=d.id, code=d.code, province=d.province, department=d) for d in deps}
        for d in deps:
            unit = units[d.id]
            unit.weight = rng.lognormvariate(0, 0.35) * WEIGHTS.get(d.code, 1.0)
            unit.on_time, unit.compliance = rng.uniform(0.75, 0.97), rng.uniform(0.45, 1.0)
            if d.status != ACTIVE:
                top = d
                while top.merged_into is not None and top.status != ACTIVE:
                    top = top.merged_into
                unit.successor = units[top.id]
                unit.until = min(self.cutoff, d.merged_at) if d.merged_at else self.cutoff
            elif d.former_names:
                unit.former_name = d.former_names[0]
            unit.outlets = words.provincial_outlets(unit.province, unit.code, merged=d.status == ACTIVE)
        self.units = list(units.values())
        self.active_ids = [u.id for u in self.units if u.active]
        self.grounds = [(g.id, g.key, g.name) for g in db.session.scalars(
            select(RefusalGround).where(RefusalGround.active.is_(True)).order_by(RefusalGround.id))]
        self.scenarios = {}
        for s in db.session.scalars(select(Scenario).order_by(Scenario.slug)):
            version = s.version()
            if version is not None and version.phases:
                self.scenarios.setdefault(s.category, []).append((version.id, s.title, version.phases))
        self.rule_points = sorted({t for r in db.session.scalars(select(DeadlineRule))
                                   for t in (r.valid_from, r.valid_to) if t is not None})
        self.messages()

    def messages(self):
        """The timeline texts the services write, in Vietnamese (the same msgids, already translated)."""
        with force_locale("vi"):
            self.msg = {
                "logged": _("Logged via %(source)s"), "assigned": _("Assigned to %(name)s"),
                "created": _("Incident logged by %(name)s."), "level1": _("Level 1 alerted: %(names)s"),
                "escalated": _("Escalated to level %(level)s: %(names)s"),
                "nobody": _("nobody (no recipient configured)"),
                "reminder": _("Reminder %(n)s re-sent to level 1: %(names)s"),
                "ack": _("%(name)s acknowledged (level %(level)s, %(via)s)."),
                "level_ack": _("Level 1 has acknowledged: escalation stops."),
                "status": _("Status: %(old)s → %(new)s"),
                "statement": _("First public statement recorded (%(channel)s), approved by %(name)s."),
                "late": _("(after the due time)"),
                "overdue": _("The first public statement is overdue; the director and the Ministry communication "
                             "centre were alerted."),
                "playbook": _("Playbook activated: %(title)s (%(n)s actions)."),
                "done": _("Done: %(text)s"), "action_overdue": _("Overdue action alerted to %(role)s: %(text)s"),
            }
            self.status_label = {s: str(incident_labels.status_label(s)) for s in STATUSES}
            self.via_label = {v: str(incident_labels.via_label(v)) for v in ("app", "link")}
            self.role_name = {r: incident_labels.role_name(r) for r in (*ROLES, None)}
        self.drill_label = incident_common.DRILL_LABEL

    # --- helpers -------------------------------------------------------------------------------------

    def name(self):
        rng = self.rng
        surname = rng.choices([s for s, _w in words.SURNAMES], weights=[w for _s, w in words.SURNAMES])[0]
        if rng.random() < 0.5:
            return f"{surname} {rng.choice(words.MIDDLE_MALE)} {rng.choice(words.GIVEN_MALE)}"
        return f"{surname} {rng.choice(words.MIDDLE_FEMALE)} {rng.choice(words.GIVEN_FEMALE)}"

    def phone(self):
        rng = self.rng
        prefix = rng.choice(words.MOBILE_PREFIXES)
        return f"{prefix}{rng.randrange(10)} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"

    def delay(self, median, sigma=0.8, low=0.0, high=None):
        """A log-normal duration in minutes around ``median``, clipped."""
        value = max(low, self.rng.lognormvariate(math.log(median), sigma))
        return minutes(min(value, high) if high is not None else value)

    def fill(self, at, province):
        rng = self.rng
        local = at.astimezone(self.tz)
        first = local.year if local.month >= 8 else local.year - 1
        values = {"province": province, "year": local.year, "sy": f"{first}-{first + 1}",
                  "next_sy": f"{first + 1}-{first + 2}", "grade": rng.randint(1, 12),
                  "subject": rng.choice(words.EXAM_SUBJECTS),
                  "school": f"Trường {rng.choice(words.SCHOOL_LEVELS)} {rng.choice(words.SCHOOL_NAMES)}"}
        after = at >= self.cutoff  # no district level from 1 July 2025
        values["local_office"] = words.LOCAL_OFFICE["after" if after else "before"]
        values["tuition_answer"] = words.TUITION_ANSWER["after" if first >= words.TUITION_FREE_FROM_SY else "before"]
        exam = words.EXAM_GRADUATION if local.month in (6, 7) else words.EXAM_GRADE10 if local.month in (4, 5) \
            else words.EXAM_GIFTED
        values["exam"] = exam.format(**values)
        return values

    def rule_slot(self, at):
        return bisect.bisect_right(self.rule_points, at)

    def due(self, department, received, channel, priority, linked):
        """(due_at, deadline_source, rule id) as intake computes them, one rule lookup per distinct case."""
        key = (department.id, self.rule_slot(received), channel, priority, linked)
        if key not in self._due:
            due_at, source, rule = compute_due(department=department, received_at=received, channel=channel,
                                               priority=priority, incident_linked=linked)
            self._due[key] = (due_at - received, source, rule.id if rule else None)
        offset, source, rule_id = self._due[key]
        return received + offset, source, rule_id

    def statement_due(self, known, severity, department_id):
        """(due time, rule id) of the first statement, counted from when the Department learned of the incident."""
        key = (self.rule_slot(known), severity, department_id)
        if key not in self._statement_due:
            probe = SimpleNamespace(known_at=known, reported_at=known, severity=severity, department_id=department_id)
            due, rule = incident_clock.statement_due(probe)
            self._statement_due[key] = (due - known, rule.id if rule else None)
        offset, rule_id = self._statement_due[key]
        return known + offset, rule_id

    def timeout(self, department, severity):
        if department.id not in self._timeouts:
            self._timeouts[department.id] = incident_policies.policy_for(department)
        return incident_policies.timeout_for(SimpleNamespace(severity=severity), self._timeouts[department.id])

    @staticmethod
    def search_text(refresh, **fields):
        """A model's folded search column, computed by the model's own method on plain values."""
        probe = SimpleNamespace(**fields)
        refresh(probe)
        return probe.search_text

    # --- people and spokespersons --------------------------------------------------------------------

    def people(self):
        password = generate_password_hash(DEMO_PASSWORD, method="scrypt")
        rows, owners = [], []

        def add(unit, role, email, title, department_id=None, origin=None, active=True):
            name = self.name()
            rows.append({"email": email, "name": name, "title": title, "phone": self.phone(), "role": role,
                         "department_id": department_id, "origin_department_id": origin, "password_hash": password,
                         "active": active, "locale": None, "session_version": 1, "created_at": self.start,
                         "updated_at": self.start})
            owners.append((unit, role))

        for role, count, prefix, title in words.MINISTRY_STAFF:
            for n in range(1, count + 1):
                add(None, role, f"{prefix}{n}@moet.{EMAIL_DOMAIN}", title)
        for unit in self.units:
            for role, count, prefix, title in words.STAFF:
                count = count if unit.active else (0 if role == "viewer" else 1)
                for n in range(1, count + 1):
                    email = f"{prefix}{n if count > 1 else ''}@{unit.code}.{EMAIL_DOMAIN}"
                    add(unit, role, email, title.format(province=unit.province),
                        department_id=unit.id if unit.active else unit.successor.id,
                        origin=None if unit.active else unit.id, active=unit.active)
        ids = self.insert(User, rows, returning=True)
        for (unit, role), row, user_id in zip(owners, rows, ids):
            if unit is not None:
                unit.staff.setdefault(role, []).append(Person(user_id, row["name"], row["email"], role))
        probe = SimpleNamespace(drill=False, department=None, department_id=None, exam_related=False)
        self.ministry = [Recipient(p["audience"], p["user"].id if p["user"] else None, p["key"], p["label"] or "?",
                                   p["email"], p["role"])
                         for p in incident_policies.recipients_for_level(probe, 3, policy={"members": {3: []}})]

    def spokespersons(self):
        rng, rows = self.rng, []
        taken = set(db.session.scalars(select(SpokespersonAssignment.department_id).distinct()))

        def add(unit, person, kind, since, until, topics=(), note=None):
            department_id, origin, _owner = unit.at(since)
            rows.append({"department_id": department_id, "origin_department_id": origin, "user_id": person.id,
                         "kind": kind, "topics": list(topics),
                         "decision_number": f"{rng.randint(100, 2999)}/QĐ-SGDĐT",
                         "decision_date": (since - timedelta(days=rng.randint(2, 10))).astimezone(self.tz).date(),
                         "decision_url": None, "effective_from": since, "effective_to": until,
                         "public_phone": self.phone(), "public_email": person.email, "note": note,
                         "created_at": since, "updated_at": until if until and until <= self.now else since})

        for unit in self.units:
            end = self.now if unit.active else unit.until
            staff = unit.staff
            if unit.active:
                switch = self.start + (end - self.start) * rng.uniform(0.3, 0.8)
                unit.officials = [(self.start, staff["deputy_director"][0]), (switch, staff["spokesperson"][0])]
            else:
                unit.officials = [(self.start, staff["spokesperson"][0])]
            department_id = unit.id if unit.active else unit.successor.id
            if department_id in taken or end <= self.start:
                continue  # a Department with assignments already (e.g. the demo's) keeps its own
            for i, (since, person) in enumerate(unit.officials):
                until = unit.officials[i + 1][0] if i + 1 < len(unit.officials) else (None if unit.active else end)
                add(unit, person, OFFICIAL, since, until, note="Người phát ngôn của Sở theo Nghị định 09/2017/NĐ-CP.")
            first = self.start.astimezone(self.tz).year
            for year in range(first, end.astimezone(self.tz).year + 1):
                since = datetime(year, 5, 15, 8, tzinfo=self.tz).astimezone(self.now.tzinfo)
                if not self.start <= since < end:
                    continue
                until = since + timedelta(days=75) if unit.active else min(since + timedelta(days=75), end)
                add(unit, staff["deputy_director"][-1], AUTHORIZED, since, until,
                    topics=(f"Kỳ thi tốt nghiệp THPT năm {year}", "tuyển sinh lớp 10"),
                    note=f"Ủy quyền phát ngôn về các kỳ thi năm {year}.")
        self.insert(SpokespersonAssignment, rows)

    # --- contacts ------------------------------------------------------------------------------------

    def plan(self, volume, months):
        """[(time, unit)] in time order: ``volume`` records apportioned by the units' weights, every active
        Department getting some."""
        counts = apportion(volume, {u.id: u.weight for u in self.units}, at_least_one=self.active_ids)
        calendar = Calendar(self.start, self.now, months)
        out = []
        for unit in self.units:
            out.extend((t, unit) for t in calendar.sample(self.rng, counts[unit.id]))
        out.sort(key=lambda item: (item[0], item[1].id))
        return out

    def contacts(self):
        rng = self.rng
        plan = self.plan(self.volumes["contacts"], FLAT)
        # A Department starts with its press list: a quarter of the contacts exist from the first weeks on.
        plan = [((self.start + timedelta(days=30 * rng.random())) if rng.random() < 0.25 else t, unit)
                for t, unit in plan]
        plan.sort(key=lambda item: (item[0], item[1].id))
        emails = {}
        for i in range(0, len(plan), BATCH):
            chunk = plan[i:i + BATCH]
            rows = [self.contact_row(t, unit, emails) for t, unit in chunk]
            ids = self.insert(Contact, rows, returning=True)
            for (t, unit), row, contact_id in zip(chunk, rows, ids):
                unit.contacts.append(ContactRef(t, contact_id, row["full_name"], row["outlet"], row["email"],
                                                row["archived"]))
        for unit in self.units:
            unit.contact_times = [c.created for c in unit.contacts]

    def contact_row(self, created, unit, emails):
        rng = self.rng
        department_id, origin, owner = unit.at(created)
        name = self.name()
        outlet, kind, domain = rng.choice(owner.outlets) if rng.random() < 0.55 else rng.choice(words.NATIONAL_OUTLETS)
        email = None
        if rng.random() < 0.88:
            parts = fold(name).split()
            local = f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}"
            n = emails.get((unit.id, local, domain), 0)
            emails[(unit.id, local, domain)] = n + 1
            email = f"{local}{n or ''}@{domain}"
        phones = [self.phone()] + ([self.phone()] if rng.random() < 0.15 else [])
        age = (self.now - created).days
        roll = rng.random()
        verified = None if roll < 0.08 else (
            self.now - timedelta(days=rng.uniform(0, min(365, age))) if roll < 0.72 or age <= 365
            else created + timedelta(days=rng.uniform(0, age - 365)))
        beat = rng.choice(words.BEATS)
        return {"department_id": department_id, "origin_department_id": origin, "full_name": name, "outlet": outlet,
                "outlet_type": kind, "beat": beat, "phones": phones, "email": email,
                "phone_numbers": [phone_numbers.canonical(p) for p in phones],
                "notes": rng.choice(words.NOTES) if rng.random() < 0.15 else None, "last_verified_at": verified,
                "archived": rng.random() < 0.07, "created_at": created, "updated_at": max(created, verified or created),
                "search_text": self.search_text(Contact.refresh_search_text, full_name=name, outlet=outlet,
                                                beat=beat, email=email, phones=phones)}

    # --- incidents -----------------------------------------------------------------------------------

    def incidents(self):
        plan = self.plan(self.volumes["incidents"], INCIDENT_MONTHS)
        table = Incident.__table__
        link = update(table).where(table.c.id == bindparam("b_id")).values(first_statement_id=bindparam("b_sid"))
        for i in range(0, len(plan), BATCH):
            stories = [self.incident_story(unit, t) for t, unit in plan[i:i + BATCH]]
            ids = self.insert(Incident, [s.row for s in stories], returning=True)
            for story, incident_id in zip(stories, ids):
                story.id = incident_id
                if not story.row["drill"]:
                    story.unit.incidents.append((story.row["occurred_at"], incident_id, story.row["title"]))
            escalations = [(dict(row, incident_id=s.id), ref) for s in stories for row, ref in s.escalations]
            for (_row, ref), esc_id in zip(escalations, self.insert(Escalation, [e[0] for e in escalations],
                                                                     returning=True)):
                ref["id"] = esc_id
            with_statement = [s for s in stories if s.statement]
            statements = [dict(s.statement, source_id=s.id) for s in with_statement]
            statement_ids = self.insert(Statement, statements, returning=True)
            for story, statement_id in zip(with_statement, statement_ids):
                story.statement_ref["id"] = statement_id
            if statement_ids:
                with db.engine.begin() as conn:
                    conn.execute(link, [{"b_id": s.id, "b_sid": sid} for s, sid in zip(with_statement, statement_ids)])
            self.insert(IncidentEvent, [self.event_row(e, s.id) for s in stories for e in s.events])
            self.insert(ChecklistItem, [dict(c, incident_id=s.id) for s in stories for c in s.checklist])
        for unit in self.units:
            unit.incidents.sort()

    @staticmethod
    def event_row(event, incident_id):
        # {"id": n}: the id of an escalation or a statement, written after the story was told
        data = {k: v["id"] if isinstance(v, dict) else v for k, v in event["data"].items()}
        return dict(event, incident_id=incident_id, data=data)

    def incident_story(self, unit, occurred):
        """One incident from report to close, as the services and the escalation job would have written it,
        cut at now."""
        rng, horizon, msg = self.rng, self.now, self.msg
        reported = occurred + self.delay(20, 0.9, 2, 360)
        if reported > horizon:  # not reported yet: it happened a little earlier
            occurred, reported = occurred - (reported - horizon) - minutes(30), horizon - minutes(30)
        department_id, origin, owner = unit.at(occurred)
        staff = owner.staff
        values = self.fill(occurred, owner.province_at(occurred, self.cutoff))
        season = occurred.astimezone(self.tz).month in (5, 6, 7)
        categories = list(words.CATEGORY_WEIGHTS)
        weights = [w * (4 if season and c == "exam" else 1) for c, w in words.CATEGORY_WEIGHTS.items()]
        category = rng.choices(categories, weights=weights)[0]
        title, description, exam_related, severities = rng.choice(words.INCIDENTS[category])
        severity = rng.choices(("low", "medium", "high", "critical"), weights=severities)[0]
        drill = rng.random() < 0.03
        title, description = title.format(**values)[:290], description.format(**values)
        if drill:
            title, severity = "Diễn tập: " + title, ("high" if severity in ("low", "medium") else severity)
        reporter = rng.choice(staff["comms_officer"] + (staff["steering_board"] if exam_related else []))
        timeout = minutes(self.timeout(owner.department, severity))
        due, due_rule_id = self.statement_due(reported, severity, department_id)
        events, escalations, alerted = [], [], set()

        def event(at, kind, message, actor=None, label=None, data=None, **columns):
            if at <= horizon:
                events.append({"at": at, "actor_id": actor.id if actor else None,
                               "actor_label": label or (actor.name if actor else "crisiscomm"), "kind": kind,
                               "field": columns.get("field"), "old_value": columns.get("old"),
                               "new_value": columns.get("new"), "message": message, "data": data or {}})

        def recipient(audience, person, role=None):
            return Recipient(audience, person.id, f"user:{person.id}", person.name, person.email, role or person.role)

        def notify(level, people, at):
            fresh = []
            for p in people:  # people not alerted yet, once each
                if p.key not in alerted:
                    alerted.add(p.key)
                    fresh.append(p)
            audiences = set()
            for p in fresh:
                # Level 1: someone of each audience acknowledges (the director, a steering-board member).
                first = p.audience not in audiences
                audiences.add(p.audience)
                acks = (first or rng.random() < 0.85) if level == 1 else rng.random() < 0.6
                median = 3 if level == 1 else 12
                escalations.append({"level": level, "person": p, "notified_at": at, "reminded": [],
                                    "ack": at + self.delay(median, 0.9, 0.3, 180) if acks else None,
                                    "via": "link" if rng.random() < 0.4 else "app", "ref": {}})
            return [p.label for p in fresh]

        mark = f" [{self.drill_label}]" if drill else ""
        event(reported, "created", msg["created"] % {"name": reporter.name} + mark, reporter,
              data={"severity": severity, "exam_related": exam_related, "drill": drill})
        if drill:
            participants = [recipient(AUD_DRILL, p) for p in (staff["director"][0], reporter)]
            level1 = list({p.key: p for p in participants}.values())
        else:
            level1 = [recipient(AUD_DIRECTOR, p) for p in staff["director"]] + (
                [recipient(AUD_STEERING, p) for p in staff["steering_board"]] if exam_related else [])
        names = notify(1, level1, reported)
        event(reported, "escalated", msg["level1"] % {"names": ", ".join(names) or msg["nobody"]}, reporter,
              data={"level": 1, "recipients": names})

        def first_ack(audience):
            acks = [e["ack"] for e in escalations if e["level"] == 1 and e["person"].audience == audience and e["ack"]]
            return min(acks) if acks else None

        if drill:
            acknowledged = min(e["ack"] for e in escalations if e["ack"])
        else:
            acknowledged = max(filter(None, (first_ack(AUD_DIRECTOR), first_ack(AUD_STEERING))))
        # The escalation job: every timeout until level 1 acknowledges, remind it and go one level up.
        level, steps, step = 1, [], reported + timeout
        while step < acknowledged and len(steps) < 40:
            at = step + timedelta(seconds=rng.uniform(0, 30))
            unacked = [e for e in escalations if e["level"] == 1 and not (e["ack"] and e["ack"] <= at)]
            for e in unacked:
                e["reminded"].append(at)
            if unacked:
                event(at, "reminder", msg["reminder"] % {"n": len(steps) + 1, "names": ", ".join(
                    e["person"].label for e in unacked)}, data={"round": len(steps) + 1})
            level_done = any(e["ack"] and e["ack"] <= at for e in escalations if e["level"] == level)
            if not drill and level < 3 and not (level >= 2 and level_done):
                level += 1
                if level == 2:
                    people = [recipient(AUD_DEPUTY, p) for p in staff["deputy_director"]] + [
                        recipient(AUD_SPOKESPERSON, owner.official(at), role="spokesperson")]
                else:
                    people = self.ministry
                names = notify(level, people, at)
                event(at, "escalated", msg["escalated"] % {"level": level, "names": ", ".join(names) or msg["nobody"]},
                      data={"level": level, "recipients": names})
            steps.append((at, level))
            step = at + timeout
        for e in escalations:
            if e["ack"]:
                p = e["person"]
                event(e["ack"], "acknowledged", msg["ack"] % {"name": p.label, "level": e["level"],
                                                             "via": self.via_label[e["via"]]},
                      Person(p.id, p.label, p.email, p.role) if p.id else None, label=p.label,
                      data={"escalation_id": e["ref"], "level": e["level"]})
        decider = next((e["person"] for e in escalations if e["ack"] == acknowledged), None)
        decider = Person(decider.id, decider.label, decider.email, decider.role) if decider and decider.id else None
        event(acknowledged, "level_acknowledged", msg["level_ack"], decider)
        statuses = [(acknowledged, OPEN, ACKNOWLEDGED, decider)]

        # From acknowledged to closed; drills close within the hour or two.
        handler = rng.choice(staff["comms_officer"])
        if drill:
            closed = acknowledged + self.delay(60, 0.4, 20, 180)
        else:
            contained = acknowledged + self.delay(360, 1.0, 30)
            closed = contained + self.delay(3600, 0.9, 60)
            if rng.random() < 0.7:
                statuses.append((contained, ACKNOWLEDGED, CONTAINED, handler))

        # The first public statement: most on time, some late, a few never (low-severity, or drills).
        statement, published = None, None
        if not drill and (severity in ("high", "critical") or rng.random() < 0.85):
            span = due - occurred
            published = occurred + span * rng.uniform(0.2, 0.95) if rng.random() < 0.85 \
                else due + span * rng.expovariate(2.5)
            published = max(published, reported + minutes(5))
            closed = max(closed, published + self.delay(120, 0.7, 30))
        if published is not None and published <= horizon:
            approver = owner.official(published) if rng.random() < 0.7 else staff["director"][0]
            channel = rng.choice(words.STATEMENT_CHANNELS)
            text = words.STATEMENT_TEXT.format(**values)
            late = published > due
            statement = {"department_id": department_id, "origin_department_id": unit.at(published)[1],
                         "source_type": "incident",
                         "subject": title[:300], "text": text, "channel": channel, "approved_by_id": approver.id,
                         "published_at": published, "created_at": published, "updated_at": published,
                         "search_text": self.search_text(Statement.refresh_search_text, subject=title[:300],
                                                         text=text)}
            ref = {}
            event(published, "statement", msg["statement"] % {"channel": channel, "name": approver.name} +
                  (" " + msg["late"] if late else ""), handler, data={"statement_id": ref, "late": late})
        else:
            ref = None
        alert = None
        if not drill and (published is None or published > due) and closed > due:
            alert = due + timedelta(seconds=rng.uniform(1, 60))
            if published is not None and published <= alert:
                alert = None
            else:
                event(alert, "statement_overdue", msg["overdue"])

        # The playbook: the checklist of a scenario of the same category.
        checklist, scenario_version_id = [], None
        choices = self.scenarios.get(category)
        if choices and rng.random() < (0.6 if severity in ("high", "critical") else 0.35 if exam_related else 0.05):
            version_id, scenario_title, phases = rng.choice(choices)
            activated = reported + self.delay(8, 0.6, 1, 60)
            if activated <= horizon:
                scenario_version_id = version_id
                checklist = self.checklist(phases, occurred, activated, closed, staff, event, version_id)
                event(activated, "scenario_activated", msg["playbook"] % {"title": scenario_title,
                                                                          "n": len(checklist)},
                      reporter, field="scenario_version_id", old="", new=str(version_id))
        statuses.append((closed, statuses[-1][2], CLOSED, handler))
        summary = words.DRILL_SUMMARY if drill else words.CLOSING_SUMMARY
        public = words.DRILL_SUMMARY if drill else words.CLOSING_PUBLIC.format(**values)
        status = OPEN
        for at, old, new, actor in statuses:
            if at <= horizon:
                status = new
                closing = new == CLOSED
                event(at, "closed" if closing else "status",
                      msg["status"] % {"old": self.status_label[old], "new": self.status_label[new]}, actor,
                      field="status", old=old, new=new,
                      data={"closing_summary": summary, "closing_public_summary": public} if closing else None)
        events.sort(key=lambda e: e["at"])  # stable: same-moment entries keep the order the services write them

        acked = acknowledged <= horizon
        done_steps = [s for s in steps if s[0] <= horizon]
        last = done_steps[-1][0] if done_steps else reported
        is_closed = status == CLOSED
        row = {"department_id": department_id, "origin_department_id": origin, "title": title,
               "category": category, "exam_related": exam_related, "exam": values["exam"] if exam_related else None,
               "occurred_at": occurred, "reported_at": reported, "known_at": reported, "place": f"{values['school']}, {values['province']}",
               "description": description, "severity": severity, "status": status, "reporter_id": reporter.id,
               "scenario_version_id": scenario_version_id, "drill": drill,
               "drill_recipient_ids": [p.id for p in level1] if drill else [],
               "closing_summary": summary if is_closed else None,
               "closing_public_summary": public if is_closed else None, "closed_at": closed if is_closed else None,
               "escalation_level": max([1] + [lvl for _at, lvl in done_steps]), "escalation_round": len(done_steps),
               "next_escalation_at": None if acked or is_closed else last + timeout,
               "level1_acknowledged_at": acknowledged if acked else None, "timeout_minutes": timeout.seconds // 60,
               "first_statement_due_at": due, "first_statement_rule_id": due_rule_id, "first_statement_id": None,
               "first_statement_at": published if statement else None,
               "statement_overdue_alerted_at": alert if alert and alert <= horizon else None,
               "created_at": reported, "updated_at": events[-1]["at"] if events else reported}
        row["search_text"] = self.search_text(incident_common.refresh_search, title=title, description=description,
                                              place=row["place"], exam=row["exam"])
        return SimpleNamespace(unit=unit, row=row, events=events, statement=statement, statement_ref=ref,
                               checklist=checklist, escalations=[self.escalation_row(e) for e in escalations
                                                                 if e["notified_at"] <= horizon], id=None)

    def escalation_row(self, e):
        p, horizon = e["person"], self.now
        ack = e["ack"] if e["ack"] and e["ack"] <= horizon else None
        reminded = [t for t in e["reminded"] if t <= horizon]
        return {"level": e["level"], "audience": p.audience, "recipient_id": p.id, "recipient_key": p.key,
                "recipient_label": p.label, "email": p.email, "role": p.role, "notified_at": e["notified_at"],
                "reminders": len(reminded), "last_reminded_at": reminded[-1] if reminded else None,
                "ack_nonce": secrets.token_urlsafe(16), "acknowledged_at": ack,
                "acknowledged_via": e["via"] if ack else None,
                "ack_link_used_at": ack if ack and e["via"] == "link" else None}, e["ref"]

    def checklist(self, phases, occurred, activated, closed, staff, event, version_id):
        """The scenario's actions: most done by their due time, some late (alerted), a few left undone."""
        rng, horizon, out = self.rng, self.now, []
        for phase_no, phase in enumerate(phases):
            try:
                offset = incident_playbook.parse_duration(phase.get("due_after"))
            except ValueError:
                offset = timedelta(0)
            due = occurred + offset
            for n, item in enumerate(phase.get("items") or []):
                text = item.get("text") if isinstance(item, dict) else str(item)
                if not text:
                    continue
                role = item.get("owner_role") if isinstance(item, dict) else None
                person = rng.choice(staff.get(role) or staff["comms_officer"])
                done = None
                if rng.random() < 0.92:
                    done = activated + max(due - activated, minutes(5)) * rng.uniform(0.2, 1.0) \
                        if rng.random() < 0.85 else max(due, activated) + self.delay(120, 0.8, 5)
                    if done > closed:
                        done = None
                alert = max(due, activated) + timedelta(seconds=rng.uniform(1, 60))
                alerted = (done is None or done > alert) and alert < closed
                if done is not None:
                    event(done, "checklist_done", self.msg["done"] % {"text": text}, person)
                if alerted:
                    event(alert, "checklist_overdue", self.msg["action_overdue"] % {
                        "role": self.role_name.get(role, role), "text": text})
                out.append({"scenario_version_id": version_id, "phase": phase.get("name") or "",
                            "due_after": phase.get("due_after"), "position": phase_no * 1000 + n, "text": text,
                            "owner_role": role, "due_at": due,
                            "done_at": done if done is not None and done <= horizon else None,
                            "done_by_id": person.id if done is not None and done <= horizon else None,
                            "overdue_alerted_at": alert if alerted and alert <= horizon else None})
        return out

    # --- press inquiries -----------------------------------------------------------------------------

    def inquiries(self):
        plan = self.plan(self.volumes["inquiries"], INQUIRY_MONTHS)
        self.topics = [(t, [3 if m in t[3] else 1 for m in range(1, 13)]) for t in words.INQUIRY_TOPICS]
        for i in range(0, len(plan), BATCH):
            stories = [self.inquiry_story(unit, t) for t, unit in plan[i:i + BATCH]]
            ids = self.insert(Inquiry, [s.row for s in stories], returning=True)
            self.insert(InquiryEvent, [dict(e, inquiry_id=inquiry_id) for s, inquiry_id in zip(stories, ids)
                                       for e in s.events])
            self.insert(Statement, [dict(s.statement, source_id=inquiry_id) for s, inquiry_id in zip(stories, ids)
                                    if s.statement])

    def inquiry_story(self, unit, received):
        rng, horizon = self.rng, self.now
        logged = received + minutes(rng.uniform(1, 25))
        if logged > horizon:  # not logged yet: it came in a little earlier
            received, logged = received - (logged - horizon) - minutes(1), horizon - minutes(1)
        department_id, origin, owner = unit.at(received)
        staff = owner.staff
        ground = reason = None
        values = self.fill(received, owner.province_at(received, self.cutoff))
        k = bisect.bisect_right(unit.contact_times, received)
        contact = unit.contacts[rng.randrange(k)] if k else (unit.contacts[0] if unit.contacts else None)
        incident = None
        j = bisect.bisect_right(unit.incidents, (received,))
        recent = [x for x in unit.incidents[max(0, j - 5):j] if received - x[0] < timedelta(hours=48)]
        if recent and rng.random() < 0.35:
            incident = rng.choice(recent)
        if incident:
            subject, questions, answer = incident[2], words.INCIDENT_QUESTIONS, words.INCIDENT_ANSWER
        else:
            month = received.astimezone(self.tz).month
            topic = rng.choices([t for t, _w in self.topics], weights=[w[month - 1] for _t, w in self.topics])[0]
            subject, questions, answer = topic[:3]
        subject, questions, answer = subject.format(**values)[:300], questions.format(**values), answer.format(**values)
        channel = rng.choices(("phone", "email", "in_person", "social_media", "official_letter"),
                              weights=(40, 30, 8, 12, 10))[0]
        priority = rng.choices(("normal", "high", "urgent"), weights=(70, 22, 8))[0]
        source = "email" if channel == "email" and rng.random() < 0.3 else rng.choices(("form", "api"), (95, 5))[0]
        deadline = received + timedelta(hours=rng.choice((2, 4, 6, 8, 12, 24, 48))) if rng.random() < 0.3 else None
        due, deadline_source, rule_id = (deadline, "journalist", None) if deadline else self.due(
            owner.department, received, channel, priority, incident is not None)
        if contact:
            journalist, outlet, address = contact.name, contact.outlet, contact.email
        else:
            outlet, journalist, address = rng.choice(words.NATIONAL_OUTLETS)[0], self.name(), None
        sender = address if channel == "email" else None

        # The path to the outcome, then cut at now.
        creator = rng.choice(staff["comms_officer"])
        assignee = rng.choice(staff["comms_officer"] + staff["spokesperson"])
        approver_role = department_settings(owner.department)["inquiry_approver"]
        approver = staff[approver_role][0]
        span = due - received
        roll = rng.random()
        outcome = ANSWERED if roll < 0.84 or not self.grounds and roll < 0.92 else DECLINED if roll < 0.92 \
            else REFERRED
        if outcome == ANSWERED:
            end = received + span * rng.uniform(0.25, 0.95) if rng.random() < unit.on_time \
                else due + span * rng.expovariate(2.0) + minutes(10)
        else:
            end = received + span * (rng.uniform(0.3, 1.1) if outcome == DECLINED else rng.uniform(0.1, 0.6))
        end = max(end, logged + minutes(20))
        path = [(logged, None, RECEIVED, creator, self.msg["logged"] % {"source": source})]

        def step(share, frm, to, actor, note=None):
            path.append((logged + (end - logged) * share, frm, to, actor, note))

        assigned_note = self.msg["assigned"] % {"name": assignee.name}
        if outcome == ANSWERED:
            step(rng.uniform(0.03, 0.15), RECEIVED, ASSIGNED, creator, assigned_note)
            step(rng.uniform(0.2, 0.35), ASSIGNED, DRAFTING, assignee)
            if rng.random() < 0.1:  # the approver sends it back once
                step(0.5, DRAFTING, AWAITING_APPROVAL, assignee)
                step(0.62, AWAITING_APPROVAL, DRAFTING, approver, rng.choice(words.RETURN_NOTES))
            step(rng.uniform(0.7, 0.85), DRAFTING, AWAITING_APPROVAL, assignee)
            step(1.0, AWAITING_APPROVAL, ANSWERED, approver)
        else:
            stop = rng.randrange(3)
            if stop >= 1:
                step(rng.uniform(0.05, 0.2), RECEIVED, ASSIGNED, creator, assigned_note)
            if stop == 2:
                step(rng.uniform(0.3, 0.5), ASSIGNED, DRAFTING, assignee)
            if outcome == DECLINED:
                weights = {"ongoing_investigation": 40, "minor_privacy": 20, "not_competent": 20,
                           "exam_confidential": 10, "personal_privacy": 8, "state_secret": 2}
                ground = rng.choices(self.grounds, weights=[weights.get(g[1], 5) for g in self.grounds])[0]
                reason = words.DECLINE_REASONS.get(ground[1], words.DECLINE_REASONS["not_competent"])
                note = f"{ground[2]}: {reason}"
            else:
                note = rng.choice(words.REFER_NOTES)
            step(1.0, path[-1][2], outcome, assignee if stop else creator, note)
        if received > horizon - timedelta(days=90) and rng.random() < 0.005:
            path = path[:rng.randrange(1, len(path))]  # forgotten: it stays open, overdue
        applied = [p for p in path if p[0] <= horizon]
        state = applied[-1][2]
        states = {p[2] for p in applied}
        answered = applied[-1][0] if state == ANSWERED else None
        row = {"department_id": department_id, "origin_department_id": origin, "received_at": received,
               "channel": channel, "contact_id": contact.id if contact else None, "journalist_name": journalist,
               "outlet": outlet, "sender_email": sender, "subject": subject, "questions": questions,
               "priority": priority, "journalist_deadline": deadline, "due_at": due,
               "deadline_source": deadline_source, "deadline_rule_id": rule_id,
               "incident_id": incident[1] if incident else None, "state": state, "source": source,
               "assignee_id": assignee.id if ASSIGNED in states else None, "created_by_id": creator.id,
               "answer_draft": answer if AWAITING_APPROVAL in states else "",
               "approved_text": answer if answered else None, "approved_by_id": approver.id if answered else None,
               "approved_at": answered, "answered_at": answered,
               "decline_reason": reason if state == DECLINED else None,
               "refusal_ground_id": ground[0] if state == DECLINED else None,
               "closed_at": applied[-1][0] if state in (ANSWERED, DECLINED, REFERRED) else None,
               "version": len(applied), "created_at": logged, "updated_at": applied[-1][0]}
        row["search_text"] = self.search_text(Inquiry.refresh_search_text, subject=subject, questions=questions,
                                              journalist_name=journalist, outlet=outlet, sender_email=sender)
        events = [{"at": at, "actor_id": actor.id, "from_state": frm, "to_state": to, "note": note}
                  for at, frm, to, actor, note in applied]
        statement = None
        if answered:
            # said after the merger: the successor's own statement
            statement = {"department_id": department_id, "origin_department_id": unit.at(answered)[1],
                         "source_type": "inquiry",
                         "subject": subject, "text": answer, "channel": channel, "approved_by_id": approver.id,
                         "published_at": answered, "created_at": answered, "updated_at": answered,
                         "search_text": self.search_text(Statement.refresh_search_text, subject=subject, text=answer)}
        return SimpleNamespace(row=row, events=events, statement=statement)

    # --- briefings -----------------------------------------------------------------------------------

    def briefings(self):
        rng, horizon = self.rng, self.now
        slots = []  # (unit, quarter, first, last): a quarter in which the Department may hold its briefing
        for unit in self.units:
            end = horizon if unit.active else unit.until
            key = quarter_key(self.start)
            while key <= (current_quarter() if unit.active else quarter_key(end - minutes(1))):
                first, last = quarter_bounds(key)
                first, last = max(first, self.start), min(last, end) if not unit.active else last
                if first < last:
                    slots.append((unit, key, first, last))
                key = shift_quarter(key, 1)
        total = self.volumes["briefings"]
        # The most compliant Departments hold theirs every quarter (weighted sampling without replacement);
        # more briefings than quarters make some quarters' second, topical briefing.
        ranked = sorted(slots, key=lambda s: -rng.random() ** (1 / s[0].compliance))
        chosen = [(s, False) for s in ranked[:total]] + [(rng.choice(slots), True) for _ in
                                                          range(max(0, total - len(slots)))]
        chosen.sort(key=lambda c: (c[0][2], c[0][0].id, c[1]))
        rows, extras = [], []
        calendar = Calendar(self.start, horizon, FLAT)
        for (unit, key, first, last), topical in chosen:
            day = (first + (last - first) * rng.uniform(0.1, 0.9)).astimezone(self.tz).date()
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            starts = max(calendar.at(day, rng.choice((8, 9, 14)), rng.choice((0, 30))), first)
            department_id, origin, owner = unit.at(starts)
            quarter = int(key[-1])
            topics = rng.sample(words.BRIEFING_TOPICS[quarter], 2)
            if starts > horizon:
                status = PLANNED
            else:
                status = rng.choices((HELD, CANCELLED, POSTPONED), weights=(88, 7, 5))[0]
            title = f"Họp báo chuyên đề: {topics[0]}" if topical else \
                f"Họp báo định kỳ quý {quarter}/{key[:4]}: {topics[0]}"
            province = owner.province_at(starts, self.cutoff)
            sent = starts - timedelta(days=7)
            sent = sent if sent <= horizon and status != CANCELLED else None
            rows.append({"department_id": department_id, "origin_department_id": origin, "title": title,
                         "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                         "place": f"Hội trường Sở GDĐT {province}", "online_link": None,
                         "topics": "\n".join(f"- {t}" for t in topics), "status": status,
                         "status_reason": words.BRIEFING_REASONS.get(status),
                         "minutes": words.BRIEFING_MINUTES.format(province=province, topic=topics[0],
                                                                  topic_lower=topics[0].lower())
                         if status == HELD else None, "attachments": [],
                         "internal_units": rng.sample(words.INTERNAL_UNITS, 2), "sequence": 0,
                         "invitations_sent_at": sent, "created_by_id": owner.staff["comms_officer"][0].id,
                         "created_at": min(starts - timedelta(days=20), horizon),
                         "updated_at": min(starts + timedelta(hours=3), horizon)})
            speakers = {owner.staff["director"][0].id, owner.official(starts).id}
            k = bisect.bisect_right(unit.contact_times, starts)
            pool = [c for c in unit.contacts[:k] if not c.archived]
            invited = rng.sample(pool, min(len(pool), rng.randint(6, 14)))
            extras.append((speakers, [(c.id, status == HELD and rng.random() < 0.7, 0 if sent else None)
                                      for c in invited]))
        ids = self.insert(Briefing, rows, returning=True)
        self.insert(briefing_speaker, [{"briefing_id": b, "user_id": u} for b, (speakers, _i) in zip(ids, extras)
                                       for u in sorted(speakers)])
        self.insert(BriefingInvitation, [{"briefing_id": b, "contact_id": c, "attended": attended,
                                          "notified_sequence": seq} for b, (_s, invited) in zip(ids, extras)
                                         for c, attended, seq in invited])
