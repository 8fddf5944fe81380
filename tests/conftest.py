"""Every test runs on a database in its own temporary folder, never a user's.

Every test of a command runs twice: on an SQLite file and on a database of its own on a
throwaway PostgreSQL server (tests/pgserver.py; .ci/run starts one, else the first test that
needs it does). Tests of what only a file has (permissions, a damaged file, the 0.1.0
fixture) are marked ``sqlite`` and run once.
"""

import hashlib
import itertools
import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clusterctl.cli.main import app

_FIGURES: list[str] = []


@pytest.fixture
def figures(request):
    """``figures(text)`` keeps a line of measurements (how many kills landed where, say) to
    print at the end of the run, under "figures", whether the test passes or not."""
    return lambda text: _FIGURES.append(f"{request.node.nodeid}: {text}")


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


def _isolate(monkeypatch, folder: Path) -> None:
    monkeypatch.setenv("CLUSTERCTL_DB", str(folder / "data" / "clusterctl.db"))
    monkeypatch.setenv("CLUSTERCTL_USER", "tester")
    monkeypatch.setenv("CLUSTERCTL_TZ", "Asia/Ho_Chi_Minh")
    monkeypatch.setenv("HOME", str(folder / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "home" / "data"))
    for name in ("CLUSTERCTL_DUE_SOON_DAYS", "CLUSTERCTL_DEBUG", "CLUSTERCTL_BUSY_TIMEOUT",
                 "NO_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    _isolate(monkeypatch, tmp_path)
    from clusterctl.config import office_tz

    office_tz.cache_clear()
    yield
    office_tz.cache_clear()


ENGINES = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite: about what only an SQLite file has; runs "
                                       "on SQLite only")


def pytest_collection_modifyitems(config, items):
    """A test marked ``sqlite`` runs on SQLite only (its PostgreSQL twin is deselected)."""
    kept, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        engine = params.params.get("register") if params else None
        if engine == "postgresql" and item.get_closest_marker("sqlite"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


class PgServer:
    """The throwaway server: a database of its own for each test, dropped after it."""

    def __init__(self, info: dict[str, str]) -> None:
        import psycopg

        self.info = info
        self.admin = psycopg.connect(dbname="postgres", autocommit=True, **info)
        self.numbers = itertools.count(1)
        # Tests connect as "tester", as they set CLUSTERCTL_USER on SQLite: the owner of each
        # test database, who may create the roles that `init` makes.
        if not self.sql("SELECT 1 FROM pg_roles WHERE rolname = 'tester'"):
            self.sql("CREATE ROLE tester LOGIN CREATEROLE")

    def url(self, name: str, user: str = "tester") -> str:
        return (f"postgresql:///{name}?host={self.info['host']}&port={self.info['port']}"
                f"&user={user}")

    def create(self, template: str | None = None, name: str | None = None) -> str:
        name = name or f"t{os.getpid()}_{next(self.numbers)}"
        self.sql(f'CREATE DATABASE "{name}" OWNER tester'
                 + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def sql(self, statement: str, params=None) -> list:
        cursor = self.admin.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The PostgreSQL server of this run: the one .ci/run started (CLUSTERCTL_TEST_PGHOST),
    else one started here. Without one, PostgreSQL tests fail where .ci/run requires it
    (CLUSTERCTL_TEST_PG_REQUIRED) and are skipped elsewhere, saying why."""
    from tests import pgserver

    folder = None
    if os.environ.get("CLUSTERCTL_TEST_PGHOST"):
        info = {"host": os.environ["CLUSTERCTL_TEST_PGHOST"],
                "port": os.environ.get("CLUSTERCTL_TEST_PGPORT", "5432"),
                "user": os.environ.get("CLUSTERCTL_TEST_PGUSER", "postgres")}
    else:
        folder = tmp_path_factory.mktemp("pgserver")
        try:
            info = pgserver.start(folder)
        except Exception as exc:
            if os.environ.get("CLUSTERCTL_TEST_PG_REQUIRED"):
                pytest.fail(f"no PostgreSQL server for the tests: {exc}")
            pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    server = PgServer(info)
    yield server
    server.admin.close()
    if folder is not None:
        pgserver.stop(folder)


class Register:
    """The database a test works on: an SQLite file, or a PostgreSQL database of its own."""

    def __init__(self, engine: str, path: Path, server: PgServer | None = None,
                 name: str | None = None) -> None:
        self.engine, self.path, self.server, self.name = engine, path, server, name

    @property
    def location(self) -> str:
        """What --db and CLUSTERCTL_DB take."""
        return str(self.path) if self.server is None else self.server.url(self.name)

    def __str__(self) -> str:
        return self.location

    def url(self, user: str) -> str:
        """PostgreSQL: this database, connected to as ``user``."""
        return self.server.url(self.name, user)

    def exists(self) -> bool:
        """Whether clusterctl made its database here: the file, or the tables."""
        if self.server is None:
            return self.path.exists()
        return bool(self.sql("SELECT 1 FROM pg_tables WHERE tablename = 'clusterctl_meta'"))

    def sql(self, statement: str, params: Sequence = ()) -> list:
        """Run ``statement`` (``?`` parameters) as another program would (the sqlite3 shell,
        psql), and commit."""
        if self.server is None:
            conn = sqlite3.connect(self.path)
            try:
                with conn:
                    return conn.execute(statement, params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(dbname=self.name, autocommit=True,
                             **(self.server.info | {"user": "tester"})) as conn:
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(params=ENGINES)
def register(request, tmp_path, monkeypatch):
    """The database of a test that runs commands, on each engine in turn."""
    path = tmp_path / "data" / "clusterctl.db"
    if request.param == "sqlite":
        yield Register("sqlite", path)
        return
    server = request.getfixturevalue("pg_server")
    name = server.create()
    found = Register("postgresql", path, server, name)
    monkeypatch.setenv("CLUSTERCTL_DB", found.location)
    yield found
    server.drop(name)


@pytest.fixture
def db_path(register):
    """Where the test's database is: a Path on SQLite; on PostgreSQL, the :class:`Register`
    (``str()`` of either is what --db takes, and :func:`db_digest` reads either)."""
    return register.path if register.server is None else register


def db_digest(path, *, ignore: Iterable[str] = ()) -> str:
    if isinstance(path, Register):
        return pg_digest(path, ignore=ignore)
    return sqlite_digest(path, ignore=ignore)


def pg_digest(register: Register, *, ignore: Iterable[str] = ()) -> str:
    """What :func:`sqlite_digest` is for a file, for a PostgreSQL database: every table's
    columns and rows in a fixed order, and the sequences' positions."""
    import psycopg

    skip = set(ignore)
    digest = hashlib.sha256()
    with psycopg.connect(dbname=register.name, **register.server.info) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}" LIMIT 0')
            columns = [d.name for d in cursor.description]
            kept = [i for i, name in enumerate(columns) if name not in skip]
            order = ", ".join(str(i + 1) for i in kept or range(len(columns)))
            digest.update(repr((table, columns)).encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
                digest.update(repr(tuple(row[i] for i in kept)).encode())
        digest.update(repr(conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1").fetchall()).encode())
    return digest.hexdigest()


def sqlite_digest(path: str | os.PathLike, *, ignore: Iterable[str] = ()) -> str:
    """A sha256 of everything an SQLite database holds: its schema (every table, index and
    trigger of sqlite_master), then every row of every table, clusterctl_meta, task_history
    and SQLite's own tables included, in a fixed order. Two databases digest alike exactly
    when they hold the same data, however their pages are laid out.

    Values of the columns named in ``ignore`` (in any table) are left out, so that, say, an
    import can be compared with the same import made a few seconds later. A missing file
    digests to "missing".

    The database is opened read-only. When no write-ahead log exists it is opened as
    immutable, which reads the same data and, unlike a read-only connection on a WAL
    database, leaves no -wal and -shm files behind.
    """
    path = Path(path)
    if not path.exists():
        return "missing"
    wal = Path(f"{path}-wal")
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")
    skip = set(ignore)
    digest = hashlib.sha256()
    conn = sqlite3.connect(uri, uri=True)
    try:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                              "ORDER BY type, name").fetchall()
        digest.update(repr(schema).encode())
        for kind, table, _, sql in schema:
            if kind != "table" or (sql or "").upper().startswith("CREATE VIRTUAL"):
                continue
            quoted = '"' + table.replace('"', '""') + '"'
            cursor = conn.execute(f"SELECT * FROM {quoted} LIMIT 0")
            columns = [d[0] for d in cursor.description]
            kept = [i for i, name in enumerate(columns) if name not in skip]
            order = ", ".join(str(i + 1) for i in kept or range(len(columns)))
            digest.update(repr((table, columns)).encode())
            for row in conn.execute(f"SELECT * FROM {quoted} ORDER BY {order}"):
                digest.update(repr(tuple(row[i] for i in kept)).encode())
                digest.update(b"\n")
    finally:
        conn.close()
    return digest.hexdigest()


class Cli:
    def __init__(self, register: Register | None = None) -> None:
        self.runner = CliRunner()
        self.register = register

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):
        """Run clusterctl in-process; check its exit code unless ``code`` is None."""
        result = self.runner.invoke(app, list(args), input=input)
        assert code is None or result.exit_code == code, (
            f"exit {result.exit_code} != {code}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\nexception: {result.exception!r}"
        )
        return result

    def become(self, user: str, role: str = "admin") -> None:
        """Run the next commands as ``user``: CLUSTERCTL_USER on SQLite; on PostgreSQL the
        database login ``user`` (created if missing), granted ``role``."""
        register = self.register
        if register is None or register.server is None:
            os.environ["CLUSTERCTL_USER"] = user  # set by monkeypatch: restored after
            return
        os.environ["CLUSTERCTL_DB"] = register.url("tester")
        self("init")  # the tables and roles, if the database is still empty
        self("db", "grant", user, "--role", role)
        os.environ["CLUSTERCTL_DB"] = register.url(user)

    def json(self, *args: str):
        return json.loads(self(*args, "--format", "json").stdout)

    def fails(self, *args: str, code: int = 2) -> str:
        """Run a command that must fail; return its one-line error."""
        result = self(*args, code=code)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: "), lines[0]
        assert "Traceback" not in result.output
        return lines[0]


@pytest.fixture
def cli(register) -> Cli:
    return Cli(register)


AGENCIES: Sequence[tuple[str, str, tuple[str, ...]]] = (
    ("SCT", "Sở Công Thương", ("DOIT",)),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", ("DPI",)),
    ("STC", "Sở Tài chính", ()),
    ("SXD", "Sở Xây dựng", ()),
)


class Templates:
    """Databases built once per run, by the same commands under the same settings as a
    test's, and copied for each test that starts from one: a copy takes a millisecond (a
    file) or a few (a PostgreSQL database made from a template), the commands a tenth of a
    second or more."""

    def __init__(self, factory) -> None:
        self.factory = factory
        self.built: dict[tuple[str, str], Path | str] = {}

    def copy(self, name: str, build, target: Register | Path) -> None:
        """Make the test's database the one ``build(cli)`` makes from nothing."""
        register = target if isinstance(target, Register) else Register("sqlite", target)
        key = (name, register.engine)
        if key not in self.built:
            from clusterctl.config import office_tz

            folder = self.factory.mktemp(f"template-{name}")
            with pytest.MonkeyPatch.context() as monkeypatch:
                _isolate(monkeypatch, folder)
                if register.server is not None:
                    template = register.server.create()
                    monkeypatch.setenv("CLUSTERCTL_DB", register.server.url(template))
                office_tz.cache_clear()
                try:
                    build(Cli())
                finally:
                    office_tz.cache_clear()
            if register.server is not None:
                self.built[key] = template
            else:
                path = folder / "data" / "clusterctl.db"
                assert not Path(f"{path}-wal").exists()  # everything is in the one file
                self.built[key] = path
        if register.server is not None:
            register.server.drop(register.name)
            register.server.create(self.built[key], register.name)
            Cli()("init")  # this database's own roles (named after it), as an owner would
            return
        path = register.path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(self.built[key], path)
        path.chmod(0o600)


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Templates:
    return Templates(tmp_path_factory)


def seed(cli) -> None:
    """Four agencies and directive 2029/UBND-KTTH, no tasks."""
    for code, name, aliases in AGENCIES:
        args = ["agency", "add", code, name]
        for alias in aliases:
            args += ["--alias", alias]
        cli(*args)
    cli("directive", "add", "2029/UBND-KTTH", "--issued", "22/4/2024",
        "--title", "Tăng cường công tác quản lý, phát triển cụm công nghiệp",
        "--issuer", "Chủ tịch UBND tỉnh Bắc Giang")


@pytest.fixture
def seeded(cli, register, templates):
    """Four agencies and directive 2029/UBND-KTTH, no tasks (a copy of the database
    :func:`seed` makes)."""
    templates.copy("seeded", seed, register)
    return cli


def add_task(cli, title: str, *args: str) -> int:
    result = cli("task", "add", "-d", "2029/UBND-KTTH", *args, title)
    return int(result.stdout.strip())
