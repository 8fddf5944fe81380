"""What the rest of the register asks of recurring tasks, kept apart from
:mod:`clusterctl.core.series` (which only the commands that make or change series load):
whether a series lacks occurrences (every command asks) and whether a key is a series'."""

from datetime import date, timedelta

from clusterctl.errors import InputError
from clusterctl.i18n import _

# How far past today an open-ended series is made, whatever the as-of date asked for: a
# typed --as-of 2999 must not fill the register with a thousand years of occurrences.
AHEAD = timedelta(days=366 * 5)


def needs_extending(db, as_of: date, today: date) -> bool:
    """Whether an open-ended series lacks the occurrences of ``as_of`` (one query)."""
    return db.scalar("SELECT 1 FROM task_series WHERE covered_to < :d LIMIT 1",
                     {"d": min(as_of, today + AHEAD)}) is not None


def check_free_key(db, directive_id: int, key: str) -> None:
    """Refuse a task key that is a recurring task's, or one of its occurrences' to come
    (``KEY/...``)."""
    stem = key.partition("/")[0]
    if db.scalar("SELECT id FROM task_series WHERE directive_id = :d AND series_key IN "
                 "(:k, :stem)", {"d": directive_id, "k": key, "stem": stem}) is not None:
        raise InputError(_("{key!r} is a key of a recurring task of this directive (its "
                           "occurrences are keyed {stem}/PERIOD); choose another key").format(
            key=key, stem=stem))
