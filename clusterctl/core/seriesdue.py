"""Whether a recurring task lacks occurrences: asked by every command, so kept apart from
:mod:`clusterctl.core.series`, which only the commands that make occurrences load."""

from datetime import date, timedelta

# How far past today an open-ended series is made, whatever the as-of date asked for: a
# typed --as-of 2999 must not fill the register with a thousand years of occurrences.
AHEAD = timedelta(days=366 * 5)


def needs_extending(db, as_of: date, today: date) -> bool:
    """Whether an open-ended series lacks the occurrences of ``as_of`` (one query)."""
    return db.scalar("SELECT 1 FROM task_series WHERE covered_to < :d LIMIT 1",
                     {"d": min(as_of, today + AHEAD)}) is not None
