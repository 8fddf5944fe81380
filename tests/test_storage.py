"""Where the database lives, how it is created, and every way opening it can fail."""

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from clusterctl.store.schema import SCHEMA_VERSION
from tests.conftest import db_digest


@pytest.mark.parametrize(
    "args",
    [("task", "list"), ("agency", "list"), ("directive", "list"), ("task", "show", "1"),
     ("directive", "show", "X"), ("agency", "show", "SCT")],
)
@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_read_on_missing_database_exits_3_and_creates_nothing(cli, db_path, args):
    error = cli.fails(*args, code=3)
    assert str(db_path) in error
    assert "clusterctl init" in error
    assert not db_path.exists()
    assert not db_path.parent.exists()


@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_init_creates_private_wal_database_and_prints_path(cli, db_path):
    result = cli("init")
    assert result.stdout.strip() == str(db_path)
    assert "Created" in result.stderr
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    version = conn.execute(
        "SELECT value FROM clusterctl_meta WHERE name = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION
    again = cli("init")
    assert "already exists" in again.stderr


@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_first_write_creates_the_database(cli, db_path):
    cli("agency", "add", "SCT", "Sở Công Thương")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert cli.json("agency", "list")[0]["code"] == "SCT"


def test_db_option_overrides_environment(cli, tmp_path):
    other = tmp_path / "other.db"
    cli("--db", str(other), "agency", "add", "SCT", "Sở Công Thương")
    assert other.exists()
    assert cli("--db", str(other), "db", "path").stdout.strip() == str(other)
    cli.fails("agency", "list", code=3)  # CLUSTERCTL_DB still names the missing one


def test_default_location_is_the_user_data_dir(cli, monkeypatch):
    import typer

    monkeypatch.delenv("CLUSTERCTL_DB")
    expected = os.path.join(typer.get_app_dir("clusterctl"), "clusterctl.db")
    assert cli("db", "path").stdout.strip() == expected


def test_sqlite_url_uses_the_file(cli, tmp_path):
    path = tmp_path / "url.db"
    cli("--db", f"sqlite:///{path}", "agency", "add", "SCT", "Sở Công Thương")
    assert path.exists()
    assert cli.json("--db", str(path), "agency", "list")[0]["code"] == "SCT"


def test_a_sqlite_url_is_the_file_and_other_engines_are_named(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    cli("--db", url, "agency", "add", "SCT", "Sở Công Thương")
    assert cli.json("--db", str(tmp_path / "by-url.db"), "agency", "list")[0]["code"] == "SCT"
    error = cli.fails("--db", "mysql://host/db", "task", "list", code=3)
    assert "give a file path, or a PostgreSQL URL" in error


def test_unknown_url_scheme_is_exit_3(cli):
    error = cli.fails("--db", "nosuchdb://x/y", "task", "list", code=3)
    assert "nosuchdb://x/y" in error


@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_newer_schema_is_refused(cli, db_path):
    cli("init")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE clusterctl_meta SET value = '999' WHERE name = 'schema_version'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    digest = db_digest(db_path)
    error = cli.fails("task", "list", code=3)
    assert "newer clusterctl" in error and "999" in error
    cli.fails("agency", "add", "SCT", "Sở Công Thương", code=3)
    assert db_path.read_bytes() == before
    assert db_digest(db_path) == digest  # nor anything in a write-ahead log


@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_foreign_sqlite_database_is_refused(cli, db_path):
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE things (x)")
    conn.execute("INSERT INTO things VALUES (1)")
    conn.commit()
    conn.close()
    before = db_digest(db_path)
    error = cli.fails("agency", "add", "SCT", "Sở Công Thương", code=3)
    assert "not a clusterctl database" in error
    assert db_digest(db_path) == before  # no clusterctl table was added to it


@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_garbage_file_is_refused(cli, db_path):
    db_path.parent.mkdir()
    db_path.write_bytes(b"this is not sqlite at all" * 100)
    before = db_path.read_bytes()
    error = cli.fails("task", "list", code=3)
    assert "not an SQLite database" in error
    cli.fails("agency", "add", "SCT", "Sở Công Thương", code=3)
    assert db_path.read_bytes() == before


def test_database_path_is_a_folder(cli, tmp_path):
    error = cli.fails("--db", str(tmp_path), "task", "list", code=3)
    assert "is a folder" in error


@pytest.mark.sqlite  # a file's own states (test_postgres has the server's)
def test_locked_database_waits_then_exits_3(cli, db_path, monkeypatch):
    cli("init")
    before = db_digest(db_path)
    monkeypatch.setenv("CLUSTERCTL_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        error = cli.fails("agency", "add", "SCT", "Sở Công Thương", code=3)
        assert "locked" in error and "CLUSTERCTL_BUSY_TIMEOUT" in error
        assert cli.json("agency", "list") == []  # readers are not blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db_digest(db_path) == before
    cli("agency", "add", "SCT", "Sở Công Thương")
    assert db_digest(db_path) != before


def _read_only(path) -> bool:
    """Make ``path`` read-only even for root (chattr +i); False where that is unsupported."""
    import subprocess

    if os.geteuid() != 0:
        path.chmod(0o500 if path.is_dir() else 0o400)
        return True
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    return done.returncode == 0


def _writable_again(path) -> None:
    import subprocess

    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    path.chmod(0o700 if path.is_dir() else 0o600)


def test_read_only_database_refuses_writes(cli, db_path):
    cli("agency", "add", "SCT", "Sở Công Thương")
    before = db_digest(db_path)
    if not _read_only(db_path):
        pytest.skip("this file system cannot make a file read-only for root")
    try:
        error = cli.fails("agency", "add", "STC", "Sở Tài chính", code=3)
        assert "read-only" in error and str(db_path) in error
        assert [a["code"] for a in cli.json("agency", "list")] == ["SCT"]
    finally:
        _writable_again(db_path)
    assert db_digest(db_path) == before


def test_read_only_folder_is_exit_3_for_a_new_database(cli, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    if not _read_only(folder):
        pytest.skip("this file system cannot make a folder read-only for root")
    try:
        error = cli.fails("--db", str(folder / "x.db"), "init", code=3)
        assert "cannot create the database" in error
        assert list(folder.iterdir()) == []
    finally:
        _writable_again(folder)


def test_bad_settings_are_exit_2(cli):
    """Each in its own process, whose settings are read fresh (the office zone is cached
    once read, so changing it inside this process might not be seen)."""
    cli("init")

    def run(**settings: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "clusterctl", "task", "list"],
                              env={**os.environ, **settings}, capture_output=True, text=True,
                              check=False)

    assert run(CLUSTERCTL_TZ="UTC").returncode == 0
    for name, value in (("CLUSTERCTL_TZ", "Mars/Olympus"), ("CLUSTERCTL_DUE_SOON_DAYS", "soon")):
        done = run(**{name: value})
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("Error: ") and name in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_sqlite_schema_file_matches_the_models():
    from clusterctl.store.models import sqlite_ddl
    from clusterctl.store.schema import SQLITE_SCHEMA

    assert SQLITE_SCHEMA.read_text(encoding="utf-8") == sqlite_ddl(), (
        "the models changed: run python -m clusterctl.store.models"
    )


def test_migrations_are_append_only_and_reach_the_current_version():
    from clusterctl.store.migrations import MIGRATIONS

    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions))
    assert all(2 <= v <= SCHEMA_VERSION for v in versions)
    assert len(versions) == SCHEMA_VERSION - 1  # version 1 is the initial schema
