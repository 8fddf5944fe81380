"""Opening a database and knowing its schema version.

The version lives in ``clusterctl_meta`` (name ``schema_version``). A new database gets the
current schema straight from :mod:`clusterctl.store.models` and is stamped with
:data:`SCHEMA_VERSION`. An older database is read as it is, but written to only after
``clusterctl db upgrade`` (:mod:`clusterctl.store.migrations`): a shared database is
upgraded by someone who chose to, with a backup, never by whoever happens to write first.
To change the schema: change the models, regenerate ``sqlite_schema.sql``, and append a
migration that brings a database of the previous version to the new one.
"""

from pathlib import Path

from clusterctl.errors import DatabaseError
from clusterctl.i18n import _
from clusterctl.store.db import Database, connect_sqlite, is_postgres, redact, sqlite_path

# The version of the last migration (:data:`clusterctl.store.migrations.MIGRATIONS`; a test
# holds the two equal), here so that opening a database does not load the migrations.
SCHEMA_VERSION = 6

APPLICATION = "clusterctl"
SQLITE_SCHEMA = Path(__file__).with_name("sqlite_schema.sql")


def open_database(location: str, *, write: bool, upgrading: bool = False,
                  role: str | None = None) -> Database:
    """Open the database at ``location`` (a path, or a ``postgresql://`` URL).

    A command that writes creates a missing database; one that only reads refuses to. An
    older schema is read as it is; a write is refused until ``clusterctl db upgrade``
    (``upgrading``: that command itself, which finds the version on its own).
    """
    path = sqlite_path(location)
    if path is None:
        db = _connect_url(location)
    else:
        from clusterctl.store.sharing import access_problem

        if problem := access_problem(path, write=write):  # before looking inside its folder
            raise DatabaseError(problem)
        if not write and not path.exists():
            raise DatabaseError(
                _("no database at {path}; create one with 'clusterctl init', or choose another "
                  "with --db or CLUSTERCTL_DB").format(path=location)
            )
        if path.is_dir():
            raise DatabaseError(
                _("{path} is a folder, not a database file; give a file path with --db")
                .format(path=location)
            )
        db = connect_sqlite(path, location, create=write)
    if role:
        db.needed_role = role  # named if the server refuses even the schema's version
    try:
        if not upgrading:
            ensure_schema(db, write=write)
    except BaseException:
        db.close()
        raise
    return db


def _connect_url(location: str) -> Database:
    if not is_postgres(location):
        raise DatabaseError(_(
            "cannot use the database {path}: give a file path, or a PostgreSQL URL "
            "(postgresql://HOST/DATABASE)").format(path=redact(location)))
    try:
        from clusterctl.store.postgres import connect_postgres
    except ImportError:
        raise DatabaseError(_(
            "{path} is a PostgreSQL database, and PostgreSQL support is not installed: "
            "pip install 'clusterctl[postgres]'").format(path=redact(location))) from None
    return connect_postgres(location)


def init_database(location: str) -> bool:
    """``clusterctl init``: create the database and its tables if missing; return whether
    they existed. On PostgreSQL, also (again) create the roles and give them their rights,
    which the database's owner alone may do."""
    path = sqlite_path(location)
    if path is not None:
        existed = path.exists() and path.stat().st_size > 0
        open_database(location, write=True).close()
        return existed
    db = open_database(location, write=True, upgrading=True)
    try:
        existed = read_version(db) is not None
        ensure_schema(db, write=True)
        if existed:
            from clusterctl.store.pgroles import setup_statements

            db.needed_role = "owner"
            with db.transaction():
                db.script(_missing_triggers(db) + setup_statements(db))
        return existed
    finally:
        db.close()


def _missing_triggers(db: Database) -> list[str]:
    """PostgreSQL: the statements that make the generation triggers (and their function)
    that someone dropped."""
    triggers = {name for (name,) in db.rows(
        "SELECT tgname FROM pg_catalog.pg_trigger WHERE NOT tgisinternal")}
    function = db.scalar("SELECT 1 FROM pg_catalog.pg_proc "
                         "WHERE proname = 'clusterctl_bump_generation'")
    return [statement for statement in schema_statements(db)
            if (statement.startswith("CREATE TRIGGER") and statement.split()[2] not in triggers)
            or (statement.startswith("CREATE FUNCTION") and not function)]


def no_tables_yet(location: str) -> bool:
    """Whether the database at ``location`` (which exists) has no clusterctl tables yet."""
    db = open_database(location, write=False, upgrading=True)
    try:
        return read_version(db) is None
    finally:
        db.close()


def ensure_schema(db: Database, *, write: bool) -> None:
    version = read_version(db)
    if version is None:
        if not write:
            raise DatabaseError(
                _("{path} is empty; create the clusterctl tables with 'clusterctl init'")
                .format(path=db.location)
            )
        create_schema(db)
    elif version > SCHEMA_VERSION:
        raise DatabaseError(
            _("{path} was written by a newer clusterctl (schema {found}, this one knows up to "
              "{known}); upgrade clusterctl to use it").format(
                path=db.location, found=version, known=SCHEMA_VERSION)
        )
    elif version < SCHEMA_VERSION and write:
        raise DatabaseError(
            _("{path} uses schema version {found} and this clusterctl writes version {known}: "
              "run 'clusterctl db upgrade' first (it writes a backup beside it)").format(
                path=db.location, found=version, known=SCHEMA_VERSION)
        )
    elif version < SCHEMA_VERSION:
        _read_older(db, version)


def _read_older(db: Database, version: int) -> None:
    """Let a database of an older schema be read as it is: views in the connection's own
    temporary schema, which the engine reads before the database's, give its tables the
    columns and tables of the current one. Before effect dates (schema 1 and 2) a task takes
    effect on its directive's issue date, a change on the day it was recorded, and the task
    as it was on each day is the task as it is; before schema 4 no agency was dissolved, no
    task deleted and no change undone."""
    if db.dialect == "sqlite":
        main, temp, day, forever = "main.", "temp.", "date(h.at)", "'9999-12-31'"
        none_date, none_text, none_int = "NULL", "NULL", "NULL"
    else:  # PostgreSQL reads its session's temporary schema first as well
        schema = db.scalar("SELECT current_schema()")
        main = '"' + schema.replace('"', '""') + '".'
        temp, day, forever = "pg_temp.", "CAST(h.at AS DATE)", "DATE '9999-12-31'"
        none_date, none_text, none_int = ("CAST(NULL AS DATE)", "CAST(NULL AS VARCHAR)",
                                          "CAST(NULL AS INTEGER)")
    # Schema 5's task columns: no key task, no field, no report or request, no series.
    five = (f"CAST(0 AS BOOLEAN) AS priority, {none_text} AS field, {none_text} AS evidence, "
            f"{none_date} AS requested_due, {none_int} AS series_id")
    if version < 3:
        views = [
            f"CREATE TEMP VIEW task AS SELECT t.*, d.issued AS assigned_on, {none_date} AS "
            f"deleted_on, {five} FROM {main}task t JOIN {main}directive d "
            "ON d.id = t.directive_id",
            f"CREATE TEMP VIEW task_history AS SELECT h.*, {day} AS effective, {none_int} AS "
            f"undoes FROM {main}task_history h",
            f"CREATE TEMP VIEW task_state AS SELECT id AS task_id, assigned_on AS valid_from, "
            f"{forever} AS valid_to, title, title_key, lead_id, due, original_due, status, "
            f"completed_on FROM {temp}task",
            f"CREATE TEMP VIEW task_support_state AS SELECT s.task_id, s.agency_id, "
            f"t.assigned_on AS valid_from, {forever} AS valid_to, s.position "
            f"FROM {main}task_support s JOIN {temp}task t ON t.id = s.task_id",
            "CREATE TEMP VIEW import_base AS SELECT 0 AS task_id, '{}' AS said, "
            f"{none_text} AS source WHERE 1 = 0",
        ]
    elif version < 4:
        views = [
            f"CREATE TEMP VIEW task AS SELECT t.*, {none_date} AS deleted_on, {five} "
            f"FROM {main}task t",
            f"CREATE TEMP VIEW task_history AS SELECT h.*, {none_int} AS undoes "
            f"FROM {main}task_history h",
        ]
    else:
        views = [f"CREATE TEMP VIEW task AS SELECT t.*, {five} FROM {main}task t"]
    if version < 4:
        views += [
            f"CREATE TEMP VIEW agency AS SELECT a.*, {none_date} AS dissolved_on "
            f"FROM {main}agency a",
            "CREATE TEMP VIEW agency_successor AS SELECT 0 AS agency_id, 0 AS successor_id, "
            "0 AS position WHERE 1 = 0",
            f"CREATE TEMP VIEW record_history AS SELECT 0 AS id, '' AS kind, 0 AS record_id, "
            f"{none_text} AS at, {none_date} AS effective, '' AS actor, '' AS action, '{{}}' "
            f"AS changes, {none_text} AS note, {none_text} AS source WHERE 1 = 0",
            f"CREATE TEMP VIEW import_run AS SELECT 0 AS id, {none_text} AS at, '' AS actor, "
            f"{none_text} AS source, '{{}}' AS undo, {none_text} AS undone_at, {none_text} AS "
            "undone_by WHERE 1 = 0",
        ]
    views += [
        f"CREATE TEMP VIEW task_series AS SELECT 0 AS id, 0 AS directive_id, '' AS "
        f"series_key, '' AS rule, '' AS rule_text, {none_date} AS starts, {none_date} AS "
        f"until, {none_date} AS covered_to, '' AS title, 0 AS lead_id, '[]' AS support, "
        f"CAST(0 AS BOOLEAN) AS priority, {none_text} AS field, {none_text} AS created_at, "
        f"{none_text} AS updated_at, 1 AS version WHERE 1 = 0",
        f"CREATE TEMP VIEW setting AS SELECT '' AS name, '' AS value, {none_text} AS "
        "updated_at, '' AS updated_by WHERE 1 = 0",
        f"CREATE TEMP VIEW office_holiday AS SELECT {none_date} AS day, CAST(0 AS BOOLEAN) "
        f"AS working, '' AS name, {none_text} AS source, {none_text} AS created_at, '' AS "
        "actor WHERE 1 = 0",
    ]
    db.script(views)


def read_version(db: Database) -> int | None:
    """The schema version, or None for an empty database; refuses a foreign one."""
    tables = db.table_names()
    if "clusterctl_meta" not in tables:
        if tables:
            raise DatabaseError(
                _("{path} is not a clusterctl database (it has other tables); choose another "
                  "with --db").format(path=db.location)
            )
        return None
    raw = db.scalar("SELECT value FROM clusterctl_meta WHERE name = 'schema_version'")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise DatabaseError(
            _("{path} has no valid schema version; it is damaged or not a clusterctl database")
            .format(path=db.location)
        ) from None


def create_schema(db: Database) -> None:
    """Create every table of the current schema and stamp its version."""
    statements = schema_statements(db)
    db.prepare_new()
    role, db.needed_role = db.needed_role, "owner"  # for this step only
    try:
        with db.transaction(bump=False):
            if db.table_names():  # another process created it while we waited for the lock
                return
            db.script(statements)
            if db.dialect == "postgresql":
                from clusterctl.store.pgroles import setup_statements

                db.script(setup_statements(db))
            _stamp(db)
    finally:
        db.needed_role = role


def _stamp(db: Database) -> None:
    """What a new database says of itself: whose it is, its version, generation 0."""
    db.executemany(
        "INSERT INTO clusterctl_meta (name, value) VALUES (:name, :value)",
        [
            {"name": "application", "value": APPLICATION},
            {"name": "schema_version", "value": str(SCHEMA_VERSION)},
            {"name": "generation", "value": "0"},
        ],
    )


def schema_statements(db: Database) -> list[str]:
    """The statements that create the current schema, for this database's dialect."""
    if db.dialect == "sqlite":
        text = SQLITE_SCHEMA.read_text(encoding="utf-8")
    else:
        from clusterctl.store.postgres import POSTGRES_SCHEMA

        text = POSTGRES_SCHEMA.read_text(encoding="utf-8")
    return [s.strip() for s in text.split(";\n") if s.strip()]


def secondary_indexes(db: Database, tables: set[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes on ``tables`` that are not keys."""
    return _objects(db, "INDEX", tables)


def triggers(db: Database, tables: set[str]) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of the triggers on ``tables``."""
    return _objects(db, "TRIGGER", tables)


def _objects(db: Database, kind: str, tables: set[str]) -> list[tuple[str, str]]:
    found = []
    for statement in schema_statements(db):
        words = statement.split()
        # CREATE INDEX name ON table (...) | CREATE TRIGGER name AFTER EVENT ON table ...
        table = words[4] if kind == "INDEX" else words[6] if len(words) > 6 else ""
        if words[:2] == ["CREATE", kind] and table in tables:
            found.append((words[2], statement))
    return found


def upgrade_database(location: str) -> tuple[int, int, str | None]:
    """Bring the database at ``location`` to :data:`SCHEMA_VERSION`, after a backup of it
    beside it (SQLite); return the versions before and after and the backup's path (None
    where clusterctl cannot copy the database: the CLI says to back it up first)."""
    from clusterctl.store.maintenance import backup_database
    from clusterctl.store.migrations import apply_migrations, pending

    path = sqlite_path(location)
    if path is not None and not path.exists():
        raise DatabaseError(_("no database at {path}; nothing to upgrade").format(
            path=location))
    db = open_database(location, write=True, upgrading=True)
    try:
        version = read_version(db)
        if version is None:
            raise DatabaseError(_("{path} is empty; create the clusterctl tables with "
                                  "'clusterctl init'").format(path=db.location))
        if version > SCHEMA_VERSION:
            ensure_schema(db, write=True)  # refuses, saying to upgrade clusterctl
        backup = None
        if pending(version) and path is not None:
            backup = str(_free_name(path, version))
            backup_database(db, backup)
        db.needed_role = "owner"
        reached, applied = apply_migrations(db, version)
        if db.dialect == "postgresql":  # the roles' rights on tables a migration made
            from clusterctl.store.pgroles import setup_statements

            with db.transaction():
                db.script(setup_statements(db))
        # Upgraded by another process meanwhile: nothing was done here.
        return (version if applied else reached), reached, backup
    finally:
        db.close()


def _free_name(path: Path, version: int) -> Path:
    """``clusterctl.db.schema-1.bak`` beside the database, or ``...-2.bak`` if taken."""
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        candidate = path.with_name(f"{path.name}.schema-{version}{suffix}.bak")
        if not candidate.exists():
            return candidate
    raise DatabaseError(_("too many backups beside {path}").format(path=path))
