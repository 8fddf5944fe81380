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
from datetime import date

from clusterctl.errors import DatabaseError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, utc_now


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


# -- 3: effect dates and the task as it was on each day (clusterctl 0.3.0) ------------------

_TASK_V3 = """CREATE TABLE task_v3 (
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
	assigned_on DATE NOT NULL, 
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
)"""  # noqa: E501, W291 (as the models compile it)
_HISTORY_V3 = """CREATE TABLE task_history_v3 (
	id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	changes VARCHAR NOT NULL, 
	note VARCHAR, 
	source VARCHAR(1000), 
	PRIMARY KEY (id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
)"""  # noqa: W291
_NEW_TABLES_V3 = {
    "sqlite": ("""CREATE TABLE import_base (
	task_id INTEGER NOT NULL, 
	said VARCHAR NOT NULL, 
	source VARCHAR(1000), 
	PRIMARY KEY (task_id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
)""", """CREATE TABLE task_state (
	task_id INTEGER NOT NULL, 
	valid_from DATE NOT NULL, 
	valid_to DATE NOT NULL, 
	title VARCHAR(4000) NOT NULL, 
	title_key VARCHAR(4000) NOT NULL, 
	lead_id INTEGER NOT NULL, 
	due DATE, 
	original_due DATE, 
	status VARCHAR(16) NOT NULL, 
	completed_on DATE, 
	PRIMARY KEY (task_id, valid_from), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
)""", """CREATE TABLE task_support_state (
	task_id INTEGER NOT NULL, 
	agency_id INTEGER NOT NULL, 
	valid_from DATE NOT NULL, 
	valid_to DATE NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (task_id, agency_id, valid_from), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id)
)"""),  # noqa: W291
    "postgresql": ("""CREATE TABLE import_base (
	task_id INTEGER NOT NULL, 
	said VARCHAR COLLATE "C" NOT NULL, 
	source VARCHAR COLLATE "C", 
	PRIMARY KEY (task_id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
)""", """CREATE TABLE task_state (
	task_id INTEGER NOT NULL, 
	valid_from DATE NOT NULL, 
	valid_to DATE NOT NULL, 
	title VARCHAR(4000) COLLATE "C" NOT NULL, 
	title_key VARCHAR(4000) COLLATE "C" NOT NULL, 
	lead_id INTEGER NOT NULL, 
	due DATE, 
	original_due DATE, 
	status VARCHAR(16) COLLATE "C" NOT NULL, 
	completed_on DATE, 
	PRIMARY KEY (task_id, valid_from), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
)""", """CREATE TABLE task_support_state (
	task_id INTEGER NOT NULL, 
	agency_id INTEGER NOT NULL, 
	valid_from DATE NOT NULL, 
	valid_to DATE NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (task_id, agency_id, valid_from), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id)
)"""),  # noqa: W291
}
_INDEXES_V3 = (
    "CREATE INDEX ix_task_history_effective ON task_history (effective, id)",
    "CREATE INDEX ix_task_state_valid ON task_state (valid_to, valid_from)",
    "CREATE INDEX ix_task_support_state_agency_id ON task_support_state (agency_id)",
    "CREATE INDEX ix_task_state_from ON task_state (valid_from, task_id)",
    "CREATE INDEX ix_task_support_state_from ON task_support_state (valid_from, task_id)",
    "CREATE INDEX ix_task_support_state_to ON task_support_state (valid_to, task_id)",
)
_HISTORY_COLUMNS = "id, task_id, at, effective, actor, action, changes, note, source"


def _effective_dates(db: Database) -> list[dict]:
    """The day each history entry took effect, as well as an old history tells: a task's
    creation on its directive's issue date, a completion on its completion date, anything
    else on the day (in the office's time zone) it was recorded; but never before the day of
    an earlier change of the same fields (a completion dated before the start recorded
    before it takes effect on the start's day), as the writer requires of new changes."""
    import json
    from datetime import datetime

    from clusterctl.config import office_tz

    zone = office_tz()
    issued = dict(db.rows("SELECT t.id, d.issued FROM task t "
                          "JOIN directive d ON d.id = t.directive_id"))
    bound = ({"status", "completed_on"}, {"lead", "support"})
    latest: dict[tuple, date] = {}  # (task, field) -> the effect date of its last change
    rows = []
    for entry_id, task_id, at, action, changes in db.stream(
            "SELECT id, task_id, at, action, changes FROM task_history ORDER BY id"):
        assigned_on = as_date(issued[task_id])
        changed = json.loads(changes)
        fields = set(changed).union(*(group for group in bound if group & set(changed)))
        completed = changed.get("completed_on", [None, None])[1]
        if action == "created":
            effective = assigned_on
        elif completed and changed.get("status", [None, None])[1] == "done":
            effective = as_date(completed)
        else:
            moment = at if isinstance(at, datetime) else datetime.fromisoformat(
                str(at).replace("Z", "+00:00"))
            effective = moment.astimezone(zone).date()
        effective = max([effective, assigned_on,
                         *(latest[(task_id, f)] for f in fields if (task_id, f) in latest)])
        for name in fields if action != "created" else ():
            latest[(task_id, name)] = effective
        rows.append({"id": entry_id, "effective": effective})
    return rows


def _import_bases(db: Database) -> list[dict]:
    """What the import files last said of each imported task, as far as its history tells:
    the values of its creation by an import and of every change an import made since."""
    import json

    said: dict[int, dict] = {}
    sources: dict[int, str] = {}
    for task_id, action, changes, source in db.stream(
            "SELECT task_id, action, changes, source FROM task_history "
            "WHERE source IS NOT NULL ORDER BY id"):
        values = {name: pair[1] for name, pair in json.loads(changes).items()}
        if action == "created" and "original_due" not in values:
            values["original_due"] = values.get("due")
        task = said.setdefault(task_id, {})
        if "status" in values or "completed_on" in values:  # kept together, as imports do
            status, completed = task.get("status", [None, None])
            status = values.pop("status", status)
            completed = values.pop("completed_on", completed if status == "done" else None)
            values["status"] = [status, completed]
        task.update(values)
        sources[task_id] = source
    return [{"t": task_id, "said": json.dumps(values, ensure_ascii=False),
             "source": sources[task_id]} for task_id, values in said.items()]


def _v3(db: Database) -> None:
    from clusterctl.store.timeline import write_states

    effective = _effective_dates(db)
    if db.dialect == "sqlite":
        db.script([
            _TASK_V3,
            f"INSERT INTO task_v3 ({_TASK_COLUMNS}, assigned_on) SELECT "
            f"{', '.join('t.' + c.strip() for c in _TASK_COLUMNS.split(','))}, d.issued "
            "FROM task t JOIN directive d ON d.id = t.directive_id",
            "DROP TABLE task",
            "ALTER TABLE task_v3 RENAME TO task",
            "CREATE INDEX ix_task_lead_status_due ON task (lead_id, status, due, completed_on)",
            "CREATE INDEX ix_task_status_due ON task (status, due, completed_on, lead_id)",
            _HISTORY_V3,
        ])
        db.executemany(
            f"INSERT INTO task_history_v3 ({_HISTORY_COLUMNS}) SELECT id, task_id, at, "
            ":effective, actor, action, changes, note, source FROM task_history WHERE id = :id",
            effective)
        db.script([
            "DROP TABLE task_history",
            "ALTER TABLE task_history_v3 RENAME TO task_history",
            "CREATE INDEX ix_task_history_task_id ON task_history (task_id)",
        ])
        db.script([
            f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
            "BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS "
            "TEXT) WHERE name = 'generation'; END"
            for table in ("task", "task_history") for event in ("INSERT", "UPDATE", "DELETE")])
    else:  # PostgreSQL adds columns in place
        db.script([
            "ALTER TABLE task ADD COLUMN assigned_on DATE",
            "UPDATE task SET assigned_on = d.issued FROM directive d "
            "WHERE d.id = task.directive_id",
            "ALTER TABLE task ALTER COLUMN assigned_on SET NOT NULL",
            "ALTER TABLE task_history ADD COLUMN effective DATE",
        ])
        db.executemany("UPDATE task_history SET effective = :effective WHERE id = :id",
                       effective)
        db.execute("ALTER TABLE task_history ALTER COLUMN effective SET NOT NULL")
    db.script([*_NEW_TABLES_V3[db.dialect], *_INDEXES_V3])
    write_states(db, undoes=False)
    db.executemany("INSERT INTO import_base (task_id, said, source) VALUES (:t, :said, "
                   ":source)", _import_bases(db))


# -- 4: succession of agencies, corrections, deletions and undo (clusterctl 0.4.0) --------

_AGENCY_V4 = """CREATE TABLE agency_v4 (
	id INTEGER NOT NULL, 
	code VARCHAR(64) NOT NULL, 
	code_key VARCHAR(64) NOT NULL, 
	name VARCHAR(500) NOT NULL, 
	name_key VARCHAR(500) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	dissolved_on DATE, 
	PRIMARY KEY (id), 
	UNIQUE (code_key)
)"""  # noqa: W291 (as the models compile it)
_TASK_V4 = """CREATE TABLE task_v4 (
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
	assigned_on DATE NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	deleted_on DATE, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_directive_key UNIQUE (directive_id, task_key), 
	CONSTRAINT ck_task_due_iso CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_original_due_iso CHECK (original_due IS NULL OR original_due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_completed_on_iso CHECK (completed_on IS NULL OR completed_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_version CHECK (version >= 1), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
)"""  # noqa: E501, W291 (as the models compile it)
_HISTORY_V4 = """CREATE TABLE task_history_v4 (
	id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	changes VARCHAR NOT NULL, 
	note VARCHAR, 
	source VARCHAR(1000), 
	undoes INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
)"""  # noqa: W291 (as the models compile it)
_NEW_TABLES_V4 = {
    "sqlite": [
        """CREATE TABLE agency_successor (
	agency_id INTEGER NOT NULL, 
	successor_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (agency_id, successor_id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(successor_id) REFERENCES agency (id)
)""",  # noqa: W291
        """CREATE INDEX ix_agency_successor_successor_id ON agency_successor (successor_id)""",
        """CREATE TABLE record_history (
	id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	record_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	changes VARCHAR NOT NULL, 
	note VARCHAR, 
	source VARCHAR(1000), 
	PRIMARY KEY (id)
)""",  # noqa: W291
        """CREATE INDEX ix_record_history_record ON record_history (kind, record_id, id)""",
        """CREATE TABLE import_run (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	source VARCHAR(1000), 
	undo VARCHAR NOT NULL, 
	undone_at DATETIME, 
	undone_by VARCHAR(200), 
	PRIMARY KEY (id)
)""",  # noqa: W291
    ],
    "postgresql": [
        """CREATE TABLE agency_successor (
	agency_id INTEGER NOT NULL, 
	successor_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (agency_id, successor_id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(successor_id) REFERENCES agency (id)
)""",  # noqa: W291
        """CREATE INDEX ix_agency_successor_successor_id ON agency_successor (successor_id)""",
        """CREATE TABLE record_history (
	id SERIAL NOT NULL, 
	kind VARCHAR(16) COLLATE "C" NOT NULL, 
	record_id INTEGER NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	action VARCHAR(32) COLLATE "C" NOT NULL, 
	changes VARCHAR COLLATE "C" NOT NULL, 
	note VARCHAR COLLATE "C", 
	source VARCHAR COLLATE "C", 
	PRIMARY KEY (id)
)""",  # noqa: W291
        """CREATE INDEX ix_record_history_record ON record_history (kind, record_id, id)""",
        """CREATE TABLE import_run (
	id SERIAL NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	source VARCHAR COLLATE "C", 
	undo VARCHAR COLLATE "C" NOT NULL, 
	undone_at TIMESTAMP WITH TIME ZONE, 
	undone_by VARCHAR(200) COLLATE "C", 
	PRIMARY KEY (id)
)""",  # noqa: W291
    ],
}
_AGENCY_COLUMNS_V3 = "id, code, code_key, name, name_key, created_at, updated_at"
_TASK_COLUMNS_V3 = ("id, directive_id, task_key, title, title_key, lead_id, due, original_due, "
                    "status, completed_on, assigned_on, created_at, updated_at, version")
_HISTORY_COLUMNS_V3 = "id, task_id, at, effective, actor, action, changes, note, source"


def _v4(db: Database) -> None:
    if db.dialect == "sqlite":
        # New columns go where a new database has them: each table is rebuilt.
        script = []
        for table, create, columns, indexes in (
                ("agency", _AGENCY_V4, _AGENCY_COLUMNS_V3, []),
                ("task", _TASK_V4, _TASK_COLUMNS_V3, [
                    "CREATE INDEX ix_task_lead_status_due ON task (lead_id, status, due, "
                    "completed_on)",
                    "CREATE INDEX ix_task_status_due ON task (status, due, completed_on, "
                    "lead_id)"]),
                ("task_history", _HISTORY_V4, _HISTORY_COLUMNS_V3, [
                    "CREATE INDEX ix_task_history_effective ON task_history (effective, id)",
                    "CREATE INDEX ix_task_history_task_id ON task_history (task_id)"])):
            script += [create,
                       f"INSERT INTO {table}_v4 ({columns}) SELECT {columns} FROM {table}",
                       f"DROP TABLE {table}",
                       f"ALTER TABLE {table}_v4 RENAME TO {table}",
                       *indexes]
            script += [
                f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
                "BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS "
                "TEXT) WHERE name = 'generation'; END" for event in ("INSERT", "UPDATE", "DELETE")]
        db.script(script)
    else:  # PostgreSQL adds columns in place
        db.script([
            "ALTER TABLE agency ADD COLUMN dissolved_on DATE",
            "ALTER TABLE task ADD COLUMN deleted_on DATE",
            "ALTER TABLE task_history ADD COLUMN undoes INTEGER",
        ])
    db.script([*_NEW_TABLES_V4[db.dialect],
               "CREATE INDEX ix_task_deleted_on ON task (deleted_on)"])


# -- 5: the office's workflow: confirmation, extension requests, key tasks, fields,
# recurring tasks and working days (clusterctl 0.5.0) --------------------

_TASK_V5 = """CREATE TABLE task_v5 (
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
	assigned_on DATE NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	deleted_on DATE, 
	priority BOOLEAN DEFAULT 0 NOT NULL, 
	field VARCHAR(64), 
	evidence VARCHAR(1000), 
	requested_due DATE, 
	series_id INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_directive_key UNIQUE (directive_id, task_key), 
	CONSTRAINT ck_task_due_iso CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_original_due_iso CHECK (original_due IS NULL OR original_due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_completed_on_iso CHECK (completed_on IS NULL OR completed_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_requested_due_iso CHECK (requested_due IS NULL OR requested_due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_version CHECK (version >= 1), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id), 
	FOREIGN KEY(series_id) REFERENCES task_series (id)
)"""  # noqa: E501, W291 (as the models compile it)
_NEW_TABLES_V5 = {
    "sqlite": [
        """CREATE TABLE task_series (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	series_key VARCHAR(64) NOT NULL, 
	rule VARCHAR(500) NOT NULL, 
	rule_text VARCHAR(500) NOT NULL, 
	starts DATE NOT NULL, 
	until DATE, 
	covered_to DATE NOT NULL, 
	title VARCHAR(4000) NOT NULL, 
	lead_id INTEGER NOT NULL, 
	support VARCHAR NOT NULL, 
	priority BOOLEAN NOT NULL, 
	field VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_series_directive_key UNIQUE (directive_id, series_key), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
)""",  # noqa: W291
        """CREATE TABLE setting (
	name VARCHAR(64) NOT NULL, 
	value VARCHAR(1000) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(200) NOT NULL, 
	PRIMARY KEY (name)
)""",  # noqa: W291
        """CREATE TABLE office_holiday (
	day DATE NOT NULL, 
	working BOOLEAN NOT NULL, 
	name VARCHAR(500) NOT NULL, 
	source VARCHAR(1000), 
	created_at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	PRIMARY KEY (day)
)""",  # noqa: W291
    ],
    "postgresql": [
        """CREATE TABLE task_series (
	id SERIAL NOT NULL, 
	directive_id INTEGER NOT NULL, 
	series_key VARCHAR(64) COLLATE "C" NOT NULL, 
	rule VARCHAR(500) COLLATE "C" NOT NULL, 
	rule_text VARCHAR(500) COLLATE "C" NOT NULL, 
	starts DATE NOT NULL, 
	until DATE, 
	covered_to DATE NOT NULL, 
	title VARCHAR(4000) COLLATE "C" NOT NULL, 
	lead_id INTEGER NOT NULL, 
	support VARCHAR COLLATE "C" NOT NULL, 
	priority BOOLEAN NOT NULL, 
	field VARCHAR(64) COLLATE "C", 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_series_directive_key UNIQUE (directive_id, series_key), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
)""",  # noqa: W291
        """CREATE TABLE setting (
	name VARCHAR(64) COLLATE "C" NOT NULL, 
	value VARCHAR(1000) COLLATE "C" NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_by VARCHAR(200) COLLATE "C" NOT NULL, 
	PRIMARY KEY (name)
)""",  # noqa: W291
        """CREATE TABLE office_holiday (
	day DATE NOT NULL, 
	working BOOLEAN NOT NULL, 
	name VARCHAR(500) COLLATE "C" NOT NULL, 
	source VARCHAR(1000) COLLATE "C", 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	PRIMARY KEY (day)
)""",  # noqa: W291
    ],
}
_TASK_COLUMNS_V4 = _TASK_COLUMNS_V3 + ", deleted_on"


def _v5(db: Database) -> None:
    from clusterctl.core.fields import division

    db.script(_NEW_TABLES_V5[db.dialect])
    if db.dialect == "sqlite":
        # The new columns go where a new database has them: the table is rebuilt.
        script = [_TASK_V5,
                  f"INSERT INTO task_v5 ({_TASK_COLUMNS_V4}, priority) SELECT "
                  f"{_TASK_COLUMNS_V4}, 0 FROM task",
                  "DROP TABLE task",
                  "ALTER TABLE task_v5 RENAME TO task",
                  "CREATE INDEX ix_task_lead_status_due ON task (lead_id, status, due, "
                  "completed_on)",
                  "CREATE INDEX ix_task_status_due ON task (status, due, completed_on, lead_id)",
                  "CREATE INDEX ix_task_deleted_on ON task (deleted_on)"]
        script += [
            f"CREATE TRIGGER generation_task_{event.lower()} AFTER {event} ON task "
            "BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS "
            "TEXT) WHERE name = 'generation'; END" for event in ("INSERT", "UPDATE", "DELETE")]
        db.script(script)
    else:  # PostgreSQL adds columns in place
        db.script([
            "ALTER TABLE task ADD COLUMN priority BOOLEAN DEFAULT false NOT NULL",
            'ALTER TABLE task ADD COLUMN field VARCHAR(64) COLLATE "C"',
            'ALTER TABLE task ADD COLUMN evidence VARCHAR(1000) COLLATE "C"',
            "ALTER TABLE task ADD COLUMN requested_due DATE",
            "ALTER TABLE task ADD COLUMN series_id INTEGER REFERENCES task_series (id)",
        ])
    db.execute("CREATE INDEX ix_task_series_id ON task (series_id)")
    db.execute("CREATE INDEX ix_task_assigned_on ON task (assigned_on)")
    # Each task's field: the Office division that drafted its directive.
    db.executemany("UPDATE task SET field = :f WHERE directive_id = :d", [
        {"f": field, "d": directive_id}
        for directive_id, number in db.rows("SELECT id, number FROM directive")
        if (field := division(number))])


def _v6(db: Database) -> None:
    db.script(["DROP INDEX ix_task_lead_status_due",
               "CREATE INDEX ix_task_lead_priority_status ON task (lead_id, priority, status, "
               "due, completed_on)",
               "CREATE INDEX ix_task_requested_due ON task (requested_due) "
               "WHERE requested_due IS NOT NULL"])
    db.analyze()  # the planner's statistics, which an import keeps from now on


# Append-only. Version 1 is the schema of clusterctl 0.1.0.
MIGRATIONS: list[Migration] = [
    Migration(
        2, "checked dates and generation triggers",
        "the database itself refuses a task date that is not an ISO date (reports compare "
        "dates as text), and a write by any program moves the generation on, so that a "
        "re-import never takes a database changed by another program for the one it left",
        _v2),
    Migration(
        3, "effect dates and the task as it was on each day",
        "every change has the day it took effect, reports as of a past day read the register "
        "as it stood then, and a re-import knows what its file said before (history entries "
        "get the day they took effect: a creation its directive's issue date, a completion "
        "its completion date, anything else the day it was recorded)",
        _v3),
    Migration(
        4, "succession of agencies, deletions and undo",
        "agencies can be dissolved into successors (merged, split) and keep a history of "
        "their names; tasks entered by mistake can be deleted and restored; a change can be "
        "undone, and an import as a whole",
        _v4),
    Migration(
        5, "the office's workflow",
        "an agency can report a task done for the office to confirm, and ask for an "
        "extension; tasks can be key tasks and have a field; recurring tasks and the "
        "office's own holidays are kept",
        _v5),
    Migration(
        6, "key tasks counted from an index",
        "the index that reports count each agency's tasks from holds whether they are key "
        "tasks, so that the status report counts them in the same pass; the tasks with an "
        "extension asked for have an index; the query planner gets statistics of the tables",
        _v6),
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
