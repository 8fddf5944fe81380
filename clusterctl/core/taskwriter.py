"""The one place where tasks and their history are written, by every command and, in bulk, by
imports. A task field is written here and nowhere else.

The caller holds the transaction and has checked the values (see :mod:`clusterctl.core.checks`);
the writer turns them into rows, guards every change with the version it was computed from
(another writer's change in between is a :class:`ConflictError`, never overwritten), and
appends one history entry per change. History is never rewritten.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from clusterctl.core.agencies import Agency
from clusterctl.errors import ConflictError
from clusterctl.i18n import _
from clusterctl.store.db import Database, chunks, utc_now
from clusterctl.text import fold

BATCH = 2000  # rows per executemany, so that a progress bar moves
BULK = 1000  # new tasks from which an empty database is loaded with its indexes set aside

INSERT_HISTORY = (
    "INSERT INTO task_history (task_id, at, actor, action, changes, note, source) "
    "VALUES (:task_id, :at, :actor, :action, :changes, :note, :source)"
)
INSERT_TASK = (
    "INSERT INTO task (directive_id, task_key, title, title_key, lead_id, due, original_due, "
    "status, completed_on, created_at, updated_at, version) VALUES (:directive_id, :key, "
    ":title, :title_key, :lead_id, :due, :original_due, :status, :completed_on, :now, :now, 1)"
)
INSERT_SUPPORT = (
    "INSERT INTO task_support (task_id, agency_id, position) VALUES (:t, :a, :p)"
)
# The task columns a change may set; anything else is a programming error.
COLUMNS = ("title", "title_key", "lead_id", "due", "original_due", "status", "completed_on")


@dataclass(slots=True)
class NewTask:
    directive_id: int
    key: str
    title: str
    lead: Agency
    support: list[Agency]
    due: date | None
    original_due: date | None = None  # None: the due date is the original one
    status: str = "open"
    completed_on: date | None = None
    note: str | None = None


@dataclass(slots=True)
class Entry:
    """One history entry: what was done, the fields it changed (``{field: [old, new]}``)."""

    action: str
    changes: dict
    note: str | None = None


@dataclass(slots=True)
class Change:
    """A change to one task, computed from the task at ``version``."""

    task_id: int
    version: int
    entries: list[Entry]
    columns: dict = field(default_factory=dict)  # task column -> new value
    support: list[Agency] | None = None  # the new supporting agencies; None: unchanged


def _nothing(_count: int) -> None:
    pass


class TaskWriter:
    """Writes tasks for one actor; every row it writes carries the same instant."""

    def __init__(self, db: Database, *, actor: str, source: str | None = None,
                 agency_ids: dict[int, int] | None = None) -> None:
        self.db = db
        self.actor = actor
        self.source = source
        self.now = utc_now()
        # Agencies planned but not yet written have negative ids; here are their real ones.
        self.agency_ids = agency_ids or {}

    def agency_id(self, agency: Agency) -> int:
        return agency.id if agency.id > 0 else self.agency_ids[agency.id]

    def _history(self, task_id: int, action: str, changes: dict | str,
                 note: str | None) -> dict:
        return {"task_id": task_id, "at": self.now, "actor": self.actor, "action": action,
                "changes": changes if changes.__class__ is str else changes_json(changes),
                "note": note, "source": self.source}

    # -- new tasks ----------------------------------------------------------------------
    def add(self, tasks: list[NewTask], progress: Callable[[int], None] = _nothing) -> list[int]:
        """Insert new tasks with their supporters and "created" entries; return their ids."""
        # In SQLite whoever writes may set triggers and indexes aside; on PostgreSQL they
        # are the owner's (an importing admin is not), and stay: its triggers fire once
        # per statement anyway.
        bulk = len(tasks) >= BULK and self.db.dialect == "sqlite"
        rebuild = self._set_indexes_aside() if bulk else []
        rows = [{
            "directive_id": t.directive_id, "key": t.key, "title": t.title,
            "title_key": fold(t.title), "lead_id": self.agency_id(t.lead), "due": t.due,
            "original_due": t.original_due or t.due, "status": t.status,
            "completed_on": t.completed_on, "now": self.now} for t in tasks]
        for batch in _batches(rows):
            self.db.executemany(INSERT_TASK, batch)
            progress(len(batch))
        ids = self._ids_of(rows)
        support, history = [], []
        for task, row, task_id in zip(tasks, rows, ids, strict=True):
            support += [{"t": task_id, "a": self.agency_id(a), "p": i}
                        for i, a in enumerate(task.support)]
            history.append(self._history(task_id, "created", created_json(
                title=task.title, lead=task.lead.code, support=[a.code for a in task.support],
                due=task.due, status=task.status, completed_on=task.completed_on,
                original_due=row["original_due"]), task.note))
        self.db.executemany(INSERT_SUPPORT, support)
        self.db.executemany(INSERT_HISTORY, history)
        for create in rebuild:
            self.db.execute(create)
        return ids

    def _set_indexes_aside(self) -> list[str]:
        """For many tasks at once: the generation triggers are set aside (this transaction
        moves the generation on once, see Database.transaction), and into a database
        without tasks the secondary indexes too, built once at the end (a quarter of a
        10,000-task import). Returns the statements that put them back."""
        from clusterctl.store.schema import secondary_indexes, triggers

        tables = {"task", "task_history", "task_support"}
        found = triggers(self.db, tables)
        if self.db.scalar("SELECT COUNT(*) FROM task") == 0:
            found += secondary_indexes(self.db, tables)
        for name, create in found:
            self.db.execute(f"DROP {create.split()[1]} {name}")
        return [create for _name, create in found]

    def _ids_of(self, rows: list[dict]) -> list[int]:
        """The ids the database gave the rows just inserted, found by (directive, key)."""
        if len(rows) == 1:
            row = rows[0]
            return [self.db.scalar(
                "SELECT id FROM task WHERE directive_id = :d AND task_key = :k",
                {"d": row["directive_id"], "k": row["key"]})]
        found = {}
        for marks, params in chunks(sorted({row["directive_id"] for row in rows})):
            for task_id, directive_id, key in self.db.rows(
                f"SELECT id, directive_id, task_key FROM task WHERE directive_id IN ({marks})",
                params,
            ):
                found[(directive_id, key)] = task_id
        return [found[(row["directive_id"], row["key"])] for row in rows]

    # -- changes ------------------------------------------------------------------------
    def change(self, changes: list[Change], progress: Callable[[int], None] = _nothing) -> None:
        """Apply changes to existing tasks, each only if the task is still at the version it
        was computed from; a change without columns still bumps the version (a note)."""
        groups: dict[tuple, list[dict]] = {}
        for change in changes:
            names = tuple(change.columns)
            if not set(names) <= set(COLUMNS):
                raise ValueError(f"not a task column: {sorted(set(names) - set(COLUMNS))}")
            groups.setdefault(names, []).append(
                {**change.columns, "id": change.task_id, "version": change.version,
                 "now": self.now})
        for names, rows in groups.items():
            assignments = "".join(f"{name} = :{name}, " for name in names)
            sql = (f"UPDATE task SET {assignments}updated_at = :now, version = version + 1 "
                   "WHERE id = :id AND version = :version")
            for batch in _batches(rows):
                if self.db.executemany(sql, batch) != len(batch):
                    raise _conflict(batch)
                progress(len(batch))
        moved = [c for c in changes if c.support is not None]
        self.db.executemany("DELETE FROM task_support WHERE task_id = :id",
                            [{"id": c.task_id} for c in moved])
        self.db.executemany(INSERT_SUPPORT, [
            {"t": c.task_id, "a": self.agency_id(a), "p": i}
            for c in moved for i, a in enumerate(c.support)])
        self.db.executemany(INSERT_HISTORY, [
            self._history(c.task_id, e.action, e.changes, e.note)
            for c in changes for e in c.entries])


def _conflict(batch: list[dict]) -> ConflictError:
    if len(batch) == 1:
        return ConflictError(
            _("task {id} was changed by someone else meanwhile; look at it again with "
              "'clusterctl task show {id}' and retry").format(id=batch[0]["id"]))
    return ConflictError(_("tasks were changed by someone else meanwhile; nothing was "
                           "written; try again"))


def _batches(rows: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


_CHANGES = json.JSONEncoder(ensure_ascii=False)


def changes_json(changes: dict) -> str:
    """A history entry's changes as stored: JSON, in the order the fields were given."""
    return _CHANGES.encode(changes)


def created_json(*, title: str, lead: str, support: list[str], due: date | None,
                 status: str = "open", completed_on: date | None = None,
                 original_due: date | None = None) -> str:
    """The changes of a task's "created" entry, as :func:`changes_json` would write them.

    Written out directly: an import of 100,000 tasks writes 100,000 of these, and the
    generic encoder costs 0.3 s more.
    """
    text = json.encoder.encode_basestring

    def day(value: date | None) -> str:
        return f'"{value.isoformat()}"' if value else "null"

    parts = [f'"title": [null, {text(title)}]', f'"lead": [null, {text(lead)}]',
             f'"support": [null, [{", ".join(map(text, support))}]]',
             f'"due": [null, {day(due)}]']
    if original_due and original_due != due:
        parts.append(f'"original_due": [null, {day(original_due)}]')
    parts.append(f'"status": [null, {text(status)}]')
    if completed_on:
        parts.append(f'"completed_on": [null, {day(completed_on)}]')
    return "{" + ", ".join(parts) + "}"
