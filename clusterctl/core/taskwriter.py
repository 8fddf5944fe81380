"""The one place where tasks and their history are written, by every command and, in bulk, by
imports. A task field is written here and nowhere else.

The caller holds the transaction and has checked the values (see :mod:`clusterctl.core.checks`);
the writer turns them into rows, guards every change with the version it was computed from
(another writer's change in between is a :class:`ConflictError`, never overwritten), and
appends one history entry per change. History is never rewritten.

Every entry has the day it took effect as well as the instant it was recorded. Beside the
task as it is now, the writer keeps the task as it was on every day (``task_state`` and
``task_support_state``): a change that takes effect on day E rewrites the states from E on.
That is sound because a field is never changed with an effect date before that of the field's
latest change (:meth:`TaskWriter.change` refuses it), so every state after E still holds the
value the change replaces.
"""

import json
from collections.abc import Callable, Iterable
from datetime import date
from itertools import islice

from clusterctl.core.agencies import Agency
from clusterctl.errors import ConflictError, InputError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, chunks, utc_now
from clusterctl.store.timeline import (
    FOREVER,
    INSERT_STATE,
    INSERT_SUPPORT_STATE,
    entries_of,
    restate,
    without_undone,
)
from clusterctl.text import fold
from clusterctl.words import day, field_name

BATCH = 2000  # rows per executemany, so that a progress bar moves
BULK = 1000  # new tasks from which an empty database is loaded with its indexes set aside

INSERT_HISTORY = (
    "INSERT INTO task_history (task_id, at, effective, actor, action, changes, note, source, "
    "undoes) VALUES (:task_id, :at, :effective, :actor, :action, :changes, :note, :source, "
    ":undoes)"
)
INSERT_TASK = (
    "INSERT INTO task (directive_id, task_key, title, title_key, lead_id, due, original_due, "
    "status, completed_on, assigned_on, created_at, updated_at, version, priority, field, "
    "series_id) VALUES (:directive_id, :key, :title, :title_key, :lead_id, :due, :original_due, "
    ":status, :completed_on, :assigned_on, :now, :now, 1, :priority, :field, :series_id)"
)
INSERT_SUPPORT = (
    "INSERT INTO task_support (task_id, agency_id, position) VALUES (:t, :a, :p)"
)
# The task columns a change may set; anything else is a programming error.
COLUMNS = ("title", "title_key", "lead_id", "due", "original_due", "status", "completed_on",
           "task_key", "deleted_on", "priority", "field", "evidence", "requested_due",
           "series_id")
# The columns of the task as it was on each day that each field of a history entry sets
# ("support" is a table of its own; a key, a deletion, whether it is a key task, its field,
# the evidence of a report and an extension asked for are not part of a task's past).
FIELD_COLUMNS = {"title": ("title", "title_key"), "lead": ("lead_id",), "due": ("due",),
                 "original_due": ("original_due",), "status": ("status",),
                 "completed_on": ("completed_on",), "support": (), "key": (), "deleted": (),
                 "priority": (), "field": (), "evidence": (), "requested_due": (),
                 "series": ()}


# The records below are plain classes with slots: defining a dataclass costs every command
# that loads this module most of a millisecond each.


class NewTask:
    """A task to add: its directive, key, title and agencies, and what an import or a
    command gives it besides."""

    __slots__ = ("assigned_on", "completed_on", "directive_id", "due", "field", "issued",
                 "key", "lead", "note", "original_due", "priority", "series_id", "status",
                 "support", "title")

    def __init__(self, directive_id: int, key: str, title: str, lead: Agency,
                 support: list[Agency], due: date | None, original_due: date | None = None,
                 status: str = "open", completed_on: date | None = None,
                 note: str | None = None, *, assigned_on: date | None = None,
                 issued: date | None = None, priority: bool = False, field: str | None = None,
                 series_id: int | None = None) -> None:
        self.directive_id = directive_id
        self.key = key
        self.title = title
        self.lead = lead
        self.support = support
        self.due = due
        self.original_due = original_due  # None: the due date is the original one
        self.status = status
        self.completed_on = completed_on
        self.note = note
        self.assigned_on = assigned_on  # None: the directive's issue date, given as issued
        self.issued = issued
        self.priority = priority  # a key task (trọng tâm)
        self.field = field  # None: none (the caller gives the directive's division)
        self.series_id = series_id  # an occurrence of this recurring series


class Entry:
    """One history entry: what was done, the fields it changed (``{field: [old, new]}``),
    and the day it took effect."""

    __slots__ = ("action", "changes", "effective", "note", "undoes")

    def __init__(self, action: str, changes: dict, note: str | None = None,
                 effective: date | None = None, undoes: int | None = None) -> None:
        self.action = action
        self.changes = changes
        self.note = note
        self.effective = effective  # None: the writer's today
        self.undoes = undoes  # the id of the entry this one undoes

    def __repr__(self) -> str:
        return f"Entry({self.action!r}, {self.changes!r}, effective={self.effective!r})"


class Change:
    """A change to one task, computed from the task at ``version``."""

    __slots__ = ("columns", "entries", "support", "task_id", "version")

    def __init__(self, task_id: int, version: int, entries: list[Entry],
                 columns: dict | None = None, support: list[Agency] | None = None) -> None:
        self.task_id = task_id
        self.version = version
        self.entries = entries
        self.columns = columns if columns is not None else {}  # task column -> new value
        self.support = support  # the new supporting agencies; None: unchanged

    def __repr__(self) -> str:
        return f"Change({self.task_id!r}, {self.version!r}, {self.entries!r}, {self.columns!r})"


def _nothing(_count: int) -> None:
    pass


class TaskWriter:
    """Writes tasks for one actor; every row it writes carries the same instant."""

    def __init__(self, db: Database, *, actor: str, today: date, source: str | None = None,
                 agency_ids: dict[int, int] | None = None, clamp: bool = False) -> None:
        self.db = db
        self.actor = actor
        self.source = source
        self.today = today
        # An import moves a change dated before a later change of the same field to that
        # later day; a command refuses it (see _check_order).
        self.clamp = clamp
        self.now = utc_now()
        # Agencies planned but not yet written have negative ids; here are their real ones.
        self.agency_ids = agency_ids or {}

    def agency_id(self, agency: Agency) -> int:
        return agency.id if agency.id > 0 else self.agency_ids[agency.id]

    def _history(self, task_id: int, action: str, changes: dict | str,
                 note: str | None, effective: date, undoes: int | None = None) -> dict:
        return {"task_id": task_id, "at": self.now, "effective": effective,
                "actor": self.actor, "action": action,
                "changes": changes if changes.__class__ is str else changes_json(changes),
                "note": note, "source": self.source, "undoes": undoes}

    # -- new tasks ----------------------------------------------------------------------
    def add(self, tasks: Iterable[NewTask], progress: Callable[[int], None] = _nothing, *,
            total: int | None = None) -> list[int]:
        """Insert new tasks with their supporters and "created" entries; return their ids.
        ``tasks`` may be made as they are written (an import's 100,000 are never all held),
        ``total`` of them."""
        if total is None:
            tasks = list(tasks)
            total = len(tasks)
        # In SQLite whoever writes may set triggers and indexes aside; on PostgreSQL they
        # are the owner's (an importing admin is not), and stay: its triggers fire once
        # per statement anyway.
        bulk = total >= BULK and self.db.dialect == "sqlite"
        rebuild = self._set_indexes_aside() if bulk else []
        ids = []
        pending = iter(tasks)
        while batch := list(islice(pending, BATCH)):  # one batch's rows at a time are held
            ids += self._add_batch(batch)
            progress(len(batch))
        for create in rebuild:
            self.db.execute(create)
        return ids

    def _add_batch(self, tasks: list[NewTask]) -> list[int]:
        rows = [{
            "directive_id": t.directive_id, "key": t.key, "title": t.title,
            "title_key": fold(t.title), "lead_id": self.agency_id(t.lead), "due": t.due,
            "original_due": t.original_due or t.due, "status": t.status,
            "completed_on": t.completed_on, "assigned_on": t.assigned_on or t.issued,
            "now": self.now, "priority": bool(t.priority), "field": t.field,
            "series_id": t.series_id} for t in tasks]
        self.db.executemany(INSERT_TASK, rows)
        ids = self._ids_of(rows)
        support, history, states, support_states = [], [], [], []
        for task, row, task_id in zip(tasks, rows, ids, strict=True):
            assigned_on = row["assigned_on"]
            for i, a in enumerate(task.support):
                support.append({"t": task_id, "a": self.agency_id(a), "p": i})
                support_states.append({"t": task_id, "a": self.agency_id(a), "p": i,
                                       "e": assigned_on, "to": FOREVER})
            history.append(self._history(task_id, "created", created_json(
                title=task.title, lead=task.lead.code, support=[a.code for a in task.support],
                due=task.due, status=task.status, completed_on=task.completed_on,
                original_due=row["original_due"], priority=task.priority, field=task.field),
                task.note, assigned_on))
            states += initial_states(task_id, row)
        self.db.executemany(INSERT_SUPPORT, support)
        self.db.executemany(INSERT_HISTORY, history)
        self.db.executemany(INSERT_STATE, states)
        self.db.executemany(INSERT_SUPPORT_STATE, support_states)
        return ids

    def _set_indexes_aside(self) -> list[str]:
        """For many tasks at once: the generation triggers are set aside (this transaction
        moves the generation on once, see Database.transaction), and into a database
        without tasks the secondary indexes too, built once at the end (a quarter of a
        10,000-task import). Returns the statements that put them back."""
        from clusterctl.store.schema import secondary_indexes, triggers

        tables = {"task", "task_history", "task_support", "task_state", "task_support_state"}
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
        for change in changes:
            for entry in change.entries:
                entry.effective = entry.effective or self.today
        self._check_order(changes)
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
            self._history(c.task_id, e.action, e.changes, e.note, e.effective, e.undoes)
            for c in changes for e in c.entries])
        self._restate(changes)

    def move_assignments(self, moves: list[tuple[int, date, date]]) -> None:
        """A directive's issue date corrected from ``old`` to ``issued`` (by an import): its
        tasks assigned by it (on the old date), or dated before the new one, take effect on
        the new date, and their past is written anew from their history."""
        ids, history = [], []
        for directive_id, old, issued in moves:
            moved = self.db.rows(
                "SELECT id, assigned_on FROM task WHERE directive_id = :d AND (assigned_on = "
                ":old OR assigned_on < :issued)", {"d": directive_id, "old": old,
                                                   "issued": issued})
            for marks, chunk in chunks([task_id for task_id, _on in moved]):
                self.db.execute(f"UPDATE task SET assigned_on = :issued, updated_at = :now, "
                                f"version = version + 1 WHERE id IN ({marks})",
                                {**chunk, "issued": issued, "now": self.now})
            ids += [task_id for task_id, _on in moved]
            # Recorded in each task's history, as every change to a task is.
            history += [self._history(task_id, "import", {"assigned_on": [
                str(as_date(on)), issued.isoformat()]}, None, issued)
                for task_id, on in moved]
        self.db.executemany(INSERT_HISTORY, history)
        if ids:
            restate(self.db, sorted(ids))

    def adopt(self, series_id: int, directive_id: int, key: str) -> int:
        """Make the tasks ``KEY/PERIOD`` of a directive that belong to no series the
        occurrences of the series ``series_id`` (an import of an export: the occurrences
        come before their series); returns how many."""
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params = {"s": series_id, "d": directive_id, "prefix": escaped + "/%"}
        found = [task_id for (task_id,) in self.db.rows(
            "SELECT id FROM task WHERE directive_id = :d AND series_id IS NULL "
            "AND task_key LIKE :prefix ESCAPE '\\'", params)]
        if found:
            self.db.execute(
                "UPDATE task SET series_id = :s, updated_at = :now, version = version + 1 "
                "WHERE directive_id = :d AND series_id IS NULL AND task_key LIKE :prefix "
                "ESCAPE '\\'", {**params, "now": self.now})
            self.db.executemany(INSERT_HISTORY, [
                self._history(task_id, "series", {"series": [None, key]}, None, self.today)
                for task_id in found])
        return len(found)

    def remove(self, task_ids: list[int], run: int) -> None:
        """Remove tasks with every row of theirs, history included: only the tasks the
        import ``run`` added, which it undoes, untouched since, with no life of their own.
        On PostgreSQL a function of the owner's does it, which removes nothing else: nobody
        may delete a task or its history otherwise."""
        if self.db.dialect == "postgresql":
            if task_ids:
                self.db.execute("SELECT clusterctl_remove_import_tasks(:run)", {"run": run})
            return
        for marks, chunk in chunks(task_ids):
            for table in ("task_support_state", "task_state", "task_support", "import_base",
                          "task_history"):
                self.db.execute(f"DELETE FROM {table} WHERE task_id IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM task WHERE id IN ({marks})", chunk)

    # -- the task as it was on each day ---------------------------------------------------
    def _check_order(self, changes: list[Change]) -> None:
        """Refuse (or, for an import, move later) a change dated before the task took effect,
        after today, or before a later-dated change of one of its fields: the states after
        it would otherwise be wrong, and the task as it is now would not be the last of
        them."""
        dated = [c for c in changes if any(e.effective < self.today for e in c.entries)]
        if not dated:
            return  # changes dated today: no later change exists (none is in the future)
        rows: dict[int, list[tuple]] = {}
        assigned: dict[int, date] = {}
        for marks, params in chunks(sorted({c.task_id for c in dated})):
            for task_id, *row in self.db.rows(
                f"SELECT task_id, id, effective, action, changes, undoes FROM task_history "
                f"WHERE task_id IN ({marks}) ORDER BY id", params,
            ):
                rows.setdefault(task_id, []).append(tuple(row))
            for task_id, assigned_on in self.db.rows(
                    f"SELECT id, assigned_on FROM task WHERE id IN ({marks})", params):
                assigned[task_id] = as_date(assigned_on)
        # Each earlier change as the history has it now (a corrected completion moved to its
        # new date): its effect date and the fields it set.
        later: dict[int, list[tuple]] = {}
        for task_id, task_rows in rows.items():  # a change and its undo cancel out
            later[task_id] = [
                (effective or assigned[task_id],
                 set(changed) | ({EXTENSION} if action in EXTENSIONS else set()))
                for effective, _order, action, changed in entries_of(without_undone(task_rows))]
        for change in dated:
            history = later.get(change.task_id, [])
            assigned_on = assigned.get(change.task_id)
            for entry in change.entries:
                if entry.effective > self.today:
                    raise InputError(_("{on} is in the future; a change takes effect today or "
                                       "earlier").format(on=day(entry.effective)))
                if assigned_on and entry.effective < assigned_on:
                    if self.clamp:
                        entry.effective = assigned_on
                    else:
                        raise InputError(_(
                            "task {id} was assigned on {assigned}; a change to it cannot take "
                            "effect on {on}, before that").format(
                            id=change.task_id, assigned=day(assigned_on),
                            on=day(entry.effective)))
                fields = _bound(entry)
                # A corrected completion date replaces the completion it corrects.
                replaced = _redated(entry)
                clash = max((on for on, changed in history
                             if on > entry.effective and changed & fields and on != replaced),
                            default=None)
                if clash is None:
                    continue
                if self.clamp:
                    entry.effective = clash
                    continue
                clashing = fields & set().union(
                    *(changed for on, changed in history if on == clash))
                if clashing == {EXTENSION}:
                    raise InputError(_(
                        "task {id} was extended with effect from {clash}, as a task still to "
                        "do; it cannot be done or cancelled on {on}, before that: date it "
                        "{clash} or later").format(id=change.task_id, clash=day(clash),
                                                   on=day(entry.effective)))
                names = ", ".join(sorted(field_name(f) for f in clashing - {EXTENSION}))
                raise InputError(_(
                    "task {id}: its {fields} changed with effect from {clash}, after {on}; a "
                    "change dated earlier would be undone by it: date it {clash} or later, "
                    "or see 'clusterctl task show {id}'").format(
                    id=change.task_id, fields=names, clash=day(clash), on=day(entry.effective)))

    def _restate(self, changes: list[Change]) -> None:
        """Rewrite the states from each entry's effect date on with the values it sets."""
        splits: list[list[dict]] = []  # rounds in which each task's state is split once
        rounds: dict[int, int] = {}  # task -> the rounds it is split in so far
        seen: set[tuple] = set()
        updates: dict[tuple, list[dict]] = {}
        moved: list[tuple[Change, date]] = []
        for change in changes:
            for entry in change.entries:
                columns = [c for f in entry.changes for c in FIELD_COLUMNS[f]]
                if "support" in entry.changes and change.support is not None:
                    moved.append((change, entry.effective))
                if not columns:
                    continue
                point = (change.task_id, entry.effective)
                if point not in seen:
                    seen.add(point)
                    number = rounds.get(change.task_id, 0)
                    rounds[change.task_id] = number + 1
                    if number == len(splits):
                        splits.append([])
                    splits[number].append({"id": change.task_id, "e": entry.effective})
                names = tuple(sorted(columns))
                updates.setdefault(names, []).append(
                    {**{c: change.columns[c] for c in names}, "id": change.task_id,
                     "e": entry.effective})
        for round_ in splits:
            self.db.executemany(
                "INSERT INTO task_state (task_id, valid_from, valid_to, title, title_key, "
                "lead_id, due, original_due, status, completed_on) SELECT task_id, :e, valid_to, "
                "title, title_key, lead_id, due, original_due, status, completed_on FROM "
                "task_state WHERE task_id = :id AND valid_from < :e AND valid_to > :e", round_)
            self.db.executemany(
                "UPDATE task_state SET valid_to = :e WHERE task_id = :id AND valid_from < :e "
                "AND valid_to > :e", round_)
        for names, rows in updates.items():
            assignments = ", ".join(f"{name} = :{name}" for name in names)
            self.db.executemany(f"UPDATE task_state SET {assignments} WHERE task_id = :id "
                                "AND valid_from >= :e", rows)
        for change, effective in moved:
            params = {"id": change.task_id, "e": effective}
            self.db.execute("DELETE FROM task_support_state WHERE task_id = :id "
                            "AND valid_from >= :e", params)
            self.db.execute("UPDATE task_support_state SET valid_to = :e WHERE task_id = :id "
                            "AND valid_to > :e", params)
            self.db.executemany(INSERT_SUPPORT_STATE, [
                {"t": change.task_id, "a": self.agency_id(a), "p": i, "e": effective,
                 "to": FOREVER} for i, a in enumerate(change.support)])

        redated = sorted({c.task_id for c in changes for e in c.entries if _redated(e)})
        if redated:  # a completion moved: the task's past is written anew from its history
            restate(self.db, redated)


EXTENSION = "extension"  # a history entry's mark: an extension, made on a task still to do
EXTENSIONS = ("extend", "approve-extension")  # the actions that extend a task


# Fields of a task that are not part of its past (task_state): a change of one may come
# before a later-dated change of it without making any day's state wrong.
_NOT_DATED = frozenset({"priority", "field", "evidence", "requested_due", "series"})


def _bound(entry: Entry) -> set[str]:
    """The fields whose later-dated changes a change must not come before: its own, and
    those bound to them. A lead never supports its own task, so lead and supporters go
    together; a task done or cancelled before an extension dated later would have been
    extended when no longer to do."""
    fields = set(entry.changes) - _NOT_DATED
    if fields & {"lead", "support"}:
        fields |= {"lead", "support"}
    if entry.changes.get("status", [None, None])[1] in ("done", "cancelled"):
        fields.add(EXTENSION)
    return fields


def _redated(entry: Entry) -> date | None:
    """The completion date a correction of it replaces, if ``entry`` is one: a done task's
    completion date changed, its status not."""
    old, new = entry.changes.get("completed_on", (None, None))
    if old is None or new is None or "status" in entry.changes:
        return None
    return as_date(old)


def initial_states(task_id: int, row: dict) -> list[dict]:
    """The states of a new task: as given from the day it took effect; a task created done
    (by an import) was open until its completion date."""
    state = {"id": task_id, "valid_from": row["assigned_on"], "valid_to": FOREVER,
             "title": row["title"], "title_key": row["title_key"], "lead_id": row["lead_id"],
             "due": row["due"], "original_due": row["original_due"], "status": row["status"],
             "completed_on": row["completed_on"]}
    completed_on = row["completed_on"]
    if row["status"] != "done" or not completed_on or completed_on <= row["assigned_on"]:
        return [state]
    return [{**state, "valid_to": completed_on, "status": "open", "completed_on": None},
            {**state, "valid_from": completed_on}]


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
                 original_due: date | None = None, priority: bool = False,
                 field: str | None = None) -> str:
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
    if priority:
        parts.append('"priority": [null, true]')
    if field:
        parts.append(f'"field": [null, {text(field)}]')
    return "{" + ", ".join(parts) + "}"
