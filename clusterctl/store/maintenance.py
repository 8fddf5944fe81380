"""Integrity checks and online backups, on SQLite and PostgreSQL."""

import sqlite3
from pathlib import Path

from clusterctl.errors import DatabaseError, InputError
from clusterctl.files import replacing
from clusterctl.i18n import _
from clusterctl.store.db import Database
from clusterctl.store.schema import read_version


def check_database(db: Database) -> dict:
    """SQLite: its integrity and foreign-key checks. PostgreSQL (which checks every row as it
    is written): that every table, trigger, constraint and role clusterctl relies on is
    there and in force. Raise DatabaseError on any finding."""
    if db.dialect == "sqlite":
        problems = [row[0] for row in db.rows("PRAGMA integrity_check") if row[0] != "ok"]
        problems += db.foreign_key_problems()
        advice = _("{path} is damaged: {problem}{more}; restore it from a backup")
    else:
        problems = _postgres_problems(db, read_version(db))
        advice = _("{path} is not as clusterctl made it: {problem}{more}; its owner can "
                   "make it so again with 'clusterctl init'")
    if problems:
        more = _(" (and {n} more)").format(n=len(problems) - 1) if len(problems) > 1 else ""
        raise DatabaseError(advice.format(path=db.location, problem=problems[0], more=more))
    if read_version(db) >= 3:
        from clusterctl.store.timeline import differences

        if wrong := differences(db):  # derived from the history, which is intact
            raise DatabaseError(_(
                "{path}: {n} task states differ from what the history gives; 'clusterctl db "
                "check --repair-states' writes them anew from it").format(
                path=db.location, n=wrong))
    counts = {table: db.scalar(f"SELECT COUNT(*) FROM {table}")
              for table in ("task", "directive", "agency")}
    return {"tasks": counts["task"], "directives": counts["directive"],
            "agencies": counts["agency"], "version": read_version(db)}


def repair_states(db: Database) -> None:
    """Write every task's past states anew from its history, in one transaction."""
    from clusterctl.store.timeline import restate

    for attempt in db.transactions():
        with attempt:
            restate(db, [task_id for (task_id,) in db.rows("SELECT id FROM task ORDER BY id")])


def _postgres_problems(db: Database, version: int) -> list[str]:
    from clusterctl.store.copying import COLUMNS
    from clusterctl.store.pgroles import ROLES, role_name
    from clusterctl.store.triggers import GENERATION_TABLES

    later = {"task_state", "task_support_state", "import_base"} if version < 3 else set()
    if version < 4:
        later |= {"agency_successor", "record_history", "import_run"}
    if version < 5:
        later |= {"task_series", "setting", "office_holiday"}
    problems = [_("table {table} is missing").format(table=table)
                for table in sorted(set(COLUMNS) - later - db.table_names())]
    triggers = {name for (name,) in db.rows(
        "SELECT tgname FROM pg_catalog.pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
        "AND tgname LIKE 'generation%'")}
    if version >= 2:  # schema version 1 had no triggers; its upgrade makes them
        problems += [_("trigger {name} is missing or disabled").format(name=name)
                     for table in GENERATION_TABLES for event in ("insert", "update", "delete")
                     if (name := f"generation_{table}_{event}") not in triggers]
    problems += [_("constraint {name} on {table} is not validated").format(name=n, table=t)
                 for n, t in db.rows(
                     "SELECT c.conname, c.conrelid::regclass::text FROM pg_catalog.pg_constraint c "
                     "JOIN pg_catalog.pg_namespace s ON s.oid = c.connamespace "
                     "WHERE s.nspname = current_schema() AND NOT c.convalidated ORDER BY 1")]
    database = db.conn.info.dbname
    roles = {name for (name,) in db.rows("SELECT rolname FROM pg_catalog.pg_roles")}
    problems += [_("role {name} is missing").format(name=name)
                 for name in (role_name(database, r) for r in ROLES) if name not in roles]
    return problems


def backup_database(db: Database, target: str) -> None:
    """Write a consistent copy of the database to the SQLite file ``target``, even while
    others write: SQLite's online backup, or, from PostgreSQL, a copy of every table read
    in one snapshot (restored with ``clusterctl --db FILE db copy --to URL``).

    The copy is written beside the target and renamed into place, so that a failed backup
    never leaves half a file under the target's name; it is readable by its owner only.
    """
    if Path(target).exists():
        raise InputError(_("{target} already exists; choose a new file name").format(
            target=target))
    if db.dialect != "sqlite":
        from clusterctl.store.copying import copy_database

        with replacing(target) as partial:
            copy_database(db, str(partial))
        return
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
