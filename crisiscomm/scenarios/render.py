"""Rendering a playbook: the scenario text with the Department's people and numbers filled in (only the
allow-listed placeholders, in a sandbox), its sections, holding statement, phases and key messages."""
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from jinja2 import Undefined, nodes
from markupsafe import Markup, escape
from sqlalchemy import select

from .. import permissions, registry
from ..clock import format_date, format_datetime, format_duration, now
from ..departments.service import public_contact
from ..errors import NotFound
from ..extensions import db
from ..markup import render_markdown, sanitize
from ..spokespersons.service import official_spokesperson
from ..text import fold
from ..users.models import User
from . import fileformat
from .fileformat import HOLDING_STATEMENT, KEY_MESSAGES, PLACEHOLDERS, parse_duration
from .models import Scenario, ScenarioAdaptation, ScenarioVersion
from .service import find_adaptation, get_version


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
    dep, spk, director, inc, exam = {}, {}, {}, {}, {}
    if department is not None:
        # the portal, hotlines and addresses the Department keeps on its "public contact details" page
        dep = {"name": department.name, "province": department.province, **public_contact(department)}
        assignment = official_spokesperson(department.id)
        if assignment is not None:
            user = assignment.user
            spk = {"name": user.name, "title": user.title, "phone": assignment.public_phone or user.phone,
                   "email": assignment.public_email or user.email}
        boss = db.session.scalar(select(User).where(User.department_id == department.id,
                                                    User.role.in_(permissions.holders("department.head")),
                                                    User.active.is_(True)).order_by(User.id).limit(1))
        if boss is not None:
            director = {"name": boss.name, "phone": boss.phone}
    if incident is not None:
        inc = {"title": incident.title, "occurred_at": format_datetime(incident.occurred_at),
               "location": incident.place}
        exam = {"name": incident.exam}
    spaces = dict(department=dep, spokesperson=spk, director=director, incident=inc, exam=exam)
    return {**{name: _Namespace(name, known) for name, known in spaces.items()}, "today": format_date(now())}


def placeholder_label(name):
    """What a missing placeholder is, in words ("department.exam_hotline" → "the Department's exam hotline")."""
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
    """A playbook as a Department reads it (templates also index it: ``playbook["html"]``)."""

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


def playbook_incident(ident):
    """The incident ``ident`` a playbook is filled for, if the user may see it (else NotFound). Incidents sit above
    scenarios: the incidents domain registers how to find one (registry.find_incident)."""
    finders = registry.items("find_incident")
    if not finders:
        raise NotFound()
    return finders[0](ident)


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

