from flask import Blueprint, redirect, render_template, send_from_directory, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("users.login"))
    return render_template("web/home.html")


ROLE_LABELS = {
    "ministry_admin": _l("Ministry administrator"),
    "ministry_comms": _l("Ministry communication centre"),
    "director": _l("Director"),
    "deputy_director": _l("Deputy director"),
    "spokesperson": _l("Spokesperson"),
    "comms_officer": _l("Communication officer"),
    "steering_board": _l("Exam steering board member"),
    "viewer": _l("Viewer"),
}

# Names of record types shown on a Department's page; domains add theirs with register_model_label.
MODEL_LABELS = {"User": _l("Users")}


def role_label(role):
    return ROLE_LABELS.get(role, role)


def model_label(name):
    return MODEL_LABELS.get(name, name)


def register_model_label(name, label):
    MODEL_LABELS[name] = label


def register_home_panel(app, template):
    """A template included on the start page (it decides itself what the user may see)."""
    app.extensions.setdefault("crisiscomm_home_panels", []).append(template)


def init_app(app):
    from ..clock import format_date, format_datetime, to_local
    from ..markup import render_markdown

    app.register_blueprint(bp)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["local"] = to_local
    app.jinja_env.filters["markdown"] = render_markdown

    @app.context_processor
    def labels():
        return {"role_label": role_label, "model_label": model_label,
                "home_panels": lambda: app.extensions.get("crisiscomm_home_panels", [])}

    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(app.static_folder, "favicon.svg", mimetype="image/svg+xml")
