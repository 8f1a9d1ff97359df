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

The modules: this one runs the phases in order; generate_people (accounts, spokespersons), generate_incidents and
generate_press (contacts, inquiries, briefings) write them; generate_base holds what they share (the calendar, the
units, the bulk INSERT); generate_data the Vietnamese vocabulary.
"""
from time import monotonic

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy import text as sql

from ..audit.service import record
from ..departments.models import ACTIVE, Department
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..inquiries.models import Inquiry, RefusalGround
from ..models import acting_as
from ..rules.models import DeadlineRule
from ..scenarios.models import Scenario
from ..users.models import User
from . import generate_data as words
from .generate_base import EMAIL_DOMAIN, WEIGHTS, Unit
from .generate_incidents import Incidents
from .generate_people import People
from .generate_press import Press

HANDFUL = 100  # more inquiries than this: the database holds real (or generated) data


def generate(*, years=10, seed=1, scale=1.0, echo=print):
    """Fill the database; returns {table: rows written}. Refuses (Conflict) when it already holds data."""
    check_empty()
    return Generator(years=years, seed=seed, scale=scale, echo=echo).run()


def check_empty():
    if not db.session.scalar(select(func.count(Department.id)).where(Department.status == ACTIVE)):
        raise ValidationError(_("There are no Departments: run `flask setup` first."))
    generated = db.session.scalar(select(func.count(User.id)).where(User.email.like(f"%.{EMAIL_DOMAIN}")))
    inquiries = db.session.scalar(select(func.count(Inquiry.id)))
    if generated or inquiries > HANDFUL:
        held = (_("%(count)s press inquiries and generated accounts", count=inquiries) if generated
                else _("%(count)s press inquiries", count=inquiries))
        raise Conflict(_("The database already holds data (%(held)s): generate into an empty database "
                         "(`flask db upgrade` and `flask setup` on a new one).", held=held))


class Generator(People, Incidents, Press):
    """One run: reference data first, then each phase in turn (the same seed draws the same data)."""

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
        self.msg = {**self.inquiry_messages(), **self.incident_messages()}
