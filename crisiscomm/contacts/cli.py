import os

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from ..models import acting_as
from ..departments.service import find_by_code
from ..errors import DomainError
from ..extensions import db
from . import transfer
from .models import OUTLET_TYPES

contacts_cli = AppGroup("contacts", help="Press contacts.")


@contacts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "code", required=True, help="Department code, e.g. ha-noi")
@click.option("--dry-run", is_flag=True, help="Check and report; import nothing.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even if others have errors.")
@click.option("--on-duplicate", type=click.Choice(transfer.ON_DUPLICATE), default="skip", show_default=True)
@click.option("--default-outlet-type", type=click.Choice(OUTLET_TYPES), default=None,
              help="Outlet type of rows without one that their outlet's name does not tell "
                   "(default: the Department's remembered choice).")
def import_cmd(path, code, dry_run, only_valid, on_duplicate, default_outlet_type):
    """Import press contacts from a CSV or XLSX file, printing the row-by-row report.

    The columns are mapped as on the web (the Department's remembered mapping, then the known header names).
    """
    department = find_by_code(code)
    if department is None:
        raise click.ClickException(f"unknown department {code}")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if os.path.getsize(path) > limit:  # the same bound as an upload
        raise click.ClickException(f"the file is larger than the upload limit ({limit} bytes, MAX_UPLOAD_BYTES)")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    with acting_as(label="cli"), force_locale("en"):  # the command line speaks English, as every command
        try:
            report = transfer.import_contacts(department=department, filename=os.path.basename(path), data=data,
                                              dry_run=dry_run, only_valid=only_valid, on_duplicate=on_duplicate,
                                              default_outlet_type=default_outlet_type)
        except DomainError as exc:
            db.session.rollback()
            report = exc.extra.get("report")
            if report:
                for line in transfer.format_report(report):
                    click.echo(line)
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise click.ClickException(f"{exc.message} {details}".strip())
        for line in transfer.format_report(report):
            click.echo(line)
        if dry_run:
            click.echo(f"Dry run: {report['would_create']} contacts would be imported into {department.name}.")
        else:
            db.session.commit()
            click.echo(f"Imported {report['created']} contacts into {department.name}.")
