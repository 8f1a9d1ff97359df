"""The start page, the favicon, and the filters and helpers every template uses (terms, labels, phones)."""
import re

from flask import Blueprint, redirect, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from .. import permissions, registry
from ..clock import as_utc, format_date, format_datetime, now, time_ago, time_left, to_local
from ..markup import render_markdown

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("users.login"))
    return render_template("web/home.html")


# Names of record types shown on a Department's page; domains add theirs with registry.model_label.
BASE_MODEL_LABELS = {"User": _l("Users")}


# Stored values and field names shown as they are (audit log, timelines): domains add theirs with registry.terms.
BASE_TERMS = {
    "create": _l("created"), "update": _l("changed"), "delete": _l("deleted"), "merge": _l("merged"),
    "rename": _l("renamed"), "transition": _l("moved on"), "system": _l("system"), "department": _l("Department"),
    "name": _l("Name"), "email": _l("Email"), "phone": _l("Phone"), "role": _l("Role"),
    "status": _l("Status"), "active": _l("Active"), "locale": _l("Language"), "notes": _l("Notes"),
    "submitted": _l("submitted"), "draft": _l("draft"),
}


def term(value):
    """A stored value or field name in the UI language ("urgent" → "khẩn"); anything unknown as it is."""
    if not isinstance(value, str):
        return value
    return registry.items("terms").get(value, BASE_TERMS.get(value, value))


# A Vietnamese phone number in running text: 0903 123 403, 024.3825.1234, +84 24 3825 1234, 1900 1234.
PHONE = re.compile(r"(?<![\w/+])(?:(?:\+84[\s.]?|0)\d(?:[\s.]?\d){7,10}|1[89]00[\s.]?\d{2,4}(?:[\s.]?\d{2,4})?)(?![\w])")


def tel_href(number):
    digits = re.sub(r"[^\d+]", "", str(number))
    return "tel:" + digits


def tel(number):
    """A phone number as a link that dials it (tap-to-call on a phone)."""
    if not number:
        return ""
    return Markup('<a class="tel" href="{}">{}</a>').format(tel_href(number), number)


def link_phones(html):
    """Phone numbers in the text of sanitised HTML become tel: links (not inside tags or existing links)."""
    out, inside_link = [], False
    for part in re.split(r"(<[^>]+>)", str(html)):
        if part.startswith("<"):
            tag = part[1:3].lower()
            inside_link = True if tag.startswith("a ") or part.lower() == "<a>" else False if part.lower() == "</a>" \
                else inside_link
            out.append(part)
        elif inside_link:
            out.append(part)
        else:
            out.append(PHONE.sub(lambda m: f'<a class="tel" href="{tel_href(m.group(0))}">{m.group(0)}</a>', part))
    return Markup("".join(out))


_QUARTER = re.compile(r"^(?:Q([1-4])/(\d{4})|(\d{4})Q([1-4]))$")


def quarter_label(key):
    """"2026Q4" or "Q4/2026" as people write it: "Quý 4/2026"."""
    m = _QUARTER.match(str(key or ""))
    if not m:
        return key
    q, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return _("Q%(q)s/%(year)s", q=q, year=year)


def model_label(name):
    return registry.items("model_label").get(name, BASE_MODEL_LABELS.get(name, name))


def home_panels(app, user):
    """The start page's panels (``registry.home_panel``) for ``user``, lowest order first."""
    panels = sorted(registry.items("home_panel", app), key=lambda p: p[0])
    return [template for _order, template, permission in panels
            if (not permissions.is_narrow(user) if permission is None else permissions.can(user, permission))]


def deadline_time(deadline):
    """The deadline's local time: "14:00" today, "14:00 27/06" on another day."""
    local = to_local(deadline)
    return local.strftime("%H:%M") if local.date() == to_local(now()).date() else local.strftime("%H:%M %d/%m")


def countdown(deadline):
    """ "còn 5 giờ 59 phút · 14:00": app.js keeps the first part current (formats on <body>)."""
    if deadline is None:
        return ""
    overdue = as_utc(deadline) <= now()
    return Markup('<span class="countdown{}" data-deadline="{}"><span class="countdown-rel">{}</span>'
                  ' <span class="countdown-at">· {}</span></span>').format(
        " overdue" if overdue else "", as_utc(deadline).isoformat(), escape(time_left(deadline)),
        deadline_time(deadline))


def init_app(app):
    app.register_blueprint(bp)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["local"] = to_local
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["term"] = term
    app.jinja_env.filters["tel"] = tel
    app.jinja_env.filters["quarter"] = quarter_label
    app.jinja_env.filters["link_phones"] = link_phones

    @app.context_processor
    def labels():
        return {"role_label": permissions.role_label, "model_label": model_label,
                "home_panels": lambda: home_panels(app, current_user), "countdown": countdown,
                "time_ago": time_ago, "time_left": time_left, "deadline_time": deadline_time,
                "server_now": lambda: now().isoformat()}

    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(app.static_folder, "favicon.svg", mimetype="image/svg+xml")
