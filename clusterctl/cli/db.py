"""``clusterctl db``: where the database is, how it is, and a safe copy of it."""

import sys
from typing import Annotated

import typer

from clusterctl.cli.common import command_group, database, say, session
from clusterctl.i18n import _

app = command_group(_("Look after the database file."))


@app.command("path")
def path() -> None:
    """Print where the database is (it may not exist yet)."""
    sys.stdout.write(session().shown_location + "\n")


@app.command("check")
def check() -> None:
    """Check the database's integrity and report in one line (exit 3 if damaged)."""
    from clusterctl.store.maintenance import check_database

    with database(write=False) as db:
        report = check_database(db)
    sys.stdout.write(_("{path}: ok ({tasks} tasks, {directives} directives, {agencies} "
                       "agencies, schema version {version})").format(
        path=session().shown_location, **report) + "\n")


@app.command("backup")
def backup(
    target: Annotated[str, typer.Argument(metavar="FILE", help=_("Where to write the copy."))],
) -> None:
    """Write a consistent copy of the database, even while others are writing to it."""
    from clusterctl.store.maintenance import backup_database

    with database(write=False) as db:
        backup_database(db, target)
    say(_("Backed up {path} to {target}.").format(path=session().shown_location, target=target))
