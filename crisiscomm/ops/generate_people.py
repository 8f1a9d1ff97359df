"""`flask demo generate`: the accounts of every Department and the Ministry, and the spokesperson assignments."""
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..demo import DEMO_PASSWORD
from ..extensions import db
from ..incidents import policies as incident_policies
# why: the generator creates the accounts, so it names their roles (demo data, the one place besides permissions)
from ..spokespersons.models import AUTHORIZED, OFFICIAL, SpokespersonAssignment
from ..users.models import User
from . import generate_data as words
from .generate_base import EMAIL_DOMAIN, Base, Person, Recipient


class People(Base):
    """About ten accounts per Department (five moved, inactive ones per former Department), three of the
    Ministry; official spokespersons, and the exam season's authorised one every year."""

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
            for role, active_count, former_count, prefix, title in words.STAFF:
                count = active_count if unit.active else former_count
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
            if unit.active:
                switch = self.start + (end - self.start) * rng.uniform(0.3, 0.8)
                unit.officials = [(self.start, unit.holding("post.deputy")[0]),
                                  (switch, unit.holding("post.spokesperson")[0])]
            else:
                unit.officials = [(self.start, unit.holding("post.spokesperson")[0])]
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
                add(unit, unit.holding("post.deputy")[-1], AUTHORIZED, since, until,
                    topics=(f"Kỳ thi tốt nghiệp THPT năm {year}", "tuyển sinh lớp 10"),
                    note=f"Ủy quyền phát ngôn về các kỳ thi năm {year}.")
        self.insert(SpokespersonAssignment, rows)
