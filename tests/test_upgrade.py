"""Upgrades: a database made by clusterctl 0.1.0 reaches the current schema with every row.

tests/fixtures/clusterctl-0.1.0.db was written by the 0.1.0 code itself (see
tests/fixtures/make-0.1.0.sh). Each later schema version adds its own fixture and test.
"""

import os
import random
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clusterctl.store.migrations import MIGRATIONS, SCHEMA_VERSION
from tests.conftest import db_digest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "clusterctl-0.1.0.db"
DATA_TABLES = ("agency", "agency_alias", "directive", "task", "task_support", "task_history")


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every data table, by primary key order, in the columns of 0.1.0 (later
    versions add columns; they never drop or change one)."""
    with sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True) as old:
        columns = {table: [c[1] for c in old.execute(f"PRAGMA table_info({table})")]
                   for table in DATA_TABLES}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {table: db.execute(f"SELECT {', '.join(columns[table])} FROM {table} "
                                  "ORDER BY 1, 2").fetchall()
                for table in DATA_TABLES}


def version(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT value FROM clusterctl_meta WHERE name = "
                              "'schema_version'").fetchone()[0])


@pytest.fixture
def old(tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "office.db"
    shutil.copy(FIXTURE, copy)
    monkeypatch.setenv("CLUSTERCTL_DB", str(copy))
    return copy


def test_the_fixture_is_a_0_1_0_database_in_every_state():
    assert version(FIXTURE) == 1
    with sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True) as db:
        statuses = {s for (s,) in db.execute("SELECT DISTINCT status FROM task")}
        actions = {a for (a,) in db.execute("SELECT DISTINCT action FROM task_history")}
        assert statuses == {"open", "in_progress", "done", "cancelled"}
        assert {"created", "note", "start", "extend", "done", "cancel", "edit", "reopen",
                "import"} <= actions
        assert db.execute("SELECT COUNT(*) FROM agency_alias").fetchone()[0] > 0
        assert db.execute("SELECT COUNT(*) FROM task_support").fetchone()[0] > 0
        assert db.execute("SELECT COUNT(*) FROM task WHERE due <> original_due").fetchone()[0]


def test_db_upgrade_keeps_every_row_and_writes_a_backup(cli, old):
    before, original = rows(old), db_digest(old)
    result = cli("db", "upgrade")
    backup = old.with_name("office.db.schema-1.bak")
    assert result.stderr.splitlines() == [
        f"Backed up {old} to {backup}.",
        f"Upgraded {old} from schema version 1 to {SCHEMA_VERSION}."]
    assert version(old) == SCHEMA_VERSION
    assert rows(old) == before  # every agency, directive, task, supporter and history entry
    assert db_digest(backup) == original and version(backup) == 1
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    again = cli("db", "upgrade")
    assert "nothing to do" in again.stderr
    assert not old.with_name("office.db.schema-1-2.bak").exists()


def test_an_upgraded_database_works_with_every_command(cli, old, tmp_path):
    cli("db", "upgrade")
    example = str(ROOT / "examples" / "province-2024.toml")
    for args in (
        ["task", "list", "--all"], ["task", "show", "1"], ["task", "note", "1", "sau nâng cấp"],
        ["task", "start", "5"], ["task", "extend", "5", "--to", "31/12/2025", "--reason", "x"],
        ["task", "done", "5"], ["task", "reopen", "5"],
        ["task", "edit", "5", "--title", "Tên mới"], ["task", "cancel", "5", "--reason", "x"],
        ["task", "add", "-d", "2029/UBND-KTTH", "-l", "NN&MT", "--due", "30/6/2025", "Mới"],
        ["agency", "add", "SYT", "Sở Y tế"], ["agency", "list"], ["agency", "show", "DOIT"],
        ["directive", "add", "9/UBND", "--issued", "1/1/2025", "--title", "T"],
        ["directive", "list"], ["directive", "show", "15/CT-UBND"],
        # The file changed task 5's due date since, and so did 'task extend' above.
        ["import", "--prefer", "database", example],
        ["export"], ["overdue", "--as-of", "31/12/2024"], ["status", "--format", "mail"],
        ["weekly", "--format", "json"], ["db", "check"],
        ["db", "backup", str(tmp_path / "copy.db")], ["init"],
    ):
        cli(*args)
    assert f"schema version {SCHEMA_VERSION}" in cli("db", "check").stdout


def test_an_older_database_is_read_but_not_written(cli, old):
    original = db_digest(old)
    assert cli.json("task", "show", "1")["id"] == 1  # reads keep working
    check = cli("db", "check").stdout
    assert "schema version 1); pending migrations: 2 (checked dates and generation " \
           "triggers), 3 (effect dates and the task as it was on each day), 4 (succession of " \
           "agencies, deletions and undo), 5 (the office's workflow), 6 (key tasks counted " \
           "from an index); run 'clusterctl db " \
           "upgrade'" in check
    for args in (["task", "note", "1", "x"], ["init"],
                 ["import", str(ROOT / "examples" / "province-2024.toml")]):
        error = cli.fails(*args, code=3)
        assert (f"uses schema version 1 and this clusterctl writes version {SCHEMA_VERSION}: "
                "run 'clusterctl db upgrade' first") in error
    assert db_digest(old) == original


def test_a_newer_database_is_refused(cli, old):
    with sqlite3.connect(old) as db:
        db.execute("UPDATE clusterctl_meta SET value = '99' WHERE name = 'schema_version'")
    original = db_digest(old)
    for args in (["task", "list"], ["db", "upgrade"], ["task", "note", "1", "x"]):
        assert "upgrade clusterctl" in cli.fails(*args, code=3)
    assert db_digest(old) == original


def test_a_migration_that_would_break_a_foreign_key_is_not_committed(cli, old):
    with sqlite3.connect(old) as db:  # damage that foreign keys would have refused
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("INSERT INTO task_support (task_id, agency_id, position) VALUES (999, 1, 0)")
    original = db_digest(old)
    error = cli.fails("db", "upgrade", code=3)
    assert "would leave 1 rows pointing at nothing" in error
    assert db_digest(old) == original and version(old) == 1


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.replace('"', "")).replace("( ", "(").replace(" )", ")")


def test_a_migrated_database_has_the_schema_of_a_new_one(cli, old, tmp_path):
    cli("db", "upgrade")
    fresh = tmp_path / "fresh.db"
    cli("--db", str(fresh), "init")

    def schema(path):
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return sorted((kind, name, _normal(sql)) for kind, name, sql in db.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                "AND name NOT LIKE 'sqlite_stat%'"))  # the planner's statistics

    assert schema(old) == schema(fresh)


def test_migrations_are_numbered_in_order():
    assert [m.version for m in MIGRATIONS] == list(range(2, SCHEMA_VERSION + 1))
    assert all(m.name and m.why for m in MIGRATIONS)


# -- killed upgrades ----------------------------------------------------------------------------


def _old_and_large(path: Path, tmp_path: Path, count: int) -> None:
    """A version-1 database with ``count`` tasks: imported with today's code, then taken
    back to version 1 (its triggers dropped), so that the rebuild of the task table takes a
    while."""
    source = tmp_path / "many.toml"
    with source.open("w", encoding="utf-8") as out:
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), str(count)],
                       stdout=out, check=True)
    env = dict(os.environ, CLUSTERCTL_DB=str(path))
    subprocess.run([sys.executable, "-m", "clusterctl", "import", str(source)], env=env,
                   check=True, capture_output=True)
    with sqlite3.connect(path) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                  ).fetchall():
            db.execute(f"DROP TRIGGER {name}")
        # What later versions added goes too (SQLite drops a column only without an index).
        db.execute("DROP INDEX ix_task_history_effective")
        db.execute("DROP INDEX ix_task_deleted_on")
        # A column in a CHECK cannot be dropped: the task table goes back to version 4's.
        from clusterctl.store.migrations import _TASK_COLUMNS_V4, _TASK_V4

        db.execute("DROP INDEX ix_task_series_id")
        db.execute("DROP INDEX ix_task_assigned_on")
        db.execute(_TASK_V4)
        db.execute(f"INSERT INTO task_v4 ({_TASK_COLUMNS_V4}) SELECT {_TASK_COLUMNS_V4} "
                   "FROM task")
        db.execute("DROP TABLE task")
        db.execute("ALTER TABLE task_v4 RENAME TO task")
        for table, column in (("task_history", "effective"), ("task_history", "undoes"),
                              ("task", "assigned_on"), ("task", "deleted_on"),
                              ("agency", "dissolved_on")):
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        for table in ("task_state", "task_support_state", "import_base", "agency_successor",
                      "record_history", "import_run", "task_series", "setting",
                      "office_holiday"):
            db.execute(f"DROP TABLE {table}")
        db.execute("UPDATE clusterctl_meta SET value = '1' WHERE name = 'schema_version'")
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _locked(path: Path) -> bool:
    """Whether another process holds the write lock now."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _upgrade(db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "clusterctl", "db", "upgrade"],
                            env=dict(os.environ, CLUSTERCTL_DB=str(db)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_lock(db: Path, process: subprocess.Popen) -> float:
    """Wait until the upgrade holds the write lock (the backup comes first); return when."""
    deadline = time.monotonic() + 30
    while not _locked(db) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    return time.monotonic()


def _kill_upgrades(tmp_path: Path, count: int, kills: int) -> tuple[int, int, int, float]:
    template = tmp_path / "template.db"
    _old_and_large(template, tmp_path, count)
    before_rows, before_digest = rows(template), db_digest(template)
    # How long the migration holds the lock, measured on a run left to finish.
    trial = tmp_path / "trial.db"
    shutil.copy(template, trial)
    process = _upgrade(trial)
    start = _wait_for_lock(trial, process)
    while _locked(trial):
        time.sleep(0.001)
    held_for = time.monotonic() - start
    process.wait()
    rng = random.Random(count)
    inside = before = after = 0
    for round_ in range(kills):
        db = tmp_path / f"round{round_}.db"
        shutil.copy(template, db)
        process = _upgrade(db)
        _wait_for_lock(db, process)
        time.sleep(rng.uniform(0, 1.1) * held_for)
        held = _locked(db)
        process.send_signal(signal.SIGKILL)
        process.wait()
        inside += held
        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if version(db) == 1:
            assert db_digest(db) == before_digest
            before += 1
        else:  # each migration commits on its own: a later version, every row kept
            assert 1 < version(db) <= SCHEMA_VERSION and rows(db) == before_rows
            after += 1
    return inside, before, after, held_for


def test_a_killed_upgrade_leaves_the_old_version_or_the_new(tmp_path):
    inside, before, after, held = _kill_upgrades(tmp_path, 5000, 4)
    assert inside >= 2, (f"{inside} of 4 kills inside the migration (it holds the lock "
                         f"{held * 1000:.0f} ms); left before {before}, after {after}")


@pytest.mark.slow
def test_a_killed_upgrade_leaves_the_old_version_or_the_new_many_times(tmp_path):
    inside, before, after, held = _kill_upgrades(tmp_path, 20000, 30)
    print(f"\n{inside} of 30 kills inside the migration (it holds the lock {held * 1000:.0f} "
          f"ms); left before {before}, after {after}")
    assert inside >= 15


def test_opening_a_database_knows_the_last_migration():
    from clusterctl.store import schema

    assert schema.SCHEMA_VERSION == MIGRATIONS[-1].version == SCHEMA_VERSION
