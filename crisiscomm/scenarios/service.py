"""Scenario library: loading files as versions, rendering playbooks, distribution to Departments with
acknowledgement and reminders, Department adaptations with diff and three-way rebase.

Services take keyword arguments, raise crisiscomm.errors, and only flush.
"""
import difflib
import glob
import os
import re
from dataclasses import dataclass, field

from flask import current_app, url_for
from jinja2 import Undefined
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import func, select

from .. import inputs, scoping
from ..clock import format_date, format_datetime, format_duration, local_today, now
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..markup import render_markdown, sanitize
from ..text import fold
from . import fileformat
from .fileformat import HOLDING_STATEMENT, KEY_MESSAGES, PLACEHOLDERS, parse_duration
from .models import CATEGORIES, Scenario, ScenarioAdaptation, ScenarioDistribution, ScenarioVersion

DISTRIBUTOR_ROLES = ("ministry_comms", "ministry_admin")
ACK_ROLES = ("director", "deputy_director", "spokesperson", "comms_officer", "steering_board")
EDITOR_ROLES = ("director", "deputy_director", "spokesperson", "comms_officer")
RECIPIENT_ROLES = ("director", "spokesperson", "comms_officer")


# --- loading files --------------------------------------------------------------------------

@dataclass
class SyncReport:
    created: list = field(default_factory=list)  # (slug, version)
    new_versions: list = field(default_factory=list)  # (slug, version)
    unchanged: list = field(default_factory=list)  # slug
    errors: list = field(default_factory=list)  # "FILE:LINE: problem"

    @property
    def ok(self):
        return not self.errors


def scenario_files(directory=None):
    directory = directory or current_app.config["SCENARIO_DIR"]
    return sorted(p for p in glob.glob(os.path.join(directory, "*.md"))
                  if os.path.basename(p).lower() != "readme.md")


def check_files(directory=None):
    """[(path, ParsedScenario)] for every scenario file, plus duplicate-id problems across files."""
    from . import wording

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
        raise ValidationError(_("Unknown category."), fields={"category": "one of " + ", ".join(CATEGORIES)})
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
            raise ValidationError(_("Unknown version."), fields={field_name: "an integer version number"})
        version = scenario.version(number)
    if version is None:
        raise ValidationError(_("Unknown version."), fields={field_name: f"no version {number} of {scenario.slug}"})
    return version


# --- rendering ------------------------------------------------------------------------------

BLANK_HTML = Markup('<span class="blank">…</span>')
BLANK_TEXT = "……"


class _Blank:
    """A placeholder without a value: a visible blank in HTML, dots in plain text."""

    def __html__(self):
        return str(BLANK_HTML)

    def __str__(self):
        return BLANK_TEXT


class _Namespace:
    """What a placeholder like ``department`` resolves to: only the allow-listed attributes exist."""

    def __init__(self, name, values):
        self._name = name
        for attr in PLACEHOLDERS[name]:
            value = values.get(attr)
            object.__setattr__(self, attr, value if value not in (None, "") else _Blank())


class _PlaybookSandbox(fileformat.SandboxedEnvironment):
    def is_safe_attribute(self, obj, attr, value):
        return isinstance(obj, _Namespace) and attr in PLACEHOLDERS.get(obj._name, ())

    def is_safe_callable(self, obj):
        return False


class _BlankUndefined(Undefined):
    def __str__(self):
        return BLANK_TEXT

    def __html__(self):
        return str(BLANK_HTML)


def _environment(html):
    env = _PlaybookSandbox(autoescape=html, undefined=_BlankUndefined)
    env.filters.clear()
    env.tests.clear()
    env.globals.clear()
    return env


_HTML_ENV = None
_TEXT_ENV = None


def _env(html):
    global _HTML_ENV, _TEXT_ENV
    if html:
        _HTML_ENV = _HTML_ENV or _environment(True)
        return _HTML_ENV
    _TEXT_ENV = _TEXT_ENV or _environment(False)
    return _TEXT_ENV


def fill(text, values, html=True):
    """Fill the allow-listed placeholders of scenario text. Anything else — statements, filters, other names
    or attributes — is removed from the parsed template before it is compiled, so it never runs."""
    from jinja2 import nodes

    tree, _problems = fileformat.parse_template(text or "")
    if tree is None:  # a syntax error: show the text as written, with nothing evaluated
        return str(escape(text)) if html else text
    body = []
    for child in tree.body:
        if isinstance(child, nodes.Output):
            child.nodes = [n for n in child.nodes
                           if isinstance(n, nodes.TemplateData) or fileformat.placeholder_name(n) is not None]
            body.append(child)
    tree.body = body
    env = _env(html)
    code = env.compile(tree)
    template = env.template_class.from_code(env, code, env.make_globals(None))
    return template.render(values)


def playbook_values(*, department=None, incident=None):
    """The placeholder values for a Department (and an incident): missing ones become visible blanks."""
    from ..spokespersons.service import official_spokesperson
    from ..users.models import User

    from ..departments.service import public_contact

    dep, spk, director, inc, exam = {}, {}, {}, {}, {}
    if department is not None:
        # the portal, hotlines and addresses the Department keeps on its "public contact details" page
        dep = {"name": department.name, "province": department.province, **public_contact(department)}
        assignment = official_spokesperson(department.id)
        if assignment is not None:
            user = assignment.user
            spk = {"name": user.name, "title": user.title, "phone": assignment.public_phone or user.phone,
                   "email": assignment.public_email or user.email}
        boss = db.session.scalar(select(User).where(User.department_id == department.id, User.role == "director",
                                                    User.active.is_(True)).order_by(User.id).limit(1))
        if boss is not None:
            director = {"name": boss.name, "phone": boss.phone}
    if incident is not None:
        inc = {"title": incident.title, "occurred_at": format_datetime(incident.occurred_at),
               "location": incident.place}
        exam = {"name": incident.exam}
    return {"department": _Namespace("department", dep), "spokesperson": _Namespace("spokesperson", spk),
            "director": _Namespace("director", director), "incident": _Namespace("incident", inc),
            "exam": _Namespace("exam", exam), "today": format_date(now())}


def placeholder_label(name):
    """What a missing placeholder is, in words ("department.exam_hotline" → "the Department's exam hotline")."""
    from flask_babel import gettext as _

    return {"department.website": _("the Department's web portal"), "department.phone": _("the Department's phone"),
            "department.email": _("the Department's email"), "department.address": _("the Department's address"),
            "department.exam_hotline": _("the Department's exam hotline"),
            "department.fanpage": _("the Department's Facebook page"),
            "department.zalo": _("the Department's Zalo account"),
            "spokesperson.name": _("the official spokesperson"), "spokesperson.title": _("the spokesperson's title"),
            "spokesperson.phone": _("the spokesperson's phone"), "spokesperson.email": _("the spokesperson's email"),
            "director.name": _("the director"), "director.phone": _("the director's phone"),
            "incident.title": _("the incident"), "incident.occurred_at": _("when the incident happened"),
            "incident.location": _("where the incident happened"), "exam.name": _("the exam")}.get(name, name)


def used_placeholders(text):
    """The allowed placeholders ``text`` uses, in order of first use: ["department.website", …]."""
    from jinja2 import nodes

    tree, _problems = fileformat.parse_template(text or "")
    seen = []
    for node in (tree.find_all((nodes.Getattr, nodes.Name)) if tree is not None else ()):
        name = fileformat.placeholder_name(node)
        if name and name not in seen:
            seen.append(name)
    return seen


def missing_values(text, values):
    """The placeholders ``text`` uses that have no value for this Department or incident (shown as blanks)."""
    out = []
    for name in used_placeholders(text):
        if "." in name:
            space, attr = name.split(".", 1)
            if isinstance(getattr(values.get(space), attr, None), _Blank):
                out.append(name)
    return out


def _plain(markdown_text):
    """Markdown to plain text for copying: no emphasis marks, no list bullets, paragraphs kept."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", markdown_text)
    text = re.sub(r"(?<!\w)[*_](\S.*?\S|\S)[*_](?!\w)", r"\1", text)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    text = re.sub(r"\[([^\]]+)\]\((?:[^)]+)\)", r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _slug(title, n):
    return f"s{n}-" + re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")


@dataclass
class Playbook:
    html: Markup
    holding_statement: str
    version: ScenarioVersion
    scenario: Scenario
    department: object = None
    incident: object = None
    adaptation: ScenarioAdaptation = None
    sections: list = field(default_factory=list)  # [{"title", "anchor", "html"}]
    phases: list = field(default_factory=list)  # [{"name", "due_after", "due_at", "items"}]
    key_messages: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # placeholders without a value, e.g. "department.exam_hotline"

    def __getitem__(self, key):
        return getattr(self, key)

    @property
    def department_missing(self):
        """Missing details the Department itself keeps (portal, hotlines…): its users can fill them in."""
        return [name for name in self.missing if name.startswith("department.")]


def render_body(body, values):
    """(sections [{title, anchor, html}], whole sanitised HTML, holding statement plain text)."""
    sections = fileformat.split_sections(body)
    preamble = body.split("\n## ", 1)[0] if not body.startswith("## ") else ""
    out, parts, holding = [], [], ""
    if preamble.strip():
        html = render_markdown(fill(preamble, values, html=True))
        out.append({"title": None, "anchor": "s0", "html": html})
        parts.append(str(html))
    for n, section in enumerate(sections, start=1):
        html = render_markdown(fill(section.text, values, html=True))
        anchor = _slug(section.title, n)
        out.append({"title": section.title, "anchor": anchor, "html": html,
                    "holding": section.title == HOLDING_STATEMENT, "key": section.title == KEY_MESSAGES})
        inner = f'<div class="statement">{html}</div>' if section.title == HOLDING_STATEMENT else str(html)
        parts.append(f'<h2 id="{anchor}">{escape(section.title)}</h2>\n{inner}')
        if section.title == HOLDING_STATEMENT and not holding:
            holding = _plain(fill(section.text, values, html=False))
    return out, Markup(sanitize("\n".join(parts))), holding


def render_playbook(*, department, scenario, incident=None, version=None):
    """The playbook a Department opens: its adaptation if any, else the Ministry template, rendered with the
    Department's people and numbers (blanks where unknown). ``version`` (a number or a ScenarioVersion, e.g. the
    one an incident activated) picks the Ministry version; the adaptation is still used when it is based on it."""
    adaptation = find_adaptation(scenario=scenario, department=department)
    if version is None and adaptation is not None:
        used = adaptation.base_version
    else:
        used = version if isinstance(version, ScenarioVersion) else get_version(scenario, version)
        if adaptation is not None and adaptation.base_version_id != used.id:
            adaptation = None  # a version other than the one the Department adapted: the Ministry's text
    body = adaptation.body if adaptation is not None else used.body
    values = playbook_values(department=department, incident=incident)
    sections, html, holding = render_body(body, values)
    phases = []
    # phases count from when the Department learned of the incident, as the statement clock does
    occurred = incident.known_at if incident is not None else None
    for phase in used.phases:
        try:
            due = parse_duration(phase.get("due_after"))
        except ValueError:
            due = None
        phases.append({"name": phase.get("name", ""), "due_after": phase.get("due_after"),
                       "due_label": format_duration(due.total_seconds()) if due is not None else phase.get("due_after"),
                       "due_at": occurred + due if (occurred is not None and due is not None) else None,
                       "items": phase.get("items", [])})
    km = fileformat.section_by_title(fileformat.split_sections(body), KEY_MESSAGES)
    messages = fileformat.key_messages(km) if km is not None else []
    return Playbook(html=html, holding_statement=holding, version=used, scenario=scenario, department=department,
                    incident=incident, adaptation=adaptation, sections=sections, phases=phases,
                    key_messages=messages, missing=missing_values(body, values))


# --- diff and three-way merge ---------------------------------------------------------------

def diff_lines(old, new, context=3):
    """A readable unified diff as [(css class, text)]: 'hunk', 'add', 'del' or '' (context)."""
    out = []
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(("hunk", line))
        elif line.startswith("+"):
            out.append(("add", line))
        elif line.startswith("-"):
            out.append(("del", line))
        else:
            out.append(("", line))
    return out


def changed_sections(old, new):
    """Titles of sections added, removed or changed between two bodies, in the new body's order."""
    a = {s.title: s.text for s in fileformat.split_sections(old or "")}
    b = {s.title: s.text for s in fileformat.split_sections(new or "")}
    changes = []
    for title, text in b.items():
        if title not in a:
            changes.append(("added", title))
        elif a[title] != text:
            changes.append(("changed", title))
    changes.extend(("removed", t) for t in a if t not in b)
    return changes


def _sync_regions(base, a, b):
    ia = difflib.SequenceMatcher(None, base, a, autojunk=False).get_matching_blocks()
    ib = difflib.SequenceMatcher(None, base, b, autojunk=False).get_matching_blocks()
    regions, i, j = [], 0, 0
    while i < len(ia) and j < len(ib):
        abase, amatch, alen = ia[i]
        bbase, bmatch, blen = ib[j]
        lo, hi = max(abase, bbase), min(abase + alen, bbase + blen)
        if lo < hi:
            asub, bsub = amatch + lo - abase, bmatch + lo - bbase
            regions.append((lo, hi, asub, asub + hi - lo, bsub, bsub + hi - lo))
        if abase + alen < bbase + blen:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(a), len(a), len(b), len(b)))
    return regions


def merge3(base, ours, theirs):
    """Three-way merge of texts. Returns chunks: ("ok", lines) or ("conflict", base, ours, theirs) lines."""
    base_l, a, b = (base or "").splitlines(), (ours or "").splitlines(), (theirs or "").splitlines()
    chunks, iz, ia, ib = [], 0, 0, 0
    for zmatch, zend, amatch, aend, bmatch, bend in _sync_regions(base_l, a, b):
        base_chunk, a_chunk, b_chunk = base_l[iz:zmatch], a[ia:amatch], b[ib:bmatch]
        if a_chunk or b_chunk or base_chunk:
            if a_chunk == b_chunk or b_chunk == base_chunk:
                chunks.append(("ok", a_chunk))
            elif a_chunk == base_chunk:
                chunks.append(("ok", b_chunk))
            else:
                chunks.append(("conflict", base_chunk, a_chunk, b_chunk))
        if zend > zmatch:
            chunks.append(("ok", base_l[zmatch:zend]))
        iz, ia, ib = zend, aend, bend
    return chunks


def resolve_merge(chunks, choices=None):
    """The merged text, each conflict resolved by choices[i] in ("ours", "theirs", "both")."""
    choices = choices or {}
    lines, n, missing = [], 0, {}
    for chunk in chunks:
        if chunk[0] == "ok":
            lines.extend(chunk[1])
            continue
        choice = choices.get(n) or choices.get(str(n))
        ours, theirs = chunk[2], chunk[3]
        if choice == "ours":
            lines.extend(ours)
        elif choice == "theirs":
            lines.extend(theirs)
        elif choice == "both":
            lines.extend(ours + theirs)
        else:
            missing[f"conflict_{n}"] = "choose: ours, theirs or both"
        n += 1
    if missing:
        raise ValidationError(_("Choose how to resolve every conflicting change."), fields=missing)
    return "\n".join(lines).rstrip("\n") + "\n"


# --- distribution ---------------------------------------------------------------------------

def _department_by_code(code):
    from ..departments.service import find_by_code

    return find_by_code(code, follow_merger=False)


def distribute(*, scenario, version, departments, by):
    """Send a version to every active Department ("all") or the ones named; one record per Department
    (an existing record is kept, so publishing twice changes nothing)."""
    from ..departments.models import ACTIVE, Department

    scoping.require_role(*DISTRIBUTOR_ROLES, user=by)
    if version in (None, ""):
        raise ValidationError(_("Choose a version."), fields={"version": "required"})
    sv = get_version(scenario, version)
    if departments == "all":
        targets = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                     .order_by(Department.sort_name)).all()
    elif isinstance(departments, (list, tuple)) and departments and all(isinstance(c, str) for c in departments):
        targets, bad = [], []
        for code in dict.fromkeys(c.strip() for c in departments):
            dep = _department_by_code(code)
            if dep is None or dep.status != ACTIVE:
                bad.append(code)
            else:
                targets.append(dep)
        if bad:
            raise ValidationError(_("Unknown or inactive Departments."),
                                  fields={"departments": "unknown or not active: " + ", ".join(bad)})
    else:
        raise ValidationError(_("Choose the Departments."),
                              fields={"departments": 'a non-empty list of Department codes, or "all"'})
    existing = {d.department_id: d for d in db.session.scalars(select(ScenarioDistribution).where(
        ScenarioDistribution.scenario_version_id == sv.id))}
    records, created, at = [], [], now()
    for dep in targets:
        record = existing.get(dep.id)
        if record is None:
            record = ScenarioDistribution(scenario_version=sv, department_id=dep.id, distributed_at=at,
                                          distributed_by_id=by.id)
            db.session.add(record)
            created.append((record, dep))
        records.append(record)
    db.session.flush()
    for record, dep in created:
        _notify_distribution(record, dep, sv)
    return records


def _playbook_url(scenario):
    try:
        return url_for("scenarios.show", slug=scenario.slug, _external=True)
    except RuntimeError:  # outside a request (CLI, demo)
        return (current_app.config.get("BASE_URL") or "").rstrip("/") + f"/scenarios/{scenario.slug}"


def _notify_distribution(record, department, sv):
    from ..notifications.models import IN_APP
    from ..notifications.service import enqueue
    from ..users.service import department_users

    scenario = sv.scenario
    subject = _("New crisis scenario template: %(title)s (version %(n)s)", title=scenario.title, n=sv.version)
    body = _("The Ministry's communication centre has sent the template \"%(title)s\", version %(n)s. "
             "Please read it, adapt it to your Department if needed, and acknowledge receipt: %(url)s",
             title=scenario.title, n=sv.version, url=_playbook_url(scenario))
    for user in department_users(department.id, roles=RECIPIENT_ROLES):
        enqueue(kind="scenario.distributed", channel=IN_APP, subject=subject, body_text=body, recipient=user,
                department_id=department.id, source=("scenario_distribution", record.id),
                dedupe_key=f"scenario-dist:{record.id}:{user.id}")


def distributions_for_version(version):
    from ..departments.models import Department

    return db.session.scalars(select(ScenarioDistribution).join(Department, Department.id ==
                                                                ScenarioDistribution.department_id)
                              .where(ScenarioDistribution.scenario_version_id == version.id)
                              .order_by(ScenarioDistribution.acknowledged_at.is_not(None), Department.sort_name)
                              ).all()


def list_distributions(*, scenario=None, user=None):
    """Distributions the user may see (their Department's, or all for the Ministry), newest version first."""
    stmt = scoping.scoped_select(ScenarioDistribution, user=user).join(ScenarioVersion)
    if scenario is not None:
        stmt = stmt.where(ScenarioVersion.scenario_id == scenario.id)
    stmt = stmt.order_by(ScenarioVersion.scenario_id, ScenarioVersion.version.desc(), ScenarioDistribution.id)
    return db.session.scalars(stmt).unique().all()


def acknowledge(*, distribution, user):
    """A Department user confirms receipt for their own Department (the first confirmation is kept)."""
    if user.is_ministry or user.department_id != distribution.department_id:
        raise PermissionDenied(_("Only the Department that received the template can acknowledge it."))
    scoping.require_role(*ACK_ROLES, user=user)
    if distribution.acknowledged_at is None:
        distribution.acknowledged_at = now()
        distribution.acknowledged_by_id = user.id
        db.session.flush()
    return distribution


def remind(*, version, by, department_ids=None):
    """Email a reminder to every Department that has not acknowledged ``version`` (at most one a day each).
    Returns the distributions reminded now."""
    from ..notifications.models import EMAIL, Notification
    from ..notifications.service import enqueue
    from ..users.service import department_users

    scoping.require_role(*DISTRIBUTOR_ROLES, user=by)
    day = local_today().isoformat()
    reminded = []
    scenario = version.scenario
    subject = _("Reminder: please acknowledge the crisis scenario \"%(title)s\" (version %(n)s)",
                title=scenario.title, n=version.version)
    for record in distributions_for_version(version):
        if record.acknowledged or (department_ids and record.department_id not in department_ids):
            continue
        body = _("Dear colleagues,\n\nThe Ministry's communication centre sent %(dep)s the crisis scenario "
                 "template \"%(title)s\", version %(n)s, on %(when)s. Receipt has not yet been acknowledged.\n\n"
                 "Please open it, check it against your Department's arrangements and acknowledge receipt:\n"
                 "%(url)s\n\nThe Ministry's communication centre",
                 dep=record.department.name, title=scenario.title, n=version.version,
                 when=format_date(record.distributed_at), url=_playbook_url(scenario))
        users = department_users(record.department_id, roles=RECIPIENT_ROLES)
        queued = False
        targets = [(u, u.email, u.name) for u in users] or [(None, record.department.email, record.department.name)]
        for user, address, label in targets:
            key = f"scenario-remind:{record.id}:{user.id if user else 'dep'}:{day}"
            before = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key))
            enqueue(kind="scenario.reminder", channel=EMAIL, subject=subject, body_text=body, recipient=user,
                    address=address, recipient_label=label, department_id=record.department_id,
                    source=("scenario_distribution", record.id), dedupe_key=key)
            queued = queued or before is None
        if queued:
            record.reminded_at = now()
            record.reminder_count = (record.reminder_count or 0) + 1
            reminded.append(record)
    db.session.flush()
    return reminded


def pending_for_department(department_id):
    """Distributions a Department has not acknowledged yet, each marked new or updated."""
    rows = db.session.scalars(select(ScenarioDistribution).join(ScenarioVersion).where(
        ScenarioDistribution.department_id == department_id, ScenarioDistribution.acknowledged_at.is_(None))
        .order_by(ScenarioDistribution.distributed_at.desc())).unique().all()
    out = []
    for row in rows:
        earlier = db.session.scalar(select(func.count()).select_from(ScenarioDistribution).join(ScenarioVersion)
                                    .where(ScenarioDistribution.department_id == department_id,
                                           ScenarioVersion.scenario_id == row.scenario_version.scenario_id,
                                           ScenarioVersion.version < row.scenario_version.version))
        out.append((row, "updated" if earlier else "new"))
    return out


def distribution_for(*, department_id, version):
    return db.session.scalar(select(ScenarioDistribution).where(
        ScenarioDistribution.department_id == department_id, ScenarioDistribution.scenario_version_id == version.id))


def distribution_json(d):
    return {"id": d.id, "scenario": d.scenario_version.scenario.slug, "scenario_id": d.scenario_version.scenario_id,
            "version": d.scenario_version.version, "department": d.department.code,
            "department_name": d.department.name, "distributed_at": d.distributed_at.isoformat(),
            "acknowledged": d.acknowledged,
            "acknowledged_at": d.acknowledged_at.isoformat() if d.acknowledged_at else None,
            "acknowledged_by": d.acknowledged_by.name if d.acknowledged_by else None,
            "reminded_at": d.reminded_at.isoformat() if d.reminded_at else None,
            "reminder_count": d.reminder_count or 0}


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
        raise ValidationError(_("The playbook text is empty."), fields={field_name: "required"})
    if errors:
        raise ValidationError(_("The playbook text has problems."),
                              fields={field_name: "; ".join(f"line {p.line}: {p.message}" for p in errors)})
    return [p for p in problems if p.level != fileformat.ERROR]


def save_adaptation(*, scenario, department, body, user, expected_updated_at=None):
    """Create or update the Department's adaptation (based on the latest version when new).
    Returns (adaptation, warnings)."""
    scoping.require_role(*EDITOR_ROLES, user=user)
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
                           fields={"body": "changed since you opened it"})
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
    scoping.require_role(*EDITOR_ROLES, user=user)
    target, chunks, _n = rebase_preview(adaptation, target)
    if target.version <= adaptation.base_version.version:
        raise Conflict(_("The adaptation is already based on the latest version."), fields={"version": "up to date"})
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
