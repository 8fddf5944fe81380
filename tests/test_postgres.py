"""What only a PostgreSQL register has: roles enforced by the server, copies between engines,
upgrades under an advisory lock, writes run again after a deadlock. (Every command's own
tests run on PostgreSQL too, through the ``register`` fixture.)"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from clusterctl.store.migrations import SCHEMA_VERSION
from tests.conftest import Cli, Register, add_task, db_digest, seed

CLUSTERCTL = [sys.executable, "-m", "clusterctl"]
EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "province-2024.toml")


@pytest.fixture
def pg(pg_server, tmp_path, monkeypatch, templates):
    """A seeded PostgreSQL register of this test's own, and clusterctl run on it as its
    owner, "tester"."""
    name = pg_server.create()
    register = Register("postgresql", tmp_path / "unused.db", pg_server, name)
    monkeypatch.setenv("CLUSTERCTL_DB", register.location)
    templates.copy("seeded", seed, register)
    yield Cli(register)
    pg_server.drop(name)


def as_user(cli: Cli, user: str, *args: str, code: int = 0):
    """Run clusterctl as the database login ``user``."""
    return cli("--db", cli.register.url(user), *args, code=code)


def psql(cli: Cli, user: str, statement: str):
    """What ``user`` could do in psql, bypassing clusterctl."""
    info = cli.register.server.info | {"user": user}
    with psycopg.connect(dbname=cli.register.name, autocommit=True, **info) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_roles_are_enforced_by_the_server(pg):
    task_id = str(add_task(pg, "Rà soát", "-l", "SCT", "--due", "30/6/2024"))
    for login, role in (("xem", "viewer"), ("lan", "staff"), ("tp", "admin")):
        assert f"{login} is now {role}" in pg("db", "grant", login, "--role", role).stderr
    before = db_digest(pg.register)

    # A viewer reads and reports, and changes nothing.
    assert as_user(pg, "xem", "overdue", "--as-of", "1/7/2024", "--format", "json").stdout
    assert as_user(pg, "xem", "status", "--format", "json").stdout
    for args in (("task", "note", task_id, "x"), ("task", "done", task_id),
                 ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "Mới")):
        error = as_user(pg, "xem", *args, code=5).stderr
        assert error.count("\n") == 1 and "Traceback" not in error
        assert "xem may not do this" in error and "needs the staff role" in error
        assert "clusterctl db grant xem --role staff" in error
    assert db_digest(pg.register) == before

    # Staff change tasks, not agencies, directives, imports or roles.
    as_user(pg, "lan", "task", "note", task_id, "đang làm")
    as_user(pg, "lan", "task", "extend", task_id, "--to", "31/7/2024", "--reason", "chờ",
            "--on", "1/7/2024")
    as_user(pg, "lan", "task", "done", task_id, "--on", "2/7/2024")
    new = as_user(pg, "lan", "task", "add", "-d", "2029/UBND-KTTH", "-l", "STC", "Mới")
    as_user(pg, "lan", "task", "edit", new.stdout.strip(), "--title", "Mới hơn")
    for args in (("agency", "add", "SYT", "Sở Y tế"),
                 ("directive", "add", "9/UBND", "--issued", "1/1/2024", "--title", "T"),
                 ("import", EXAMPLE),
                 ("db", "grant", "xem", "--role", "admin")):
        assert "needs the admin role" in as_user(pg, "lan", *args, code=5).stderr
    # ...and psql gives them no more: history cannot be rewritten, nor the schema's facts.
    for statement in ("UPDATE task_history SET note = 'sửa'", "DELETE FROM task_history",
                      "UPDATE clusterctl_meta SET value = '9' WHERE name = 'schema_version'",
                      "DELETE FROM agency", "DROP TABLE task"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            psql(pg, "lan", statement)
    # Admins keep agencies and import; even they cannot rewrite the schema version.
    as_user(pg, "tp", "agency", "add", "SYT", "Sở Y tế")
    as_user(pg, "tp", "import", EXAMPLE)
    assert psql(pg, "tp", "UPDATE clusterctl_meta SET value = '9' "
                          "WHERE name = 'schema_version'") == 0  # row security: not theirs
    as_user(pg, "tp", "db", "grant", "xem", "--role", "staff")
    as_user(pg, "xem", "task", "note", task_id, "giờ thì được")

    # Each change is recorded under the login that made it, whatever CLUSTERCTL_USER says.
    history = pg.json("task", "show", task_id)["history"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("created", "tester"), ("note", "lan"), ("extend", "lan"), ("done", "lan"),
        ("note", "xem")]

    pg("db", "revoke", "xem")
    assert "needs the staff role" in as_user(pg, "xem", "task", "note", task_id, "x",
                                             code=5).stderr
    assert "no role" in pg("db", "revoke", "xem").stderr  # again: harmless


def test_grant_is_for_a_server_and_a_real_login(pg, tmp_path):
    assert "roles are for a PostgreSQL database" in pg.fails(
        "--db", str(tmp_path / "x.db"), "db", "grant", "lan", "--role", "staff")
    assert "is not a PostgreSQL login name" in pg.fails("db", "grant", "x" * 64, "--role",
                                                        "staff")
    assert "invalid value" in pg.fails("db", "grant", "lan", "--role", "boss").lower()
    # A login that does not exist is made, without a password, and may then connect.
    pg("db", "grant", "moi", "--role", "viewer")
    assert as_user(pg, "moi", "task", "list", "--format", "json").stdout == "[]\n"


def test_the_owner_alone_makes_tables(pg):
    pg("db", "grant", "tp", "--role", "admin")
    error = as_user(pg, "tp", "init", code=5).stderr
    assert "only the database's owner can" in error


def test_copy_to_sqlite_and_back_keeps_every_row(pg, tmp_path, pg_server):
    first = add_task(pg, "Rà soát [b]quy hoạch[/b]", "-l", "SCT", "-s", "STC", "--due",
                     "30/6/2024", "--note", "dòng 1\ndòng 2")
    pg("task", "done", str(first), "--on", "1/7/2024")
    add_task(pg, "Báo cáo", "-l", "SXD")
    listing = pg.json("task", "list", "--all")
    shown = pg.json("task", "show", str(first))
    export = pg("export", "--format", "json").stdout

    file_copy = tmp_path / "home.db"
    said = pg("db", "copy", "--to", str(file_copy)).stderr
    assert "Copied 4 agencies, 1 directives, 2 tasks and 3 history entries" in said
    assert "every table's rows and digest match" in said
    back = pg_server.create()
    try:
        url = pg_server.url(back)
        pg("--db", str(file_copy), "db", "copy", "--to", url)
        for location in (str(file_copy), url):
            assert pg.json("--db", location, "task", "list", "--all") == listing
            assert pg.json("--db", location, "task", "show", str(first)) == shown
            assert pg("--db", location, "export", "--format", "json").stdout == export
        # New rows go on from the copied ids, on both engines.
        for location in (str(file_copy), url):
            assert pg("--db", location, "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT",
                      "Sau").stdout.strip() == "3"
        # Only into an empty database: nothing is changed in one that has rows.
        before = db_digest(file_copy)
        assert "is not empty" in pg.fails("db", "copy", "--to", str(file_copy))
        assert db_digest(file_copy) == before
    finally:
        pg_server.drop(back)


def test_backup_while_another_connection_writes(pg, tmp_path):
    task_id = add_task(pg, "Việc", "-l", "SCT")
    writer = psycopg.connect(pg.register.location)
    writer.execute("UPDATE task SET title = 'uncommitted' WHERE id = %s", (task_id,))
    try:
        pg("db", "backup", str(tmp_path / "b.db"))  # never waits for the writer
    finally:
        writer.rollback()
        writer.close()
    assert pg.json("--db", str(tmp_path / "b.db"), "task", "show", str(task_id))[
        "title"] == "Việc"
    assert os.stat(tmp_path / "b.db").st_mode & 0o777 == 0o600
    assert "ok (1 tasks" in pg("--db", str(tmp_path / "b.db"), "db", "check").stdout


def test_db_check_names_what_is_missing(pg):
    assert (f"ok (0 tasks, 1 directives, 4 agencies, schema version {SCHEMA_VERSION})"
            in pg("db", "check").stdout)
    psql(pg, "tester", "DROP TRIGGER generation_task_update ON task")
    error = pg.fails("db", "check", code=3)
    assert "trigger generation_task_update is missing" in error
    assert "'clusterctl init'" in error
    psql(pg, "tester", "DROP FUNCTION clusterctl_bump_generation() CASCADE")
    assert "(and 17 more)" in pg.fails("db", "check", code=3)  # every trigger went with it
    pg("init")  # the owner puts triggers, roles and their rights back
    pg("db", "check")


def _as_version_1(cli: Cli) -> None:
    """The register as clusterctl 0.1.0 left a PostgreSQL database: no check on versions,
    no triggers, text compared in the server's locale, a bounded meta value."""
    statements = [
        "ALTER TABLE task DROP CONSTRAINT ck_task_version",
        "ALTER TABLE clusterctl_meta ALTER COLUMN value TYPE VARCHAR(1000) COLLATE \"default\"",
        "ALTER TABLE task ALTER COLUMN title TYPE VARCHAR(4000) COLLATE \"default\"",
        "DROP FUNCTION clusterctl_bump_generation() CASCADE",
        # and what version 3 added
        "DROP TABLE task_state, task_support_state, import_base",
        "ALTER TABLE task_history DROP COLUMN effective",
        "ALTER TABLE task DROP COLUMN assigned_on",
        # and what version 6 changed
        "DROP INDEX ix_task_lead_priority_status",
        "CREATE INDEX ix_task_lead_status_due ON task (lead_id, status, due, completed_on)",
        # and what version 5 added
        "DROP INDEX ix_task_series_id",  # ix_task_assigned_on went with its column
        "ALTER TABLE task DROP COLUMN priority, DROP COLUMN field, DROP COLUMN evidence, "
        "DROP COLUMN requested_due, DROP COLUMN series_id",
        "DROP TABLE task_series, setting, office_holiday",
        # and what version 4 added
        "DROP TABLE agency_successor, record_history, import_run",
        "ALTER TABLE task_history DROP COLUMN undoes",
        "ALTER TABLE task DROP COLUMN deleted_on",
        "ALTER TABLE agency DROP COLUMN dissolved_on",
        "UPDATE clusterctl_meta SET value = '1' WHERE name = 'schema_version'",
    ]
    for statement in statements:
        psql(cli, "tester", statement)


def test_two_upgrades_at_once_on_a_server(pg):
    for i in range(30):
        add_task(pg, f"Việc {i}", "-l", "SCT", "--due", "30/6/2024")
    tasks = pg("task", "list", "--format", "json").stdout
    _as_version_1(pg)
    assert "run 'clusterctl db upgrade' first" in pg.fails("task", "note", "1", "x", code=3)
    assert "pending migrations: 2" in pg("db", "check").stdout  # read as it is
    env = dict(os.environ, CLUSTERCTL_DB=pg.register.location)
    both = [subprocess.Popen([*CLUSTERCTL, "db", "upgrade"], env=env, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=60), p.stderr.read()) for p in both)
    assert [code for code, _err in outcomes] == [0, 0], outcomes
    said = " ".join(err for _code, err in outcomes)
    assert said.count(f"from schema version 1 to {SCHEMA_VERSION}") == 1  # one, under the lock
    assert "keep one with 'clusterctl db backup FILE'" in said
    assert psql(pg, "tester", "SELECT value FROM clusterctl_meta "
                              "WHERE name = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    pg("db", "check")  # every trigger, constraint and role in place
    assert pg("task", "list", "--format", "json").stdout == tasks
    with pytest.raises(psycopg.errors.CheckViolation):
        psql(pg, "tester", "UPDATE task SET version = 0 WHERE id = 1")


def test_a_deadlock_with_another_session_is_run_again_quietly(pg, tmp_path, figures):
    """psql holds task 2 and then wants task 1, while an import holds task 1 and wants task
    2: the server breaks the deadlock by failing one of them; if it is clusterctl's, the
    import runs again and succeeds once the other session is done."""
    source = tmp_path / "two.toml"
    body = ('[[directives]]\nnumber = "2029/UBND-KTTH"\nissued = 2024-04-22\n'
            'title = "Tăng cường công tác quản lý, phát triển cụm công nghiệp"\n'
            'issuer = "Chủ tịch UBND tỉnh Bắc Giang"\n')
    for key in (1, 2):
        body += f'[[directives.tasks]]\nkey = "{key}"\ntitle = "{{}} {key}"\nlead = "SCT"\n'
    source.write_text(body.format("Việc", "Việc"), encoding="utf-8")
    pg("import", str(source))
    source.write_text(body.format("Sửa", "Sửa"), encoding="utf-8")

    server = pg.register.server  # a database administrator's psql session
    other = psycopg.connect(dbname=pg.register.name, **server.info)
    other.execute("SET deadlock_timeout = '3s'")  # so that the import is the one to fail
    other.execute("UPDATE task SET updated_at = updated_at WHERE id = 2")
    result = {}
    importer = threading.Thread(target=lambda: result.update(run=subprocess.run(
        [*CLUSTERCTL, "import", str(source)], env=dict(os.environ), capture_output=True,
        text=True, timeout=60)))
    watcher = psycopg.connect(pg.register.location, autocommit=True)
    started = time.perf_counter()
    importer.start()
    while not watcher.execute(  # until the import holds task 1 and waits for task 2
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE task%'").fetchall():
        assert time.perf_counter() - started < 30
        time.sleep(0.02)
    watcher.close()
    other.execute("UPDATE task SET updated_at = updated_at WHERE id = 1")  # the deadlock
    other.commit()
    other.close()
    importer.join(timeout=60)
    run = result["run"]
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "Error" not in run.stderr
    assert "2 updated" in run.stderr
    assert [t["title"] for t in pg.json("task", "list")] == ["Sửa 1", "Sửa 2"]
    figures(f"import after a deadlock: exit 0 in {time.perf_counter() - started:.1f} s")
    # There was a deadlock, and the other session's commit went through: the import was the
    # one the server failed, and it ran again.
    assert _deadlocks(pg) == 1
    history = pg.json("task", "show", "1")["history"]
    assert [h["action"] for h in history] == ["created", "import"]  # applied once


def _deadlocks(cli: Cli) -> int:
    """The deadlocks the server counted in this database (its statistics arrive soon
    after the sessions end)."""
    deadline = time.perf_counter() + 10
    while True:
        found = psql(cli, "postgres", "SELECT deadlocks FROM pg_stat_database "
                                      f"WHERE datname = '{cli.register.name}'")[0][0]
        if found or time.perf_counter() > deadline:
            return found
        time.sleep(0.2)


def test_json_of_a_history_entry_survives_the_server(pg):
    task_id = add_task(pg, "Việc", "-l", "SCT", "--note", "ghi \"chú\" [x]")
    entry = pg.json("task", "show", str(task_id))["history"][0]
    assert entry["note"] == "ghi \"chú\" [x]"
    assert json.loads(json.dumps(entry))["changes"]["lead"] == [None, "SCT"]


def test_a_database_that_is_not_ready_is_exit_3_and_left_alone(pg_server, pg, cli_bare):
    empty = pg_server.create()
    try:
        url = pg_server.url(empty)
        error = cli_bare.fails("--db", url, "task", "list", code=3)
        assert "is empty; create the clusterctl tables with 'clusterctl init'" in error
        assert pg_server.sql(f"SELECT 1 FROM pg_database WHERE datname = '{empty}'")
        assert not psycopg.connect(url).execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = 'public'").fetchall()
    finally:
        pg_server.drop(empty)
    missing = pg_server.url("no_such_register")
    assert "does not exist; create it with 'createdb'" in cli_bare.fails(
        "--db", missing, "task", "list", code=3)
    nobody = (f"postgresql:///x?host={pg_server.info['host']}&port=1&user=tester")
    assert "cannot connect to the PostgreSQL server" in cli_bare.fails(
        "--db", nobody, "task", "list", code=3)
    psql(pg, "tester", "UPDATE clusterctl_meta SET value = '999' WHERE name = 'schema_version'")
    before = db_digest(pg.register)
    error = pg.fails("task", "list", code=3)
    assert "newer clusterctl" in error and "999" in error
    pg.fails("agency", "add", "SYT", "Sở Y tế", code=3)
    assert db_digest(pg.register) == before


@pytest.fixture
def cli_bare():
    return Cli()


def test_no_admin_deletes_a_task_or_its_history_but_through_an_import_s_undo(pg, tmp_path):
    """A task leaves the register only by ``import --undo``, through the owner's function,
    which removes only the tasks the import added while their history is its own."""
    by_hand = str(add_task(pg, "Rà soát", "-l", "SCT"))
    pg("db", "grant", "tp", "--role", "admin")
    file = tmp_path / "one.toml"
    file.write_text('[[directives]]\nnumber = "7/UBND"\nissued = 2024-05-01\ntitle = "T"\n\n'
                    '  [[directives.tasks]]\n  key = "1"\n  title = "Việc"\n  lead = "SCT"\n',
                    encoding="utf-8")
    as_user(pg, "tp", "import", str(file))
    for statement in (f"DELETE FROM task_history WHERE task_id = {by_hand}",
                      f"DELETE FROM task WHERE id = {by_hand}",
                      "UPDATE import_run SET undo = '{}'"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            psql(pg, "tp", statement)
    # The function removes nothing but an untouched import's own tasks.
    run = psql(pg, "tester", "SELECT MAX(id) FROM import_run")[0][0]
    psql(pg, "tester", f"UPDATE import_run SET undo = replace(undo, '\"tasks_added\": "
                       f"[[2, 2]]', '\"tasks_added\": [[1, 2]]') WHERE id = {run}")
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        psql(pg, "tp", f"SELECT clusterctl_remove_import_tasks({run})")
    psql(pg, "tester", f"UPDATE import_run SET undo = replace(undo, '\"tasks_added\": "
                       f"[[1, 2]]', '\"tasks_added\": [[2, 2]]') WHERE id = {run}")
    assert "1 tasks it added removed" in as_user(pg, "tp", "import", "--undo").stderr
    assert [t["id"] for t in pg.json("task", "list", "--all")] == [int(by_hand)]
