"""Text folding for search that officials expect: case- and diacritics-insensitive Vietnamese.

Models keep a folded copy of their searchable text in a column (e.g. ``search_text``) and
queries compare against ``fold(q)``: the same on SQLite and PostgreSQL, and indexable.
"""
import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text):
    """'Nguyễn Văn An' -> 'nguyen van an'; 'Báo Giáo dục và Thời đại' -> 'bao giao duc va thoi dai'."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


def fold_terms(query):
    """Folded words of a query; every word must match (AND)."""
    return [t for t in fold(query).split(" ") if t]


def like_escape(term):
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_all_terms(column, query):
    """SQLAlchemy conditions: every folded word of ``query`` occurs in the folded ``column``."""
    return [column.like(f"%{like_escape(t)}%", escape="\\") for t in fold_terms(query)]


@functools.cache
def _collator():
    import pyuca

    return pyuca.Collator()


# Vietnamese letters that the root collation treats as accented forms: ă, â, ê, ô, ơ, ư are letters of their
# own (a < ă < â < b). Their marks become letters that sort after every Latin one; tone marks stay accents.
_VI_LETTER_MARKS = {"\u0306": "\u03b1", "\u0302": "\u03b2", "\u031b": "\u03b3"}


def collation_key(text):
    """The Unicode Collation Algorithm key of ``text`` in Vietnamese order, as hex text: "Cà Mau", "Cao Bằng",
    "Cần Thơ"; the "Đ…" names after the "D…" ones. Stored in a column it sorts the same on SQLite and
    PostgreSQL (hex digits compare alike in every collation)."""
    decomposed = unicodedata.normalize("NFD", str(text or "").strip().replace("đ", "d\u03b4").replace("Đ", "D\u03b4"))
    weights = _collator().sort_key("".join(_VI_LETTER_MARKS.get(ch, ch) for ch in decomposed))
    return "".join(f"{w:04x}" for w in weights)


def person_key(name):
    """Vietnamese lists of people go by given name (the last word), then the full name."""
    words = str(name or "").split()
    return (collation_key(words[-1]) if words else "", collation_key(name))


def sort_people(rows, attr="name"):
    return sorted(rows, key=lambda row: person_key(getattr(row, attr)))
