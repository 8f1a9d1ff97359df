"""What every phase of `flask demo generate` shares: the time span and its calendar, the Departments as they
were before the 2025 merger (``Unit``), the bulk INSERT and the helpers that draw names, phones, delays and texts.

``Base`` holds the state of one run (the random source, now, the units); the phases (generate_people,
generate_incidents, generate_press) extend it and ``generate.Generator`` puts them together.
"""
import bisect
import math
import random
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from time import monotonic
from types import SimpleNamespace

from sqlalchemy import insert
from sqlalchemy import text as sql

from .. import permissions
from ..clock import local_tz, now
from ..extensions import db
# why: the generator creates the accounts, so it names their roles (demo data, the one place besides permissions)
from . import generate_data as words

BASE_VOLUMES = {"contacts": 50_000, "inquiries": 200_000, "incidents": 20_000, "briefings": 1_500}
BASE_YEARS = 10
MERGER_DAY = date(2025, 7, 1)  # local date the 63 Departments became 34
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


def holding(staff, *permissions_held):
    """The people of ``staff`` (role -> [Person]) who hold any of ``permissions_held``, role by role, then in the
    order the accounts were created (as the services look them up)."""
    return [person for name in permissions_held for role in permissions.holders(name) for person in staff.get(role, [])]


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

    def holding(self, permission):
        """The unit's people who hold ``permission``, as the services look them up (role by role, then in the
        order the accounts were created)."""
        return holding(self.staff, permission)

    def official(self, t):
        person = None
        for since, who in self.officials:
            if since <= t:
                person = who
        return person or self.holding("post.spokesperson")[0]


class Base:
    """One run's state and plumbing; the phases write the records."""

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

    @staticmethod
    def search_text(refresh, **fields):
        """A model's folded search column, computed by the model's own method on plain values."""
        probe = SimpleNamespace(**fields)
        refresh(probe)
        return probe.search_text

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
