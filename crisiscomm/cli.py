"""Top-level commands: setup (reference + demo data), the scheduler process, one-off job runs."""
import signal

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import registry
from .demo import create_demo
from .departments import service as departments
from .departments.models import Department
from .extensions import db
from .jobs import SchedulerRunner, run_all_once
from .models import acting_as
from .users.models import User

jobs_cli = AppGroup("jobs", help="Background jobs.")


@click.command("setup")
@click.option("--demo/--no-demo", default=False, help="Also create demo accounts and demo data.")
@click.option("--no-merger", is_flag=True, help="Keep the 63 Departments of 2022 (skip the 2025 merger).")
def setup_cmd(demo, no_merger):
    """Load reference data (63 Departments, 2025 merger → 34) and, on an empty database, demo data."""
    with acting_as(label="setup"):
        fresh = db.session.scalar(select(func.count(User.id))) == 0
        report = departments.load_reference()
        if not no_merger:
            departments.apply_merger()
        for hook in registry.items("setup"):
            hook()
        db.session.commit()
        active = db.session.scalar(select(func.count()).where(Department.status == "active"))
        merged = db.session.scalar(select(func.count()).where(Department.status == "merged"))
        click.echo(f"Departments: {active} active, {merged} merged "
                   f"({report['departments_created']} created now).")
        if demo and fresh:
            accounts = create_demo()
            db.session.commit()
            click.echo("Demo accounts (password for all: %s):" % accounts["password"])
            for role, email, department in accounts["users"]:
                click.echo(f"  {role:16} {email:40} {department or 'Bộ GDĐT'}")
        elif demo:
            click.echo("The database already has users: demo data not loaded again (your data is kept).")


@click.command("scheduler")
def scheduler_cmd():
    """Run the background scheduler (one process; extra ones wait as standbys)."""
    runner = SchedulerRunner(current_app._get_current_object())
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    click.echo(f"scheduler {runner.holder} competing for the lease")
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@jobs_cli.command("run-once")
def run_once_cmd():
    """Run every registered job once in this process, then exit."""
    for job_id, ok in run_all_once(current_app._get_current_object()).items():
        click.echo(f"{job_id}: {'ok' if ok else 'failed'}")


def init_app(app):
    app.cli.add_command(setup_cmd)
    app.cli.add_command(scheduler_cmd)
    app.cli.add_command(jobs_cli)
