"""Changing tasks: add one, start, complete, reopen, cancel, extend, correct, note, delete
one entered by mistake and restore it, undo the latest change.

Each function checks its input and the rules (:mod:`clusterctl.core.checks`), works out the
change inside one write transaction, and hands it to the one writer of tasks
(:mod:`clusterctl.core.taskwriter`).
"""

import json
from datetime import date

from clusterctl.core.agencies import Agency, AgencyMatcher, any_dissolved, load_agencies
from clusterctl.core.checks import (
    check_completion,
    check_due,
    check_key,
    check_note,
    check_title,
)
from clusterctl.core.directives import find_directive
from clusterctl.core.queries import agencies_of
from clusterctl.core.taskwriter import Change, Entry, NewTask, TaskWriter
from clusterctl.errors import ConflictError, InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, iso_date
from clusterctl.text import fold
from clusterctl.words import day

ACTIVE = ("open", "in_progress")
ACTIONS = {  # action: (the statuses it applies to, the status it leads to)
    "start": (("open",), "in_progress"),
    # The office may complete or cancel a task an agency reported done, directly.
    "done": ((*ACTIVE, "reported"), "done"),
    "reopen": (("done", "cancelled", "in_progress"), "open"),
    "cancel": ((*ACTIVE, "reported"), "cancelled"),
}


def next_key(db: Database, directive_id: int) -> str:
    """The next free number among a directive's task keys."""
    keys = db.rows("SELECT task_key FROM task WHERE directive_id = :d UNION ALL "
                   "SELECT series_key FROM task_series WHERE directive_id = :d",
                   {"d": directive_id})
    # An occurrence of a recurring task (5/2024-03) holds its series' key.
    stems = [k.partition("/")[0] for (k,) in keys]
    numbers = [int(k) for k in stems if k.isascii() and k.isdigit()]
    return str(max(numbers, default=0) + 1)


def resolve_agencies(
    matcher: AgencyMatcher, lead: str, support: list[str]
) -> tuple[Agency, list[Agency]]:
    """The lead and supporting agencies that ``lead`` and ``support`` name."""
    lead_agency = matcher.find(lead)
    supporters: list[Agency] = []
    for text in support:
        agency = matcher.find(text)
        if agency.id == lead_agency.id:
            raise InputError(
                _("{code} cannot both lead and support the same task").format(code=agency.code)
            )
        if agency not in supporters:
            supporters.append(agency)
    return lead_agency, supporters


def _optional_note(note: str | None) -> str | None:
    return None if note is None else check_note(note)


def _check_on(on: date, today: date) -> None:
    """An effect date is today or earlier: nobody records what has not happened yet."""
    if on > today:
        raise InputError(_("{on} is in the future; a change takes effect today or "
                           "earlier").format(on=day(on)))


def add_task(
    db: Database, *, directive: str, lead: str, support: list[str], due: date | None,
    key: str | None, title: str, actor: str, today: date, note: str | None = None,
    on: date | None = None, priority: bool = False, field: str | None = None,
) -> int:
    """Add a task to a directive and return its id. It takes effect on the directive's issue
    date (it was assigned by it), or ``on``, for a later assignment."""
    from clusterctl.core.fields import check_field, division

    title = check_title(title)
    key = check_key(key) if key is not None else None
    note = _optional_note(note)
    field = check_field(field) if field is not None else None
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            found = find_directive(db, directive)
            check_due(due, found.issued)
            if on is not None:
                _check_on(on, today)
                if on < found.issued:
                    raise InputError(_(
                        "directive {number} was issued on {issued}; a task of it cannot be "
                        "assigned on {on}, before that").format(
                        number=found.number, issued=day(found.issued), on=day(on)))
            lead_agency, supporters = resolve_agencies(
                AgencyMatcher(load_agencies(db)), lead, support
            )
            for agency in (lead_agency, *supporters):  # new work for agencies that exist
                agency.check_active(on or found.issued)
            if key is not None:
                from clusterctl.core.seriesdue import check_free_key

                check_free_key(db, found.id, key)
            if key is None:
                key = next_key(db, found.id)
            elif db.scalar(
                "SELECT id FROM task WHERE directive_id = :d AND task_key = :k",
                {"d": found.id, "k": key},
            ) is not None:
                raise InputError(
                    _("directive {number} already has a task {key!r}").format(
                        number=found.number, key=key)
                )
            new = NewTask(found.id, key, title, lead_agency, supporters, due, note=note,
                          assigned_on=on, issued=found.issued, priority=priority,
                          field=field or division(found.number))
            task_id = TaskWriter(db, actor=actor, today=today).add([new])[0]
            _carry_on(db, task_id, actor, today)
            return task_id


class Current:
    """The fields of a task that changes read and compare. (A plain class: see
    :class:`clusterctl.core.taskwriter.NewTask`.)"""

    __slots__ = ("assigned_on", "completed_on", "deleted_on", "directive_id", "due",
                 "evidence", "field", "id", "issued", "key", "lead_id", "original_due",
                 "priority", "requested_due", "status", "title", "version")

    def __init__(self, id: int, title: str, lead_id: int, due: date | None,
                 original_due: date | None, status: str, completed_on: date | None,
                 version: int, issued: date, directive_id: int, key: str, assigned_on: date,
                 deleted_on: date | None, priority: bool = False, field: str | None = None,
                 evidence: str | None = None, requested_due: date | None = None) -> None:
        self.id = id
        self.title = title
        self.lead_id = lead_id
        self.due = due
        self.original_due = original_due
        self.status = status
        self.completed_on = completed_on
        self.version = version
        self.issued = issued  # the directive's issue date
        self.directive_id = directive_id
        self.key = key
        self.assigned_on = assigned_on
        self.deleted_on = deleted_on  # entered by mistake: changed by nothing but a restore
        self.priority = priority
        self.field = field
        self.evidence = evidence  # the output document of a reported completion
        self.requested_due = requested_due  # an extension asked for, not yet decided

    def change(self, entry: Entry, columns: dict | None = None,
               support: list[Agency] | None = None) -> Change:
        """The change ``entry`` makes (it takes effect on ``entry.effective``)."""
        return Change(self.id, self.version, [entry], columns or {}, support)


def _current(db: Database, task_id: int, expect_version: int | None = None, *,
             deleted_ok: bool = False) -> Current:
    """The task as it is now. A deleted task is refused unless ``deleted_ok`` (a restore,
    an undo): it is in no list, and nobody should go on working on it unnoticed."""
    row = db.row(
        "SELECT t.id, t.title, t.lead_id, t.due, t.original_due, t.status, t.completed_on, "
        "t.version, d.issued, t.directive_id, t.task_key, t.assigned_on, t.deleted_on, "
        "t.priority, t.field, t.evidence, t.requested_due "
        "FROM task t JOIN directive d ON d.id = t.directive_id WHERE t.id = :id",
        {"id": task_id},
    )
    if row is None:
        raise NotFoundError(_("no task with id {id}").format(id=task_id))
    current = Current(row[0], row[1], row[2], as_date(row[3]), as_date(row[4]), row[5],
                      as_date(row[6]), row[7], as_date(row[8]), row[9], row[10],
                      as_date(row[11]), as_date(row[12]), bool(row[13]), row[14], row[15],
                      as_date(row[16]))
    if current.deleted_on is not None and not deleted_ok:
        raise InputError(_deleted_refusal(current.id))
    if expect_version is not None and expect_version != current.version:
        raise ConflictError(
            _("task {id} is at version {found}, not {expected}: someone changed it since you "
              "read it; look again with 'clusterctl task show {id}'").format(
                id=current.id, found=current.version, expected=expect_version)
        )
    return current


def _deleted_refusal(task_id: int) -> str:
    return _("task {id} is deleted; restore it first with 'clusterctl task restore "
             "{id}'").format(id=task_id)


def change_status(
    db: Database, task_id: int, *, action: str, actor: str, today: date,
    note: str | None = None, on: date | None = None, expect_version: int | None = None,
) -> dict:
    """Start, complete (on ``on``, default today), reopen or cancel a task; a cancellation
    needs its reason as ``note``. Returns the changes made."""
    allowed_from, target = ACTIONS[action]
    note = check_note(note or "", _("reason")) if action == "cancel" else _optional_note(note)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            current = _current(db, task_id, expect_version)
            if on is not None:
                _check_on(on, today)
            columns: dict = {"status": target}
            if action == "done":  # a wrong date is wrong whatever the task's state
                columns["completed_on"] = check_completion(on or today, current.issued, today)
            if current.status not in allowed_from:
                raise InputError(_status_refusal(current, action))
            if action != "done" and current.completed_on is not None:
                columns["completed_on"] = None
            changes = {"status": [current.status, target]}
            if "completed_on" in columns:
                changes["completed_on"] = [iso_date(current.completed_on),
                                           iso_date(columns["completed_on"])]
            if target in ("done", "cancelled") and current.requested_due is not None:
                # An extension asked for lapses with the task.
                columns["requested_due"] = None
                changes["requested_due"] = [iso_date(current.requested_due), None]
            entry = Entry(action, changes, note, on or today)
            writer = TaskWriter(db, actor=actor, today=today)
            if target in ("done", "cancelled"):
                current = _withdraw_moves(db, writer, current, on or today)
            writer.change([current.change(entry, columns)])
            _carry_on(db, task_id, actor, today)
    return changes


def _carry_on(db: Database, task_id: int, actor: str, today: date) -> None:
    """A task still to do again names no agency that had ceased to exist: its successor
    carries it on (see :func:`clusterctl.core.succession.carry_on`)."""
    if not any_dissolved(db):
        return  # as it mostly is: the rules of succession are not even loaded
    from clusterctl.core.succession import carry_on

    carry_on(db, actor=actor, today=today, task_ids=[task_id])


# The moves of a reorganisation: the law's, from the day it took effect.
MOVES = ("merge", "split")


def _withdraw_moves(db: Database, writer: TaskWriter, current: "Current", on: date
                    ) -> "Current":
    """A task done or cancelled before a reorganisation was not to do when it took effect:
    the moves that passed it to a successor after ``on`` are undone first, so that it keeps
    the agency that did it. Returns the task as it is then."""
    rows = db.rows("SELECT id, effective, action, changes, undoes FROM task_history "
                   "WHERE task_id = :id ORDER BY id", {"id": current.id})
    undone = {row[4] for row in rows if row[4] is not None}
    moves = [row for row in rows if row[2] in MOVES and row[0] not in undone
             and as_date(row[1]) > on]
    for entry_id, effective, action, changes, _undoes in reversed(moves):
        undo_entry(db, writer, current.id, entry_id, as_date(effective), action,
                   json.loads(changes), _("not to do when it took effect"), moves_ok=True)
    return _current(db, current.id) if moves else current


def _status_refusal(current: Current, action: str) -> str:
    from clusterctl.words import action_name, status_name

    status = status_name(current.status).replace("_", " ")
    if current.status == "reported":
        return _("task {id} was reported done and awaits confirmation: confirm it with "
                 "'clusterctl task confirm {id}' or return it with 'clusterctl task return {id} "
                 "--reason TEXT' first").format(id=current.id)
    if action == "start" and current.status == "in_progress":
        return _("task {id} is already in progress").format(id=current.id)
    if action == "reopen":
        return _("task {id} is already open").format(id=current.id)
    if current.status in ("done", "cancelled"):
        return _("task {id} is {status}; reopen it first with 'clusterctl task reopen "
                 "{id}'").format(id=current.id, status=status)
    return _("task {id} is {status}; it cannot be {action}").format(
        id=current.id, status=status, action=action_name(action))


def add_note(db: Database, task_id: int, *, text: str, actor: str, today: date,
             on: date | None = None) -> None:
    """Record a progress note (tình hình thực hiện) in the task's history, as of ``on``."""
    text = check_note(text)
    if on is not None:
        _check_on(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            current = _current(db, task_id)
            TaskWriter(db, actor=actor, today=today).change(
                [current.change(Entry("note", {}, text, on or today))])


def extend_task(
    db: Database, task_id: int, *, to: date, reason: str, actor: str, today: date,
    on: date | None = None, expect_version: int | None = None,
) -> dict:
    """Move the due date later (gia hạn), with effect from ``on``; the original due date is
    kept. The task must have been still to do on that day."""
    reason = check_note(reason, _("reason"))
    if on is not None:
        _check_on(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            current = _current(db, task_id, expect_version)
            if on is not None and on < today:
                status = db.scalar(
                    "SELECT status FROM task_state WHERE task_id = :id AND valid_from <= :on "
                    "AND valid_to > :on", {"id": task_id, "on": on})
                if status is not None and status not in ACTIVE:
                    from clusterctl.words import status_name

                    raise InputError(_(
                        "task {id} was {status} on {on}; an extension is for a task still to "
                        "do: date it when the task was").format(
                        id=task_id, status=status_name(status), on=day(on)))
            if current.status not in ACTIVE and (on is None or on >= today):
                raise InputError(_status_refusal(current, "extended"))
            if current.due is None:
                raise InputError(
                    _("task {id} has no due date (ongoing), so it cannot be extended; give it one "
                      "with 'clusterctl task edit {id} --due DATE'").format(id=task_id))
            if to <= current.due:
                raise InputError(
                    _("an extension moves the due date later, and {to} is not after {due}; to "
                      "correct a wrongly entered due date, use 'clusterctl task edit {id} --due "
                      "DATE'").format(to=day(to), due=day(current.due), id=task_id))
            check_due(to, current.issued)
            from clusterctl.core.limits import check_extension_limit

            check_extension_limit(db, task_id)
            changes = {"due": [iso_date(current.due), to.isoformat()]}
            TaskWriter(db, actor=actor, today=today).change(
                [current.change(Entry("extend", changes, reason, on or today), {"due": to})])
    return changes


def edit_task(
    db: Database, task_id: int, *, actor: str, today: date, title: str | None = None,
    lead: str | None = None, support: list[str] | None = None, due: date | None = None,
    no_due: bool = False, key: str | None = None, note: str | None = None,
    on: date | None = None, expect_version: int | None = None, priority: bool | None = None,
    field: str | None = None,
) -> dict:
    """Correct a task's title, agencies, due date or key, or mark it a key task or give it
    another field; returns what changed.

    A corrected due date is a correction of the record, not an extension: on a task never
    extended, the original due date is corrected with it; and, without ``on``, it takes
    effect from the day the wrong due date was set (the task's assignment, or its latest
    extension or correction), so that the reports of the past are corrected too. The other
    corrections take effect on ``on``, default today.
    """
    from clusterctl.core.fields import check_field

    title = check_title(title) if title is not None else None
    key = check_key(key) if key is not None else None
    note = _optional_note(note)
    field = check_field(field) if field is not None else None
    if on is not None:
        _check_on(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            current = _current(db, task_id, expect_version)
            old_lead, old_support = agencies_of(db, task_id)
            matcher = AgencyMatcher(load_agencies(db))
            new_lead = matcher.find(lead if lead is not None else old_lead)
            if support is None:  # keep the supporters, less one that now leads
                support = [code for code in old_support if code != new_lead.code]
            new_lead, new_support = resolve_agencies(matcher, new_lead.code, support)
            for agency in (new_lead, *new_support):  # newly named: an agency that exists
                if agency.code != old_lead and agency.code not in old_support:
                    agency.check_active(on or today)
            columns: dict = {}
            changes: dict = {}
            if title is not None and title != current.title:
                columns.update(title=title, title_key=fold(title))
                changes["title"] = [current.title, title]
            if new_lead.id != current.lead_id:
                columns["lead_id"] = new_lead.id
                changes["lead"] = [old_lead, new_lead.code]
            new_codes = [a.code for a in new_support]
            if new_codes != old_support:
                changes["support"] = [old_support, new_codes]
            if key is not None and key != current.key:
                _check_free_key(db, current, key)
                columns["task_key"] = key
                changes["key"] = [current.key, key]
            if priority is not None and priority != current.priority:
                columns["priority"] = priority
                changes["priority"] = [current.priority, priority]
            if field is not None and field != current.field:
                columns["field"] = field
                changes["field"] = [current.field, field]
            dated: dict = {}  # the due date's correction, when it takes effect on its own day
            if (due is not None or no_due) and due != current.due:
                check_due(due, current.issued)
                columns["due"] = due
                dated["due"] = [iso_date(current.due), iso_date(due)]
                if current.original_due == current.due:  # never extended: it was entered wrong
                    columns["original_due"] = due
                    dated["original_due"] = [iso_date(current.original_due), iso_date(due)]
            if not changes and not dated:
                raise InputError(_("nothing to change: task {id} is already so").format(id=task_id))
            entries = []
            if dated:
                since = on or _set_since(db, current, set(dated))
                if on is None and not changes:
                    entries.append(Entry("edit", dated, note, since))
                elif on is None:  # the other corrections take effect today, as ever
                    entries.append(Entry("edit", dated, None, since))
                else:
                    changes = dated | changes
            if changes:
                entries.append(Entry("edit", changes, note, on or today))
            change = Change(current.id, current.version, entries, columns,
                            new_support if "support" in changes else None)
            TaskWriter(db, actor=actor, today=today).change([change])
            _carry_on(db, task_id, actor, today)
    return dated | changes


def _set_since(db: Database, current: Current, fields: set[str]) -> date:
    """The day from which ``fields`` of a task hold their present values: the effect date
    of the latest change of one of them, or the day the task was assigned. A change undone
    and its undo cancel out (as the writer counts them)."""
    rows = db.rows("SELECT id, effective, action, changes, undoes FROM task_history "
                   "WHERE task_id = :id ORDER BY id", {"id": current.id})
    undone = {row[4] for row in rows if row[4] is not None}
    since = current.assigned_on
    for entry_id, effective, action, changes, undoes in rows:
        if (action != "created" and undoes is None and entry_id not in undone
                and fields & set(json.loads(changes))):
            since = max(since, as_date(effective))
    return since


def _check_free_key(db: Database, current: Current, key: str) -> None:
    """Refuse a key another task of the directive has (a deleted one too: it may come
    back), or a recurring task's."""
    from clusterctl.core.seriesdue import check_free_key

    check_free_key(db, current.directive_id, key)
    taken = db.scalar("SELECT id FROM task WHERE directive_id = :d AND task_key = :k "
                      "AND id <> :id", {"d": current.directive_id, "k": key, "id": current.id})
    if taken is not None:
        number = db.scalar("SELECT number FROM directive WHERE id = :d",
                           {"d": current.directive_id})
        raise InputError(_("directive {number} already has a task {key!r} (task {id}); "
                           "choose another key").format(number=number, key=key, id=taken))


def delete_task(db: Database, task_id: int, *, reason: str, actor: str, today: date) -> date:
    """Delete a task entered by mistake (a duplicate, one the directive never gave): from
    today it is in no list or report, and nothing changes it but a restore. It keeps its
    history, and ``task show`` still shows it. Returns the day it is deleted on."""
    reason = check_note(reason, _("reason"))
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            current = _current(db, task_id, deleted_ok=True)
            if current.deleted_on is not None:
                raise InputError(_("task {id} is already deleted (on {on})").format(
                    id=task_id, on=day(current.deleted_on)))
            entry = Entry("delete", {"deleted": [None, today.isoformat()]}, reason, today)
            TaskWriter(db, actor=actor, today=today).change(
                [current.change(entry, {"deleted_on": today})])
    return today


def restore_task(db: Database, task_id: int, *, actor: str, today: date,
                 note: str | None = None) -> date:
    """Bring back a task deleted by mistake, as it was; returns the day it was deleted on."""
    note = _optional_note(note)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            current = _current(db, task_id, deleted_ok=True)
            if current.deleted_on is None:
                raise InputError(_("task {id} is not deleted").format(id=task_id))
            deleted_on = current.deleted_on
            entry = Entry("restore", {"deleted": [deleted_on.isoformat(), None]}, note, today)
            TaskWriter(db, actor=actor, today=today).change(
                [current.change(entry, {"deleted_on": None})])
            _carry_on(db, task_id, actor, today)
    return deleted_on


class Undone:
    """What an undo undid: the entry's action and effect date, and the changes made."""

    __slots__ = ("action", "changes", "effective")

    def __init__(self, action: str, effective: date, changes: dict) -> None:
        self.action = action
        self.effective = effective
        self.changes = changes


# The task column each other field of a history entry sets back (title, lead, support and
# key are set apart).
_UNDO_COLUMNS = {"due": "due", "original_due": "original_due", "completed_on": "completed_on",
                 "status": "status", "deleted": "deleted_on", "requested_due": "requested_due"}


def undo_task(db: Database, task_id: int, *, actor: str, today: date,
              note: str | None = None, expect_version: int | None = None) -> Undone:
    """Undo the latest change of a task that is not itself an undo and not undone yet, so
    that undoing again walks back through its history. The undo is a history entry of its
    own: it sets every field the change set back to what it was, with effect from the day
    the change took effect, and names the entry it undoes. History is never rewritten."""
    note = _optional_note(note)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            if expect_version is not None:  # the change seen is the one undone
                _current(db, task_id, expect_version, deleted_ok=True)
            rows = db.rows("SELECT id, effective, action, changes, undoes FROM task_history "
                           "WHERE task_id = :id ORDER BY id", {"id": task_id})
            undone = {row[4] for row in rows if row[4] is not None}
            target = next((row for row in reversed(rows) if row[4] is None
                           and row[0] not in undone and row[2] != "undo"), None)
            if target is None or target[2] == "created":
                _current(db, task_id, deleted_ok=True)  # no such task: say so
                raise InputError(_(
                    "task {id} has no change left to undo; a task entered by mistake is "
                    "deleted with 'clusterctl task delete {id} --reason TEXT'").format(id=task_id))
            entry_id, effective, action = target[0], as_date(target[1]), target[2]
            inverse = undo_entry(db, TaskWriter(db, actor=actor, today=today), task_id,
                                 entry_id, effective, action, json.loads(target[3]), note)
            _carry_on(db, task_id, actor, today)
    return Undone(action, effective, inverse)


def undo_entry(db: Database, writer: TaskWriter, task_id: int, entry_id: int,
               effective: date, action: str, changes: dict, note: str | None, *,
               moves_ok: bool = False) -> dict:
    """Undo one entry of a task's history (``changes``, made by ``action`` with effect from
    ``effective``) inside the caller's transaction, with its writer: an "undo" entry that
    sets every field back, with effect from the same day. Returns the undo's changes.

    Refused: a task's assignment moved with its directive's issue date (corrected there);
    any change but a deletion of a deleted task; a field that no longer holds what the
    change left (a later change not undone first)."""
    current = _current(db, task_id, deleted_ok=True)
    if action in MOVES and not moves_ok:  # the law's, not a change (an import's undo aside)
        raise InputError(_(
            "task {id} passed to its successor when an agency it named ceased to exist: that "
            "is the law's, not a change to undo; to give it to another agency, use "
            "'clusterctl task edit {id} --lead AGENCY'").format(id=task_id))
    _check_undoable(db, current, action, changes)
    columns, support = _undo_columns(db, current, action, changes)
    inverse = {name: [new, old] for name, (old, new) in changes.items()}
    if "deleted" in changes:  # deleting and restoring are an admin's
        db.needed_role = "admin"
    writer.change([current.change(Entry("undo", inverse, note, effective, undoes=entry_id),
                                  columns, support)])
    return inverse


def _check_undoable(db: Database, current: Current, action: str, changes: dict) -> None:
    task_id = current.id
    if "assigned_on" in changes:
        number = db.scalar("SELECT number FROM directive WHERE id = :d",
                           {"d": current.directive_id})
        raise InputError(_(
            "task {id}: its assignment moved with the corrected issue date of directive "
            "{number}; that cannot be undone: correct the issue date instead with 'clusterctl "
            "directive edit {number} --issued DATE'").format(id=task_id, number=number))
    if current.deleted_on is not None and "deleted" not in changes:
        raise InputError(_deleted_refusal(task_id))
    now = {"title": current.title, "due": iso_date(current.due),
           "original_due": iso_date(current.original_due), "status": current.status,
           "completed_on": iso_date(current.completed_on), "key": current.key,
           "deleted": iso_date(current.deleted_on), "priority": current.priority,
           "field": current.field, "evidence": current.evidence,
           "requested_due": iso_date(current.requested_due)}
    for name, (_old, new) in changes.items():
        if name in now and now[name] != new:
            raise InputError(_changed_since(task_id, name, action))


def _changed_since(task_id: int, name: str, action: str) -> str:
    from clusterctl.words import action_name, field_name

    return _("task {id}: its {field} is no longer what the {action} left it; undo cannot put "
             "it back: change it with 'clusterctl task edit {id}'").format(
        id=task_id, field=field_name(name), action=action_name(action))


def _undo_columns(db: Database, current: Current, action: str, changes: dict
                  ) -> tuple[dict, list[Agency] | None]:
    """The task columns (and supporters) that set back what ``changes`` changed; refused
    if the lead or the supporters are no longer those it left."""
    columns: dict = {}
    support = None
    every = load_agencies(db) if {"lead", "support"} & set(changes) else []
    agencies = {agency.code: agency for agency in every}

    def agency(code: str) -> Agency:
        """The agency a history entry names by its code then (looked up, if renamed)."""
        return agencies.get(code) or AgencyMatcher(every).find(code)

    for name, (old, new) in changes.items():
        if name == "title":
            columns.update(title=old, title_key=fold(old))
        elif name == "lead":
            if agency(new).id != current.lead_id:
                raise InputError(_changed_since(current.id, name, action))
            columns["lead_id"] = agency(old).id
        elif name == "support":
            now = [agency_id for (agency_id,) in db.rows(
                "SELECT agency_id FROM task_support WHERE task_id = :id ORDER BY position",
                {"id": current.id})]
            if [agency(code).id for code in new or []] != now:
                raise InputError(_changed_since(current.id, name, action))
            support = [agency(code) for code in old or []]
        elif name == "key":
            _check_free_key(db, current, old)
            columns["task_key"] = old
        elif name in _UNDO_COLUMNS:
            columns[_UNDO_COLUMNS[name]] = old if name == "status" else as_date(old)
        elif name in ("evidence", "field"):
            columns[name] = old
        elif name == "priority":
            columns[name] = bool(old)
        elif name == "series" and old is None:  # linked to its series by an import
            columns["series_id"] = None
    return columns, support
