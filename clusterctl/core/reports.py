"""Reports: who is late, per agency, and the weekly summary. Counted in SQL, not in Python."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from clusterctl.core.queries import Order, TaskFilter, first_per_lead, list_tasks
from clusterctl.core.timeliness import CATEGORIES, PREDICATES
from clusterctl.store.db import Database


@dataclass
class Scope:
    """What a report covers: the as-of date and the agency and directive filters."""

    as_of: date
    soon_days: int
    agency_ids: list[int]
    directive_ids: list[int]

    def tasks(self, **criteria) -> TaskFilter:
        return TaskFilter(as_of=self.as_of, soon_days=self.soon_days,
                          agency_ids=self.agency_ids, directive_ids=self.directive_ids,
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


def _count_sql(join: str, agency_column: str, where: str) -> str:
    sums = ", ".join(
        f"SUM(CASE WHEN {PREDICATES[c]} THEN 1 ELSE 0 END)" for c in CATEGORIES
    )
    return (f"SELECT {agency_column}, COUNT(*), {sums} FROM task t {join} "
            f"WHERE {where} GROUP BY {agency_column}")


def agency_status(db: Database, scope: Scope, *, include_support: bool = False) -> dict:
    """Counts per lead agency, their rates, and a total row; sorted by overdue, most first.

    Here the scope's agencies choose rows (the agencies shown), not tasks.
    """
    where, params = TaskFilter(as_of=scope.as_of, soon_days=scope.soon_days,
                               directive_ids=scope.directive_ids).where()
    shown = set(scope.agency_ids)
    names = {agency_id: (code, name) for agency_id, code, name in
             db.rows("SELECT id, code, name FROM agency")}
    rows: dict[int, dict] = {}

    def blank(agency_id: int) -> dict:
        code, name = names[agency_id]
        row = {"agency": code, "name": name}
        row.update(dict.fromkeys(CATEGORIES, 0))
        row["total"] = 0
        if include_support:
            row.update({f"support_{c}": 0 for c in ("total", *CATEGORIES)})
        return row

    for agency_id, _all, *counts in db.rows(_count_sql("", "t.lead_id", where), params):
        if shown and agency_id not in shown:
            continue
        row = rows.setdefault(agency_id, blank(agency_id))
        row.update(zip(CATEGORIES, counts, strict=True))
        row["total"] = sum(counts) - row["cancelled"]
    if include_support:
        sql = _count_sql("JOIN task_support s ON s.task_id = t.id", "s.agency_id", where)
        for agency_id, _all, *counts in db.rows(sql, params):
            if shown and agency_id not in shown:
                continue
            row = rows.setdefault(agency_id, blank(agency_id))
            row.update({f"support_{c}": n for c, n in zip(CATEGORIES, counts, strict=True)})
            row["support_total"] = sum(counts) - row["support_cancelled"]
    agencies = sorted((_with_rates(r) for r in rows.values()),
                      key=lambda r: (-r["overdue"], r["agency"]))
    total = {c: sum(r[c] for r in agencies) for c in (*CATEGORIES, "total")}
    return {"as_of": scope.as_of.isoformat(), "agencies": agencies,
            "total": _with_rates(total)}


def weekly_summary(db: Database, scope: Scope, *, longest: int = 5) -> dict:
    """The week ending on the as-of date D: D-6 ... D."""
    as_of = scope.as_of
    start = as_of - timedelta(days=6)
    completed = list(list_tasks(db, scope.tasks(
        categories=["done_on_time", "done_late"], completed_between=(start, as_of)),
        order=Order.completed))
    became_overdue = list(list_tasks(db, scope.tasks(
        categories=["overdue"], due_between=(as_of - timedelta(days=7),
                                             as_of - timedelta(days=1)))))
    due_next = list(list_tasks(db, scope.tasks(
        categories=["overdue", "due_soon", "on_track"],
        due_between=(as_of, as_of + timedelta(days=6)))))
    overdue = scope.tasks(categories=["overdue"])
    where, params = overdue.where()
    counts = db.rows(f"SELECT t.lead_id, COUNT(*) FROM task t WHERE {where} "
                     "GROUP BY t.lead_id", params)
    codes = dict(db.rows("SELECT id, code FROM agency"))
    by_agency = {codes[lead_id]: {"agency": codes[lead_id], "overdue": count, "longest": []}
                 for lead_id, count in counts}
    for task in first_per_lead(db, overdue, [lead_id for lead_id, _n in counts], longest):
        by_agency[task["lead"]]["longest"].append(task)
    return {
        "as_of": as_of.isoformat(),
        "period": {"start": start.isoformat(), "end": as_of.isoformat()},
        "completed": {
            "on_time": [t for t in completed if t["category"] == "done_on_time"],
            "late": [t for t in completed if t["category"] == "done_late"],
        },
        "became_overdue": became_overdue,
        "due_next": due_next,
        "overdue_by_agency": sorted(by_agency.values(),
                                    key=lambda e: (-e["overdue"], e["agency"])),
    }
