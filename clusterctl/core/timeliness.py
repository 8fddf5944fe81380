"""How timely a task is, as of a date: the Government Office's reporting categories.

Each category is one SQL predicate, so reports filter and count in the database; the
category column is a CASE over the same predicates, so the two can never disagree.
"""

from datetime import date, timedelta

CATEGORIES = (
    "done_on_time",
    "done_late",
    "awaiting_confirmation",
    "overdue",
    "due_soon",
    "on_track",
    "ongoing",
    "cancelled",
)

# A task completed after the as-of date was not yet done on that date.
_DONE = "(t.status = 'done' AND t.completed_on <= :as_of)"
_NOT_DONE = (
    "(t.status IN ('open', 'in_progress') OR (t.status = 'done' AND t.completed_on > :as_of))"
)

PREDICATES = {
    "cancelled": "t.status = 'cancelled'",
    # Reported done by its agency, not yet confirmed by the office: neither done nor overdue.
    "awaiting_confirmation": "t.status = 'reported'",
    "done_on_time": f"({_DONE} AND (t.due IS NULL OR t.completed_on <= t.due))",
    "done_late": f"({_DONE} AND t.completed_on > t.due)",
    "ongoing": f"({_NOT_DONE} AND t.due IS NULL)",
    # A due date is a whole day in the office time zone: due on D, overdue from D+1.
    "overdue": f"({_NOT_DONE} AND t.due < :as_of)",
    "due_soon": f"({_NOT_DONE} AND t.due >= :as_of AND t.due < :soon_end)",
    "on_track": f"({_NOT_DONE} AND t.due >= :soon_end)",
}

CATEGORY_SQL = (
    "CASE "
    + " ".join(f"WHEN {PREDICATES[name]} THEN '{name}'" for name in PREDICATES)
    + " END"
)


def window(as_of: date, soon_days: int) -> dict[str, date]:
    """The parameters the predicates take: the as-of date and the end of 'due soon'.

    Due soon covers the ``soon_days`` days starting on the as-of date: D ... D+N-1.
    """
    return {"as_of": as_of, "soon_end": as_of + timedelta(days=soon_days)}
