"""``clusterctl db``: where the database is, how it is, and a safe copy of it."""

import sys
from contextlib import contextmanager
from enum import Enum
from typing import Annotated

import typer

from clusterctl.cli.common import command_group, database, say, session
from clusterctl.i18n import _
from clusterctl.store.pgroles import ROLES  # standard library only: psycopg loads later

app = command_group(_("Look after the database: where it is, its health, copies, upgrades "
                      "and, on PostgreSQL, who may do what."))


@app.command("path")
def path() -> None:
    """Print where the database is (it may not exist yet)."""
    sys.stdout.write(session().shown_location + "\n")


@app.command("check")
def check(
    repair_states: Annotated[bool, typer.Option(
        "--repair-states",
        help=_("Write the tasks' past states anew from their history first (when the check "
               "says they differ)."))] = False,
) -> None:
    """Check the database's integrity and schema version in one line (exit 3 if damaged).

    It also rebuilds each task's past states from its history and compares them with those
    the reports read.
    """
    from clusterctl.store.maintenance import check_database
    from clusterctl.store.maintenance import repair_states as repair
    from clusterctl.store.migrations import pending

    if repair_states:
        with database(write=True) as db:
            repair(db)
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
        say(_("No backup was written beside a database on a server; keep one with "
              "'clusterctl db backup FILE' before upgrading."))
    say(_("Upgraded {path} from schema version {before} to {after}.").format(
        path=where, before=before, after=after))


@app.command("backup")
def backup(
    target: Annotated[str, typer.Argument(metavar="FILE", help=_("Where to write the copy."))],
) -> None:
    """Write a consistent copy of the database to an SQLite file, even while others are
    writing to it (restore one with 'db copy --to')."""
    from clusterctl.store.maintenance import backup_database

    with database(write=False) as db:
        backup_database(db, target)
    say(_("Backed up {path} to {target}.").format(path=session().shown_location, target=target))


@app.command("copy")
def copy(
    to: Annotated[str, typer.Option(
        "--to", metavar="DATABASE",
        help=_("The empty database to copy into: a file path or a postgresql:// URL."))],
) -> None:
    """Copy the whole register into an empty database of either engine, then check that
    every table's rows and digest match."""
    from clusterctl.store.copying import copy_database
    from clusterctl.store.db import redact

    with database(write=False) as db:
        copied = copy_database(db, to)
    n = copied.counts
    say(_("Copied {agencies} agencies, {directives} directives, {tasks} tasks and {history} "
          "history entries from {source} to {target}; every table's rows and digest "
          "match.").format(agencies=n["agency"], directives=n["directive"], tasks=n["task"],
                           history=n["task_history"], source=session().shown_location,
                           target=redact(to)))


Level = Enum("Level", {name: name for name in ROLES}, type=str)


@app.command("grant")
def grant(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help=_("A PostgreSQL login."))],
    role: Annotated[Level, typer.Option(
        "--role", case_sensitive=False,
        help=_("viewer: read and report; staff: also add and change tasks; admin: also "
               "import, keep agencies and directives, and grant."))],
) -> None:
    """PostgreSQL: give a login a role (creating the login, without a password, if
    missing), in place of any other it had."""
    from clusterctl.store import pgroles

    with _server_database() as db:
        pgroles.grant(db, login, role.value)
    say(_("{login} is now {role} in {path}.").format(login=login, role=role.value,
                                                      path=session().shown_location))


@app.command("revoke")
def revoke(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help=_("A PostgreSQL login."))],
) -> None:
    """PostgreSQL: take every clusterctl role away from a login (the login itself stays)."""
    from clusterctl.store import pgroles

    with _server_database() as db:
        pgroles.grant(db, login, None)
    say(_("{login} has no role in {path} any more.").format(
        login=login, path=session().shown_location))


@contextmanager
def _server_database():
    from clusterctl.errors import InputError
    from clusterctl.store.db import is_postgres

    if not is_postgres(session().location):
        raise InputError(_("roles are for a PostgreSQL database; a shared database file is "
                           "open to the members of its group (see 'clusterctl init "
                           "--shared')"))
    with database(write=True, role="admin") as db:
        yield db
