"""``clusterctl db copy``: the whole register into an empty database of either engine.

An office moving from a file to a server, or taking a copy home. Rows keep their ids, so
task numbers, history and references stay as they were. After the copy, every table is
counted and digested on both sides; the copy is reported only if they agree.
"""

import hashlib
from dataclasses import dataclass

from clusterctl.errors import DatabaseError, InputError
from clusterctl.i18n import _
from clusterctl.store.db import Database

# Parents before children; each with the columns that order its rows.
TABLES = (
    ("agency", "id"),
    ("agency_alias", "agency_id, alias"),
    ("agency_successor", "agency_id, successor_id"),
    ("directive", "id"),
    ("record_history", "id"),
    ("import_run", "id"),
    ("task_series", "id"),
    ("setting", "name"),
    ("office_holiday", "day"),
    ("task", "id"),
    ("task_support", "task_id, agency_id"),
    ("task_history", "id"),
    ("task_state", "task_id, valid_from"),
    ("task_support_state", "task_id, agency_id, valid_from"),
    ("import_base", "task_id"),
)
SERIAL = ("agency", "directive", "task", "task_history", "record_history", "import_run",
          "task_series")


@dataclass(frozen=True)
class Copied:
    counts: dict[str, int]  # rows per table, the same on both sides
    target: str  # the target, as it may be shown


def table_digest(db: Database, table: str, order: str) -> tuple[int, str]:
    """How many rows ``table`` has and a sha256 of them, alike on SQLite and PostgreSQL
    (both hand back dates and instants as the same ISO text)."""
    digest = hashlib.sha256()
    count = 0
    for row in db.stream(f"SELECT {', '.join(COLUMNS[table])} FROM {table} ORDER BY {order}"):
        # SQLite keeps a boolean as 0 or 1.
        digest.update(repr(tuple(int(v) if v.__class__ is bool else v for v in row)).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def copy_database(source: Database, target_location: str) -> Copied:
    """Copy ``source`` (read in one snapshot by the caller) into the empty database at
    ``target_location``, creating its tables; check counts and digests of every table."""
    from clusterctl.store.schema import SCHEMA_VERSION, ensure_schema, open_database, read_version

    version = read_version(source)
    if version != SCHEMA_VERSION:
        raise DatabaseError(_(
            "{path} uses schema version {found}; run 'clusterctl db upgrade' on it before "
            "copying it").format(path=source.location, found=version))
    target = open_database(target_location, write=True, upgrading=True)
    try:
        target.needed_role = "owner"
        if read_version(target) is not None:
            ensure_schema(target, write=True)  # refuses a database of another version
            filled = [table for table, _order in TABLES
                      if target.scalar(f"SELECT COUNT(*) FROM {table}")]
            if filled:
                raise InputError(_(
                    "{path} is not empty (its {table} table has rows); copy into a new "
                    "database").format(path=target.location, table=filled[0]))
        else:
            ensure_schema(target, write=True)
        with target.transaction():
            for table, order in TABLES:
                _copy_table(source, target, table, order)
            migrations = source.rows("SELECT name, value FROM clusterctl_meta "
                                     "WHERE name LIKE 'migration %' ORDER BY name")
            target.execute("DELETE FROM clusterctl_meta WHERE name LIKE 'migration %'")
            target.executemany("INSERT INTO clusterctl_meta (name, value) VALUES (:n, :v)",
                               [{"n": n, "v": v} for n, v in migrations])
            if target.dialect == "postgresql":
                for table in SERIAL:
                    target.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}")
            counts = _compare(source, target)  # before the commit: a mismatch keeps nothing
        return Copied(counts, target.location)
    finally:
        target.close()


def _compare(source: Database, target: Database) -> dict[str, int]:
    counts = {}
    for table, order in TABLES:
        mine, theirs = table_digest(source, table, order), table_digest(target, table, order)
        if mine != theirs:
            raise DatabaseError(_(
                "the copy into {path} would differ from the original in table {table} ({a} "
                "rows against {b}); nothing was copied; please report it").format(
                path=target.location, table=table, a=mine[0], b=theirs[0]))
        counts[table] = mine[0]
    return counts


def _copy_table(source: Database, target: Database, table: str, order: str) -> None:
    columns = COLUMNS[table]
    names = ", ".join(columns)
    marks = ", ".join(f":c{i}" for i in range(len(columns)))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    flags = {i for i, column in enumerate(columns) if (table, column) in BOOLEANS}
    batch: list[dict] = []
    for row in source.stream(f"SELECT {names} FROM {table} ORDER BY {order}"):
        batch.append({f"c{i}": bool(value) if i in flags else value
                      for i, value in enumerate(row)})
        if len(batch) == 1000:
            target.executemany(sql, batch)
            batch = []
    target.executemany(sql, batch)


# PostgreSQL takes a boolean only as one; SQLite hands back 0 or 1.
BOOLEANS = {("task", "priority"), ("task_series", "priority"), ("office_holiday", "working")}
COLUMNS = {  # named, so that both sides list them in one order
    "agency": ("id", "code", "code_key", "name", "name_key", "created_at", "updated_at",
               "dissolved_on"),
    "agency_alias": ("agency_id", "alias", "alias_key"),
    "agency_successor": ("agency_id", "successor_id", "position"),
    "record_history": ("id", "kind", "record_id", "at", "effective", "actor", "action",
                       "changes", "note", "source"),
    "import_run": ("id", "at", "actor", "source", "undo", "undone_at", "undone_by"),
    "directive": ("id", "number", "number_key", "issued", "issuer", "title", "created_at",
                  "updated_at"),
    "task": ("id", "directive_id", "task_key", "title", "title_key", "lead_id", "due",
             "original_due", "status", "completed_on", "assigned_on", "created_at", "updated_at",
             "version", "deleted_on", "priority", "field", "evidence", "requested_due",
             "series_id"),
    "task_series": ("id", "directive_id", "series_key", "rule", "rule_text", "starts", "until",
                    "covered_to", "title", "lead_id", "support", "priority", "field",
                    "created_at", "updated_at", "version"),
    "setting": ("name", "value", "updated_at", "updated_by"),
    "office_holiday": ("day", "working", "name", "source", "created_at", "actor"),
    "task_support": ("task_id", "agency_id", "position"),
    "task_history": ("id", "task_id", "at", "effective", "actor", "action", "changes", "note",
                     "source", "undoes"),
    "task_state": ("task_id", "valid_from", "valid_to", "title", "title_key", "lead_id", "due",
                   "original_due", "status", "completed_on"),
    "task_support_state": ("task_id", "agency_id", "valid_from", "valid_to", "position"),
    "import_base": ("task_id", "said", "source"),
}
