"""Changing tasks: add one, start, complete, reopen, cancel, extend, correct, note.

Each function checks its input and the rules (:mod:`clusterctl.core.checks`), works out the
change inside one write transaction, and hands it to the one writer of tasks
(:mod:`clusterctl.core.taskwriter`).
"""

from dataclasses import dataclass
from datetime import date

from clusterctl.core.agencies import Agency, AgencyMatcher, load_agencies
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
    "done": (ACTIVE, "done"),
    "reopen": (("done", "cancelled", "in_progress"), "open"),
    "cancel": (ACTIVE, "cancelled"),
}


def next_key(db: Database, directive_id: int) -> str:
    """The next free number among a directive's task keys."""
    keys = db.rows("SELECT task_key FROM task WHERE directive_id = :d", {"d": directive_id})
    numbers = [int(k) for (k,) in keys if k.isascii() and k.isdigit()]
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
    on: date | None = None,
) -> int:
    """Add a task to a directive and return its id. It takes effect on the directive's issue
    date (it was assigned by it), or ``on``, for a later assignment."""
    title = check_title(title)
    key = check_key(key) if key is not None else None
    note = _optional_note(note)
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
                          assigned_on=on, issued=found.issued)
            return TaskWriter(db, actor=actor, today=today).add([new])[0]


@dataclass
class Current:
    """The fields of a task that changes read and compare."""

    id: int
    title: str
    lead_id: int
    due: date | None
    original_due: date | None
    status: str
    completed_on: date | None
    version: int
    issued: date  # the directive's issue date

    def change(self, entry: Entry, columns: dict | None = None,
               support: list[Agency] | None = None) -> Change:
        """The change ``entry`` makes (it takes effect on ``entry.effective``)."""
        return Change(self.id, self.version, [entry], columns or {}, support)


def _current(db: Database, task_id: int, expect_version: int | None = None) -> Current:
    row = db.row(
        "SELECT t.id, t.title, t.lead_id, t.due, t.original_due, t.status, t.completed_on, "
        "t.version, d.issued FROM task t JOIN directive d ON d.id = t.directive_id "
        "WHERE t.id = :id", {"id": task_id},
    )
    if row is None:
        raise NotFoundError(_("no task with id {id}").format(id=task_id))
    current = Current(row[0], row[1], row[2], as_date(row[3]), as_date(row[4]), row[5],
                      as_date(row[6]), row[7], as_date(row[8]))
    if expect_version is not None and expect_version != current.version:
        raise ConflictError(
            _("task {id} is at version {found}, not {expected}: someone changed it since you "
              "read it; look again with 'clusterctl task show {id}'").format(
                id=current.id, found=current.version, expected=expect_version)
        )
    return current


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
            entry = Entry(action, changes, note, on or today)
            TaskWriter(db, actor=actor, today=today).change([current.change(entry, columns)])
    return changes


def _status_refusal(current: Current, action: str) -> str:
    from clusterctl.words import action_name, status_name

    status = status_name(current.status).replace("_", " ")
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
            changes = {"due": [iso_date(current.due), to.isoformat()]}
            TaskWriter(db, actor=actor, today=today).change(
                [current.change(Entry("extend", changes, reason, on or today), {"due": to})])
    return changes


def edit_task(
    db: Database, task_id: int, *, actor: str, today: date, title: str | None = None,
    lead: str | None = None, support: list[str] | None = None, due: date | None = None,
    no_due: bool = False, note: str | None = None, on: date | None = None,
    expect_version: int | None = None,
) -> dict:
    """Correct a task's title, agencies or due date; returns what changed.

    A corrected due date is a correction of the record, not an extension: on a task never
    extended, the original due date is corrected with it.
    """
    title = check_title(title) if title is not None else None
    note = _optional_note(note)
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
            if (due is not None or no_due) and due != current.due:
                check_due(due, current.issued)
                columns["due"] = due
                changes["due"] = [iso_date(current.due), iso_date(due)]
                if current.original_due == current.due:  # never extended: it was entered wrong
                    columns["original_due"] = due
                    changes["original_due"] = [iso_date(current.original_due), iso_date(due)]
            if not changes:
                raise InputError(_("nothing to change: task {id} is already so").format(id=task_id))
            change = current.change(Entry("edit", changes, note, on or today), columns,
                                    new_support if "support" in changes else None)
            TaskWriter(db, actor=actor, today=today).change([change])
    return changes
