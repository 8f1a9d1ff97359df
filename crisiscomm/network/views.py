"""The network's pages: a Department's comms staff edit their schools, focal points and groups; the Ministry reads
every Department's; a network member (a school's focal point) sees their school and reports an incident from it."""
import base64
import binascii

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import boundary, permissions
from ..clock import now, to_local
from ..departments.service import list_departments
from ..errors import NotFound, ValidationError
from ..forms import select_choices
from ..incidents import school_reports
from ..inputs import id_or_none
from ..scoping import get_or_404, is_ministry, resolve_department
from . import service, transfer
from .forms import AccountForm, FocalPointForm, GroupForm, ImportForm, ReportForm, SchoolForm
from .models import FOCAL_KINDS, LEVELS, OWNERSHIPS, FocalPoint, NetworkGroup, School

bp = Blueprint("network", __name__, url_prefix="/network")


@bp.context_processor
def _labels():
    return {"levels": service.LEVEL_LABELS, "ownerships": service.OWNERSHIP_LABELS, "kinds": service.KIND_LABELS,
            "is_stale": service.is_stale, "can_edit": permissions.can(current_user, "network.edit")}


def _department_filter():
    """The Department a list shows: one's own; the Ministry chooses one (or sees every Department's)."""
    code = request.args.get("department") or None
    if is_ministry() and not code:
        return None
    return resolve_department(code)


def _filters():
    return {"q": request.args.get("q", "").strip()[:200], "level": request.args.get("level") or "",
            "commune": request.args.get("commune", "").strip()[:200],
            "group": id_or_none(request.args.get("group")), "stale": request.args.get("stale") == "1",
            "archived": request.args.get("archived") == "1"}


def _schools(department, f):
    return service.list_schools(department_id=department.id if department else None, q=f["q"] or None,
                                level=f["level"] or None, commune=f["commune"] or None, group_id=f["group"],
                                stale=f["stale"], archived=f["archived"])


@bp.get("/")
@permissions.required("network.read")
def index():
    department = _department_filter()
    f = _filters()
    department_id = department.id if department else None
    return render_template("network/index.html", schools=_schools(department, f), filters=f, department=department,
                           departments=list_departments() if is_ministry() else [],
                           communes=service.communes(department_id) if department else [],
                           groups=service.list_groups(department_id=department_id), all_levels=LEVELS,
                           export_args={k: v for k, v in request.args.items() if v})


@bp.get("/export.<any(csv, xlsx):fmt>")
@permissions.required("network.read")
def export(fmt):
    schools = _schools(_department_filter(), _filters())
    stamp = to_local(now()).strftime("%Y%m%d")
    if fmt == "csv":
        return Response(transfer.export_csv(schools), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=mang-luoi-{stamp}.csv"})
    return Response(transfer.export_xlsx(schools),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=mang-luoi-{stamp}.xlsx"})


def _school_form(formdata=None, **data):
    form = SchoolForm(formdata=formdata, data=data)
    form.level.choices = select_choices((v, str(service.LEVEL_LABELS[v])) for v in LEVELS)
    form.ownership.choices = select_choices((v, str(service.OWNERSHIP_LABELS[v])) for v in OWNERSHIPS)
    return form


def _school_data(form):
    return {"name": form.name.data, "level": form.level.data, "ownership": form.ownership.data,
            "commune": form.commune.data, "address": form.address.data, "code": form.code.data or None,
            "aliases": form.aliases.data or "", "notes": form.notes.data or None}


def _form_page(form, save, message, template, **context):
    """A valid POST saves (``save()`` returns the school to show next); a refused one shows the form again (422)."""
    if form.validate_on_submit():
        with boundary.saving(form) as saved:
            school_id = save()
        if saved:
            flash(message, "success")
            return redirect(url_for(".school", school_id=school_id))
    return render_template(template, form=form, **context), 422 if request.method == "POST" else 200


@bp.route("/schools/new", methods=["GET", "POST"])
@permissions.required("network.edit")
def new_school():
    form = _school_form(None if request.method == "GET" else request.form)
    return _form_page(form, lambda: service.create_school(department=resolve_department(),
                                                          data=_school_data(form)).id,
                      _("School saved."), "network/school_form.html", school=None)


@bp.get("/schools/<int:school_id>")
@permissions.required("network.read")
def school(school_id):
    school = get_or_404(School, school_id)
    return render_template("network/school.html", school=school, account_form=AccountForm(formdata=None),
                           groups=service.list_groups(department_id=school.department_id))


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@permissions.required("network.edit")
def edit_school(school_id):
    school = get_or_404(School, school_id)
    form = _school_form(None if request.method == "GET" else request.form, name=school.name, level=school.level,
                        ownership=school.ownership, commune=school.commune, address=school.address,
                        code=school.code, aliases="\n".join(school.aliases or []), notes=school.notes)
    return _form_page(form, lambda: service.update_school(school=school, data=_school_data(form)).id,
                      _("School saved."), "network/school_form.html", school=school)


_ACTIONS = {"archive": service.archive, "restore": service.restore, "verify": service.verify}


def _act(record, action):
    _ACTIONS[action](record)
    flash({"archive": _("Archived."), "restore": _("Restored."),
           "verify": _("Marked as verified today.")}[action], "success")


@bp.post("/schools/<int:school_id>/<any(archive, restore, verify):action>")
@permissions.required("network.edit")
def school_action(school_id, action):
    school = get_or_404(School, school_id)
    _act(school, action)
    return redirect(url_for(".school", school_id=school.id))


def _focal_form(formdata=None, **data):
    form = FocalPointForm(formdata=formdata, data=data)
    form.kind.choices = select_choices((v, str(service.KIND_LABELS[v])) for v in FOCAL_KINDS)
    return form


def _focal_data(form):
    return {"full_name": form.full_name.data, "kind": form.kind.data, "title": form.title.data,
            "phone": form.phone.data or None, "email": form.email.data or None}


@bp.route("/schools/<int:school_id>/focal-points/new", methods=["GET", "POST"])
@permissions.required("network.edit")
def new_focal_point(school_id):
    school = get_or_404(School, school_id)
    form = _focal_form(None if request.method == "GET" else request.form)
    return _form_page(form, lambda: service.create_focal_point(school=school, data=_focal_data(form)).school_id,
                      _("Focal point saved."), "network/focal_form.html", school=school, focal=None)


@bp.route("/focal-points/<int:focal_id>/edit", methods=["GET", "POST"])
@permissions.required("network.edit")
def edit_focal_point(focal_id):
    focal = get_or_404(FocalPoint, focal_id)
    form = _focal_form(None if request.method == "GET" else request.form, full_name=focal.full_name,
                       kind=focal.kind, title=focal.title, phone=focal.phone, email=focal.email)
    return _form_page(form, lambda: service.update_focal_point(focal_point=focal, data=_focal_data(form)).school_id,
                      _("Focal point saved."), "network/focal_form.html", school=focal.school, focal=focal)


@bp.post("/focal-points/<int:focal_id>/<any(archive, restore, verify):action>")
@permissions.required("network.edit")
def focal_point_action(focal_id, action):
    focal = get_or_404(FocalPoint, focal_id)
    _act(focal, action)
    return redirect(url_for(".school", school_id=focal.school_id))


@bp.post("/focal-points/<int:focal_id>/account")
@permissions.required("network.edit")
def focal_point_account(focal_id):
    focal = get_or_404(FocalPoint, focal_id)
    form = AccountForm()
    if form.validate_on_submit():
        with boundary.saving(form) as saved:
            service.give_account(focal_point=focal, email=form.email.data, password=form.password.data)
        if saved:
            flash(_("Account created: pass the email and first password on to %(name)s.", name=focal.full_name),
                  "success")
            return redirect(url_for(".school", school_id=focal.school_id))
    return render_template("network/school.html", school=focal.school, account_form=form, account_for=focal.id,
                           groups=service.list_groups(department_id=focal.department_id)), 422


# --- groups -------------------------------------------------------------------------------------------------

@bp.route("/groups", methods=["GET", "POST"])
@permissions.required("network.read")
def groups():
    department = _department_filter()
    form = GroupForm(formdata=None if request.method == "GET" else request.form)
    if request.method == "POST":
        permissions.require(current_user, "network.edit")
        if form.validate_on_submit():
            with boundary.saving(form) as saved:
                group = service.create_group(department=resolve_department(),
                                             data={"name": form.name.data, "description": form.description.data})
            if saved:
                flash(_("Group created."), "success")
                return redirect(url_for(".group", group_id=group.id))
    archived = request.args.get("archived") == "1"
    return render_template("network/groups.html", form=form, department=department, archived=archived,
                           q=request.args.get("q", "")[:200],
                           groups=service.list_groups(department_id=department.id if department else None,
                                                      q=request.args.get("q", "")[:200] or None, archived=archived),
                           departments=list_departments() if is_ministry() else []), \
        422 if request.method == "POST" else 200


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@permissions.required("network.read")
def group(group_id):
    group = get_or_404(NetworkGroup, group_id)
    form = GroupForm(formdata=None if request.method == "GET" else request.form,
                     data={"name": group.name, "description": group.description})
    if request.method == "POST":
        permissions.require(current_user, "network.edit")
        if form.validate_on_submit():
            with boundary.saving(form) as saved:
                service.update_group(group=group, data={"name": form.name.data,
                                                        "description": form.description.data})
            if saved:
                flash(_("Group saved."), "success")
                return redirect(url_for(".group", group_id=group.id))
    others = [s for s in service.list_schools(department_id=group.department_id) if s not in group.schools]
    return render_template("network/group.html", group=group, form=form, others=others, all_levels=LEVELS,
                           communes=service.communes(group.department_id)), 422 if request.method == "POST" else 200


@bp.post("/groups/<int:group_id>/<any(archive, restore):action>")
@permissions.required("network.edit")
def group_action(group_id, action):
    group = get_or_404(NetworkGroup, group_id)
    _act(group, action)
    return redirect(url_for(".group", group_id=group.id))


@bp.post("/groups/<int:group_id>/schools")
@permissions.required("network.edit")
def group_schools(group_id):
    group = get_or_404(NetworkGroup, group_id)
    if request.form.get("remove"):
        service.remove_school(group=group, school=get_or_404(School, request.form["remove"]))
        flash(_("Removed from the group."), "success")
    elif request.form.get("level") or request.form.get("commune"):
        level = request.form.get("level") or None
        commune = (request.form.get("commune") or "").strip()[:200] or None
        added = service.add_matching(group=group, level=level, commune=commune)
        flash(_("%(n)s school(s) added.", n=added), "success")
    else:
        ids = request.form.getlist("school")
        if not ids:
            raise ValidationError(_("Choose at least one school."), fields={"school": _("required")})
        added = service.add_schools(group=group, schools=[get_or_404(School, i) for i in ids[:500]])
        flash(_("%(n)s school(s) added.", n=added), "success")
    return redirect(url_for(".group", group_id=group.id))


# --- import -------------------------------------------------------------------------------------------------

def _mapping_from_form():
    if not request.form.get("header_row"):
        return None
    return {"header_row": request.form.get("header_row"),
            "columns": {k[4:]: v for k, v in request.form.items() if k.startswith("col_")}}


@bp.route("/import", methods=["GET", "POST"])
@permissions.required("network.edit")
def import_file():
    form = ImportForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise ValidationError(_("The import form expired. Please upload the file again."),
                                  fields={"file": _("upload the file again")})
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            try:
                filename, data = upload.filename, upload.read(transfer.MAX_IMPORT_BYTES + 1)
            finally:
                upload.close()
        else:
            # the previewed file, carried by the preview page so that confirming needs no second upload
            filename = request.form.get("filename", "")[:200]
            try:
                data = base64.b64decode(request.form.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                data = b""
            if not data:
                raise ValidationError(_("Choose a file."), fields={"file": _("required")})
        if len(data) > transfer.MAX_IMPORT_BYTES:
            abort(413)
        confirm = request.form.get("confirm") == "1"
        with boundary.saving(form) as saved:
            report = transfer.import_file(department=resolve_department(), filename=filename, data=data,
                                          mapping=_mapping_from_form(), dry_run=not confirm)
        if saved and confirm:
            flash(_("Imported: %(schools)s new school(s), %(people)s focal point(s).",
                    schools=report["schools_created"], people=report["focal_points_created"]), "success")
            return redirect(url_for(".index"))
        if not saved:
            report = saved.error.extra.get("report")
        status = 422 if not saved or report["errors"] else 200
        problems = {} if saved else {str(transfer.field_labels().get(k, k)) if k in transfer.FIELDS else k: v
                                     for k, v in saved.unplaced.items()}
        return render_template("network/import.html", form=form, report=report, data=base64.b64encode(data).decode(),
                               filename=filename, field_labels=transfer.field_labels(), fields=problems), status
    return render_template("network/import.html", form=form, report=None, data="", filename="",
                           field_labels=transfer.field_labels(), fields={})


# --- the network member's pages -----------------------------------------------------------------------------

def _my_focal_point():
    focal = service.focal_point_of(current_user)
    if focal is None:
        raise NotFound()
    return focal


@bp.get("/my-school")
@permissions.required("network.member")
def my_school():
    focal = service.focal_point_of(current_user)
    return render_template("network/my_school.html", focal=focal,
                           reports=school_reports.reports_by(current_user))


@bp.route("/report", methods=["GET", "POST"])
@permissions.required("network.member")
def report():
    focal = _my_focal_point()
    form = ReportForm()
    if request.method == "GET":
        form.occurred_at.data = to_local(now()).replace(tzinfo=None, second=0, microsecond=0)
        form.place.data = focal.school.name
    if form.validate_on_submit():
        with boundary.saving(form) as saved:
            school_reports.report_from_school(
                actor=current_user, department=focal.school.department, school_name=focal.school.name,
                data={"title": form.title.data, "description": form.description.data,
                      "occurred_at": form.occurred_at.data, "place": form.place.data,
                      "exam_related": bool(form.exam_related.data)})
        if saved:
            flash(_("Your report was sent to the Department. You will see its status here."), "success")
            return redirect(url_for(".my_school"))
    return render_template("network/report.html", form=form, focal=focal), 422 if request.method == "POST" else 200
