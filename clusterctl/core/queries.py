"""Reading tasks: which tasks a filter selects, in a fixed set of orders, and one task with
its history. Every report and listing reads through here; nothing here writes."""

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from itertools import islice

from clusterctl.core.timeliness import CATEGORY_SQL, PREDICATES, window
from clusterctl.errors import InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import CHUNK, MAX_ID, Database, as_date, chunks, iso_date
from clusterctl.text import fold


class Order(StrEnum):
    """The orders tasks can be listed in; each is a fixed ORDER BY, never text from outside."""

    due = "due"  # tasks with a due date first, soonest first; then the ongoing ones
    most_overdue = "most_overdue"  # the earliest due date first
    lead = "lead"  # by lead agency's code, then the earliest due date
    completed = "completed"  # by completion date


_ORDER_BY = {
    Order.due: "ORDER BY CASE WHEN t.due IS NULL THEN 1 ELSE 0 END, t.due, t.id",
    Order.most_overdue: "ORDER BY t.due, t.id",
    Order.lead: "ORDER BY a.code, t.due, t.id",
    Order.completed: "ORDER BY t.completed_on, t.id",
}


# What a TaskFilter can restrict, and the default of each: empty lists and None mean no
# restriction.
_CRITERIA: dict = {
    "agency_ids": list,  # as lead or as support
    "lead_ids": list,  # as lead only
    "directive_ids": list,
    "statuses": list,
    "categories": list,
    "search": None,
    "ids": None,  # exactly these tasks (None: no restriction)
    "due_between": None,  # (first, last), both days included
    "completed_between": None,
    "assigned_between": None,
    # The register is read as it stood at the end of ``state_on`` (default: the as-of date);
    # before ``today`` that is the task as it was (task_state), else the task as it is.
    "today": None,
    "state_on": None,
    # The tasks deleted (entered by mistake) instead of the others; None: both.
    "deleted": False,
    "priority": None,  # True: key tasks only; False: the others
    "fields": list,  # of these fields (lĩnh vực)
    "pending_extension": False,  # only tasks with an extension asked for
}


class TaskFilter:
    """Which tasks to list, as of a date with its "due soon" window, and by the criteria of
    :data:`_CRITERIA`. (A plain class: a dataclass of this size costs every command a
    millisecond to define.)"""

    def __init__(self, as_of: date, soon_days: int, **criteria) -> None:
        unknown = criteria.keys() - _CRITERIA.keys()
        if unknown:
            raise TypeError(f"TaskFilter has no criteria {sorted(unknown)}")
        self.as_of = as_of
        self.soon_days = soon_days
        for name, default in _CRITERIA.items():
            value = criteria.get(name, default)
            setattr(self, name, [] if value is list else value)

    def replace(self, **changes) -> "TaskFilter":
        """The same filter with some criteria changed."""
        return TaskFilter(**{**vars(self), **changes})

    def __repr__(self) -> str:
        return f"TaskFilter({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @property
    def past(self) -> bool:
        return self.today is not None and (self.state_on or self.as_of) < self.today

    def tasks(self) -> str:
        """What the queries read as ``t``: the tasks as they are, or as they were."""
        return PAST_TASKS if self.past else "task t"

    def support(self) -> str:
        """What the queries read as supporting agencies."""
        return PAST_SUPPORT if self.past else "task_support"

    def where(self) -> tuple[str, dict]:
        """The WHERE clause (over :meth:`tasks`) and its parameters."""
        # A deleted task is in no list or report, whatever the day. Deleted tasks are few:
        # their ids are read once (off an index), and the tasks' own indexes still cover
        # every other column a report reads.
        clauses: list[str] = [] if self.deleted is None else [
            f"t.id {'IN' if self.deleted else 'NOT IN'} ({DELETED})"]
        params: dict = window(self.as_of, self.soon_days)
        params["state_on"] = self.state_on or self.as_of
        if not self.past:  # the tasks as they are, less those that take effect after the day
            clauses.append(f"t.id NOT IN ({LATER})")

        def any_of(column: str, prefix: str, values: list) -> str:
            names = [f"{prefix}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            return f"{column} IN ({', '.join(':' + n for n in names)})"

        if self.agency_ids:
            lead = any_of("t.lead_id", "ag", self.agency_ids)
            support = any_of("s.agency_id", "sg", self.agency_ids)
            clauses.append(
                f"({lead} OR t.id IN (SELECT s.task_id FROM {self.support()} s "
                f"WHERE {support}))"
            )
        if self.ids is not None:
            clauses.append(any_of("t.id", "id", self.ids) if self.ids else "1 = 0")
        if self.lead_ids:
            clauses.append(any_of("t.lead_id", "ld", self.lead_ids))
        if self.directive_ids:
            clauses.append(any_of("t.directive_id", "dr", self.directive_ids))
        if self.statuses:
            clauses.append(any_of("t.status", "st", self.statuses))
        if self.priority is not None:
            clauses.append("t.priority" if self.priority else "NOT t.priority")
        if self.fields:
            clauses.append(any_of("t.field", "fd", self.fields))
        if self.pending_extension:
            clauses.append("t.requested_due IS NOT NULL")
        if self.categories:
            clauses.append("(" + " OR ".join(PREDICATES[c] for c in self.categories) + ")")
        for column, span in (("t.due", self.due_between),
                             ("t.completed_on", self.completed_between),
                             ("t.assigned_on", self.assigned_between)):
            if span:
                name = column.split(".")[1]
                params[f"{name}_from"], params[f"{name}_to"] = span
                clauses.append(f"{column} >= :{name}_from AND {column} <= :{name}_to")
        if self.search:
            escaped = fold(self.search).replace("\\", "\\\\").replace("%", "\\%")
            params["search"] = "%" + escaped.replace("_", "\\_") + "%"
            clauses.append("t.title_key LIKE :search ESCAPE '\\'")
        return (" AND ".join(clauses) or "1 = 1"), params


DELETED = "SELECT id FROM task WHERE deleted_on IS NOT NULL"
# Tasks that take effect after the day read (occurrences of a recurring task made ahead).
LATER = "SELECT id FROM task WHERE assigned_on > :state_on"
# The tasks as they stood at the end of :state_on, with the columns of ``task``. A task no
# change of which took effect after that day is as it is now: read from ``task``, with its
# indexes; the few others from the state they were in on that day (a state that has ended).
_CHANGED_SINCE = "SELECT task_id FROM task_state WHERE valid_from > :state_on"
PAST_TASKS = f"""(SELECT id, directive_id, task_key, title, title_key, lead_id, due,
original_due, status, completed_on, assigned_on, created_at, updated_at, version, deleted_on,
priority, field, evidence, requested_due, series_id
FROM task WHERE id NOT IN ({_CHANGED_SINCE})
UNION ALL
SELECT k.id, k.directive_id, k.task_key, s.title, s.title_key, s.lead_id, s.due,
s.original_due, s.status, s.completed_on, k.assigned_on, k.created_at, k.updated_at,
k.version, k.deleted_on, k.priority, k.field, k.evidence, k.requested_due, k.series_id
FROM task_state s JOIN task k ON k.id = s.task_id
WHERE s.valid_to > :state_on AND s.valid_to < '9999-12-31' AND s.valid_from <= :state_on) t"""
# Supporters changed after that day: one added (a row begins after it) or one removed (a
# row ended after it).
_SUPPORT_CHANGED_SINCE = """SELECT task_id FROM task_support_state WHERE valid_from > :state_on
UNION SELECT task_id FROM task_support_state
WHERE valid_to > :state_on AND valid_to < '9999-12-31'"""
# Anything recorded since that took effect after the day: a task's state, its supporting
# agencies, an agency's code (lists show the codes of the day). Each probe is one index seek.
_CHANGES_AFTER = tuple(
    f"SELECT 1 FROM {table} WHERE {condition} LIMIT 1"
    for table, conditions in (
        ("task_state", ("valid_from > :state_on",
                        "valid_to > :state_on AND valid_to < '9999-12-31'")),
        ("task_support_state", ("valid_from > :state_on",
                                "valid_to > :state_on AND valid_to < '9999-12-31'")),
        ("record_history", ("kind = 'agency' AND action = 'rename' AND effective > :state_on",)))
    for condition in conditions)


def settled(db: Database, task_filter: "TaskFilter") -> "TaskFilter":
    """``task_filter``, reading the tasks as they are when that is how they stood at the end
    of its day (nothing recorded since took effect after it): the same rows, read off the
    task table's indexes instead of rebuilt from ``task_state``."""
    if not task_filter.past:
        return task_filter
    day = task_filter.state_on or task_filter.as_of
    unchanged = db.memo.get(("unchanged after", day)) if db.memo is not None else None
    if unchanged is None:
        unchanged = not any(db.row(probe, {"state_on": day}) for probe in _CHANGES_AFTER)
        if db.memo is not None:  # a read snapshot: the answer holds until it ends
            db.memo[("unchanged after", day)] = unchanged
    return task_filter.replace(today=None) if unchanged else task_filter


PAST_SUPPORT = f"""(SELECT task_id, agency_id, position FROM task_support
WHERE task_id NOT IN ({_SUPPORT_CHANGED_SINCE})
UNION ALL
SELECT task_id, agency_id, position FROM task_support_state
WHERE valid_from <= :state_on AND valid_to > :state_on AND task_id IN
({_SUPPORT_CHANGED_SINCE}))"""

_TASK_COLUMNS = f"""
t.id, t.directive_id, t.task_key, t.title, t.lead_id, t.due, t.original_due, t.status,
t.completed_on, {CATEGORY_SQL} AS category, t.assigned_on, t.created_at, t.updated_at,
t.version, t.deleted_on, t.priority, t.field, t.evidence, t.requested_due
"""


def _task_select(task_filter: "TaskFilter", order: Order | None = None) -> str:
    """The tasks' columns. Their directive's number and lead agency's code are looked up
    apart (:func:`list_tasks`), not joined to every row: a list of 50,000 tasks read them
    a quarter faster. Only the order by agency joins the agencies."""
    join = " JOIN agency a ON a.id = t.lead_id" if order is Order.lead else ""
    return f"SELECT {_TASK_COLUMNS} FROM {task_filter.tasks()}{join}"


def _numbers(db: Database, directive_ids: set[int], numbers: dict[int, str]) -> None:
    """Add these directives' numbers to ``numbers``."""
    for marks, params in chunks(sorted(directive_ids)):
        numbers.update(db.rows(f"SELECT id, number FROM directive WHERE id IN ({marks})",
                               params))


def _task_dict(row: tuple, support: list[str], as_of: date, text_dates: bool,
               numbers: dict[int, str], codes: dict[int, str]) -> dict:
    """A task as lists and reports give it. ``text_dates``: SQLite's, already ISO text."""
    (task_id, directive_id, key, title, lead_id, due, original_due, status, completed_on,
     category, assigned_on, created_at, updated_at, version, deleted_on, priority, field_,
     evidence, requested_due) = row
    if not text_dates:
        due, original_due, completed_on, assigned_on, deleted_on, requested_due = map(
            iso_date, (due, original_due, completed_on, assigned_on, deleted_on,
                       requested_due))
    return {
        "id": task_id,
        "directive": numbers[directive_id],
        "key": key,
        "title": title,
        "lead": codes[lead_id],
        "support": support,
        "due": due,
        "original_due": original_due,
        "status": status,
        "completed_on": completed_on,
        "category": category,
        "days_overdue": ((as_of - date.fromisoformat(due)).days
                         if category == "overdue" and due is not None else None),
        "assigned_on": assigned_on,
        "created_at": str(created_at),
        "updated_at": str(updated_at),
        "version": version,
        "deleted_on": deleted_on,
        "priority": bool(priority),
        "field": field_,
        "evidence": evidence,
        "requested_due": requested_due,
    }


def _support_of(db: Database, task_filter: "TaskFilter", where: str, params: dict,
                task_ids: list[int] | None = None) -> dict[int, list[str]]:
    """The supporting agencies' codes of the tasks ``where`` selects, in order; only those
    of ``task_ids`` (at most :data:`CHUNK`) when given, read off the supporters' key."""
    source = f"{task_filter.support()} s JOIN agency a ON a.id = s.agency_id"
    if task_ids is None:
        source += f" JOIN {task_filter.tasks()} ON t.id = s.task_id"
    else:
        names = [f"sid{i}" for i in range(len(task_ids))]
        params = {**params, **dict(zip(names, task_ids, strict=True))}
        where = f"s.task_id IN ({', '.join(':' + n for n in names)})" if names else "1 = 0"
    support: dict[int, list[str]] = {}
    for task_id, code in db.stream(
            f"SELECT s.task_id, a.code FROM {source} WHERE {where} "
            "ORDER BY s.task_id, s.position", params):
        support.setdefault(task_id, []).append(code)
    return support


def list_tasks(db: Database, task_filter: TaskFilter, order: Order = Order.due) -> Iterator[dict]:
    """The tasks the filter selects, in ``order``, as JSON-ready dicts.

    Rows are streamed. A short list reads its tasks' supporting agencies and directives'
    numbers by their ids, off the keys; a long one (from its first full batch; of the past,
    whose every read rebuilds the supporters as they were, from its tenth) in one pass over
    all the tasks selected (held: a code or two per task) and over the directives.
    """
    task_filter = settled(db, task_filter)
    where, params = task_filter.where()
    # Of the past, agencies by the codes they had then (a rename since changed them).
    then = {}
    if task_filter.past:
        from clusterctl.core.agencies import renamed_codes

        then = renamed_codes(db, task_filter.state_on or task_filter.as_of)
    order = Order(order)
    rows = db.stream(f"{_task_select(task_filter, order)} WHERE {where} {_ORDER_BY[order]}",
                     params)
    as_of, text_dates = task_filter.as_of, db.dialect == "sqlite"
    codes: dict[int, str] = {}
    numbers: dict[int, str] = {}
    everyone, seen, every_number = None, 0, False
    one_pass = 10 * CHUNK if task_filter.past else CHUNK
    while batch := list(islice(rows, CHUNK)):
        seen += len(batch)
        if everyone is None and seen >= one_pass:
            everyone = _support_of(db, task_filter, where, params)
        support = everyone if everyone is not None else _support_of(
            db, task_filter, where, params, [row[0] for row in batch])
        if not codes:
            codes.update(db.rows("SELECT id, code FROM agency"))
        if len(batch) == CHUNK and not every_number:  # a long list: every directive's
            numbers.update(db.rows("SELECT id, number FROM directive"))
            every_number = True
        elif not every_number:
            _numbers(db, {row[1] for row in batch} - numbers.keys(), numbers)
        for row in batch:
            task = _task_dict(row, support.get(row[0], []), as_of, text_dates, numbers, codes)
            if then:
                task["lead"] = then.get(task["lead"], task["lead"])
                task["support"] = [then.get(code, code) for code in task["support"]]
            yield task


def first_per_lead(db: Database, task_filter: TaskFilter,
                   count: int) -> tuple[dict[int, int], list[dict]]:
    """How many tasks each lead agency has among those selected, and its first ``count``
    of them by due date.

    Of the present: the counts off an index, then one small query per agency, each read
    off the (lead, ..., due) index, instead of ranking every selected task. Of the past,
    which has no index: one pass that counts and ranks.
    """
    task_filter = settled(db, task_filter)
    where, params = task_filter.where()
    ids, counts = [], {}
    if task_filter.past:
        for task_id, lead_id, total in db.rows(
                f"SELECT id, lead_id, total FROM (SELECT t.id, t.lead_id, ROW_NUMBER() OVER "
                f"(PARTITION BY t.lead_id ORDER BY t.due, t.id) AS n, COUNT(*) OVER "
                f"(PARTITION BY t.lead_id) AS total FROM {task_filter.tasks()} WHERE {where}) "
                "ranked WHERE n <= :per_lead", {**params, "per_lead": count}):
            ids.append(task_id)
            counts[lead_id] = total
    else:
        counts = dict(db.rows(f"SELECT t.lead_id, COUNT(*) FROM task t WHERE {where} "
                              "GROUP BY t.lead_id", params))
        for lead_id in counts:
            ids += [task_id for (task_id,) in db.rows(
                f"SELECT t.id FROM task t WHERE t.lead_id = :lead AND {where} "
                "ORDER BY t.due, t.id LIMIT :per_lead",
                {**params, "lead": lead_id, "per_lead": count})]
    chosen = TaskFilter(as_of=task_filter.as_of, soon_days=task_filter.soon_days, ids=ids,
                        today=task_filter.today, state_on=task_filter.state_on,
                        deleted=task_filter.deleted)
    return counts, list(list_tasks(db, chosen, order=Order.lead))


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
    from clusterctl.core.directives import find_directive

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


def get_task(db: Database, task_id: int, as_of: date, soon_days: int,
             today: date | None = None) -> dict:
    """One task with its history, oldest change first. As of a day before ``today``: the
    task as it was at the end of that day, and the changes that had taken effect by then."""
    wanted = TaskFilter(as_of=as_of, soon_days=soon_days, ids=[task_id], today=today,
                        deleted=None)
    task = next(list_tasks(db, wanted), None)
    if task is None:
        assigned_on = db.scalar("SELECT assigned_on FROM task WHERE id = :id", {"id": task_id})
        if assigned_on is not None:
            from clusterctl.words import day

            raise NotFoundError(_("task {id} was assigned on {assigned}, after {as_of}").format(
                id=task_id, assigned=day(as_date(assigned_on)), as_of=day(as_of)))
        raise NotFoundError(_("no task with id {id}").format(id=task_id))
    import json  # the changes of its history entries

    until = "AND effective <= :as_of " if wanted.past else ""
    task["history"] = [
        {"id": entry_id, "at": str(at), "effective": iso_date(effective), "actor": actor,
         "action": action, "changes": json.loads(changes), "note": note, "source": source,
         "undoes": undoes}
        for entry_id, at, effective, actor, action, changes, note, source, undoes in db.rows(
            "SELECT id, at, effective, actor, action, changes, note, source, undoes FROM "
            f"task_history WHERE task_id = :id {until}ORDER BY id",
            {"id": task_id, "as_of": as_of},
        )
    ]
    undone = {entry["undoes"] for entry in task["history"]}  # a note undone is no note
    notes = [entry["note"] for entry in task["history"]
             if entry["action"] == "note" and entry["id"] not in undone]
    task["latest_note"] = notes[-1] if notes else None
    return task


def pending_extension(db: Database, task_id: int) -> tuple[date, str | None, date] | None:
    """The extension asked for (the date, the reason given, the day it was asked), if any."""
    due = as_date(db.scalar("SELECT requested_due FROM task WHERE id = :id", {"id": task_id}))
    if due is None:
        return None
    reason, asked = db.row("SELECT note, effective FROM task_history WHERE task_id = :id AND "
                           "action = 'request-extension' ORDER BY id DESC LIMIT 1",
                           {"id": task_id}) or (None, None)
    return due, reason, as_date(asked)


def agencies_of(db: Database, task_id: int) -> tuple[str, list[str]]:
    """The codes of a task's lead and supporting agencies."""
    lead = db.scalar(
        "SELECT a.code FROM task t JOIN agency a ON a.id = t.lead_id WHERE t.id = :id",
        {"id": task_id},
    )
    return lead, [code for (code,) in db.rows(
        "SELECT a.code FROM task_support s JOIN agency a ON a.id = s.agency_id "
        "WHERE s.task_id = :id ORDER BY s.position", {"id": task_id})]
