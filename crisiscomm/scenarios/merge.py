"""Comparing scenario texts: a readable diff, the sections that changed, and a three-way merge of a
Department's adaptation with a newer Ministry version (conflicts resolved by the user's choice)."""
import difflib

from flask_babel import gettext as _

from ..errors import ValidationError
from . import fileformat


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

