"""Integrity checks and online backups of an SQLite database."""

import sqlite3
from pathlib import Path

from clusterctl.errors import DatabaseError, InputError
from clusterctl.files import replacing
from clusterctl.i18n import _
from clusterctl.store.db import Database
from clusterctl.store.schema import read_version


def _sqlite_only(db: Database, what: str) -> None:
    if not isinstance(db.conn, sqlite3.Connection):
        raise InputError(_("{what} works on SQLite databases; use your database's own tools "
                           "for {path}").format(what=what, path=db.location))


def check_database(db: Database) -> dict:
    """Run SQLite's integrity and foreign-key checks; raise DatabaseError on any finding."""
    _sqlite_only(db, "db check")
    problems = [row[0] for row in db.rows("PRAGMA integrity_check") if row[0] != "ok"]
    problems += db.foreign_key_problems()
    if problems:
        more = _(" (and {n} more)").format(n=len(problems) - 1) if len(problems) > 1 else ""
        raise DatabaseError(_("{path} is damaged: {problem}{more}; restore it from a backup")
                            .format(path=db.location, problem=problems[0], more=more))
    counts = {table: db.scalar(f"SELECT COUNT(*) FROM {table}")
              for table in ("task", "directive", "agency")}
    return {"tasks": counts["task"], "directives": counts["directive"],
            "agencies": counts["agency"], "version": read_version(db)}


def backup_database(db: Database, target: str) -> None:
    """Copy the database with SQLite's online backup: consistent even while others write.

    The copy is written beside the target and renamed into place, so that a failed backup
    never leaves half a file under the target's name; it is readable by its owner only.
    """
    _sqlite_only(db, "db backup")
    if Path(target).exists():
        raise InputError(_("{target} already exists; choose a new file name").format(
            target=target))
    # A shared database's backups are the group's too (0660), as the database is.
    shared = db.shared_group() is not None
    group = Path(db.location).stat().st_gid if shared else None
    with replacing(target, mode=0o660 if shared else 0o600, group=group) as partial:
        copy = sqlite3.connect(partial)
        try:
            with db.guard():
                db.conn.backup(copy)
        finally:
            copy.close()
