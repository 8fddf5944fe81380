"""PostgreSQL through psycopg 3, behind the same interface as the SQLite fast path.

Loaded only for a ``postgresql://`` location (psycopg is the optional extra
``clusterctl[postgres]``). The statements are the SQLite path's own: ``:name`` parameters
become psycopg's ``%(name)s`` once per statement text, and dates and instants come back as
the ISO text SQLite stores, so that every command prints exactly what it prints on SQLite.

Writers queue up as on SQLite: each write transaction first takes one advisory lock of the
database, waiting at most the busy timeout (``lock_timeout``). Readers read in one
``REPEATABLE READ`` snapshot and never wait. What each login may do is enforced by the
server with GRANTs to three group roles (:mod:`clusterctl.store.pgroles`).
"""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pgerrors
from psycopg.adapt import Loader

from clusterctl.errors import DatabaseError, InputError, PermissionRefused, RetryableError
from clusterctl.i18n import _
from clusterctl.store.db import Database, Params, redact, scrub

POSTGRES_SCHEMA = Path(__file__).with_name("postgres_schema.sql")
# The key of the advisory lock every write transaction takes first (any fixed number; the
# lock is per database): "clusterctl" in ASCII, folded into a bigint.
WRITE_LOCK = int.from_bytes(b"clusterc", "big") >> 1

_TOKEN = re.compile(r"('(?:[^']|'')*')|(?<![:\w]):([A-Za-z_]\w*)|(%)")
_converted: dict[str, str] = {}


def convert(sql: str) -> str:
    """``sql`` with ``:name`` parameters as psycopg writes them (``%(name)s``); quoted text
    and ``::type`` casts are left alone and a literal ``%`` is doubled."""
    found = _converted.get(sql)
    if found is None:
        def token(match: re.Match) -> str:
            quoted, name, _percent = match.groups()
            if quoted is not None:
                return quoted.replace("%", "%%")
            return f"%({name})s" if name is not None else "%%"

        found = _converted[sql] = _TOKEN.sub(token, sql)
    return found


class _DateAsText(Loader):
    """A DATE as SQLite holds it: ISO text (``2024-06-30``)."""

    def load(self, data) -> str:
        return bytes(data).decode()


class _InstantAsText(Loader):
    """A TIMESTAMPTZ as clusterctl writes it: ``2024-06-30T08:00:00Z`` (the session's time
    zone is UTC, so the server writes ``2024-06-30 08:00:00+00``)."""

    def load(self, data) -> str:
        text = bytes(data).decode()
        return text[:10] + "T" + text[11:].removesuffix("+00") + "Z"


class PostgresDatabase(Database):
    dialect = "postgresql"
    explicit_bump = False  # triggers move the generation on (see postgres_schema.sql)

    def __init__(self, conn: psycopg.Connection, location: str) -> None:
        self.conn = conn
        self.url = location
        self.location = redact(location)
        self.in_transaction = False
        self.needed_role = "viewer"  # what a refused statement needed, for the message
        self._login: str | None = None

    # -- statements ---------------------------------------------------------------------
    def analyze(self) -> None:
        """The server's autovacuum keeps the planner's statistics (and only a table's owner
        may ANALYZE it)."""

    def _cursor(self, sql: str, params: Params):
        return self.conn.execute(convert(sql), params or None, prepare=False)

    def rows(self, sql: str, params: Params = None) -> list[tuple]:
        with self.guard():
            return self._cursor(sql, params).fetchall()

    def stream(self, sql: str, params: Params = None) -> Iterator[tuple]:
        with self.guard():
            cursor = self._cursor(sql, params)
            while batch := cursor.fetchmany(500):
                yield from batch

    def row(self, sql: str, params: Params = None) -> tuple | None:
        with self.guard():
            return self._cursor(sql, params).fetchone()

    def execute(self, sql: str, params: Params = None) -> int:
        with self.guard():
            return self._cursor(sql, params).rowcount

    def executemany(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> int:
        batch = list(seq)
        if not batch:
            return 0
        with self.guard(), self.conn.cursor() as cursor:
            cursor.executemany(convert(sql), batch)
            return cursor.rowcount

    def insert(self, sql: str, params: Params = None) -> int:
        with self.guard():
            return self._cursor(sql, params).fetchone()[0]

    def script(self, statements: Sequence[str]) -> None:
        with self.guard():
            for statement in statements:
                self.conn.execute(statement)

    # -- schema -------------------------------------------------------------------------
    def table_names(self) -> set[str]:
        found = self.rows("SELECT tablename FROM pg_catalog.pg_tables "
                          "WHERE schemaname = current_schema()")
        return {name for (name,) in found}

    def prepare_new(self) -> None:
        pass

    def prepare_bulk(self) -> None:
        pass

    def foreign_keys(self, on: bool) -> None:
        pass  # checked at every statement; a migration never rebuilds a table here

    def foreign_key_problems(self) -> list[str]:
        return []  # PostgreSQL checks foreign keys at every statement: none can be broken

    def shared_group(self) -> str | None:
        return None  # the server decides who may read and write (see pgroles)

    def login(self) -> str:
        """The database login of this connection (``session_user``): the recorded author."""
        if self._login is None:
            self._login = self.scalar("SELECT session_user")
        return self._login

    # -- transactions -------------------------------------------------------------------
    def _begin(self) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

    @contextmanager
    def transaction(self, *, bump: bool = True) -> Iterator["PostgresDatabase"]:
        with self.guard():
            self._begin()
        self.in_transaction = True
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        else:
            with self.guard():
                self.conn.execute("COMMIT")
        finally:
            self.in_transaction = False

    @contextmanager
    def snapshot(self) -> Iterator["PostgresDatabase"]:
        with self.guard():
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        self.in_transaction = True
        self.memo = {}
        try:
            yield self
        finally:
            self.in_transaction = False
            self.memo = None
            self._rollback()

    def _rollback(self) -> None:
        if not self.conn.closed and not self.conn.broken:
            with self.guard():
                self.conn.execute("ROLLBACK")

    driver_error = psycopg.Error

    def translate(self, exc: psycopg.Error) -> Exception:
        if isinstance(exc, pgerrors.InsufficientPrivilege):
            return refused(self.needed_role, self.conn.info.user, self.location)
        if isinstance(exc, psycopg.DataError) and "NUL" in str(exc):  # refused by psycopg
            return InputError(_("PostgreSQL cannot hold text with a NUL character (\\x00); "
                                "remove it"))
        if isinstance(exc, pgerrors.SerializationFailure | pgerrors.DeadlockDetected):
            return RetryableError(_("the database {path} was busy with other changes; try "
                                    "again").format(path=self.location))
        return translate_error(exc, self.url)


def refused(role: str, user: str, location: str) -> PermissionRefused:
    """Exit 5: the server refused ``user`` something that needs ``role``."""
    if role == "owner":
        return PermissionRefused(_(
            "{user} may not change the tables of {path}: only the database's owner can; ask "
            "them to run this").format(user=user, path=location))
    return PermissionRefused(_(
        "{user} may not do this in {path}: it needs the {role} role; an admin can give it "
        "with 'clusterctl db grant {user} --role {role}'").format(
        user=user, path=location, role=role))


def translate_error(exc: Exception, location: str) -> DatabaseError:
    """One line for a psycopg error: what is wrong with the server or database, and what to
    do; a password in the location is never shown."""
    shown = redact(location)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    first = first.removeprefix("connection failed: ")
    reason = first.rpartition("FATAL:")[2].strip()  # libpq's "connection to ... failed: FATAL:"
    if isinstance(exc, psycopg.OperationalError) and reason.startswith("database ") and (
            reason.endswith("does not exist")):
        exc = pgerrors.InvalidCatalogName()
    if isinstance(exc, pgerrors.LockNotAvailable | pgerrors.QueryCanceled):
        from clusterctl.config import busy_timeout

        text = _("the database {path} stayed locked by another user for {seconds:g} s; try "
                 "again, or wait longer with CLUSTERCTL_BUSY_TIMEOUT").format(
            path=shown, seconds=busy_timeout())
    elif isinstance(exc, pgerrors.InvalidCatalogName):
        text = _("the PostgreSQL database of {path} does not exist; create it with "
                 "'createdb', then run 'clusterctl init'").format(path=shown)
    elif isinstance(exc, psycopg.OperationalError) and "password" in reason:
        text = _("the PostgreSQL server of {path} refused the login: {reason}; put your "
                 "password in ~/.pgpass (mode 0600) or PGPASSWORD").format(
            path=shown, reason=reason)
    elif isinstance(exc, psycopg.OperationalError):
        text = _("cannot connect to the PostgreSQL server of {path}: {reason}; check that it "
                 "runs and that your login may connect").format(path=shown, reason=reason)
    else:
        text = _("database error in {path}: {error}").format(path=shown, error=first)
    return DatabaseError(scrub(text, location))


def has_password(location: str) -> bool:
    """Whether ``location`` carries a password (``user:secret@`` or ``password=``)."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        return bool(conninfo_to_dict(location).get("password"))
    except psycopg.Error:
        return ":" in location.partition("://")[2].rpartition("@")[0]


def connect_postgres(location: str) -> PostgresDatabase:
    """Connect to the PostgreSQL database at ``location`` (a libpq URI)."""
    from clusterctl.config import busy_timeout

    if has_password(location):
        raise InputError(_(
            "put the password of {path} in ~/.pgpass or PGPASSWORD, not in the database "
            "URL, which others can see").format(path=redact(location)))
    try:
        conn = psycopg.connect(location, autocommit=True)
    except psycopg.Error as exc:
        raise translate_error(exc, location) from None
    for name, loader in (("date", _DateAsText), ("timestamptz", _InstantAsText)):
        conn.adapters.register_loader(name, loader)
    db = PostgresDatabase(conn, location)
    with db.guard():
        conn.execute(f"SET lock_timeout = {int(busy_timeout() * 1000)}")
        conn.execute("SET TimeZone = 'UTC'")
    return db
