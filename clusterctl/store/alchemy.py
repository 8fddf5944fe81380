"""Any database SQLAlchemy reaches by URL (a shared PostgreSQL, say), behind the same
interface as the SQLite fast path. Loading SQLAlchemy costs ~0.4 s, paid only here."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from clusterctl.errors import DatabaseError
from clusterctl.i18n import _
from clusterctl.store.db import Database, Params, redact, scrub, translate_error


class AlchemyDatabase(Database):
    def __init__(self, engine, location: str) -> None:
        self.engine = engine
        self.url = location
        self.location = redact(location)  # what messages show: never the password
        self.dialect = engine.dialect.name
        self.in_transaction = False
        with self.guard():
            self.conn = engine.connect()

    def _run(self, sql: str, params: Params):
        from sqlalchemy import text

        return self.conn.execute(text(sql), dict(params or {}))

    def _autocommit(self, result_of):
        """Outside :meth:`transaction`, each statement commits on its own."""
        with self.guard():
            result = result_of()
            if not self.in_transaction:
                self.conn.commit()
            return result

    def rows(self, sql: str, params: Params = None) -> list[tuple]:
        return self._autocommit(lambda: [tuple(r) for r in self._run(sql, params)])

    def stream(self, sql: str, params: Params = None) -> Iterator[tuple]:
        yield from self.rows(sql, params)

    def row(self, sql: str, params: Params = None) -> tuple | None:
        found = self._autocommit(lambda: self._run(sql, params).first())
        return None if found is None else tuple(found)

    def execute(self, sql: str, params: Params = None) -> int:
        return self._autocommit(lambda: self._run(sql, params).rowcount)

    def executemany(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> int:
        from sqlalchemy import text

        batch = [dict(p) for p in seq]
        if not batch:
            return 0
        return self._autocommit(lambda: self.conn.execute(text(sql), batch).rowcount)

    def insert(self, sql: str, params: Params = None) -> int:
        return self._autocommit(lambda: self._run(sql, params).scalar_one())

    def script(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self.execute(statement)

    def table_names(self) -> set[str]:
        from sqlalchemy import inspect

        with self.guard():
            return set(inspect(self.conn).get_table_names())

    @contextmanager
    def snapshot(self) -> Iterator["AlchemyDatabase"]:
        with self.guard():
            self._begin()
        self.in_transaction = True
        try:
            yield self
        finally:
            self.in_transaction = False
            with self.guard():
                self.conn.rollback()

    def foreign_keys(self, on: bool) -> None:
        if self.dialect == "sqlite":
            super().foreign_keys(on)

    def foreign_key_problems(self) -> list[str]:
        # Other engines check foreign keys at every statement: nothing can be left broken.
        return super().foreign_key_problems() if self.dialect == "sqlite" else []

    def prepare_new(self) -> None:
        pass

    def prepare_bulk(self) -> None:
        pass

    def sqlalchemy_dialect(self):
        return self.engine.dialect

    def _begin(self) -> None:
        if self.conn.in_transaction():  # SQLAlchemy opened one for an earlier read
            self.conn.commit()
        self.conn.begin()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()

    @contextmanager
    def guard(self) -> Iterator[None]:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            yield
        except SQLAlchemyError as exc:
            raise translate_error(getattr(exc, "orig", None) or exc, self.url) from exc


def connect_url(location: str) -> AlchemyDatabase:
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        engine = create_engine(location)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(scrub(
            _("cannot use the database URL {url}: {reason}").format(url=location, reason=exc),
            location)) from None
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

    return AlchemyDatabase(engine, location)
