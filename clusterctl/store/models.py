"""The schema, defined once with SQLModel. Importing this module loads SQLAlchemy (~0.4 s):
only migrations and non-SQLite databases do.

A new SQLite database is created from ``sqlite_schema.sql``, these models compiled for
SQLite, so that the first command of a new office does not pay for SQLAlchemy. After changing
a model, regenerate it with ``python -m clusterctl.store.models``; a test fails until then.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    """Key-value facts about the database itself, such as its schema version."""

    __tablename__ = "clusterctl_meta"
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1000)


class Agency(SQLModel, table=True):
    __tablename__ = "agency"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    code_key: str = Field(max_length=64, unique=True)  # casefolded code
    name: str = Field(max_length=500)
    name_key: str = Field(max_length=500)  # folded name, for matching
    created_at: datetime
    updated_at: datetime
    # The day it ceased to exist (merged, split, abolished); its successors carry on its
    # tasks from that day (agency_successor).
    dissolved_on: date | None = None


class AgencyAlias(SQLModel, table=True):
    __tablename__ = "agency_alias"
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, ondelete="CASCADE")
    alias: str = Field(primary_key=True, max_length=500)
    alias_key: str = Field(max_length=500, index=True)


class AgencySuccessor(SQLModel, table=True):
    """The agencies that carry on a dissolved agency's tasks: one for a merger, several for
    a split."""

    __tablename__ = "agency_successor"
    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    successor_id: int = Field(foreign_key="agency.id", primary_key=True, index=True)
    position: int = 0


class RecordHistory(SQLModel, table=True):
    """Append-only: one row per change to an agency (renamed, merged, split, corrected) or a
    directive (corrected), as ``task_history`` keeps the tasks'."""

    __tablename__ = "record_history"
    __table_args__ = (Index("ix_record_history_record", "kind", "record_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # agency | directive
    record_id: int
    at: datetime
    effective: date
    actor: str = Field(max_length=200)
    action: str = Field(max_length=32)
    changes: str = Field(default="{}")  # JSON: {"field": [old, new]}
    note: str | None = None  # the legal basis of a reorganisation
    source: str | None = Field(default=None, max_length=1000)


class ImportRun(SQLModel, table=True):
    """Each import that wrote something, with what ``import --undo`` needs to revert it."""

    __tablename__ = "import_run"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime  # the instant its rows carry
    actor: str = Field(max_length=200)
    source: str | None = Field(default=None, max_length=1000)
    undo: str = Field(default="{}")  # JSON: what it added, and what it replaced
    undone_at: datetime | None = None
    undone_by: str | None = Field(default=None, max_length=200)


class Directive(SQLModel, table=True):
    __tablename__ = "directive"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=200)
    number_key: str = Field(max_length=200, unique=True)  # casefolded number
    issued: date
    issuer: str = Field(default="", max_length=500)
    title: str = Field(max_length=4000)
    created_at: datetime
    updated_at: datetime


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("directive_id", "task_key", name="uq_task_directive_key"),
        # Every timeliness predicate reads status, due and completed_on: with them in the
        # index, counts per agency (and of its key tasks apart) never read the table itself.
        Index("ix_task_lead_priority_status", "lead_id", "priority", "status", "due",
              "completed_on"),
        Index("ix_task_status_due", "status", "due", "completed_on", "lead_id"),
        Index("ix_task_deleted_on", "deleted_on"),
        Index("ix_task_series_id", "series_id"),
        # The few tasks that take effect after a day (occurrences of recurring tasks made
        # ahead) are left out of that day's reports.
        Index("ix_task_assigned_on", "assigned_on"),
        # The few tasks with an extension asked for (the weekly summary lists them).
        Index("ix_task_requested_due", "requested_due",
              sqlite_where=text("requested_due IS NOT NULL"),
              postgresql_where=text("requested_due IS NOT NULL")),
        # SQLite keeps dates as text, and every report compares them as text: only ISO
        # dates may be stored, whichever program writes them (PostgreSQL has a DATE type).
        *(CheckConstraint(f"{column} IS NULL OR {column} GLOB "
                          "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'",
                          name=f"ck_task_{column}_iso").ddl_if(dialect="sqlite")
          for column in ("due", "original_due", "completed_on", "requested_due")),
        CheckConstraint("version >= 1", name="ck_task_version"),
    )
    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id")
    task_key: str = Field(max_length=64)
    title: str = Field(max_length=4000)
    title_key: str = Field(max_length=4000)  # folded title, for --search
    lead_id: int = Field(foreign_key="agency.id")
    due: date | None = None
    original_due: date | None = None
    status: str = Field(max_length=16)  # open | in_progress | done | cancelled
    completed_on: date | None = None
    assigned_on: date  # the day the task took effect: its directive's issue date, or later
    created_at: datetime
    updated_at: datetime
    version: int = 1  # bumped by every change; guards against lost updates
    deleted_on: date | None = None  # entered by mistake: in no list or report (task restore)
    # A key task (nhiệm vụ trọng tâm), counted apart. Defaulted by the database too, for
    # programs that insert tasks without it.
    priority: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The field (lĩnh vực): by default the Office division in the directive's number
    # (2029/UBND-KTTH -> KTTH).
    field: str | None = Field(default=None, max_length=64)
    # The output document an agency cited when it reported the task done: while the task
    # awaits the office's confirmation (status "reported"), and once confirmed.
    evidence: str | None = Field(default=None, max_length=1000)
    # The due date an agency asked for, until the request is approved or rejected.
    requested_due: date | None = None
    # The recurring series this task is an occurrence of.
    series_id: int | None = Field(default=None, foreign_key="task_series.id")


class TaskSeries(SQLModel, table=True):
    """A recurring assignment ("hằng tháng, trước ngày 25"): each occurrence is a task of its
    own, keyed ``KEY/PERIOD`` (``5/2024-03``), made from what is here."""

    __tablename__ = "task_series"
    __table_args__ = (UniqueConstraint("directive_id", "series_key",
                                       name="uq_task_series_directive_key"),)
    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id")
    series_key: str = Field(max_length=64)
    rule: str = Field(max_length=500)  # RFC 5545 RRULE
    rule_text: str = Field(max_length=500)  # as the directive wrote it
    starts: date
    until: date | None = None  # None: open-ended
    # The occurrences exist for every as-of date up to this one (one period beyond it).
    covered_to: date
    title: str = Field(max_length=4000)
    lead_id: int = Field(foreign_key="agency.id")
    support: str = Field(default="[]")  # JSON: the supporting agencies' ids
    priority: bool = False
    field: str | None = Field(default=None, max_length=64)
    created_at: datetime
    updated_at: datetime
    version: int = 1


class Setting(SQLModel, table=True):
    """The office's settings, such as the most extensions a task may have."""

    __tablename__ = "setting"
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1000)
    updated_at: datetime
    updated_by: str = Field(max_length=200)


class OfficeHoliday(SQLModel, table=True):
    """A day the office adds to the shipped holiday table: a day off, or a working day (a
    make-up Saturday)."""

    __tablename__ = "office_holiday"
    day: date = Field(primary_key=True)
    working: bool = False
    name: str = Field(max_length=500)
    source: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    actor: str = Field(max_length=200)


class TaskSupport(SQLModel, table=True):
    __tablename__ = "task_support"
    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, index=True)
    position: int = 0


class TaskHistory(SQLModel, table=True):
    """Append-only: one row per change to a task, never updated or deleted."""

    __tablename__ = "task_history"
    __table_args__ = (Index("ix_task_history_effective", "effective", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    at: datetime  # UTC: when the change was recorded
    effective: date  # the day it took effect, in the office's time zone (never after ``at``)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=32)
    changes: str = Field(default="{}")  # JSON: {"field": [old, new]}
    note: str | None = None
    source: str | None = Field(default=None, max_length=1000)  # e.g. the imported file
    undoes: int | None = None  # the entry this one undoes (task undo)


class TaskState(SQLModel, table=True):
    """What a task was from ``valid_from`` up to the day before ``valid_to``
    ('9999-12-31' for the state it is in now): the task's history laid out by effective
    date, so that a report as of a past day reads the register as it stood at the end of
    it. Derived from ``task_history``, kept by the one writer of tasks."""

    __tablename__ = "task_state"
    __table_args__ = (
        # A past report reads the states that ended after its day (valid_to), and skips, in
        # the tasks as they are, those that changed after it (valid_from).
        Index("ix_task_state_valid", "valid_to", "valid_from"),
        Index("ix_task_state_from", "valid_from", "task_id"),
    )
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    valid_from: date = Field(primary_key=True)
    valid_to: date
    title: str = Field(max_length=4000)
    title_key: str = Field(max_length=4000)
    lead_id: int = Field(foreign_key="agency.id")
    due: date | None = None
    original_due: date | None = None
    status: str = Field(max_length=16)
    completed_on: date | None = None


class TaskSupportState(SQLModel, table=True):
    """The supporting agencies a task had from ``valid_from`` up to the day before
    ``valid_to``, as :class:`TaskState` keeps the rest."""

    __tablename__ = "task_support_state"
    __table_args__ = (Index("ix_task_support_state_from", "valid_from", "task_id"),
                      Index("ix_task_support_state_to", "valid_to", "task_id"))
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, index=True)
    valid_from: date = Field(primary_key=True)
    valid_to: date
    position: int = 0


class ImportBase(SQLModel, table=True):
    """What the import files last said of each task they give, field by field (JSON): the
    common ancestor of a three-way re-import, so that a file never undoes a staff change."""

    __tablename__ = "import_base"
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    said: str = Field(default="{}")
    source: str | None = Field(default=None, max_length=1000)


def ddl_statements(dialect) -> list[str]:
    """CREATE TABLE, CREATE INDEX and CREATE TRIGGER statements for ``dialect``, in
    dependency order."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    statements = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    from clusterctl.store.triggers import generation_triggers

    return statements + generation_triggers(dialect.name)


def sqlite_ddl() -> str:
    """The statements that create the schema in SQLite, as ``sqlite_schema.sql`` holds them."""
    from sqlalchemy.dialects import sqlite

    return "".join(f"{statement};\n\n" for statement in ddl_statements(sqlite.dialect()))


def postgres_ddl() -> str:
    """The statements that create the schema in PostgreSQL, as ``postgres_schema.sql``
    holds them. Text compares byte by byte (collation "C"), as in SQLite, so that lists sort
    alike on both engines whatever the server's locale."""
    from sqlalchemy import String
    from sqlalchemy.dialects import postgresql

    # SQLite stores any length; here the two columns whose text clusterctl does not bound
    # (the import's bookmark, the list of imported files) are unbounded as well.
    unbounded = {("clusterctl_meta", "value"), ("task_history", "source"),
                 ("import_base", "source"), ("record_history", "source"),
                 ("import_run", "source")}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(getattr(column.type, "impl", column.type), String):
                length = None if (table.name, column.name) in unbounded else column.type.length
                column.type = String(length, collation="C")
    return "".join(f"{statement};\n\n" for statement in ddl_statements(postgresql.dialect()))


if __name__ == "__main__":
    from clusterctl.store.postgres import POSTGRES_SCHEMA
    from clusterctl.store.schema import SQLITE_SCHEMA

    SQLITE_SCHEMA.write_text(sqlite_ddl(), encoding="utf-8")
    print(f"wrote {SQLITE_SCHEMA}")
    POSTGRES_SCHEMA.write_text(postgres_ddl(), encoding="utf-8")
    print(f"wrote {POSTGRES_SCHEMA}")
