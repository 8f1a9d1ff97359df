"""`flask backup FILE`, `flask restore FILE` and `flask demo generate`."""
import os

import click
from flask.cli import AppGroup

from ..errors import DomainError

demo_cli = AppGroup("demo", help="Synthetic data to try crisiscomm at scale.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_cmd(path):
    """Write a consistent dump of all data to FILE (JSON lines; gzip if FILE ends with .gz)."""
    from . import backup

    tmp = path + ".partial" + (".gz" if path.endswith(".gz") else "")
    try:
        counts = backup.backup(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    click.echo(f"Backup written to {path}: {sum(counts.values())} rows in {len(counts)} tables.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_cmd(path):
    """Load a backup FILE into an EMPTY database (after `flask db upgrade`), all or nothing."""
    from . import backup

    try:
        counts = backup.restore(path)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables from {path}.")


@demo_cli.command("generate")
@click.option("--years", default=10, show_default=True, type=click.IntRange(1, 30),
              help="How many years of history, ending now.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed, the same data.")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0, 10, min_open=True),
              help="Multiplies every volume (1: about 200,000 inquiries over 10 years).")
def generate_cmd(years, seed, scale):
    """Fill an EMPTY database (after `flask setup`) with realistic data for every Department."""
    from . import generate

    try:
        generate.generate(years=years, seed=seed, scale=scale, echo=click.echo)
    except DomainError as exc:
        raise click.UsageError(exc.message) from exc
