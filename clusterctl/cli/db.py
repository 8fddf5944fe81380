"""``clusterctl db``: where the database is, how it is, and a safe copy of it."""

import sys
from typing import Annotated

import typer

from clusterctl.cli.common import database, say, state
from clusterctl.i18n import _

app = typer.Typer(help=_("Look after the database file."), no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print where the database is (it may not exist yet)."""
    sys.stdout.write(state.location + "\n")


@app.command("check")
def check() -> None:
    """Check the database's integrity and report in one line (exit 3 if damaged)."""
    from clusterctl.store.maintenance import check_database

    with database(write=False) as db:
        report = check_database(db)
    sys.stdout.write(_("{path}: ok ({tasks} tasks, {directives} directives, {agencies} "
                       "agencies, schema version {version})").format(
        path=state.location, **report) + "\n")


@app.command("backup")
def backup(
    target: Annotated[str, typer.Argument(metavar="FILE", help=_("Where to write the copy."))],
) -> None:
    """Write a consistent copy of the database, even while others are writing to it."""
    from clusterctl.store.maintenance import backup_database

    with database(write=False) as db:
        backup_database(db, target)
    say(_("Backed up {path} to {target}.").format(path=state.location, target=target))
