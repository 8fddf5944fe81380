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
    """Check the database's integrity and schema version in one line (exit 3 if damaged)."""
    from clusterctl.store.maintenance import check_database
    from clusterctl.store.migrations import pending

    with database(write=False) as db:
        report = check_database(db)
    line = _("{path}: ok ({tasks} tasks, {directives} directives, {agencies} agencies, schema "
             "version {version})").format(path=session().shown_location, **report)
    waiting = pending(report["version"])
    if waiting:
        line += "; " + _("pending migrations: {names}; run 'clusterctl db upgrade'").format(
            names=", ".join(f"{m.version} ({m.name})" for m in waiting))
    sys.stdout.write(line + "\n")


@app.command("upgrade")
def upgrade() -> None:
    """Bring the database to this clusterctl's schema, after a backup beside it.

    Each migration runs in a transaction of its own: interrupted, the database stays at the
    version before, intact.
    """
    from clusterctl.store.schema import upgrade_database

    before, after, backup = upgrade_database(session().location)
    where = session().shown_location
    if before == after:
        say(_("{path} is at schema version {v}, the newest this clusterctl knows; nothing to "
              "do.").format(path=where, v=after))
        return
    if backup:
        say(_("Backed up {path} to {backup}.").format(path=where, backup=backup))
    else:
        say(_("No backup was written: clusterctl copies only SQLite files it opens by path; "
              "keep a copy made with the database's own tools."))
    say(_("Upgraded {path} from schema version {before} to {after}.").format(
        path=where, before=before, after=after))


@app.command("backup")
def backup(
    target: Annotated[str, typer.Argument(metavar="FILE", help=_("Where to write the copy."))],
) -> None:
    """Write a consistent copy of the database, even while others are writing to it."""
    from clusterctl.store.maintenance import backup_database

    with database(write=False) as db:
        backup_database(db, target)
    say(_("Backed up {path} to {target}.").format(path=session().shown_location, target=target))
