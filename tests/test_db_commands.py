"""clusterctl db check | backup, and the indexes the reports rely on."""

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from clusterctl.store.migrations import SCHEMA_VERSION
from tests.conftest import add_task, db_digest

GENERATOR = Path(__file__).resolve().parent.parent / "examples" / "generate.py"


def _import_many(cli, tmp_path, count: int) -> None:
    """``count`` generated tasks, in one import rather than one command each."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    source = tmp_path / f"tasks-{count}.toml"
    with source.open("w", encoding="utf-8") as out:
        generate.generate(count, date(2024, 7, 1), 1, out)
    cli("import", str(source))


def test_db_check_reports_in_one_line(seeded, db_path):
    add_task(seeded, "Việc", "-l", "SCT")
    out = seeded("db", "check").stdout
    assert out == (f"{db_path}: ok (1 tasks, 1 directives, 4 agencies, "
                   f"schema version {SCHEMA_VERSION})\n")


@pytest.mark.sqlite
def test_db_check_finds_damage(cli, db_path, tmp_path):
    _import_many(cli, tmp_path, 600)
    cli("db", "check")  # checkpointed by the close: the file holds everything
    data = bytearray(db_path.read_bytes())
    assert len(data) > 100_000
    for offset in range(len(data) // 2, len(data) // 2 + 4096):
        data[offset] = 0xFF
    db_path.write_bytes(bytes(data))
    error = cli.fails("db", "check", code=3)
    assert "damaged" in error or "not an SQLite database" in error


@pytest.mark.sqlite
def test_truncated_database_is_exit_3(cli, db_path, tmp_path):
    _import_many(cli, tmp_path, 600)
    cli("db", "check")
    size = db_path.stat().st_size
    assert size > 100_000
    with db_path.open("r+b") as handle:
        handle.truncate(size // 3)
    error = cli.fails("task", "list", "--format", "json", code=3)
    assert str(db_path) in error


def test_backup_is_a_consistent_private_copy(seeded, db_path, tmp_path):
    add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024", "--note", "ghi chú")
    before = db_digest(db_path)
    target = tmp_path / "backup.db"
    assert "Backed up" in seeded("db", "backup", str(target)).stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert db_digest(db_path) == before  # the backup wrote nothing to the original
    if seeded.register.engine == "sqlite":
        assert db_digest(target) == before  # every table, history and metadata included
    for command in (("task", "list"), ("task", "show", "1"), ("export", "--format", "json")):
        assert seeded.json("--db", str(target), *command) == seeded.json(*command)
    assert "already exists" in seeded.fails("db", "backup", str(target))
    assert "cannot write" in seeded.fails("db", "backup", str(tmp_path / "no" / "x.db"))


@pytest.mark.sqlite
def test_backup_while_another_connection_writes(seeded, db_path, tmp_path):
    add_task(seeded, "Việc", "-l", "SCT")
    committed = db_digest(db_path)
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE task SET title = 'uncommitted' WHERE id = 1")
    try:
        seeded("db", "backup", str(tmp_path / "b.db"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert seeded.json("--db", str(tmp_path / "b.db"), "task", "show", "1")["title"] == "Việc"
    assert db_digest(tmp_path / "b.db") == committed


@pytest.fixture
def plans(seeded, db_path):
    add_task(seeded, "Việc", "-l", "SCT", "--due", "1/6/2024")

    def plan(sql: str, params: dict) -> str:
        conn = sqlite3.connect(db_path)
        bound = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, bound).fetchall()
        conn.close()
        return " | ".join(row[-1] for row in rows)

    return plan


@pytest.mark.sqlite
def test_reports_use_indexes(plans):
    from clusterctl.core.queries import _ORDER_BY, Order, TaskFilter, _task_select

    overdue = TaskFilter(as_of=date(2024, 7, 1), soon_days=7, categories=["overdue"])
    where, params = overdue.where()
    _TASK_SELECT = _task_select(overdue)
    assert "USING INDEX ix_task_status_due" in plans(
        f"{_TASK_SELECT} WHERE {where} {_ORDER_BY[Order.due]}", params)
    by_agency = TaskFilter(as_of=date(2024, 7, 1), soon_days=7, lead_ids=[1])
    where, params = by_agency.where()
    assert "USING INDEX ix_task_lead_priority_status" in plans(
        f"{_TASK_SELECT} WHERE {where}", params)
    either = TaskFilter(as_of=date(2024, 7, 1), soon_days=7, agency_ids=[1])
    where, params = either.where()
    plan = plans(f"{_TASK_SELECT} WHERE {where}", params)
    assert "ix_task_lead_priority_status" in plan and "ix_task_support_agency_id" in plan


@pytest.mark.sqlite
def test_bulk_import_into_an_empty_database_keeps_every_index(cli, db_path, tmp_path):
    """A large first import drops the secondary indexes and builds them again at the end."""
    import subprocess
    import sys
    from pathlib import Path

    source = tmp_path / "big.toml"
    generator = Path(__file__).resolve().parent.parent / "examples" / "generate.py"
    with source.open("w", encoding="utf-8") as out:
        subprocess.run([sys.executable, str(generator), "1200"], stdout=out, check=True)
    cli("import", str(source))
    conn = sqlite3.connect(db_path)
    names = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'")}
    assert {"ix_task_lead_priority_status", "ix_task_status_due", "ix_task_history_task_id",
            "ix_task_support_agency_id"} <= names
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM task_history").fetchone()[0] == 1200
    conn.close()
    assert "ok (1200 tasks" in cli("db", "check").stdout
