import json

import click
from flask.cli import AppGroup

from ..errors import DomainError
from ..extensions import db
from ..models import acting_as
from . import service

departments_cli = AppGroup("departments", help="Departments: reference data and mergers.")


def _committed(func, *args):
    """``func(*args)`` as the command line's change, committed; a refusal is the command's error message."""
    with acting_as(label="cli"):
        try:
            report = func(*args)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(f"{exc.message} {json.dumps(exc.fields, ensure_ascii=False)}")
        db.session.commit()
    return report


@departments_cli.command("load")
def load_cmd():
    """Load the 63 Departments of 2022 and their 2021–2022 office scores (keeps existing ones)."""
    click.echo(json.dumps(_committed(service.load_reference)))


@departments_cli.command("apply-merger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def apply_merger_cmd(file):
    """Apply a merger file: move each merged Department's records to the unit it joined. Idempotent."""
    report = _committed(service.apply_merger, file)
    click.echo(f"merged: {len(report['merged'])}, renamed: {len(report['renamed'])}, "
               f"already merged: {report['unchanged']}, active now: {report['active']}, "
               f"merged in total: {report['merged_total']}")
    for item in report["merged"]:
        moved = ", ".join(f"{k} {v}" for k, v in item["moved"].items()) or "nothing to move"
        click.echo(f"  {item['from']} -> {item['into']}: {moved}")
    for item in report["renamed"]:
        click.echo(f"  {item['from']} continues as {item['to']}")
