"""`flask backup FILE` and `flask restore FILE`."""
import os

import click

from ..errors import DomainError


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
