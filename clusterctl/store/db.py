"""Opening the database and running statements on it.

Statements are portable SQL with ``:name`` parameters. A file path (or a ``sqlite:///`` URL)
runs them on the standard library's sqlite3, which starts in milliseconds; a
``postgresql://`` URL runs the same statements through psycopg
(:mod:`clusterctl.store.postgres`).
"""

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from clusterctl.errors import DatabaseError
from clusterctl.i18n import _

Params = Mapping[str, Any] | None

sqlite3.register_adapter(date, date.isoformat)


MAX_ID = 2**63 - 1  # the largest integer SQLite (and PostgreSQL's bigint) stores
CHUNK = 500  # parameters per IN (...) list, well under every database's limit

BUMP_GENERATION = (
    "UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(64)) "
    "WHERE name = 'generation'"
)


def utc_now() -> str:
    """The current instant in UTC, as stored in ``created_at``, ``updated_at`` and history."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(value: Any) -> str | None:
    """A date, stored or not, as ISO text (SQLite already stores it so)."""
    return value if value is None or isinstance(value, str) else value.isoformat()


def as_date(value: Any) -> date | None:
    """A stored date (ISO text in SQLite, a date elsewhere) as a ``date``."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def chunks(values: list, size: int = CHUNK) -> Iterator[tuple[str, dict]]:
    """``(":p0, :p1, ...", {"p0": ..., ...})`` for each slice of ``values``, for IN lists."""
    for start in range(0, len(values), size):
        part = values[start:start + size]
        names = [f"p{i}" for i in range(len(part))]
        yield ", ".join(":" + n for n in names), dict(zip(names, part, strict=True))


_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&\s]*")


def redact(location: str) -> str:
    """``location`` as it may be printed: a URL's password (``user:secret@``, or a
    ``password=`` parameter) becomes ``***``."""
    scheme, sep, rest = location.partition("://")
    if not sep:
        return location
    userinfo, at, host = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.split(':', 1)[0]}:***@{host}"
    return _PASSWORD_PARAM.sub(r"\1***", f"{scheme}://{rest}")


def scrub(text: str, location: str) -> str:
    """``text`` (a driver's message, say) with the location and its password redacted."""
    shown = redact(location)
    if shown == location:
        return text
    text = text.replace(location, shown)
    userinfo = location.partition("://")[2].rpartition("@")[0]
    secret = userinfo.split(":", 1)[1] if ":" in userinfo else ""
    for match in _PASSWORD_PARAM.finditer(location):
        text = text.replace(match.group(), match.group(1) + "***")
    return text.replace(secret, "***") if secret else text


def is_postgres(location: str) -> bool:
    """Whether ``location`` is a PostgreSQL connection URI."""
    return location.startswith(("postgresql://", "postgres://"))


def sqlite_path(location: str) -> Path | None:
    """The file behind ``location`` if it is a path or a plain ``sqlite:///`` URL, else None."""
    if "://" not in location:
        return Path(location).expanduser()
    if location.startswith("sqlite:///") and len(location) > len("sqlite:///"):
        return Path(location[len("sqlite:///") :])
    return None


class Database:
    """One connection, with helpers that turn driver errors into :class:`DatabaseError`."""

    dialect = "sqlite"
    explicit_bump = True  # each write transaction moves the generation on itself
    needed_role = "viewer"  # roles exist on PostgreSQL only (see pgroles)
    # Inside a read snapshot: what the queries found that cannot change before it ends.
    memo: dict | None = None

    def __init__(self, conn: sqlite3.Connection, location: str) -> None:
        self.conn = conn
        self.location = location
        self.in_transaction = False

    # -- statements ---------------------------------------------------------------------
    def rows(self, sql: str, params: Params = None) -> list[tuple]:
        with self.guard():
            return self.conn.execute(sql, params or {}).fetchall()

    def stream(self, sql: str, params: Params = None) -> Iterator[tuple]:
        """Yield rows one by one, for outputs that must not hold every row in memory."""
        with self.guard():
            cursor = self.conn.execute(sql, params or {})
            while batch := cursor.fetchmany(500):
                yield from batch

    def row(self, sql: str, params: Params = None) -> tuple | None:
        with self.guard():
            return self.conn.execute(sql, params or {}).fetchone()

    def scalar(self, sql: str, params: Params = None) -> Any:
        found = self.row(sql, params)
        return None if found is None else found[0]

    def execute(self, sql: str, params: Params = None) -> int:
        """Run a statement; return how many rows it changed."""
        with self.guard():
            return self.conn.execute(sql, params or {}).rowcount

    def executemany(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> int:
        """Run a statement once per parameter set; return how many rows it changed in all."""
        with self.guard():
            return self.conn.executemany(sql, seq).rowcount

    def insert(self, sql: str, params: Params = None) -> int:
        """Run an ``INSERT ... RETURNING id`` and return the id."""
        with self.guard():
            return self.conn.execute(sql, params or {}).fetchone()[0]

    def script(self, statements: Sequence[str]) -> None:
        with self.guard():
            for statement in statements:
                self.conn.execute(statement)

    # -- schema -------------------------------------------------------------------------
    def table_names(self) -> set[str]:
        found = self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in found if not name.startswith("sqlite_")}

    def prepare_new(self) -> None:
        """Settings a new database keeps for good: write-ahead logging lets readers go on
        while someone writes."""
        with self.guard():
            self.conn.execute("PRAGMA journal_mode = WAL")

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, bump: bool = True) -> Iterator["Database"]:
        """All or nothing. Takes the write lock at once, so that two writers queue up
        (waiting up to the busy timeout) instead of one failing half-way.

        Each write transaction bumps the database's generation, which tells an import that
        nothing was written since the last one (see :mod:`clusterctl.core.importcache`).
        """
        with self.guard():
            self._begin()
        self.in_transaction = True
        try:
            if bump and self.explicit_bump:
                self.execute(BUMP_GENERATION)
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        else:
            with self.guard():
                self.conn.commit()
        finally:
            self.in_transaction = False

    def transactions(self, *, tries: int = 4) -> Iterator[AbstractContextManager["Database"]]:
        """Transactions, one after another until one commits: a body that the server gave
        up for another transaction's sake (a deadlock, a serialization failure) runs again,
        quietly, up to ``tries`` times in all. Use as::

            for attempt in db.transactions():
                with attempt:
                    ...  # reads and writes, run again from the start if need be
        """
        for number in range(1, tries + 1):
            committed: list[bool] = []
            yield self._attempt(committed, last=number == tries)
            if committed:
                return

    @contextmanager
    def _attempt(self, committed: list[bool], *, last: bool) -> Iterator["Database"]:
        from clusterctl.errors import RetryableError

        try:
            with self.transaction():
                yield self
        except RetryableError:
            if last:
                raise
            import random
            import time

            time.sleep(random.uniform(0.01, 0.1))  # let the other one finish first
            return  # the error is swallowed: the loop runs the body again
        committed.append(True)

    @contextmanager
    def snapshot(self) -> Iterator["Database"]:
        """Read in one snapshot: every statement sees the database as it was at the first,
        whatever others commit meanwhile."""
        with self.guard():
            self.conn.execute("BEGIN")
        self.memo = {}
        try:
            yield self
        finally:
            self.memo = None
            with self.guard():
                self.conn.rollback()  # nothing was written; this only ends the snapshot

    def shared_group(self) -> str | None:
        """The Unix group the database is shared with (``init --shared``), or None."""
        return self.scalar("SELECT value FROM clusterctl_meta WHERE name = 'shared_group'")

    def foreign_keys(self, on: bool) -> None:
        """Turn foreign key enforcement on or off (outside a transaction)."""
        self.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")

    def foreign_key_problems(self) -> list[str]:
        """Rows that point at a row that does not exist, one sentence each."""
        return [f"{table} row {rowid} refers to a missing {parent}"
                for table, rowid, parent, _fk in self.rows("PRAGMA foreign_key_check")]

    def analyze(self) -> None:
        """After many rows were written: the statistics the query planner chooses indexes
        by (a tenth of a second at 100,000 tasks). Without them SQLite may read a list of
        one agency's tasks through the index on status, ten times the rows."""
        with self.guard():
            self.conn.execute("ANALYZE")

    def prepare_bulk(self) -> None:
        """Before writing many rows: a page cache of 64 MiB (rather than 2) keeps the
        indexes' pages at hand; SQLite allocates it only as it fills."""
        with self.guard():
            self.conn.execute("PRAGMA cache_size = -8192")

    def _begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        self.conn.close()

    driver_error: type[Exception] = sqlite3.Error  # what the driver raises

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn the driver's errors into clusterctl's (see :meth:`translate`)."""
        try:
            yield
        except self.driver_error as exc:
            raise self.translate(exc) from exc

    def translate(self, exc: Exception) -> Exception:
        return translate_error(exc, self.location)


def translate_error(exc: Exception, location: str) -> DatabaseError:
    """One clear sentence for a driver error, naming the database and what to do; a
    password in the location is never shown."""
    error = _describe(exc, redact(location))
    return DatabaseError(scrub(str(error), location))


def _describe(exc: Exception, location: str) -> DatabaseError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        from clusterctl.config import busy_timeout

        return DatabaseError(
            _("the database {path} stayed locked by another user for {seconds:g} s; try again, "
              "or wait longer with CLUSTERCTL_BUSY_TIMEOUT").format(
                path=location, seconds=busy_timeout())
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseError(
            _("cannot write to the database {path}: the file or its folder is read-only; "
              "ask its owner, or use another database with --db").format(path=location)
        )
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return DatabaseError(
            _("{path} is damaged or is not an SQLite database; restore it from a backup or "
              "use another with --db").format(path=location)
        )
    if "unable to open" in text:
        return DatabaseError(
            _("cannot open the database {path}: check that its folder exists and is "
              "readable").format(path=location)
        )
    return DatabaseError(_("database error in {path}: {error}").format(path=location, error=exc))


def connect_sqlite(path: Path, location: str, *, create: bool) -> Database:
    """Connect to an SQLite file; with ``create``, make it (0600, folder 0700) if missing."""
    from clusterctl.config import busy_timeout

    timeout = busy_timeout()
    if create and not path.exists():
        _create_private_file(path, location)
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate_error(exc, location) from exc
    db = Database(conn, location)
    with db.guard():
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
    return db


def _create_private_file(path: Path, location: str) -> None:
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass  # another process created it first: fine, it is a database or will be
    except OSError as exc:
        raise DatabaseError(
            _("cannot create the database {path}: {reason}").format(
                path=location, reason=exc.strerror or exc)
        ) from None
