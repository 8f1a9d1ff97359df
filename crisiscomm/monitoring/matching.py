"""Which Departments and crisis terms a text names: case- and diacritics-insensitive, on word boundaries.

Terms are compared on ``text.fold`` forms ("Hà Nam" ~ "ha nam"). An exclusion ("Hà Nam Ninh") hides the words it
covers before terms are looked for, so "Hà Nam" does not match inside it; a term matches whole words only, so
"thi" does not match inside "thiết".
"""
import csv
import os
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import permissions, registry
from ..departments.models import ACTIVE, Department
from ..extensions import db
from ..spokespersons.service import official_spokesperson
from ..text import fold
from ..users.models import User
from .models import EXCLUSION, GENERATED, TERM, CrisisTerm, DepartmentTerm

_DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "departments", "data", "province_merger_2025.csv")
_SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text):
    """Folded, with every run of punctuation a single space: the form terms and texts are compared in."""
    return " " + _NON_WORD.sub(" ", fold(text)).strip() + " "


def _pattern(folded_terms):
    words = sorted({normalise(t).strip() for t in folded_terms if normalise(t).strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<= )(" + "|".join(re.escape(w) for w in words) + r")(?= )")


def _blank(text, pattern):
    """``text`` with every match of ``pattern`` replaced by spaces (the same length: the words are gone)."""
    if pattern is None:
        return text
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


@dataclass
class Matcher:
    """Compiled terms: ``match(text)`` → (department ids with their terms, crisis terms, highest severity)."""

    departments: dict = field(default_factory=dict)  # department_id -> (pattern, {normalised: text}, exclusions)
    crisis: tuple = (None, {}, {})  # (pattern, {normalised: text}, {normalised: severity})
    exclusions: object = None

    def match(self, text):
        base = _blank(normalise(text), self.exclusions)
        found = {}
        for department_id, (pattern, originals, exclusions) in self.departments.items():
            if pattern is None:
                continue
            hits = {originals[m.group(1)] for m in pattern.finditer(_blank(base, exclusions))}
            if hits:
                found[department_id] = sorted(hits)
        pattern, originals, severities = self.crisis
        crisis = sorted({originals[m.group(1)] for m in pattern.finditer(base)}) if pattern else []
        severity = None
        for term in crisis:
            level = severities[normalise(term).strip()]
            if severity is None or _SEVERITY_RANK[level] > _SEVERITY_RANK[severity]:
                severity = level
        return found, crisis, severity


def extension_terms(department_ids):
    """{department_id: [text, …]} the upper packages add (registry.watch_terms: a Department's schools), read at
    each match so a school added, renamed or archived counts at once; the Department's exclusions still apply."""
    out = {}
    for func in registry.items("watch_terms"):
        for department_id, texts in func(list(department_ids)).items():
            out.setdefault(department_id, set()).update(t for t in texts if t and normalise(t).strip())
    return {department_id: sorted(texts) for department_id, texts in out.items()}


def build_matcher():
    """A Matcher from the stored terms of every active Department and the Ministry's crisis terms."""
    matcher = Matcher()
    rows = db.session.execute(select(DepartmentTerm.department_id, DepartmentTerm.text, DepartmentTerm.kind)
                              .join(Department, Department.id == DepartmentTerm.department_id)
                              .where(Department.status == ACTIVE)).all()
    per = {}
    for department_id, text, kind in rows:
        per.setdefault(department_id, {TERM: [], EXCLUSION: []})[kind].append(text)
    active = db.session.scalars(select(Department.id).where(Department.status == ACTIVE)).all()
    for department_id, texts in extension_terms(active).items():
        per.setdefault(department_id, {TERM: [], EXCLUSION: []})[TERM].extend(texts)
    for department_id, kinds in per.items():
        matcher.departments[department_id] = (_pattern(kinds[TERM]),
                                              {normalise(t).strip(): t for t in kinds[TERM]},
                                              _pattern(kinds[EXCLUSION]))
    crisis = db.session.scalars(select(CrisisTerm)).all()
    terms = [c for c in crisis if c.kind == TERM]
    matcher.crisis = (_pattern([c.text for c in terms]), {normalise(c.text).strip(): c.text for c in terms},
                      {normalise(c.text).strip(): c.severity for c in terms})
    matcher.exclusions = _pattern([c.text for c in crisis if c.kind == EXCLUSION])
    return matcher


def merged_provinces(department):
    """The provinces merged into ``department``'s in 2025: the reference table and any merger applied."""
    names = set(department.all_former_names())
    with open(_DATA, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["code_after"] == department.code and row["code_before"] != department.code:
                names.add(row["province_before"])
    return sorted(names)


def _short_forms(province):
    """'TP Hồ Chí Minh' → 'Hồ Chí Minh', 'TPHCM'; 'Hà Nội' → 'Sở GDĐT Hà Nội', 'Sở GD&ĐT Hà Nội'."""
    bare = re.sub(r"^(TP\.?|Thành phố|Tỉnh)\s+", "", province).strip()
    forms = {bare, f"Sở GDĐT {bare}", f"Sở GD&ĐT {bare}", f"Sở Giáo dục và Đào tạo {bare}",
             f"Sở Giáo dục {bare}"}
    if province.startswith("TP"):
        forms.add("TP" + "".join(w[0] for w in bare.split()).upper())
    return forms


def generated_terms(department):
    """The terms generated for a Department: names, province and merged provinces, director and spokesperson."""
    terms = {department.name, department.province} | _short_forms(department.province)
    for name in merged_provinces(department):
        terms |= _short_forms(name)
    people = db.session.scalars(select(User).where(User.department_id == department.id, User.active.is_(True),
                                                   User.role.in_(permissions.holders("department.head")))).all()
    official = official_spokesperson(department.id)
    if official is not None:
        people.append(official.user)
    terms |= {p.name for p in people if p is not None and len(p.name.split()) >= 2}
    return sorted(t for t in terms if normalise(t).strip())


def generate_department_terms(department):
    """Add the generated terms a Department lacks (an edited or deleted term is not brought back twice: only
    missing folded forms are added). Returns the new rows."""
    have = set(db.session.scalars(select(DepartmentTerm.folded).where(DepartmentTerm.department_id == department.id,
                                                                       DepartmentTerm.kind == TERM)))
    added = []
    for text in generated_terms(department):
        key = normalise(text).strip()
        if key in have:
            continue
        have.add(key)
        row = DepartmentTerm(department_id=department.id, text=text[:200], folded=key[:200], kind=TERM,
                             source=GENERATED)
        db.session.add(row)
        added.append(row)
    db.session.flush()
    return added
