"""Triggers that move the database's generation on at every write, whichever program makes it.

An import that finds the generation where it left it knows that nothing was written since
(:mod:`clusterctl.core.importcache`); a write by another program (the sqlite3 shell, a script)
moves it on as clusterctl's own writes do.
"""

GENERATION_TABLES = ("agency", "agency_alias", "directive", "task", "task_support",
                     "task_history")


def generation_triggers(dialect_name: str) -> list[str]:
    """The CREATE TRIGGER statements for ``dialect_name`` (SQLite; others: none yet, and
    clusterctl's own transactions bump the generation there)."""
    if dialect_name != "sqlite":
        return []
    return [
        f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
        "BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
        "WHERE name = 'generation'; END"
        for table in GENERATION_TABLES for event in ("INSERT", "UPDATE", "DELETE")
    ]
