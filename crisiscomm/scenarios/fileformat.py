"""The scenario file format (scenarios/README.md): parse, validate, and report problems with line numbers.

``parse_text(text)`` / ``parse_file(path)`` return a :class:`ParsedScenario` with the front matter (``meta``),
the Markdown ``body``, its sections, the key messages, and ``problems`` (errors and warnings, each with the
line of the file it is about). Nothing here touches the database; other domains may import it freely
(``parse_duration`` turns ``15m`` / ``1h`` / ``24h`` / ``72h`` / ``7d`` into a timedelta).
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

import yaml
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from .. import permissions
from .models import CATEGORIES, SEVERITIES


SITUATION = "Tình huống và dấu hiệu nhận biết"
FIRST_ACTIONS = "Hành động đầu tiên"
HOLDING_STATEMENT = "Thông tin ban đầu"
KEY_MESSAGES = "Thông điệp chính"
QUESTIONS = "Câu hỏi dự kiến và trả lời"
DONTS = "Những điều không nói, không làm"
PRESS_RELEASE = "Mẫu thông cáo báo chí"
CHANNELS = "Kênh truyền thông"
REVIEW = "Câu hỏi rút kinh nghiệm sau sự cố"
SECTIONS = (SITUATION, FIRST_ACTIONS, HOLDING_STATEMENT, KEY_MESSAGES, QUESTIONS, DONTS, PRESS_RELEASE, CHANNELS,
            REVIEW)

# The only placeholders a scenario may use: {{ name.attribute }} (and {{ today }}).
PLACEHOLDERS = dict(
    department=("name", "province", "phone", "email", "website", "address", "exam_hotline", "fanpage", "zalo"),
    spokesperson=("name", "title", "phone", "email"),
    director=("name", "phone"),
    incident=("title", "occurred_at", "location"),
    exam=("name",),
)
PLAIN_PLACEHOLDERS = ("today",)
ALLOWED_PLACEHOLDERS = tuple(f"{k}.{a}" for k, attrs in PLACEHOLDERS.items() for a in attrs) + PLAIN_PLACEHOLDERS

KEY_MESSAGE_COUNT = 3
KEY_MESSAGE_MAX_WORDS = 27
KEY_MESSAGE_MAX_FACTS = 3
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
REQUIRED_KEYS = ("id", "version", "title", "category", "exam_related", "default_severity", "notify", "phases")
KNOWN_KEYS = REQUIRED_KEYS + ("summary",)

ERROR = "error"
WARNING = "warning"


def parse_duration(value):
    """'15m' → 15 minutes, '1h', '24h', '72h', '7d'. Raises ValueError on anything else (including 0)."""
    if isinstance(value, timedelta):
        return value
    match = DURATION.match(str(value)) if isinstance(value, str) else None
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"bad duration {value!r}: use a positive number with m, h or d (15m, 1h, 24h, 7d)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def format_duration(delta):
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 7 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def word_count(text):
    """Words as a Vietnamese reader counts them: syllables separated by spaces (Markdown marks ignored)."""
    return len([w for w in re.sub(r"[*_`#>]", " ", text or "").split() if re.search(r"\w", w)])


@dataclass
class Problem:
    line: int
    message: str
    level: str = ERROR

    def format(self, path):
        prefix = "" if self.level == ERROR else "warning: "
        return f"{path}:{self.line}: {prefix}{self.message}"


@dataclass
class Section:
    title: str
    line: int  # line of the "## " heading in the file
    text: str  # the Markdown under the heading, up to the next "## " (blank lines around it removed)
    known: bool = True
    text_line: int = 0  # file line of the first line of ``text``


@dataclass
class KeyMessage:
    text: str
    line: int
    facts: list = field(default_factory=list)

    @property
    def words(self):
        return word_count(self.text)


@dataclass
class ParsedScenario:
    meta: dict
    body: str
    body_line: int  # file line number of the body's first line
    sections: list
    key_messages: list
    problems: list
    checksum: str

    @property
    def errors(self):
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self):
        return [p for p in self.problems if p.level == WARNING]

    @property
    def ok(self):
        return not self.errors

    def section(self, title):
        return next((s for s in self.sections if s.title == title), None)


def checksum(text):
    return hashlib.sha256(normalize_newlines(text).encode("utf-8")).hexdigest()


def normalize_newlines(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


# --- front matter ---------------------------------------------------------------------------

def _split_front_matter(text):
    """(front matter text or None, body text, line of the body's first line, problems)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1, [Problem(1, "missing YAML front matter: the file must start with a '---' line")]
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2, []
    return None, text, 1, [Problem(1, "front matter is not closed: no second '---' line")]


def _node_line(node, key, default):
    """The file line of ``key`` in a composed YAML mapping node (offset: the front matter starts at line 2)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v.start_mark.line + 2, v
    return default, None


def _check_meta(meta, root, problems):
    line_of = lambda key: _node_line(root, key, 2)[0]  # noqa: E731
    for key in REQUIRED_KEYS:
        if key not in meta:
            problems.append(Problem(2, f"front matter: missing required key '{key}'"))
    for key in meta:
        if key not in KNOWN_KEYS:
            problems.append(Problem(line_of(key), f"front matter: unknown key '{key}'", WARNING))
    if "id" in meta and not (isinstance(meta["id"], str) and SLUG.match(meta["id"])):
        problems.append(Problem(line_of("id"), "id: must be a slug of lowercase letters, digits and hyphens"))
    if "version" in meta and not (isinstance(meta["version"], int) and not isinstance(meta["version"], bool)
                                  and meta["version"] >= 1):
        problems.append(Problem(line_of("version"), "version: must be an integer ≥ 1"))
    for key in ("title", "summary"):
        if key in meta and not (isinstance(meta[key], str) and meta[key].strip()):
            problems.append(Problem(line_of(key), f"{key}: must be non-empty text"))
    if "category" in meta and meta["category"] not in CATEGORIES:
        problems.append(Problem(line_of("category"), f"category: {meta['category']!r} is not one of "
                                                     f"{', '.join(CATEGORIES)}"))
    if "exam_related" in meta and not isinstance(meta["exam_related"], bool):
        problems.append(Problem(line_of("exam_related"), "exam_related: must be true or false"))
    if "default_severity" in meta and meta["default_severity"] not in SEVERITIES:
        problems.append(Problem(line_of("default_severity"), f"default_severity: {meta['default_severity']!r} is "
                                                             f"not one of {', '.join(SEVERITIES)}"))
    if "notify" in meta:
        line, node = _node_line(root, "notify", 2)
        if not isinstance(meta["notify"], list):
            problems.append(Problem(line, "notify: must be a list of roles"))
        else:
            for i, role in enumerate(meta["notify"]):
                if role not in permissions.holders("scenario.file.role"):
                    item_line = node.value[i].start_mark.line + 2 if isinstance(node, yaml.SequenceNode) else line
                    problems.append(Problem(item_line, f"notify: unknown role {role!r}"))
    if "phases" in meta:
        _check_phases(meta["phases"], *_node_line(root, "phases", 2), problems)


def _check_phases(phases, line, node, problems):
    if not isinstance(phases, list) or not phases:
        problems.append(Problem(line, "phases: must be a non-empty list"))
        return
    previous = None
    for i, phase in enumerate(phases):
        pnode = node.value[i] if isinstance(node, yaml.SequenceNode) and i < len(node.value) else None
        pline = pnode.start_mark.line + 2 if pnode is not None else line
        if not isinstance(phase, dict):
            problems.append(Problem(pline, f"phases[{i + 1}]: must be a mapping with name, due_after, items"))
            continue
        if not (isinstance(phase.get("name"), str) and phase["name"].strip()):
            problems.append(Problem(pline, f"phases[{i + 1}]: missing name"))
        due_line = _node_line(pnode, "due_after", pline)[0]
        if "due_after" not in phase:
            problems.append(Problem(pline, f"phases[{i + 1}]: missing due_after"))
        else:
            try:
                due = parse_duration(phase["due_after"])
            except ValueError as exc:
                problems.append(Problem(due_line, f"phases[{i + 1}].due_after: {exc}"))
            else:
                if previous is not None and due < previous:
                    problems.append(Problem(due_line, f"phases[{i + 1}].due_after: {phase['due_after']} is earlier "
                                                      "than the phase before it (phases go in time order)"))
                previous = due
        items = phase.get("items")
        items_line, inode = _node_line(pnode, "items", pline)
        if not isinstance(items, list) or not items:
            problems.append(Problem(items_line, f"phases[{i + 1}].items: must be a non-empty list"))
            continue
        for j, item in enumerate(items):
            iline = (inode.value[j].start_mark.line + 2 if isinstance(inode, yaml.SequenceNode)
                     and j < len(inode.value) else items_line)
            if not isinstance(item, dict) or not (isinstance(item.get("text"), str) and item["text"].strip()):
                problems.append(Problem(iline, f"phases[{i + 1}].items[{j + 1}]: needs text and owner_role"))
                continue
            if item.get("owner_role") not in permissions.holders("scenario.file.role"):
                problems.append(Problem(iline, f"phases[{i + 1}].items[{j + 1}].owner_role: unknown role "
                                               f"{item.get('owner_role')!r}"))


# --- body -----------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")


def split_sections(body, body_line=1):
    """The body's ``## `` sections, in file order (fenced code is not split)."""
    sections, current, buf, in_fence = [], None, [], False

    def close():
        raw = "\n".join(buf)
        current.text = raw.strip("\n")
        current.text_line = current.line + 1 + (len(raw) - len(raw.lstrip("\n")))
        sections.append(current)

    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            if current is not None:
                close()
            title = line[3:].strip()
            current, buf = Section(title=title, line=body_line + offset, text="", known=title in SECTIONS), []
        elif current is not None:
            buf.append(line)
    if current is not None:
        close()
    return sections


def key_messages(section):
    """The ``### `` key messages of the "Thông điệp chính" section with their ``- `` supporting facts."""
    messages = []
    for offset, line in enumerate(section.text.split("\n")):
        stripped = line.strip()
        if line.startswith("### "):
            messages.append(KeyMessage(text=line[4:].strip(), line=section.text_line + offset))
        elif messages and re.match(r"^[-*+]\s+", stripped) and not line.startswith((" ", "\t")):
            messages[-1].facts.append(re.sub(r"^[-*+]\s+", "", stripped))
    return messages


def _check_sections(sections, body_line, end_line, problems):
    seen = {}
    for s in sections:
        if not s.known:
            problems.append(Problem(s.line, f"unknown section '## {s.title}' (the sections are listed in "
                                            "scenarios/README.md)", WARNING))
            continue
        if s.title in seen:
            problems.append(Problem(s.line, f"duplicate section '## {s.title}' (first at line {seen[s.title]})"))
            continue
        seen[s.title] = s.line
        if not s.text.strip():
            problems.append(Problem(s.line, f"section '## {s.title}' is empty"))
    known = [s for s in sections if s.known]
    for title in SECTIONS:
        if title not in seen:
            # Point at where it should have been: the first later section present, else the end.
            later = [s.line for s in known if SECTIONS.index(s.title) > SECTIONS.index(title)]
            problems.append(Problem(min(later) if later else end_line, f"missing section '## {title}'"))
    order = [SECTIONS.index(s.title) for s in known]
    best = -1
    for s, idx in zip(known, order):
        if idx < best:
            problems.append(Problem(s.line, f"section '## {s.title}' is out of order: it must come before "
                                            f"'## {SECTIONS[best]}'"))
        best = max(best, idx)


def _check_key_messages(section, problems):
    messages = key_messages(section)
    if len(messages) != KEY_MESSAGE_COUNT:
        problems.append(Problem(section.line, f"'## {KEY_MESSAGES}' must have exactly {KEY_MESSAGE_COUNT} key "
                                              f"messages ('### ' headings), found {len(messages)}"))
    for m in messages:
        if m.words > KEY_MESSAGE_MAX_WORDS:
            problems.append(Problem(m.line, f"key message has {m.words} words (more than {KEY_MESSAGE_MAX_WORDS}: "
                                            "too long to say in one breath)", WARNING))
        if len(m.facts) > KEY_MESSAGE_MAX_FACTS:
            problems.append(Problem(m.line, f"key message has {len(m.facts)} supporting facts (at most "
                                            f"{KEY_MESSAGE_MAX_FACTS})", WARNING))
        if not m.facts:
            problems.append(Problem(m.line, "key message has no supporting fact", WARNING))
    return messages


# --- placeholders: parse with the sandbox, allow only {{ name.attr }} -----------------------

def sandbox_environment(**kwargs):
    """The Jinja environment scenario text is parsed and rendered with: sandboxed, no filters, tests or globals."""
    env = SandboxedEnvironment(**kwargs)
    env.filters.clear()
    env.tests.clear()
    env.globals.clear()
    return env


_parse_env = sandbox_environment()


def placeholder_name(node):
    """'department.name' for an allowed ``{{ department.name }}`` expression node, else None."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.ctx == "load":
        if node.attr in PLACEHOLDERS.get(node.node.name, ()):
            return f"{node.node.name}.{node.attr}"
    if isinstance(node, nodes.Name) and node.name in PLAIN_PLACEHOLDERS:
        return node.name
    return None


def _describe(node):
    try:
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
            return f"{{{{ {node.node.name}.{node.attr} }}}}"
        if isinstance(node, nodes.Name):
            return f"{{{{ {node.name} }}}}"
        if isinstance(node, nodes.Filter):
            return f"filter '{node.name}'"
    except Exception:  # pragma: no cover - description only
        pass
    return type(node).__name__.lower()


def parse_template(text):
    """(Jinja AST or None, problems with lines relative to ``text``) — any construct other than an allowed
    placeholder is a problem. Used by ``check`` and by the renderer, which drops whatever is not allowed."""
    try:
        tree = _parse_env.parse(text)
    except TemplateSyntaxError as exc:
        return None, [Problem(exc.lineno or 1, f"template syntax error: {exc.message}")]
    problems = []
    for child in tree.body:
        if isinstance(child, nodes.Output):
            for expr in child.nodes:
                if isinstance(expr, nodes.TemplateData):
                    continue
                if placeholder_name(expr) is None:
                    problems.append(Problem(expr.lineno, f"unknown placeholder {_describe(expr)} (allowed: "
                                                         + ", ".join(ALLOWED_PLACEHOLDERS) + ")"))
        else:
            problems.append(Problem(child.lineno, f"template statement '{type(child).__name__.lower()}' is not "
                                                  "allowed: only {{ placeholders }}"))
    return tree, problems


def placeholders_used(text):
    tree, _ = parse_template(text)
    if tree is None:
        return []
    found = []
    for child in tree.body:
        if isinstance(child, nodes.Output):
            for expr in child.nodes:
                name = placeholder_name(expr)
                if name and name not in found:
                    found.append(name)
    return found


# --- entry points ---------------------------------------------------------------------------

def parse_body(body, body_line=1):
    """Check a Markdown body alone (a Department's adaptation): sections, key messages, placeholders."""
    problems = []
    sections = split_sections(body, body_line)
    end_line = body_line + max(body.count("\n"), 0)
    _check_sections(sections, body_line, end_line, problems)
    km = section_by_title(sections, KEY_MESSAGES)
    messages = _check_key_messages(km, problems) if km is not None else []
    _, template_problems = parse_template(body)
    for p in template_problems:
        problems.append(Problem(body_line + p.line - 1, p.message, p.level))
    problems.sort(key=lambda p: (p.line, p.level != ERROR))
    return sections, messages, problems


def section_by_title(sections, title):
    return next((s for s in sections if s.title == title), None)


def parse_text(text):
    """Parse a whole scenario file's text. Never raises on bad input: problems say what is wrong."""
    text = normalize_newlines(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    front, body, body_line, problems = _split_front_matter(text)
    meta = {}
    if front is not None:
        try:
            loaded = yaml.safe_load(front)
            root = yaml.compose(front)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 2 if mark is not None else 2
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            problems.append(Problem(line, f"bad YAML in front matter: {problem}"))
        else:
            if loaded is None:
                loaded = {}
            if not isinstance(loaded, dict):
                problems.append(Problem(2, "front matter must be a YAML mapping (key: value lines)"))
            else:
                meta = loaded
                _check_meta(meta, root, problems)
    sections, messages, body_problems = parse_body(body, body_line)
    problems.extend(body_problems)
    problems.sort(key=lambda p: (p.line, p.level != ERROR))
    return ParsedScenario(meta=meta, body=body.strip("\n") + "\n", body_line=body_line, sections=sections,
                          key_messages=messages, problems=problems, checksum=checksum(text))


def parse_file(path):
    with open(path, encoding="utf-8") as fh:
        return parse_text(fh.read())
