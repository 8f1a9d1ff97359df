import os

import click
from flask.cli import AppGroup

from ..audit.service import acting_as
from ..departments.service import find_by_code
from ..errors import DomainError
from ..extensions import db
from . import transfer

contacts_cli = AppGroup("contacts", help="Press contacts.")


@contacts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "code", required=True, help="Department code, e.g. ha-noi")
@click.option("--dry-run", is_flag=True, help="Check and report; import nothing.")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even if others have errors.")
@click.option("--on-duplicate", type=click.Choice(transfer.ON_DUPLICATE), default="skip", show_default=True)
def import_cmd(path, code, dry_run, only_valid, on_duplicate):
    """Import press contacts from a CSV or XLSX file, printing the row-by-row report."""
    department = find_by_code(code)
    if department is None:
        raise click.ClickException(f"unknown department {code}")
    with open(path, "rb") as fh:
        data = fh.read()
    with acting_as(label="cli"):
        try:
            report = transfer.import_contacts(department=department, filename=os.path.basename(path), data=data,
                                              dry_run=dry_run, only_valid=only_valid, on_duplicate=on_duplicate)
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
