"""Triggers that move the database's generation on at every write, whichever program makes it.

An import that finds the generation where it left it knows that nothing was written since
(:mod:`clusterctl.core.importcache`); a write by another program (the sqlite3 shell, a script)
moves it on as clusterctl's own writes do.
"""

GENERATION_TABLES = ("agency", "agency_alias", "directive", "task", "task_support",
                     "task_history")


def generation_triggers(dialect_name: str) -> list[str]:
    """The statements that create the triggers for ``dialect_name``: one per row in SQLite;
    in PostgreSQL one per statement, through a function that runs with its owner's rights,
    so that a login that may write tasks need not be allowed to write clusterctl_meta, and
    that moves the generation on once per transaction (an import's thousands of statements
    would otherwise update one row thousands of times)."""
    if dialect_name == "sqlite":
        return [
            f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
            "BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS "
            "TEXT) WHERE name = 'generation'; END"
            for table in GENERATION_TABLES for event in ("INSERT", "UPDATE", "DELETE")
        ]
    if dialect_name == "postgresql":
        return [PG_BUMP_FUNCTION] + [
            f"CREATE TRIGGER generation_{table}_{event.lower()} AFTER {event} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation()"
            for table in GENERATION_TABLES for event in ("INSERT", "UPDATE", "DELETE")
        ]
    return []


PG_BUMP_FUNCTION = (
    "CREATE FUNCTION clusterctl_bump_generation() RETURNS trigger LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path FROM CURRENT AS $$ BEGIN "
    "IF current_setting('clusterctl.bumped', true) = 'yes' THEN RETURN NULL; END IF; "
    "PERFORM set_config('clusterctl.bumped', 'yes', true); "
    "UPDATE clusterctl_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR(64)) "
    "WHERE name = 'generation'; RETURN NULL; END $$"
)
