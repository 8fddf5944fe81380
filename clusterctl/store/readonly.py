"""Reading a database strictly read-only, quickly, and silently: for shell completion, which
runs at each Tab while a command line is being typed. It never creates, migrates or locks a
database, leaves no -wal or -shm file behind, and whatever goes wrong (no database, a damaged
or locked one, a server that does not answer, a URL of another kind) answers with no rows.
"""

import sqlite3
from pathlib import Path

TIMEOUT = 0.2  # seconds to wait for a lock: a Tab must answer at once


def _uri(value: str) -> str | None:
    """A read-only URI for the SQLite file at ``value``, or None if it is no such file."""
    if "://" in value:
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            return None  # another database's URL: not read for completion
        value = value[len("sqlite:///"):]
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        return None  # connecting would create it
    # Without a write-ahead log nobody has the database open: read it as immutable, which
    # leaves no -wal and -shm files behind, as a read-only connection to it would.
    wal = Path(f"{path}-wal").exists()
    return path.as_uri() + ("?mode=ro" if wal else "?mode=ro&immutable=1")


# Prefixes are compared on the folded keys that the tables keep (code_key, number_key).
STATEMENTS = {
    "agencies": "SELECT code, name FROM agency WHERE substr(code_key, 1, ?) = ? "
                "ORDER BY code_key LIMIT ?",
    "directives": "SELECT number, title FROM directive WHERE substr(number_key, 1, ?) = ? "
                  "ORDER BY number_key LIMIT ?",
    "keys": "SELECT t.task_key, t.title FROM task t JOIN directive d ON d.id = t.directive_id "
            "WHERE d.number_key = ? AND (t.task_key LIKE ? ESCAPE '\\' "
            "OR t.task_key GLOB '*[^ -~]*') ORDER BY length(t.task_key), t.task_key",
    "ids": "SELECT id, title FROM task WHERE substr(CAST(id AS TEXT), 1, ?) = ? "
           "ORDER BY id LIMIT ?",
    "references": "SELECT d.number, t.task_key, t.title FROM task t JOIN directive d "
                  "ON d.id = t.directive_id WHERE substr(d.number_key, 1, ?) = ? "
                  "ORDER BY d.number_key, length(t.task_key), t.task_key LIMIT ?",
}


def rows(location: str, name: str, params: tuple) -> list[tuple]:
    """The rows of the statement ``name`` on the database at ``location``, or none whatever
    goes wrong."""
    try:
        if location.startswith(("postgresql://", "postgres://")):
            return _server_rows(location, name, params)
        uri = _uri(location)
        if uri is None:
            return []
        conn = sqlite3.connect(uri, uri=True, timeout=TIMEOUT)
        try:
            return conn.execute(STATEMENTS[name], params).fetchall()
        finally:
            conn.close()
    except Exception:  # a completion prints nothing, whatever the database's state
        return []


def _server_rows(location: str, name: str, params: tuple) -> list[tuple]:
    """The same statement on PostgreSQL, in a read-only transaction that gives up at once
    rather than wait (psycopg takes ``%s``, and a regular expression stands for GLOB)."""
    import psycopg

    sql = STATEMENTS[name].replace("?", "%s").replace(
        "t.task_key GLOB '*[^ -~]*'", "t.task_key ~ '[^ -~]'")
    with psycopg.connect(location, connect_timeout=2, autocommit=True) as conn:
        conn.execute("BEGIN READ ONLY")
        conn.execute(f"SET LOCAL statement_timeout = {int(TIMEOUT * 1000)}")
        return [tuple(str(v) if not isinstance(v, str | int) else v for v in row)
                for row in conn.execute(sql, params).fetchall()]
