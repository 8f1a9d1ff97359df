"""`flask scenarios check` validates the scenario files; `flask scenarios sync` loads them as versions."""
import os

import click
from flask import current_app
from flask.cli import AppGroup

from ..models import acting_as
from ..extensions import db
from . import service

scenarios_cli = AppGroup("scenarios", help="Crisis scenario files (scenarios/*.md).")


def _display(path):
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


@scenarios_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Folder of scenario files.")
def check_cmd(directory):
    """Validate every scenario file: prints FILE:LINE: problem; exit 1 on any error (warnings don't fail)."""
    directory = directory or current_app.config["SCENARIO_DIR"]
    results = service.check_files(directory)
    errors = warnings = 0
    for path, parsed in results:
        for problem in parsed.problems:
            click.echo(problem.format(_display(path)), err=problem.level == "error")
            if problem.level == "error":
                errors += 1
            else:
                warnings += 1
    click.echo(f"{len(results)} scenario files checked: {errors} errors, {warnings} warnings.")
    if not results:
        click.echo(f"No scenario files in {directory}.", err=True)
        raise SystemExit(1)
    if errors:
        raise SystemExit(1)


@scenarios_cli.command("sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Folder of scenario files.")
def sync_cmd(directory):
    """Load the files into the database: new scenarios and new versions; unchanged files do nothing."""
    with acting_as(label="scenarios sync"):
        report = service.sync(directory)
        db.session.commit()
    _echo_report(report)
    if not report.ok:
        raise SystemExit(1)


def _echo_report(report):
    for slug, number in report.created:
        click.echo(f"created {slug} v{number}")
    for slug, number in report.new_versions:
        click.echo(f"new version {slug} v{number}")
    for line in report.errors:
        click.echo(line, err=True)
    click.echo(f"{len(report.created)} created, {len(report.new_versions)} new versions, "
               f"{len(report.unchanged)} unchanged, {len(report.errors)} errors.")


def setup_hook():
    """`flask setup`: load the scenario files (a faulty file is reported, the others still load)."""
    report = service.sync()
    _echo_report(report)
