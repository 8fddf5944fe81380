"""Every test runs on a database in its own temporary folder, never a user's."""

import hashlib
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


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "clusterctl.db"


def db_digest(path: str | os.PathLike, *, ignore: Iterable[str] = ()) -> str:
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
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):
        """Run clusterctl in-process; check its exit code unless ``code`` is None."""
        result = self.runner.invoke(app, list(args), input=input)
        assert code is None or result.exit_code == code, (
            f"exit {result.exit_code} != {code}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\nexception: {result.exception!r}"
        )
        return result

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
def cli() -> Cli:
    return Cli()


AGENCIES: Sequence[tuple[str, str, tuple[str, ...]]] = (
    ("SCT", "Sở Công Thương", ("DOIT",)),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", ("DPI",)),
    ("STC", "Sở Tài chính", ()),
    ("SXD", "Sở Xây dựng", ()),
)


class Templates:
    """Databases built once per run, by the same commands under the same settings as a
    test's, and copied for each test that starts from one: a copy takes a millisecond, the
    commands a tenth of a second or more."""

    def __init__(self, factory) -> None:
        self.factory = factory
        self.built: dict[str, Path] = {}

    def copy(self, name: str, build, target: Path) -> None:
        """Put the database ``build(cli)`` makes from nothing at ``target``."""
        if name not in self.built:
            from clusterctl.config import office_tz

            folder = self.factory.mktemp(f"template-{name}")
            with pytest.MonkeyPatch.context() as monkeypatch:
                _isolate(monkeypatch, folder)
                office_tz.cache_clear()
                try:
                    build(Cli())
                finally:
                    office_tz.cache_clear()
            path = folder / "data" / "clusterctl.db"
            assert not Path(f"{path}-wal").exists()  # everything is in the one file
            self.built[name] = path
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(self.built[name], target)
        target.chmod(0o600)


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
def seeded(cli, db_path, templates):
    """Four agencies and directive 2029/UBND-KTTH, no tasks (a copy of the database
    :func:`seed` makes)."""
    templates.copy("seeded", seed, db_path)
    return cli


def add_task(cli, title: str, *args: str) -> int:
    result = cli("task", "add", "-d", "2029/UBND-KTTH", *args, title)
    return int(result.stdout.strip())
