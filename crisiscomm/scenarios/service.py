"""Scenario library: loading the files as versions, reading them, and the Departments' adaptations (their own
copy of a playbook, rebased onto newer Ministry versions by a three-way merge).

Rendering is in ``render``, diff and merge in ``merge``, distribution to the Departments in ``distribution``.
Services take keyword arguments, raise crisiscomm.errors, and only flush.
"""
import glob
import os
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import inputs, permissions, scoping
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..text import fold
from . import fileformat, wording
from .merge import merge3, resolve_merge
from .models import CATEGORIES, Scenario, ScenarioAdaptation, ScenarioVersion


# --- loading files --------------------------------------------------------------------------

@dataclass
class SyncReport:
    """What ``sync`` did: scenarios created, new versions loaded, files unchanged, and the files refused."""

    created: list[tuple[str, int]] = field(default_factory=list)  # (slug, version)
    new_versions: list[tuple[str, int]] = field(default_factory=list)  # (slug, version)
    unchanged: list[str] = field(default_factory=list)  # slug
    errors: list[str] = field(default_factory=list)  # "FILE:LINE: problem"

    @property
    def ok(self):
        return not self.errors


def scenario_files(directory=None):
    directory = directory or current_app.config["SCENARIO_DIR"]
    return sorted(p for p in glob.glob(os.path.join(directory, "*.md"))
                  if os.path.basename(p).lower() != "readme.md")


def check_files(directory=None):
    """[(path, ParsedScenario)] for every scenario file, plus duplicate-id problems across files."""
    results, seen = [], {}
    for path in scenario_files(directory):
        parsed = fileformat.parse_file(path)
        with open(path, encoding="utf-8") as fh:
            parsed.problems.extend(wording.problems(fh.read(), parsed))
        parsed.problems.sort(key=lambda p: (p.line, p.level != fileformat.ERROR))
        sid = parsed.meta.get("id")
        if isinstance(sid, str):
            if sid in seen:
                parsed.problems.append(fileformat.Problem(2, f"id {sid!r} is already used by {seen[sid]}"))
            seen.setdefault(sid, path)
        results.append((path, parsed))
    return results


def sync(directory=None):
    """Load every valid file: a new scenario, a new version (number bumped), or nothing (unchanged).

    A file whose content changed while its version number did not is reported, never written.
    """
    report = SyncReport()
    for path, parsed in check_files(directory):
        if not parsed.ok:
            report.errors.extend(p.format(path) for p in parsed.errors)
            continue
        meta, number = parsed.meta, parsed.meta["version"]
        scenario = db.session.scalar(select(Scenario).where(Scenario.slug == meta["id"]))
        if scenario is None:
            scenario = Scenario(slug=meta["id"], title=meta["title"], category=meta["category"],
                                exam_related=meta["exam_related"], latest_version=number)
            db.session.add(scenario)
            db.session.flush()
            report.created.append((scenario.slug, number))
        else:
            existing = db.session.scalar(select(ScenarioVersion).where(
                ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.version == number))
            if existing is not None:
                if existing.checksum == parsed.checksum:
                    report.unchanged.append(scenario.slug)
                else:
                    report.errors.append(f"{path}:2: content changed but version {number} is already loaded: "
                                         f"bump 'version' to {scenario.latest_version + 1}")
                continue
            if number < scenario.latest_version:
                report.errors.append(f"{path}:2: version {number} is older than the loaded version "
                                     f"{scenario.latest_version}")
                continue
            scenario.title, scenario.category = meta["title"], meta["category"]
            scenario.exam_related, scenario.latest_version = meta["exam_related"], number
            report.new_versions.append((scenario.slug, number))
        db.session.add(ScenarioVersion(scenario=scenario, version=number, meta=meta, body=parsed.body,
                                       checksum=parsed.checksum, source_path=os.path.basename(path)))
        db.session.flush()
    return report


# --- reading --------------------------------------------------------------------------------

def list_scenarios(*, category=None, exam_related=None, q=None):
    if category and category not in CATEGORIES:
        raise ValidationError(_("Unknown category."), fields={"category": _("one of %(v)s", v=", ".join(CATEGORIES))})
    stmt = select(Scenario).order_by(Scenario.exam_related.desc(), Scenario.title)
    if category:
        stmt = stmt.where(Scenario.category == category)
    if exam_related is not None:
        stmt = stmt.where(Scenario.exam_related.is_(bool(exam_related)))
    rows = db.session.scalars(stmt).all()
    if q:
        terms = fold(q).split()
        rows = [s for s in rows if all(t in fold(f"{s.title} {s.slug} {s.version().summary if s.version() else ''}")
                                       for t in terms)]
    return rows


def get_scenario(ident):
    """By numeric id or slug; NotFound otherwise. Scenarios are Ministry templates every user may read."""
    scenario = None
    if inputs.id_or_none(ident) is not None:
        scenario = db.session.get(Scenario, inputs.id_or_none(ident))
    if scenario is None and isinstance(ident, str):
        scenario = db.session.scalar(select(Scenario).where(Scenario.slug == ident))
    if scenario is None:
        raise NotFound(_("No such scenario."))
    return scenario


def get_version(scenario, number=None, field_name="version"):
    if number in (None, ""):
        version = scenario.version()
    else:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise ValidationError(_("Unknown version."), fields={field_name: _("an integer version number")})
        version = scenario.version(number)
    if version is None:
        raise ValidationError(_("Unknown version."), fields={field_name: _("no version %(n)s of %(slug)s", n=number, slug=scenario.slug)})
    return version


# --- adaptations ----------------------------------------------------------------------------

def find_adaptation(*, scenario, department):
    if department is None:
        return None
    return db.session.scalar(select(ScenarioAdaptation).where(ScenarioAdaptation.scenario_id == scenario.id,
                                                              ScenarioAdaptation.department_id == department.id))


def _check_body(body, field_name="body"):
    _sections, messages, problems = fileformat.parse_body(fileformat.normalize_newlines(body or ""))
    errors = [p for p in problems if p.level == fileformat.ERROR]
    if not (body or "").strip():
        raise ValidationError(_("The playbook text is empty."), fields={field_name: _("required")})
    if errors:
        raise ValidationError(_("The playbook text has problems."),
                              fields={field_name: "; ".join(f"line {p.line}: {p.message}" for p in errors)})
    return [p for p in problems if p.level != fileformat.ERROR]


def save_adaptation(*, scenario, department, body, user, expected_updated_at=None):
    """Create or update the Department's adaptation (based on the latest version when new).
    Returns (adaptation, warnings)."""
    permissions.require(user, "scenario.adapt")
    if not scoping.can_see_department(department.id, user) or user.is_ministry:
        raise NotFound()
    body = fileformat.normalize_newlines(body).rstrip("\n") + "\n"
    warnings = _check_body(body)
    adaptation = find_adaptation(scenario=scenario, department=department)
    if adaptation is None:
        adaptation = ScenarioAdaptation(scenario_id=scenario.id, department_id=department.id,
                                        base_version=scenario.version(), body=body, updated_by_id=user.id)
        db.session.add(adaptation)
    else:
        if expected_updated_at and adaptation.updated_at.isoformat() != expected_updated_at:
            raise Conflict(_("Someone else saved this adaptation meanwhile. Reload to see their changes."),
                           fields={"body": _("changed since you opened it")})
        adaptation.body, adaptation.updated_by_id = body, user.id
    db.session.flush()
    return adaptation, warnings


def rebase_preview(adaptation, target=None):
    """(target version, merge chunks, number of conflicts) of rebasing onto ``target`` (default: latest)."""
    target = target or adaptation.scenario.version()
    chunks = merge3(adaptation.base_version.body, adaptation.body, target.body)
    return target, chunks, sum(1 for c in chunks if c[0] == "conflict")


def rebase_adaptation(*, adaptation, user, target=None, choices=None):
    """Move the adaptation onto the newer Ministry version: the Ministry's changes are merged with the
    Department's; each conflicting change is resolved by the user's choice (nothing is dropped silently)."""
    permissions.require(user, "scenario.adapt")
    target, chunks, _n = rebase_preview(adaptation, target)
    if target.version <= adaptation.base_version.version:
        raise Conflict(_("The adaptation is already based on the latest version."), fields={"version": _("up to date")})
    body = resolve_merge(chunks, choices)
    _check_body(body)
    adaptation.body, adaptation.base_version, adaptation.updated_by_id = body, target, user.id
    db.session.flush()
    return adaptation


# --- JSON -----------------------------------------------------------------------------------

def scenario_json(s, full=False):
    latest = s.version()
    data = {"id": s.id, "slug": s.slug, "title": s.title, "category": s.category, "exam_related": s.exam_related,
            "latest_version": s.latest_version, "summary": latest.summary if latest else ""}
    if full:
        data["front_matter"] = latest.meta if latest else {}
        data["versions"] = [{"version": v.version, "created_at": v.created_at.isoformat(), "checksum": v.checksum,
                             "front_matter": v.meta, "body": v.body} for v in s.versions]
    return data
