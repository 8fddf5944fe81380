"""Tasks: what an agency must do for a directive, by when, and what became of it."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from clusterctl.core.agencies import Agency, AgencyMatcher, check_text, load_agencies
from clusterctl.core.directives import find_directive
from clusterctl.core.timeliness import CATEGORY_SQL, PREDICATES, days_overdue, window
from clusterctl.errors import ConflictError, InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, iso_date, utc_now
from clusterctl.text import fold

STATUSES = ("open", "in_progress", "done", "cancelled")
ACTIVE = ("open", "in_progress")


@dataclass
class TaskFilter:
    """Which tasks to list; empty lists mean no restriction."""

    as_of: date
    soon_days: int
    agency_ids: list[int] = field(default_factory=list)  # as lead or as support
    lead_ids: list[int] = field(default_factory=list)  # as lead only
    directive_ids: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    search: str | None = None
    ids: list[int] | None = None  # exactly these tasks (None: no restriction)
    due_between: tuple[date, date] | None = None  # both days included
    completed_between: tuple[date, date] | None = None

    def where(self) -> tuple[str, dict]:
        """The WHERE clause (over ``task t``) and its parameters."""
        clauses: list[str] = []
        params: dict = window(self.as_of, self.soon_days)

        def any_of(column: str, prefix: str, values: list) -> str:
            names = [f"{prefix}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            return f"{column} IN ({', '.join(':' + n for n in names)})"

        if self.agency_ids:
            lead = any_of("t.lead_id", "ag", self.agency_ids)
            support = any_of("s.agency_id", "sg", self.agency_ids)
            clauses.append(
                f"({lead} OR t.id IN (SELECT s.task_id FROM task_support s WHERE {support}))"
            )
        if self.ids is not None:
            clauses.append(any_of("t.id", "id", self.ids) if self.ids else "1 = 0")
        if self.lead_ids:
            clauses.append(any_of("t.lead_id", "ld", self.lead_ids))
        if self.directive_ids:
            clauses.append(any_of("t.directive_id", "dr", self.directive_ids))
        if self.statuses:
            clauses.append(any_of("t.status", "st", self.statuses))
        if self.categories:
            clauses.append("(" + " OR ".join(PREDICATES[c] for c in self.categories) + ")")
        for column, span in (("t.due", self.due_between),
                             ("t.completed_on", self.completed_between)):
            if span:
                name = column.split(".")[1]
                params[f"{name}_from"], params[f"{name}_to"] = span
                clauses.append(f"{column} >= :{name}_from AND {column} <= :{name}_to")
        if self.search:
            escaped = fold(self.search).replace("\\", "\\\\").replace("%", "\\%")
            params["search"] = "%" + escaped.replace("_", "\\_") + "%"
            clauses.append("t.title_key LIKE :search ESCAPE '\\'")
        return (" AND ".join(clauses) or "1 = 1"), params


_TASK_COLUMNS = f"""
t.id, d.number, t.task_key, t.title, a.code AS lead_code, t.due, t.original_due, t.status,
t.completed_on, {CATEGORY_SQL} AS category, t.created_at, t.updated_at, t.version
"""
_TASK_FROM = """
FROM task t
JOIN directive d ON d.id = t.directive_id
JOIN agency a ON a.id = t.lead_id
"""
_TASK_SELECT = f"SELECT {_TASK_COLUMNS} {_TASK_FROM}"
# Tasks with a due date first, soonest first; then the ongoing ones.
_TASK_ORDER = "ORDER BY CASE WHEN t.due IS NULL THEN 1 ELSE 0 END, t.due, t.id"


def _task_dict(row: tuple, support: list[str], as_of: date) -> dict:
    (task_id, number, key, title, lead, due, original_due, status, completed_on, category,
     created_at, updated_at, version) = row
    due, original_due, completed_on = iso_date(due), iso_date(original_due), iso_date(
        completed_on)
    return {
        "id": task_id,
        "directive": number,
        "key": key,
        "title": title,
        "lead": lead,
        "support": support,
        "due": due,
        "original_due": original_due,
        "status": status,
        "completed_on": completed_on,
        "category": category,
        "days_overdue": (days_overdue(category, as_date(due), as_of)
                         if category == "overdue" else None),
        "created_at": str(created_at),
        "updated_at": str(updated_at),
        "version": version,
    }


def _support_of(db: Database, where: str, params: dict) -> dict[int, list[str]]:
    """The supporting agencies' codes of the tasks ``where`` selects, in order."""
    support: dict[int, list[str]] = {}
    for task_id, code in db.stream(
        "SELECT s.task_id, a.code FROM task t JOIN task_support s ON s.task_id = t.id "
        f"JOIN agency a ON a.id = s.agency_id WHERE {where} ORDER BY s.task_id, s.position",
        params,
    ):
        support.setdefault(task_id, []).append(code)
    return support


def list_tasks(db: Database, task_filter: TaskFilter, order: str | None = None) -> Iterator[dict]:
    """The tasks the filter selects, due soonest first (or in ``order``), as JSON-ready dicts.

    Rows are streamed; only the supporting agencies of the selected tasks are held.
    """
    where, params = task_filter.where()
    support = _support_of(db, where, params)
    order_by = f"ORDER BY {order}" if order else _TASK_ORDER
    for row in db.stream(f"{_TASK_SELECT} WHERE {where} {order_by}", params):
        yield _task_dict(row, support.get(row[0], []), task_filter.as_of)


def first_per_lead(
    db: Database, task_filter: TaskFilter, lead_ids: list[int], count: int
) -> list[dict]:
    """The first ``count`` tasks of each lead agency, by due date, among those selected.

    One small query per agency, each read off the (lead, status, due) index, instead of
    ranking every selected task.
    """
    where, params = task_filter.where()
    ids = []
    for lead_id in lead_ids:
        ids += [task_id for (task_id,) in db.rows(
            f"SELECT t.id FROM task t WHERE t.lead_id = :lead AND {where} "
            "ORDER BY t.due, t.id LIMIT :per_lead",
            {**params, "lead": lead_id, "per_lead": count})]
    chosen = TaskFilter(as_of=task_filter.as_of, soon_days=task_filter.soon_days, ids=ids)
    return list(list_tasks(db, chosen, order="a.code, t.due, t.id"))


def resolve_task(db: Database, ref: str) -> int:
    """The id of the task ``ref`` names: an integer id, or ``NUMBER#KEY``."""
    ref = ref.strip()
    if ref.isascii() and ref.isdigit():
        task_id = int(ref)
        found = db.scalar("SELECT id FROM task WHERE id = :id",
                          {"id": task_id}) if task_id <= MAX_ID else None
        if found is None:
            raise NotFoundError(
                _("no task with id {ref}; see 'clusterctl task list'").format(ref=ref)
            )
        return found
    number, sep, key = ref.rpartition("#")
    if not sep or not number.strip() or not key.strip():
        raise InputError(
            _("{ref!r} is not a task: give its id (e.g. 12) or NUMBER#KEY "
              "(e.g. 2029/UBND-KTTH#3)").format(ref=ref)
        )
    directive = find_directive(db, number)
    found = db.scalar(
        "SELECT id FROM task WHERE directive_id = :d AND task_key = :k",
        {"d": directive.id, "k": key.strip()},
    )
    if found is None:
        raise NotFoundError(
            _("directive {number} has no task {key!r}; see 'clusterctl directive show "
              "{number}'").format(number=directive.number, key=key.strip())
        )
    return found


def get_task(db: Database, task_id: int, as_of: date, soon_days: int) -> dict:
    """One task with its history, oldest change first."""
    task = next(list_tasks(db, TaskFilter(as_of=as_of, soon_days=soon_days, ids=[task_id])),
                None)
    if task is None:
        raise NotFoundError(_("no task with id {id}").format(id=task_id))
    task["history"] = [
        {"at": str(at), "actor": actor, "action": action, "changes": json.loads(changes),
         "note": note, "source": source}
        for at, actor, action, changes, note, source in db.rows(
            "SELECT at, actor, action, changes, note, source FROM task_history "
            "WHERE task_id = :id ORDER BY id", {"id": task_id},
        )
    ]
    return task


# -- changes ---------------------------------------------------------------------------


def history_row(
    task_id: int, *, actor: str, action: str, changes: dict | str, note: str | None = None,
    source: str | None = None, at: str | None = None,
) -> dict:
    """One history entry's row: ``changes`` as a dict, or as JSON already written."""
    return {"task_id": task_id, "at": at or utc_now(), "actor": actor, "action": action,
            "changes": changes if isinstance(changes, str) else changes_json(changes),
            "note": note, "source": source}


INSERT_HISTORY = (
    "INSERT INTO task_history (task_id, at, actor, action, changes, note, source) "
    "VALUES (:task_id, :at, :actor, :action, :changes, :note, :source)"
)


def record_history(db: Database, task_id: int, **entry) -> None:
    """Append one entry to the task's history; history is never rewritten."""
    db.execute(INSERT_HISTORY, history_row(task_id, **entry))


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


def next_key(db: Database, directive_id: int) -> str:
    """The next free number among a directive's task keys."""
    keys = db.rows("SELECT task_key FROM task WHERE directive_id = :d", {"d": directive_id})
    numbers = [int(k) for (k,) in keys if k.isascii() and k.isdigit()]
    return str(max(numbers, default=0) + 1)


BAD_KEY = re.compile(r"[\s#]")
MAX_ID = 2**63 - 1  # the largest integer SQLite (and PostgreSQL's bigint) stores


def check_key(key: str) -> str:
    """A task key: text without spaces or '#', whose digits (if any) are ASCII 0-9."""
    key = check_text(key, _("task key"), limit=64)
    if BAD_KEY.search(key):
        raise InputError(
            _("task key {key!r} must not contain spaces or '#'").format(key=key)
        )
    if not key.isascii() and any(ch.isnumeric() and not ch.isascii() for ch in key):
        raise InputError(
            _("task key {key!r} holds a digit other than 0-9; write numbers with 0-9").format(
                key=key)
        )
    return key


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


def _write_support(db: Database, task_id: int, supporters: list[Agency]) -> None:
    db.execute("DELETE FROM task_support WHERE task_id = :id", {"id": task_id})
    db.executemany(
        "INSERT INTO task_support (task_id, agency_id, position) VALUES (:t, :a, :p)",
        [{"t": task_id, "a": a.id, "p": i} for i, a in enumerate(supporters)],
    )


def add_task(
    db: Database, *, directive: str, lead: str, support: list[str], due: date | None,
    key: str | None, title: str, actor: str, note: str | None = None,
) -> int:
    """Add a task to a directive and return its id."""
    title = check_text(title, _("task title"), limit=4000)
    key = check_key(key) if key is not None else None
    with db.transaction():
        found = find_directive(db, directive)
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
        now = utc_now()
        task_id = db.insert(
            "INSERT INTO task (directive_id, task_key, title, title_key, lead_id, due, "
            "original_due, status, created_at, updated_at, version) VALUES (:d, :k, :title, "
            ":title_key, :lead, :due, :due, 'open', :now, :now, 1) RETURNING id",
            {"d": found.id, "k": key, "title": title, "title_key": fold(title),
             "lead": lead_agency.id, "due": due, "now": now},
        )
        _write_support(db, task_id, supporters)
        record_history(
            db, task_id, actor=actor, action="created", note=note, at=now,
            changes=created_json(title=title, lead=lead_agency.code,
                                 support=[a.code for a in supporters], due=due),
        )
    return task_id


@dataclass
class Current:
    """The fields of a task that changes read and compare."""

    id: int
    title: str
    lead_id: int
    due: date | None
    status: str
    completed_on: date | None
    version: int


def _current(db: Database, task_id: int) -> Current:
    row = db.row(
        "SELECT id, title, lead_id, due, status, completed_on, version FROM task "
        "WHERE id = :id", {"id": task_id},
    )
    if row is None:
        raise NotFoundError(_("no task with id {id}").format(id=task_id))
    return Current(row[0], row[1], row[2], as_date(row[3]), row[4], as_date(row[5]), row[6])


def _update(db: Database, current: Current, columns: dict) -> None:
    """Write ``columns`` if nobody changed the task since ``current`` was read."""
    assignments = "".join(f"{name} = :{name}, " for name in columns)
    changed = db.execute(
        f"UPDATE task SET {assignments}updated_at = :updated_at, version = version + 1 "
        "WHERE id = :id AND version = :version",
        {**columns, "updated_at": utc_now(), "id": current.id, "version": current.version},
    )
    if changed != 1:
        raise ConflictError(
            _("task {id} was changed by someone else meanwhile; look at it again with "
              "'clusterctl task show {id}' and retry").format(id=current.id)
        )


def _check_expected(current: Current, expect_version: int | None) -> None:
    if expect_version is not None and expect_version != current.version:
        raise ConflictError(
            _("task {id} is at version {found}, not {expected}: someone changed it since you "
              "read it; look again with 'clusterctl task show {id}'").format(
                id=current.id, found=current.version, expected=expect_version)
        )


def change_status(
    db: Database, task_id: int, *, action: str, actor: str, note: str | None = None,
    on: date | None = None, expect_version: int | None = None,
) -> dict:
    """Start, complete, reopen or cancel a task; returns the changes made."""
    allowed_from = {
        "start": ("open",),
        "done": ACTIVE,
        "reopen": ("done", "cancelled", "in_progress"),
        "cancel": ACTIVE,
    }[action]
    target = {"start": "in_progress", "done": "done", "reopen": "open", "cancel": "cancelled"}
    with db.transaction():
        current = _current(db, task_id)
        _check_expected(current, expect_version)
        if current.status not in allowed_from:
            raise InputError(_status_refusal(current, action))
        columns: dict = {"status": target[action]}
        if action == "done":
            columns["completed_on"] = on
        elif current.completed_on is not None:
            columns["completed_on"] = None
        changes = {"status": [current.status, columns["status"]]}
        if "completed_on" in columns:
            changes["completed_on"] = [iso_date(current.completed_on),
                                       iso_date(columns["completed_on"])]
        _update(db, current, columns)
        record_history(db, task_id, actor=actor, action=action, changes=changes, note=note)
    return changes


def _status_refusal(current: Current, action: str) -> str:
    status = current.status.replace("_", " ")
    if action == "start" and current.status == "in_progress":
        return _("task {id} is already in progress").format(id=current.id)
    if action == "reopen":
        return _("task {id} is already open").format(id=current.id)
    if current.status in ("done", "cancelled"):
        return _("task {id} is {status}; reopen it first with 'clusterctl task reopen "
                 "{id}'").format(id=current.id, status=status)
    return _("task {id} is {status}; it cannot be {action}").format(
        id=current.id, status=status, action=action)


def add_note(db: Database, task_id: int, *, text: str, actor: str) -> None:
    """Record a progress note (tình hình thực hiện) in the task's history."""
    text = check_text(text, _("note"), limit=20000)
    with db.transaction():
        current = _current(db, task_id)
        _update(db, current, {})
        record_history(db, task_id, actor=actor, action="note", changes={}, note=text)


def extend_task(
    db: Database, task_id: int, *, to: date, reason: str, actor: str,
    expect_version: int | None = None,
) -> dict:
    """Move the due date (gia hạn); the original due date is kept."""
    reason = check_text(reason, _("reason"), limit=20000)
    with db.transaction():
        current = _current(db, task_id)
        _check_expected(current, expect_version)
        if current.status not in ACTIVE:
            raise InputError(_status_refusal(current, "extended"))
        if current.due == to:
            raise InputError(
                _("task {id} is already due on {due}").format(id=task_id, due=to.isoformat())
            )
        changes = {"due": [iso_date(current.due), to.isoformat()]}
        _update(db, current, {"due": to})
        record_history(db, task_id, actor=actor, action="extend", changes=changes, note=reason)
    return changes


def edit_task(
    db: Database, task_id: int, *, actor: str, title: str | None = None,
    lead: str | None = None, support: list[str] | None = None, note: str | None = None,
    expect_version: int | None = None,
) -> dict:
    """Change a task's title, lead or supporting agencies; returns what changed."""
    title = check_text(title, _("task title"), limit=4000) if title is not None else None
    with db.transaction():
        current = _current(db, task_id)
        _check_expected(current, expect_version)
        old_lead, old_support = _agencies_of(db, task_id)
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
        if not changes:
            raise InputError(_("nothing to change: task {id} is already so").format(id=task_id))
        _update(db, current, columns)
        if "support" in changes:
            _write_support(db, task_id, new_support)
        record_history(db, task_id, actor=actor, action="edit", changes=changes, note=note)
    return changes


def _agencies_of(db: Database, task_id: int) -> tuple[str, list[str]]:
    lead = db.scalar(
        "SELECT a.code FROM task t JOIN agency a ON a.id = t.lead_id WHERE t.id = :id",
        {"id": task_id},
    )
    return lead, _support_of(db, "t.id = :id", {"id": task_id}).get(task_id, [])
