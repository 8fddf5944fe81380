"""Schema migrations: an append-only list, and ``clusterctl db upgrade``, which applies them.

Each migration brings a database from the version before it to its own, and is written once:
a released migration is never edited (a later one corrects it). Its statements are written
out here as they were when it was released, not taken from the models, which move on. Each
runs in a transaction of its own with foreign keys off (so that rebuilding a table never
cascades into its children), and commits only if ``PRAGMA foreign_key_check`` finds nothing;
a process killed at any moment leaves the database at the version before, intact.

Statements are chosen by the database's dialect, so that another engine (PostgreSQL) adds
its branch beside SQLite's and rewrites nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from clusterctl.errors import DatabaseError
from clusterctl.i18n import _
from clusterctl.store.db import Database, utc_now


@dataclass(frozen=True)
class Migration:
    version: int  # the version this migration brings the database to
    name: str
    why: str
    apply: Callable[[Database], None]


# -- 2: dates checked by the database, and generation triggers (clusterctl 0.2.0) ----------

_TASK_V2 = """CREATE TABLE task_v2 (
	id INTEGER NOT NULL,
	directive_id INTEGER NOT NULL,
	task_key VARCHAR(64) NOT NULL,
	title VARCHAR(4000) NOT NULL,
	title_key VARCHAR(4000) NOT NULL,
	lead_id INTEGER NOT NULL,
	due DATE,
	original_due DATE,
	status VARCHAR(16) NOT NULL,
	completed_on DATE,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_task_directive_key UNIQUE (directive_id, task_key),
	CONSTRAINT ck_task_due_iso CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	CONSTRAINT ck_task_original_due_iso CHECK (original_due IS NULL OR original_due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	CONSTRAINT ck_task_completed_on_iso CHECK (completed_on IS NULL OR completed_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	CONSTRAINT ck_task_version CHECK (version >= 1),
	FOREIGN KEY(directive_id) REFERENCES directive (id),
	FOREIGN KEY(lead_id) REFERENCES agency (id)
)"""  # noqa: E501 (as the models compile it)
_TASK_COLUMNS = ("id, directive_id, task_key, title, title_key, lead_id, due, original_due, "
                 "status, completed_on, created_at, updated_at, version")
_GENERATION_TABLES = ("agency", "agency_alias", "directive", "task", "task_support",
                      "task_history")


def _v2(db: Database) -> None:
    if db.dialect == "sqlite":
        # SQLite cannot add a CHECK to a table: the table is rebuilt, the documented way.
        db.script([
            _TASK_V2,
            f"INSERT INTO task_v2 ({_TASK_COLUMNS}) SELECT {_TASK_COLUMNS} FROM task",
            "DROP TABLE task",
            "ALTER TABLE task_v2 RENAME TO task",
            "CREATE INDEX ix_task_lead_status_due ON task (lead_id, status, due, completed_on)",
            "CREATE INDEX ix_task_status_due ON task (status, due, completed_on, lead_id)",
        ])
        db.script([
            f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
            "BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS "
            "TEXT) WHERE name = 'generation'; END"
            for table in _GENERATION_TABLES for event in ("INSERT", "UPDATE", "DELETE")])
    else:  # PostgreSQL (a DATE column needs no check)
        db.script([
            "ALTER TABLE task ADD CONSTRAINT ck_task_version CHECK (version >= 1)",
            # Text compares byte by byte, as in SQLite, whatever the server's locale; the
            # import's bookmark and the list of imported files have no length limit.
            *(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} COLLATE "C"'
              for table, columns in _PG_TEXT_V2.items() for column, kind in columns),
            _PG_BUMP_V2,
            *(f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
              "FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation()"
              for table in _GENERATION_TABLES for event in ("INSERT", "UPDATE", "DELETE")),
        ])


_PG_TEXT_V2 = {
    "agency": (("code", "VARCHAR(64)"), ("code_key", "VARCHAR(64)"), ("name", "VARCHAR(500)"),
               ("name_key", "VARCHAR(500)")),
    "clusterctl_meta": (("value", "VARCHAR"),),
    "directive": (("number", "VARCHAR(200)"), ("number_key", "VARCHAR(200)"),
                  ("issuer", "VARCHAR(500)"), ("title", "VARCHAR(4000)")),
    "agency_alias": (("alias", "VARCHAR(500)"), ("alias_key", "VARCHAR(500)")),
    "task": (("task_key", "VARCHAR(64)"), ("title", "VARCHAR(4000)"),
             ("title_key", "VARCHAR(4000)"), ("status", "VARCHAR(16)")),
    "task_history": (("actor", "VARCHAR(200)"), ("action", "VARCHAR(32)"),
                     ("changes", "VARCHAR"), ("note", "VARCHAR"), ("source", "VARCHAR")),
}
_PG_BUMP_V2 = (
    "CREATE FUNCTION clusterctl_bump_generation() RETURNS trigger LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path FROM CURRENT AS $$ BEGIN "
    "IF current_setting('clusterctl.bumped', true) = 'yes' THEN RETURN NULL; END IF; "
    "PERFORM set_config('clusterctl.bumped', 'yes', true); "
    "UPDATE clusterctl_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR(64)) "
    "WHERE name = 'generation'; RETURN NULL; END $$"
)


# Append-only. Version 1 is the schema of clusterctl 0.1.0.
MIGRATIONS: list[Migration] = [
    Migration(
        2, "checked dates and generation triggers",
        "the database itself refuses a task date that is not an ISO date (reports compare "
        "dates as text), and a write by any program moves the generation on, so that a "
        "re-import never takes a database changed by another program for the one it left",
        _v2),
]
SCHEMA_VERSION = MIGRATIONS[-1].version if MIGRATIONS else 1


def pending(version: int) -> list[Migration]:
    return [m for m in MIGRATIONS if m.version > version]


def apply_migrations(db: Database, version: int) -> tuple[int, int]:
    """Apply every migration after ``version``, each in a transaction of its own; return the
    version reached and how many were applied here. A migration that would leave a broken
    foreign key is rolled back; one that another process applied meanwhile is skipped."""
    applied = 0
    for migration in pending(version):
        db.foreign_keys(False)  # a rebuilt table must not cascade into its children
        try:
            with db.transaction(bump=False):
                current = int(db.scalar("SELECT value FROM clusterctl_meta WHERE name = "
                                        "'schema_version'"))
                if current < migration.version:
                    _apply(db, migration)
                    applied += 1
        finally:
            db.foreign_keys(True)
        version = migration.version
    return version, applied


def _apply(db: Database, migration: Migration) -> None:
    migration.apply(db)
    broken = db.foreign_key_problems()
    if broken:
        raise DatabaseError(_(
            "migration to schema version {v} would leave {n} rows pointing at nothing "
            "({first}); nothing was changed: please report it").format(
            v=migration.version, n=len(broken), first=broken[0]))
    db.execute("UPDATE clusterctl_meta SET value = :v WHERE name = 'schema_version'",
               {"v": str(migration.version)})
    db.execute("INSERT INTO clusterctl_meta (name, value) VALUES (:name, :value)",
               {"name": f"migration {migration.version}",
                "value": f"{utc_now()} {migration.name}"})
