from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import boundary, spreadsheets
from ..clock import now
from ..departments.service import list_departments
from ..errors import ValidationError
from ..forms import select_choices
from ..paging import neighbour_urls, page_number
from ..scoping import get_or_404, is_ministry, resolve_department
from . import columns, imports, service, tables, transfer
from .export import export_csv, export_vcard, export_xlsx
from .access import can_edit, listing_scope, require_editor
from .forms import ContactForm, ImportConfirmForm, ImportForm, ImportMappingForm, outlet_type_choices
from .models import OUTLET_TYPES, Contact

bp = Blueprint("contacts", __name__, url_prefix="/contacts")


def _department_choices():
    return [(d.code, d.name) for d in list_departments()]


def _filters():
    outlet_type = request.args.get("outlet_type") or ""
    if outlet_type not in OUTLET_TYPES:
        outlet_type = ""
    stale = request.args.get("stale") or ""
    return {"q": (request.args.get("q") or "").strip()[:200], "outlet_type": outlet_type,
            "stale": stale if stale in ("1", "0") else "", "archived": request.args.get("archived") == "1",
            "department": (request.args.get("department") or "").strip()}


PAGE = 100


def _search_filters(filters, ids):
    return dict(department_ids=ids, q=filters["q"] or None, outlet_type=filters["outlet_type"] or None,
                stale={"1": True, "0": False}.get(filters["stale"]), archived_only=filters["archived"])


def _search(filters, ids):
    return service.search_contacts(**_search_filters(filters, ids))


@bp.get("/")
@login_required
def index():
    filters = _filters()
    department, ids = listing_scope(filters["department"] or None)
    page = page_number()
    total = service.count_contacts(**_search_filters(filters, ids))
    contacts = service.search_contacts(limit=PAGE, offset=(page - 1) * PAGE, **_search_filters(filters, ids))
    prev_url, next_url = neighbour_urls(page, page * PAGE < total)
    export_args = {k: v for k, v in filters.items() if v and k != "archived"}
    return render_template("contacts/index.html", contacts=contacts, total=total, page=page, prev_url=prev_url,
                           next_url=next_url, filters=filters, department=department,
                           outlet_types=outlet_type_choices(), is_stale=service.is_stale, can_edit=can_edit(),
                           departments=list_departments() if is_ministry() else [], export_args=export_args,
                           type_labels=dict(outlet_type_choices()))


def _form_values(form):
    return {"full_name": form.full_name.data, "outlet": form.outlet.data, "outlet_type": form.outlet_type.data,
            "position": form.position.data, "beat": form.beat.data, "phones": form.phones.data, "email": form.email.data, "notes": form.notes.data}


def _save_contact(form, save):
    """Run ``save()`` (create or update, returning the contact): the redirect to the saved contact, or None with
    each error under its form field (one no field shows goes under the name, with the field's name)."""
    with boundary.saving(form, flash_unplaced=False) as saved:
        contact = save()
    if saved:
        flash(_("Contact saved."), "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    for name, problem in saved.unplaced.items():
        form.full_name.errors = list(form.full_name.errors) + [f"{name}: {problem}"]
    return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_editor()
    form = ContactForm()
    ministry = is_ministry()
    if ministry:
        form.department.choices = select_choices(_department_choices())
        if request.method == "GET" and request.args.get("department"):
            form.department.data = request.args.get("department")
    else:
        del form.department
    status = 200
    if form.validate_on_submit():
        done = _save_contact(form, lambda: service.create_contact(
            department=resolve_department(form.department.data if ministry else None), **_form_values(form)))
        if done:
            return done
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("contacts/form.html", form=form, contact=None), status


@bp.route("/<int:contact_id>", methods=["GET", "POST"])
@login_required
def show(contact_id):
    contact = get_or_404(Contact, contact_id)
    form = ContactForm(obj=None if request.method == "POST" else contact)
    del form.department
    if request.method == "GET":
        form.phones.data = "\n".join(contact.phones or [])
    status = 200
    if request.method == "POST":
        require_editor()
        if form.validate_on_submit():
            done = _save_contact(form, lambda: service.update_contact(contact=contact, **_form_values(form)))
            if done:
                return done
        status = 422
    return render_template("contacts/form.html", form=form, contact=contact, stale=service.is_stale(contact),
                           can_edit=can_edit(), type_labels=dict(outlet_type_choices())), status


@bp.post("/<int:contact_id>/<any(archive, restore, verify):action>")
@login_required
def action(contact_id, action):
    require_editor()
    contact = get_or_404(Contact, contact_id)
    if action == "archive":
        service.archive_contact(contact=contact)
        message = _("Contact archived. It stays in the archive and can be restored.")
    elif action == "restore":
        service.restore_contact(contact=contact)
        message = _("Contact restored.")
    else:
        service.mark_verified(contact=contact)
        message = _("Contact marked as verified today.")
    flash(message, "success")
    return redirect(url_for("contacts.show", contact_id=contact.id))


# --- import: upload → columns → preview → confirm ----------------------------------------------------

def _pending(token):
    """(the waiting upload, its Department), or (None, None) when it was imported already (the user is told)."""
    require_editor()
    pending = imports.pending(token=token, user=current_user)
    if pending.imported_at is not None:
        flash(_("This list was imported already."), "info")
        return None, None
    return pending, resolve_department(pending.department.code)


def _imported():
    return redirect(url_for("contacts.index"))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    require_editor()
    form = ImportForm()
    ministry = is_ministry()
    if ministry:
        form.department.choices = select_choices(_department_choices())
    else:
        del form.department
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                form.file.errors = [_("Choose a .csv or .xlsx file.")]
                status = 422
            else:
                with boundary.saving(flash_unplaced=False) as saved:
                    department = resolve_department(form.department.data if ministry else None)
                    data = upload.read()
                    tables.read_table(upload.filename, data)  # refuse an unreadable file now, not later
                    pending = imports.stash(department=department, user=current_user, filename=upload.filename,
                                            data=data)
                if saved:
                    return redirect(url_for("contacts.import_columns", token=pending.token))
                form.file.errors = [saved.error.message] + list(saved.error.fields.values())
                status = 422
        else:
            status = 422
    return render_template("contacts/import.html", form=form, expires_hours=_ttl_hours()), status


def _ttl_hours():
    return int(imports.PREVIEW_TTL.total_seconds() // 3600)


@bp.route("/import/<token>/columns", methods=["GET", "POST"])
@login_required
def import_columns(token):
    """The column-mapping step: which column holds what, from which row the table starts."""
    pending, department = _pending(token)
    if pending is None:
        return _imported()
    table = tables.read_table(pending.filename, pending.data)
    remembered = imports.remembered(department)
    form = ImportMappingForm()
    mapping = pending.mapping or columns.propose_mapping(table, remembered)
    errors, status = {}, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The import form expired. Please upload the file again."), "error")
            return redirect(url_for("contacts.import_upload"))
        header_row = request.form.get("header_row", type=int)
        if request.form.get("action") == "header" or header_row != request.form.get("shown_header_row", type=int):
            # another header row: propose its columns again before anything is confirmed
            mapping = columns.propose_mapping(table, remembered, header_row=header_row)
            mapping["default_outlet_type"] = form.default_outlet_type.data or mapping["default_outlet_type"]
        else:
            wanted = {c["column"]: request.form.get("col_" + c["column"], "")
                      for c in columns.describe_columns(table, {"header_row": header_row})}
            with boundary.saving(flash_unplaced=False) as saved:
                mapping = columns.clean_mapping(table, {"header_row": header_row, "columns": wanted,
                                                         "default_outlet_type": form.default_outlet_type.data})
            if saved:
                imports.save_mapping(upload=pending, mapping=mapping)
                return redirect(url_for("contacts.import_preview", token=token))
            errors = dict(saved.error.fields)
            mapping = {"header_row": header_row if "header_row" not in errors else mapping["header_row"],
                       "columns": {k: v for k, v in wanted.items() if v},
                       "default_outlet_type": form.default_outlet_type.data}
            status = 422
    form.default_outlet_type.data = mapping.get("default_outlet_type")
    header_choices = [(n, transfer.row_text(cells)) for n, cells in table.rows
                      if n <= columns.HEADER_SCAN_ROWS and any(cells)]
    return render_template("contacts/import_columns.html", pending=pending, department=department, form=form,
                           mapping=mapping, columns=columns.describe_columns(table, mapping),
                           header_choices=header_choices, encoding=table.encoding_label, errors=errors,
                           field_choices=[(k, v) for k, v in columns.field_labels().items()],
                           remembered=remembered is not None, expires_hours=_ttl_hours()), status


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def import_preview(token):
    """The preview of every row with the confirmed mapping; POST imports."""
    pending, department = _pending(token)
    if pending is None:
        return _imported()
    if not pending.mapping:
        return redirect(url_for("contacts.import_columns", token=token))
    confirm = ImportConfirmForm()
    status = 200
    if request.method == "POST":
        if not confirm.validate_on_submit():
            flash(_("The import form expired. Please upload the file again."), "error")
            return redirect(url_for("contacts.import_upload"))
        with boundary.saving(flash_unplaced=False) as saved:
            report = transfer.import_contacts(department=department, filename=pending.filename, data=pending.data,
                                              mapping=pending.mapping, only_valid=confirm.only_valid.data,
                                              on_duplicate=confirm.on_duplicate.data, user=current_user)
        if saved:
            imports.mark_imported(upload=pending)
            flash(_("%(n)s contacts imported.", n=report["created"]), "success")
            return redirect(url_for("contacts.index", department=department.code if is_ministry() else None))
        report = saved.error.extra.get("report")
        if report is None:  # not the rows' errors: the error page
            raise saved.error
        flash(_("The file has errors: nothing was imported. Fix the rows below or choose to import only the "
                "valid rows."), "error")
        status = 422
    else:
        report = transfer.import_contacts(department=department, filename=pending.filename, data=pending.data,
                                          mapping=pending.mapping, dry_run=True)
    return render_template("contacts/import_preview.html", pending=pending, department=department, report=report,
                           confirm=confirm, field_labels=columns.field_labels(),
                           skipped_kinds=transfer.SKIPPED_KINDS, type_labels=dict(outlet_type_choices()),
                           expires_hours=_ttl_hours()), status


# --- export ---------------------------------------------------------------------------------------

@bp.get("/export.<any(csv, xlsx, vcf):fmt>")
@login_required
def export(fmt):
    filters = _filters()
    department, ids = listing_scope(filters["department"] or None)
    contacts = _search(filters, ids)
    stamp = now().strftime("%Y%m%d")
    name = f"danh-ba-bao-chi-{department.code if department else 'tat-ca'}-{stamp}"
    if fmt == "csv":
        body, mimetype = export_csv(contacts), spreadsheets.CSV_MIMETYPE
    elif fmt == "xlsx":
        body, mimetype = export_xlsx(contacts), spreadsheets.XLSX_MIMETYPE
    else:
        version = request.args.get("version", "3.0")
        body, mimetype = export_vcard(contacts, version=version), "text/vcard; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


# --- duplicates and merge ---------------------------------------------------------------------------

@bp.get("/duplicates")
@login_required
def duplicates():
    department = resolve_department(request.args.get("department") or None)
    groups = service.find_duplicates(department_id=department.id)
    return render_template("contacts/duplicates.html", groups=groups, department=department, can_edit=can_edit(),
                           type_labels=dict(outlet_type_choices()), is_stale=service.is_stale)


@bp.post("/merge")
@login_required
def merge():
    require_editor()
    ids = request.form.getlist("contact_ids")
    keep_id = request.form.get("keep_id")
    if keep_id not in ids or len(set(ids)) < 2:
        raise ValidationError(_("Pick the record to keep."), fields={"keep_id": _("one of the listed contacts")})
    keep = get_or_404(Contact, keep_id)
    for other_id in sorted(set(ids) - {keep_id}):
        other = get_or_404(Contact, other_id)
        if not other.archived:
            service.merge_contacts(keep=keep, other=other)
    flash(_("Contacts merged into %(name)s; the other records were archived.", name=keep.full_name), "success")
    return redirect(url_for("contacts.duplicates", department=keep.department.code if is_ministry() else None))
