"""The shape of crisiscomm/ in numbers (the counts CONTRIBUTING.md quotes).

    .venv/bin/python scripts/architecture.py            # the summary
    .venv/bin/python scripts/architecture.py --details  # every place behind each count

It reads the source as text and syntax trees; it imports and runs nothing. Counted:
- repeated blocks: pairs of places sharing six or more lines of the same shape (names, strings and numbers
  folded), outside migrations/ (Alembic revisions are written once and never edited);
- imports made inside functions whose target is another domain package, and how many of them lack a
  one-line reason (a comment on the import line or the line above it);
- package cycles: strongly connected groups in the graph of every import between domain packages and the core
  modules (crisiscomm/__init__.py, the app factory that wires them all, is left out);
- commit() calls in views and API modules (the request boundary commits);
- role names outside crisiscomm/permissions.py: the names as strings, and the role constants it defines;
- modules over 600 lines (migrations left out).
"""
import argparse
import ast
import io
import re
import sys
import tokenize
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "crisiscomm"
PACKAGE = "crisiscomm"
MAX_LINES = 600
MIN_BLOCK = 6
COMMON_SHAPE = 50  # a line shape seen this often across the tree is boilerplate (an entry, an argument)
ROLE_NAMES = {"ministry_admin", "ministry_comms", "director", "deputy_director", "spokesperson", "comms_officer",
              "steering_board", "viewer", "network_member"}
ROLE_CONSTANTS = {"MINISTRY_ADMIN", "MINISTRY_COMMS", "DIRECTOR", "DEPUTY_DIRECTOR", "SPOKESPERSON", "COMMS_OFFICER",
                  "STEERING_BOARD", "VIEWER", "NETWORK_MEMBER", "MINISTRY_ROLES", "DEPARTMENT_ROLES", "ROLES"}
PERMISSIONS_MODULE = ROOT / "permissions.py"


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def unit_of(path):
    """The node a file belongs to: its domain package, or the core module's own name."""
    parts = path.relative_to(ROOT).parts
    if len(parts) == 1:
        return None if parts[0] == "__init__.py" else parts[0][:-3]
    return parts[0]


def domains():
    return {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "migrations"}


def module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(node, path):
    """Absolute module names an import statement reaches."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module or ""
    else:
        package = module_name(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[:len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    if node.module is None:  # from . import a, b: each name may be a module
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base]


def target_unit(name):
    parts = name.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    head = parts[1]
    if (ROOT / head).is_dir():
        return head
    if (ROOT / f"{head}.py").exists():
        return head
    return None


class Imports(ast.NodeVisitor):
    def __init__(self, path):
        self.path, self.depth, self.found = path, 0, []

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node):  # `if TYPE_CHECKING:` imports are not dependencies at run time
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_Import(self, node):
        for name in resolve(node, self.path):
            self.found.append((node.lineno, name, self.depth > 0))

    visit_ImportFrom = visit_Import


def imports():
    """(path, line, source unit, target unit, inside a function) for every import of another unit."""
    rows = []
    for path in sources():
        source = unit_of(path)
        if source is None:
            continue
        visitor = Imports(path)
        visitor.visit(ast.parse(path.read_text(), str(path)))
        for line, name, inside in visitor.found:
            target = target_unit(name)
            if target and target != source:
                rows.append((path, line, source, target, inside))
    return rows


def has_reason(path, line):
    lines = path.read_text().splitlines()
    here = lines[line - 1]
    above = lines[line - 2].strip() if line >= 2 else ""
    return "#" in here or above.startswith("#")


def cycles(rows):
    graph = defaultdict(set)
    for _path, _line, source, target, _inside in rows:
        graph[source].add(target)
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def connect(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for node in list(graph):
        if node not in index:
            connect(node)
    pairs = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, ())})
    return found, pairs


_TOKEN_SHAPE = {tokenize.NAME: "N", tokenize.STRING: "S", tokenize.NUMBER: "0"}
_KEYWORDS = set(__import__("keyword").kwlist)


def shaped_lines(path):
    """(line number, shape) of each code line: names, strings and numbers folded; blank, comment,
    import and lone-punctuation lines dropped."""
    shapes = defaultdict(list)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text()).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                        tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.NAME and tok.string in _KEYWORDS:
            text = tok.string
        else:
            text = _TOKEN_SHAPE.get(tok.type, tok.string)
        shapes[tok.start[0]].append(text)
    out = []
    for line in sorted(shapes):
        shape = " ".join(shapes[line])
        if shape.startswith(("import ", "from ")) or not re.search(r"[A-Za-z0-9]", shape):
            continue
        out.append((line, shape))
    return out


def repeated_blocks():
    """Pairs of files (or two places in one file) sharing a run of MIN_BLOCK same-shaped lines, one row per pair
    (its first run). Boilerplate is left out as `duplicates` marks it: a run whose lines are mostly shapes that
    recur all over the tree (dict entries, keyword arguments), or a run standing in more than eight places."""
    files = {path: shaped_lines(path) for path in sources()}
    frequency = defaultdict(int)
    for lines in files.values():
        for _n, shape in lines:
            frequency[shape] += 1
    windows = defaultdict(list)
    for path, lines in files.items():
        for i in range(len(lines) - MIN_BLOCK + 1):
            key = tuple(shape for _n, shape in lines[i:i + MIN_BLOCK])
            if sum(frequency[shape] >= COMMON_SHAPE for shape in key) * 2 > MIN_BLOCK:
                continue
            windows[key].append((path, i))
    first = {}
    for places in windows.values():
        if len(places) > 8:
            continue
        for a in range(len(places)):
            for b in range(a + 1, len(places)):
                (pa, ia), (pb, ib) = places[a], places[b]
                if pa == pb and abs(ia - ib) < MIN_BLOCK:
                    continue
                key = (pa, pb) if (str(pa), ia) <= (str(pb), ib) else (pb, pa)
                at = (files[key[0]][min(ia, ib) if pa == pb else (ia if key[0] == pa else ib)][0],
                      files[key[1]][max(ia, ib) if pa == pb else (ib if key[1] == pb else ia)][0])
                first[key] = min(first.get(key, at), at)
    return [(pa, la, pb, lb) for (pa, pb), (la, lb) in first.items()]


def commits_in_views():
    rows = []
    for path in sources():
        if path.name in ("views.py", "api.py") or path.parent.name in ("views", "api"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.commit\(\)", line) and not line.lstrip().startswith("#"):
                    rows.append((path, number))
    return rows


def role_names():
    rows = []
    for path in sources():
        if path == PERMISSIONS_MODULE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ROLE_NAMES:
                rows.append((path, node.lineno, node.value))
            elif isinstance(node, ast.Name) and node.id in ROLE_CONSTANTS:
                rows.append((path, node.lineno, node.id))
            elif isinstance(node, ast.Attribute) and node.attr in ROLE_CONSTANTS:
                rows.append((path, node.lineno, node.attr))
    return rows


def long_modules():
    return [(path, n) for path in sources() if (n := len(path.read_text().splitlines())) > MAX_LINES]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every place behind each count")
    args = parser.parse_args(argv)
    rel = lambda p: p.relative_to(ROOT.parent)  # noqa: E731
    rows = imports()
    domain_names = domains()
    inside = [r for r in rows if r[4] and r[3] in domain_names]
    unexplained = [r for r in inside if not has_reason(r[0], r[1])]
    groups, pairs = cycles(rows)
    blocks = repeated_blocks()
    commits = commits_in_views()
    roles = role_names()
    long = long_modules()
    summary = [
        ("repeated blocks (pairs, 6+ same-shaped lines)", len(blocks)),
        ("imports of another domain inside functions", len(inside)),
        ("  of which without a one-line reason", len(unexplained)),
        ("package cycles (groups of units importing each other)", len(groups)),
        ("commit() in views and API modules", len(commits)),
        ("role names outside permissions.py", len(roles)),
        (f"modules over {MAX_LINES} lines", len(long)),
    ]
    width = max(len(label) for label, _n in summary)
    for label, number in summary:
        print(f"{label:<{width}}  {number}")
    if args.details:
        print("\n# repeated blocks")
        for pa, la, pb, lb in sorted(blocks, key=lambda r: (str(r[0]), r[1])):
            print(f"{rel(pa)}:{la} ~ {rel(pb)}:{lb}")
        print("\n# imports of another domain inside functions")
        for path, line, source, target, _inside in inside:
            mark = "" if has_reason(path, line) else "  (no reason)"
            print(f"{rel(path)}:{line} {source} -> {target}{mark}")
        print("\n# package cycles")
        for group in groups:
            print(" <-> ".join(group))
        for a, b in pairs:
            print(f"  mutual: {a} <-> {b}")
        print("\n# commit() in views and API modules")
        for path, line in commits:
            print(f"{rel(path)}:{line}")
        print("\n# role names outside permissions.py")
        for path, line, value in roles:
            print(f"{rel(path)}:{line} {value}")
        print("\n# long modules")
        for path, n in long:
            print(f"{rel(path)} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
