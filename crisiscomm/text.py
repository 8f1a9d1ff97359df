"""Text folding for search that officials expect: case- and diacritics-insensitive Vietnamese.

Models keep a folded copy of their searchable text in a column (e.g. ``search_text``) and
queries compare against ``fold(q)``: the same on SQLite and PostgreSQL, and indexable.
"""
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
