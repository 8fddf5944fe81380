"""Reports: who is late, per agency, over a period, and the weekly summary. Counted in SQL,
not in Python.

A report as of a past day reads the register as it stood at the end of that day (see
:class:`clusterctl.core.queries.TaskFilter`): a report re-run later gives the numbers it gave
then, except where a change dated on or before that day was recorded since.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from clusterctl.core.queries import (
    Order,
    TaskFilter,
    first_per_lead,
    list_tasks,
    pending_extension,
    settled,
)
from clusterctl.core.timeliness import CATEGORIES, PREDICATES
from clusterctl.store.db import Database


class Scope:
    """What a report covers: the as-of date and the agency and directive filters. (A plain
    class, as :class:`TaskFilter` is.)"""

    __slots__ = ("agency_ids", "as_of", "directive_ids", "fields", "priority", "soon_days",
                 "today")

    def __init__(self, as_of: date, soon_days: int, agency_ids: list[int],
                 directive_ids: list[int], today: date | None = None,
                 priority: bool | None = None, fields: list[str] | None = None) -> None:
        self.as_of = as_of
        self.soon_days = soon_days
        self.agency_ids = agency_ids
        self.directive_ids = directive_ids
        self.today = today  # None: the tasks as they are now, whatever the as-of date
        self.priority = priority  # True: key tasks only
        self.fields = fields or []  # only tasks of these fields

    def tasks(self, **criteria) -> TaskFilter:
        return TaskFilter(as_of=self.as_of, soon_days=self.soon_days,
                          agency_ids=self.agency_ids, directive_ids=self.directive_ids,
                          today=self.today, priority=self.priority, fields=self.fields,
                          **criteria)


def overdue_tasks(db: Database, scope: Scope, *, by_lead: bool = False) -> Iterator[dict]:
    """Overdue tasks, most overdue first (or by lead agency, then most overdue)."""
    order = Order.lead if by_lead else Order.most_overdue
    return list_tasks(db, scope.tasks(categories=["overdue"]), order=order)


def rate(numerator: int, denominator: int) -> float | None:
    """A share rounded to 4 places, or None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def _with_rates(counts: dict) -> dict:
    done = counts["done_on_time"] + counts["done_late"]
    fallen_due = done + counts["overdue"]
    counts["done"] = done
    counts["fallen_due"] = fallen_due
    counts["completion_rate"] = rate(done, fallen_due)
    counts["on_time_rate"] = rate(counts["done_on_time"], done)
    return counts


def _sums() -> str:
    return ", ".join(f"COUNT(*) FILTER (WHERE {PREDICATES[c]})" for c in CATEGORIES)


def _count_sql(tasks: str, join: str, column: str, where: str) -> str:
    """Counts by ``column`` and by whether the tasks are key tasks: one pass over the tasks,
    in the order of the index on (lead, priority, status, due, completion)."""
    return (f"SELECT {column}, t.priority, COUNT(*), {_sums()} FROM {tasks} {join} "
            f"WHERE {where} GROUP BY {column}, t.priority")


def _add(row: dict, counts: list[int], prefix: str = "") -> None:
    """Add a group's counts (by category, and their total less the cancelled) to ``row``."""
    for category, n in zip(CATEGORIES, counts, strict=True):
        row[f"{prefix}{category}"] += n
    row[f"{prefix}total"] += sum(counts) - counts[CATEGORIES.index("cancelled")]


def successor_roots(db: Database) -> dict[int, int]:
    """Each agency that merged into another, mapped to the agency that carries on its tasks
    today (following mergers in turn); a split agency has no single one and stays itself."""
    single: dict[int, int] = {}
    for agency_id, successor_id, count in db.rows(
            "SELECT agency_id, MIN(successor_id), COUNT(*) FROM agency_successor "
            "GROUP BY agency_id"):
        if count == 1:
            single[agency_id] = successor_id
    roots = {}
    for agency_id in single:
        root, seen = agency_id, set()
        while root in single and root not in seen:
            seen.add(root)
            root = single[root]
        roots[agency_id] = root
    return roots


def agency_status(db: Database, scope: Scope, *, include_support: bool = False,
                  rollup: bool = False) -> dict:
    """Counts per lead agency, their rates, and a total row; sorted by overdue, most first.

    Here the scope's agencies choose rows (the agencies shown), not tasks. Agencies are named
    as they were on the as-of day; ``rollup`` counts each merged agency's tasks under the
    agency that carries them on today, named as it is today (``merged`` lists them).
    """
    from clusterctl.core.agencies import names_on

    counted = settled(db, TaskFilter(as_of=scope.as_of, soon_days=scope.soon_days,
                                     directive_ids=scope.directive_ids, today=scope.today,
                                     priority=scope.priority, fields=scope.fields))
    where, params = counted.where()
    shown = set(scope.agency_ids)
    roots = successor_roots(db) if rollup else {}
    names = names_on(db, scope.today if rollup and scope.today else scope.as_of)
    rows: dict[int, dict] = {}

    def blank(agency_id: int) -> dict:
        code, name = names[agency_id]
        row = {"agency": code, "name": name}
        if rollup:
            row["merged"] = sorted(names[a][0] for a, root in roots.items()
                                   if root == agency_id)
        row.update(dict.fromkeys(CATEGORIES, 0))
        row["total"] = 0
        if include_support:
            row.update({f"support_{c}": 0 for c in ("total", *CATEGORIES)})
        return row

    key = dict.fromkeys((*CATEGORIES, "total"), 0)  # the key tasks (trọng tâm), apart
    for agency_id, priority, _all, *counts in db.rows(
            _count_sql(counted.tasks(), "", "t.lead_id", where), params):
        agency_id = roots.get(agency_id, agency_id)
        if shown and agency_id not in shown:
            continue
        _add(rows.setdefault(agency_id, blank(agency_id)), counts)
        if priority:
            _add(key, counts)
    if include_support:
        sql = _count_sql(counted.tasks(), f"JOIN {counted.support()} s ON s.task_id = t.id",
                         "s.agency_id", where)
        for agency_id, _priority, _all, *counts in db.rows(sql, params):
            agency_id = roots.get(agency_id, agency_id)
            if shown and agency_id not in shown:
                continue
            _add(rows.setdefault(agency_id, blank(agency_id)), counts, "support_")
    agencies = sorted((_with_rates(r) for r in rows.values()),
                      key=lambda r: (-r["overdue"], r["agency"]))
    total = {c: sum(r[c] for r in agencies) for c in (*CATEGORIES, "total")}
    return {"as_of": scope.as_of.isoformat(), "agencies": agencies,
            "total": _with_rates(total), "key_tasks": _with_rates(key)}


def field_status(db: Database, scope: Scope) -> dict:
    """Counts per field (lĩnh vực), their rates, and a total; as :func:`agency_status` counts
    per lead agency. Tasks without a field are counted under None."""
    counted = settled(db, scope.tasks())
    where, params = counted.where()
    by_field: dict = {}
    key = dict.fromkeys((*CATEGORIES, "total"), 0)
    for field_, priority, _all, *counts in db.rows(
            _count_sql(counted.tasks(), "", "t.field", where), params):
        row = by_field.setdefault(field_, {"field": field_,
                                           **dict.fromkeys((*CATEGORIES, "total"), 0)})
        _add(row, counts)
        if priority:
            _add(key, counts)
    rows = [_with_rates(row) for row in by_field.values()]
    rows.sort(key=lambda r: (-r["overdue"], r["field"] is None, r["field"] or ""))
    total = {c: sum(r[c] for r in rows) for c in (*CATEGORIES, "total")}
    return {"as_of": scope.as_of.isoformat(), "fields": rows, "total": _with_rates(total),
            "key_tasks": _with_rates(key)}


def period_status(db: Database, scope: Scope, start: date, end: date) -> dict:
    """The official shape of a period report, per lead agency at the end of ``end``: the
    tasks carried over (assigned before ``start`` and still to do at the end of the day
    before it), the tasks assigned within the period, and what became of both by the end of
    ``end``, with the rates. Tasks done or cancelled before the period are not its tasks."""
    counted = settled(db, TaskFilter(as_of=end, soon_days=scope.soon_days,
                                     directive_ids=scope.directive_ids, today=scope.today,
                                     priority=scope.priority, fields=scope.fields))
    where, params = counted.where()
    params.update(start=start, before=start - timedelta(days=1))
    carried = ("(t.assigned_on < :start AND p.status IN ('open', 'in_progress', 'reported'))")
    assigned = "(t.assigned_on >= :start AND t.assigned_on <= :as_of)"
    sql = (f"SELECT t.lead_id, SUM(CASE WHEN {carried} THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN {assigned} THEN 1 ELSE 0 END), {_sums()} "
           f"FROM {counted.tasks()} LEFT JOIN task_state p ON p.task_id = t.id "
           "AND p.valid_from <= :before AND p.valid_to > :before "
           f"WHERE {where} AND ({carried} OR {assigned}) GROUP BY t.lead_id")
    shown = set(scope.agency_ids)
    from clusterctl.core.agencies import names_on

    names = names_on(db, end)
    agencies = []
    for agency_id, carried_over, new, *counts in db.rows(sql, params):
        if shown and agency_id not in shown:
            continue
        code, name = names[agency_id]
        row = {"agency": code, "name": name, "carried_over": carried_over, "assigned": new}
        row.update(zip(CATEGORIES, counts, strict=True))
        row["total"] = carried_over + new - row["cancelled"]
        agencies.append(_period_rates(row))
    agencies.sort(key=lambda r: (-r["overdue"], r["agency"]))
    total = {c: sum(r[c] for r in agencies)
             for c in ("carried_over", "assigned", *CATEGORIES, "total")}
    return {"from": start.isoformat(), "to": end.isoformat(), "agencies": agencies,
            "total": _period_rates(total)}


def _period_rates(counts: dict) -> dict:
    counts = _with_rates(counts)
    counts["done_rate"] = rate(counts["done"], counts["total"])  # of all the period's tasks
    return counts


def weekly_summary(db: Database, scope: Scope, *, longest: int = 5) -> dict:
    """The week before the as-of date D: D-7 ... D-1, read as it stood at the end of D-1.

    Run on Monday D, it covers Monday to Sunday of the week before, whatever the hour: a task
    completed on D is in next week's summary, so that consecutive weekly runs cover every
    day exactly once. Tasks completed in the week; tasks that became overdue in it (due in
    it and not done by D); tasks due in the next seven days (D ... D+6); the overdue count
    per lead agency, with its longest-overdue tasks; and what changed in the week.
    """
    from clusterctl.core.changelog import ChangeFilter, list_changes

    as_of = scope.as_of
    start, end = as_of - timedelta(days=7), as_of - timedelta(days=1)

    def tasks(**criteria) -> TaskFilter:
        return scope.tasks(state_on=end, **criteria)

    completed = list(list_tasks(db, tasks(
        categories=["done_on_time", "done_late"], completed_between=(start, end)),
        order=Order.completed))
    became_overdue = list(list_tasks(db, tasks(
        categories=["overdue"], due_between=(start, end))))
    due_next = list(list_tasks(db, tasks(
        categories=["overdue", "due_soon", "on_track"],
        due_between=(as_of, as_of + timedelta(days=6)))))
    awaiting = list(list_tasks(db, tasks(categories=["awaiting_confirmation"])))
    pending = []  # the requests still undecided, as far as the week knew them
    for task in list_tasks(db, tasks(pending_extension=True, categories=[
            "overdue", "due_soon", "on_track"])):
        _due, reason, asked = pending_extension(db, task["id"]) or (None, None, None)
        if asked is None or asked <= end:
            pending.append(task | {"requested_reason": reason})
    counts, first = first_per_lead(db, tasks(categories=["overdue"]), longest)
    from clusterctl.core.agencies import names_on

    codes = {agency_id: code for agency_id, (code, _name) in names_on(db, end).items()}
    by_agency = {codes[lead_id]: {"agency": codes[lead_id], "overdue": count, "longest": []}
                 for lead_id, count in counts.items()}
    for task in first:
        by_agency[task["lead"]]["longest"].append(task)
    changed = list_changes(db, ChangeFilter(  # in the order they took effect
        since=start, until=end, agency_ids=scope.agency_ids,
        directive_ids=scope.directive_ids, live_only=True))[::-1]
    return {
        "as_of": as_of.isoformat(),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "completed": {
            "on_time": [t for t in completed if t["category"] == "done_on_time"],
            "late": [t for t in completed if t["category"] == "done_late"],
        },
        "became_overdue": became_overdue,
        "due_next": due_next,
        "awaiting_confirmation": awaiting,
        "pending_extensions": pending,
        "overdue_by_agency": sorted(by_agency.values(),
                                    key=lambda e: (-e["overdue"], e["agency"])),
        "changed": {
            "assigned": [c for c in changed if c["action"] == "created"],
            "extended": [c for c in changed if c["action"] in ("extend", "approve-extension")],
            "reassigned": [c for c in changed if "lead" in c["changes"]
                           and c["action"] != "created"],
        },
    }
