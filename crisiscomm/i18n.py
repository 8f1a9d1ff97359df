"""Vietnamese by default, English available. Every domain keeps its own catalog in
``<domain>/translations/<lang>/LC_MESSAGES/messages.po``; Flask-Babel merges them.

``python -m crisiscomm.i18n compile`` builds the .mo files (make does it at install);
create_app also compiles any catalog whose .mo is missing or older than its .po.
"""
import glob
import os
import sys

from flask import request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user

from .extensions import babel

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def bound_gettext():
    """``gettext`` bound to the current locale's catalogue: for code that translates dozens of strings in one go
    (an alert, once per recipient), without Flask-Babel's context lookups on every call (a tenth of an alert's
    CPU). Call it again after the locale changes (inside ``force_locale``)."""
    translations = get_translations()

    def gettext(string, **variables):
        text = translations.ugettext(string)
        return text % variables if variables else text
    return gettext


def _po_files():
    return glob.glob(os.path.join(PACKAGE_DIR, "**", "translations", "*", "LC_MESSAGES", "messages.po"),
                     recursive=True)


def translation_dirs():
    # .../<domain>/translations/<lang>/LC_MESSAGES/messages.po -> .../<domain>/translations
    return sorted({os.path.dirname(os.path.dirname(os.path.dirname(p))) for p in _po_files()})


def compile_catalogs(force=False):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po_path in _po_files():
        mo_path = po_path[:-3] + ".mo"
        if not force and os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        with open(po_path, "rb") as fh:
            catalog = read_po(fh)
        with open(mo_path, "wb") as fh:
            write_mo(fh, catalog)
        compiled.append(mo_path)
    return compiled


def select_locale():
    languages = ("vi", "en")
    if request:
        wanted = request.args.get("lang")
        if wanted in languages:
            session["lang"] = wanted
            return wanted
        if session.get("lang") in languages:
            return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return "vi"


def init_app(app):
    try:
        compile_catalogs()
    except OSError:  # a read-only install: catalogs were compiled by `make install`
        pass
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=";".join(translation_dirs()))
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "vi")


PROJECT_DIR = os.path.dirname(PACKAGE_DIR)
TEMPLATE_DIR = os.path.join(PROJECT_DIR, "templates")
_EXTRACT_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                     "pgettext": ((1, "c"), 2)}


# The "core" catalog (crisiscomm/translations) holds the strings of the top-level modules and
# templates (base.html, errors/, macros/) and of the foundation packages below.
CORE_PACKAGES = ("departments", "users", "audit", "notifications", "web")


def _core_sources():
    out = [(p, "python") for p in glob.glob(os.path.join(PACKAGE_DIR, "*.py"))]
    packages = {name for name in os.listdir(PACKAGE_DIR) if os.path.isdir(os.path.join(PACKAGE_DIR, name))}
    for path in glob.glob(os.path.join(TEMPLATE_DIR, "**", "*.html"), recursive=True):
        top = os.path.relpath(path, TEMPLATE_DIR).split(os.sep)[0]
        if top.endswith(".html") or top not in packages:
            out.append((path, "jinja2"))
    for package in CORE_PACKAGES:
        out.extend(_sources(package))
    return sorted(set(out))


def _sources(domain=None):
    """(path, method) of the files whose strings belong to ``domain``'s catalog (None: every file;
    "core": the top-level files and the foundation packages)."""
    if domain == "core":
        return _core_sources()
    out = []
    roots = [(os.path.join(PACKAGE_DIR, domain), os.path.join(TEMPLATE_DIR, domain))] if domain else \
        [(PACKAGE_DIR, TEMPLATE_DIR)]
    for py_root, tpl_root in roots:
        for path in glob.glob(os.path.join(py_root, "**", "*.py"), recursive=True):
            if "migrations" not in path:
                out.append((path, "python"))
        for path in glob.glob(os.path.join(tpl_root, "**", "*.html"), recursive=True):
            out.append((path, "jinja2"))
    return sorted(out)


def extract(domain=None):
    """[(path, line, msgid)] of every translatable string in ``domain`` (or everywhere)."""
    from babel.messages.extract import extract_from_file

    found = []
    for path, method in _sources(domain):
        method = "babel.messages.extract:extract_python" if method == "python" else "jinja2.ext:babel_extract"
        for lineno, message, _comments, _context in extract_from_file(
                method, path, keywords=_EXTRACT_KEYWORDS, options={"extensions": "jinja2.ext.i18n"}):
            for msgid in (message if isinstance(message, tuple) else (message,)):
                if msgid:
                    found.append((path, lineno, msgid))
    return found


def translated(lang="vi"):
    from babel.messages.pofile import read_po

    known = set()
    for po_path in _po_files():
        if f"{os.sep}{lang}{os.sep}LC_MESSAGES" not in po_path:
            continue
        with open(po_path, "rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string and (not isinstance(msg.string, tuple) or all(msg.string)):
                    known.update(msg.id if isinstance(msg.id, tuple) else (msg.id,))
    return known


def missing(lang="vi", domain=None):
    known = translated(lang)
    return [(p, n, m) for p, n, m in extract(domain) if m not in known]


def add_missing(domain, lang="vi"):
    """Append every untranslated string of ``domain`` to its catalog with an empty translation."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    po_dir = os.path.join(PACKAGE_DIR, domain, "translations", lang, "LC_MESSAGES") \
        if domain and domain != "core" else os.path.join(PACKAGE_DIR, "translations", lang, "LC_MESSAGES")
    os.makedirs(po_dir, exist_ok=True)
    po_path = os.path.join(po_dir, "messages.po")
    if os.path.exists(po_path):
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="crisiscomm", charset="utf-8")
    added = 0
    for path, lineno, msgid in missing(lang, domain):
        if msgid not in catalog:
            catalog.add(msgid, "", locations=[(os.path.relpath(path, PROJECT_DIR), lineno)])
            added += 1
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=120, omit_header=False)
    return po_path, added


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["compile"]:
        for path in compile_catalogs(force=True):
            print("compiled", os.path.relpath(path, PROJECT_DIR))
    elif command == ["missing"]:
        rows = missing(domain=(sys.argv[2] if len(sys.argv) > 2 else None))
        for path, lineno, msgid in rows:
            print(f"{os.path.relpath(path, PROJECT_DIR)}:{lineno}: {msgid!r}")
        sys.exit(1 if rows else 0)
    elif command == ["add-missing"]:
        if len(sys.argv) < 3:
            print("usage: python -m crisiscomm.i18n add-missing DOMAIN|core", file=sys.stderr)
            sys.exit(2)
        path, added = add_missing(sys.argv[2])
        print(f"{added} strings added to {os.path.relpath(path, PROJECT_DIR)}")
    else:
        print("usage: python -m crisiscomm.i18n compile | missing [DOMAIN] | add-missing DOMAIN|core",
              file=sys.stderr)
        sys.exit(2)
