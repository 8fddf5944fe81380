"""Several people at once, killed imports, damaged databases, hostile text: nothing lost."""

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import add_task, db_digest

ROOT = Path(__file__).resolve().parent.parent
CLUSTERCTL = [sys.executable, "-m", "clusterctl"]


# -- several writers at once -----------------------------------------------------------


def _worker(db: str, worker: int, rounds: int, queue, folder: str) -> None:
    """One person: notes on a shared task, done/reopen and extensions on their own task,
    and an import of their own small file every 20 rounds. Each command is its own
    connection and transaction, as separate processes would be. On PostgreSQL ``db`` names
    the worker's own login."""
    os.environ["CLUSTERCTL_DB"] = db
    os.environ["CLUSTERCTL_USER"] = f"worker{worker}"
    from typer.testing import CliRunner

    from clusterctl.cli.main import app

    runner = CliRunner()
    failures = []

    def run(*args):
        result = runner.invoke(app, list(args))
        if result.exit_code != 0:
            failures.append(f"{args}: {result.exit_code} {result.output.strip()}")

    own = str(worker + 2)  # task 1 is shared; task 2 + worker is this worker's
    source = Path(folder) / f"w{worker}.toml"
    for i in range(rounds):
        run("task", "note", "1", f"worker {worker} note {i}")
        if i % 2 == 0:  # open: extend it, then complete it
            run("task", "extend", own, "--to", f"+{i + 1}d", "--reason", f"round {i}")
            run("task", "done", own)
        else:  # done: reopen it, then extend it
            run("task", "reopen", own)
            run("task", "extend", own, "--to", f"+{i + 1}d", "--reason", f"round {i}")
        if i % 20 == 0:
            source.write_text(
                f'[[directives]]\nnumber = "W{worker}/UBND"\nissued = 2024-01-01\n'
                f'title = "Worker {worker}"\n' + "".join(
                    f'[[directives.tasks]]\nkey = "{k}"\ntitle = "Việc {k}"\nlead = "SCT"\n'
                    for k in range(i // 20 + 1)), encoding="utf-8")
            run("import", str(source))
    queue.put((worker, failures))


@pytest.mark.parametrize(("workers", "rounds"),
                         [(3, 20), pytest.param(8, 100, marks=pytest.mark.slow)])
def test_concurrent_writers_lose_nothing(seeded, db_path, workers, rounds, figures, tmp_path):
    add_task(seeded, "Shared", "-l", "SCT")
    for worker in range(workers):
        add_task(seeded, f"Own {worker}", "-l", "STC", "--due", "1/5/2024")
    locations = [str(db_path)] * workers
    if seeded.register.engine == "postgresql":  # each worker its own login (imports: admin)
        for worker in range(workers):
            seeded("db", "grant", f"worker{worker}", "--role", "admin")
        locations = [seeded.register.url(f"worker{w}") for w in range(workers)]
    (tmp_path / "data").mkdir(exist_ok=True)  # the workers' files, on either engine
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_worker, args=(locations[w], w, rounds, queue,
                                                       str(tmp_path / "data")))
                 for w in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = dict(queue.get(timeout=900) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    elapsed = time.perf_counter() - started
    assert all(failures == [] for failures in results.values()), results
    commands = workers * rounds * 3 + workers * ((rounds - 1) // 20 + 1)
    figures(f"{seeded.register.engine}: {workers} processes x {rounds} rounds, {commands} "
            f"writes in {elapsed:.1f} s, 0 failed")
    shared = seeded.json("task", "show", "1")["history"]
    notes = [h for h in shared if h["action"] == "note"]
    assert len(notes) == workers * rounds
    for worker in range(workers):
        mine = {h["note"] for h in notes if h["actor"] == f"worker{worker}"}
        assert mine == {f"worker {worker} note {i}" for i in range(rounds)}
        own = seeded.json("task", "show", str(worker + 2))
        actions = [h["action"] for h in own["history"]]
        assert actions.count("done") == (rounds + 1) // 2
        assert actions.count("reopen") == rounds // 2
        assert actions.count("extend") == rounds
        assert own["version"] == 1 + 2 * rounds
        imported = seeded.json("task", "list", "-d", f"W{worker}/UBND")
        assert len(imported) == (rounds - 1) // 20 + 1
    assert shared[-1]["action"] == "note"


def test_two_people_editing_the_same_task(seeded, db_path):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seen = seeded.json("task", "show", task_id)["version"]  # both read version 1
    seeded("task", "edit", task_id, "--title", "Lan's title", "--expect-version", str(seen))
    before = db_digest(db_path)
    error = seeded.fails("task", "extend", task_id, "--to", "31/7/2024", "--reason", "x",
                         "--expect-version", str(seen), code=4)
    assert "someone changed it" in error
    assert db_digest(db_path) == before  # not even a history entry
    task = seeded.json("task", "show", task_id)
    assert (task["title"], task["due"]) == ("Lan's title", "2024-06-30")


# -- killed imports --------------------------------------------------------------------
#
# An import reads and checks its files before it takes the write lock, so a kill at a random
# moment mostly lands before anything is written. These tests watch the lock from a second
# connection and kill the import while it holds it, in the middle of its transaction.

TIMES = ("at", "created_at", "updated_at")  # when a row was written: differs run to run


def _generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lock_held(probe: sqlite3.Connection) -> bool:
    """Whether another connection holds the write lock: take it without waiting, or fail."""
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    probe.execute("ROLLBACK")
    return False


def _wait_for_lock(probe: sqlite3.Connection, process: subprocess.Popen) -> bool:
    """Poll until the import takes the write lock; False if it ended first."""
    deadline = time.monotonic() + 60
    while not _lock_held(probe):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.0005)
    return True


def _fresh_copy(pristine: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(pristine.read_bytes())


def _kill_imports(tmp_path: Path, tasks: int, kills: int, figures) -> None:
    from tests.conftest import db_digest

    generate = _generator()
    env = {**os.environ, "CLUSTERCTL_USER": "importer"}

    def source(number: int) -> Path:
        """A file of its own for each round, so that no import is of files seen before."""
        path = tmp_path / f"tasks-{number}.toml"
        with path.open("w", encoding="utf-8") as out:
            generate.generate(tasks, date(2024, 7, 1), number, out)
        return path

    def start(db: Path, path: Path) -> subprocess.Popen:
        return subprocess.Popen([*CLUSTERCTL, "--db", str(db), "import", str(path)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    pristine = tmp_path / "pristine.db"
    subprocess.run([*CLUSTERCTL, "--db", str(pristine), "import",
                    str(ROOT / "examples" / "province-2024.toml")], env=env, check=True,
                   capture_output=True)
    assert not Path(f"{pristine}-wal").exists()  # everything is in the one file
    before = db_digest(pristine)
    db = tmp_path / "kill.db"

    def after(path: Path) -> str:
        """The database as this import, left to finish, leaves it; without the times rows
        were written at, which differ from one run to the next."""
        reference = tmp_path / "reference.db"
        _fresh_copy(pristine, reference)
        subprocess.run([*CLUSTERCTL, "--db", str(reference), "import", str(path)], env=env,
                       check=True, capture_output=True)
        return db_digest(reference, ignore=TIMES)

    # Imports left to finish: how long they hold the lock (the shorter of two, the first
    # being on a cold start), that they change the digest, and that another run of the same
    # import leaves the same database but for the times.
    durations = []
    for number in (-1, 0):
        _fresh_copy(pristine, db)
        probe = sqlite3.connect(db, timeout=0, isolation_level=None)
        path = source(number)
        process = start(db, path)
        assert _wait_for_lock(probe, process)
        locked_at = time.perf_counter()
        while _lock_held(probe):
            time.sleep(0.0005)
        durations.append(time.perf_counter() - locked_at)
        probe.close()
        assert process.wait() == 0, process.stderr.read()
        assert db_digest(db) != before
    assert db_digest(db, ignore=TIMES) == after(path)
    duration = min(durations)

    rng = random.Random(7)
    outcomes = []  # (killed inside the transaction, left the database as "before"/"after")
    for number in range(1, kills + 1):
        path = source(number)
        _fresh_copy(pristine, db)
        probe = sqlite3.connect(db, timeout=0, isolation_level=None)
        process = start(db, path)
        took_lock = _wait_for_lock(probe, process)
        # Mostly within the transaction; now and then just after it ends.
        time.sleep(rng.uniform(0, 1.1) * duration)
        inside = took_lock and _lock_held(probe)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        probe.close()
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        state = db_digest(db)
        if state == before:
            outcomes.append((inside, "before"))
            continue
        # Anything else must be exactly what this import writes when left to finish.
        assert db_digest(db, ignore=TIMES) == after(path), (
            f"kill {number} left the database neither as before nor as after the import")
        outcomes.append((inside, "after"))
    counted = {key: outcomes.count(key) for key in
               [(True, "before"), (True, "after"), (False, "before"), (False, "after")]}
    inside = counted[True, "before"] + counted[True, "after"]
    report = (f"{inside} of {kills} kills inside the write transaction of a {tasks}-task "
              f"import (held {duration * 1000:.0f} ms); left before/after: inside "
              f"{counted[True, 'before']}/{counted[True, 'after']}, outside "
              f"{counted[False, 'before']}/{counted[False, 'after']}")
    figures(report)
    assert len(outcomes) == kills
    assert 2 * inside >= kills, report
    # Killed while holding the lock, an import has not committed: nothing of it remains.
    assert counted[True, "after"] <= max(1, inside // 10), report


def test_killed_import_leaves_before_or_after(tmp_path, figures):
    _kill_imports(tmp_path, tasks=2000, kills=4, figures=figures)


@pytest.mark.slow
def test_many_killed_imports_leave_before_or_after(tmp_path, figures):
    _kill_imports(tmp_path, tasks=10000, kills=40, figures=figures)


# -- damaged databases -----------------------------------------------------------------


def test_lock_held_by_another_process_is_exit_3(seeded, db_path, monkeypatch):
    before = db_digest(db_path)
    if seeded.register.engine == "sqlite":
        hold = (f"import sqlite3\nc = sqlite3.connect({str(db_path)!r}, isolation_level=None)\n"
                "c.execute('BEGIN IMMEDIATE')\n")
    else:  # another clusterctl in the middle of a write, as far as the lock goes
        from clusterctl.store.postgres import WRITE_LOCK

        hold = (f"import psycopg\nc = psycopg.connect({seeded.register.location!r})\n"
                f"c.execute('SELECT pg_advisory_lock({WRITE_LOCK})')\n")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import time\n{hold}print('locked', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setenv("CLUSTERCTL_BUSY_TIMEOUT", "0.3")
        started = time.perf_counter()
        error = seeded.fails("agency", "add", "NEW", "Cơ quan mới", code=3)
        assert time.perf_counter() - started >= 0.3  # it waited before giving up
        assert "locked" in error
    finally:
        holder.kill()
        holder.wait()
    assert db_digest(db_path) == before


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 50,
                                     b"not a database" * 500, os.urandom(8192)])
def test_damaged_file_is_exit_3_and_nothing_is_written_beside_it(cli, tmp_path, content):
    folder = tmp_path / "damaged"
    folder.mkdir()
    path = folder / "x.db"
    path.write_bytes(content)
    before = sorted(p.name for p in folder.iterdir())
    error = cli.fails("--db", str(path), "task", "list", code=3)
    assert str(path) in error
    assert sorted(p.name for p in folder.iterdir()) == before
    assert path.read_bytes() == content


# -- hostile text everywhere -----------------------------------------------------------

HOSTILE = ("[bold red]Đỏ[/] [link=http://x]y[/link] \x1b[2J\x1b]0;pwned\x07 \u202egnp.exe "
           "\x9b6n " + "Rấtdàiiiii" * 40)


def _force(register) -> None:
    """Hostile text written past clusterctl's checks, as another program could."""
    register.sql("UPDATE task SET title = ?", (HOSTILE,))
    register.sql("UPDATE agency SET name = ? WHERE code = 'SCT'", (HOSTILE,))
    register.sql("UPDATE directive SET title = ?, issuer = ?", (HOSTILE, HOSTILE))
    register.sql("UPDATE task_history SET note = ?, actor = ?",
                 (HOSTILE, HOSTILE[:200]))  # PostgreSQL holds an actor's 200 characters


COMMANDS = [("task", "list"), ("task", "show", "1"), ("agency", "list"),
            ("agency", "show", "SCT"), ("directive", "list"),
            ("directive", "show", "2029/UBND-KTTH"), ("overdue", "--as-of", "2024-12-31"),
            ("status", "--as-of", "2024-12-31"), ("weekly", "--as-of", "2024-07-03"),
            ("export",)]


@pytest.mark.parametrize("fmt", ["table", "plain", "json", "csv", "markdown"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_hostile_text_never_reaches_the_terminal(seeded, db_path, monkeypatch, command, fmt):
    monkeypatch.setenv("COLUMNS", "60")
    add_task(seeded, "x", "-l", "SCT", "-s", "STC", "--due", "1/7/2024", "--note", "n")
    _force(seeded.register)
    args = [*command, "--format", fmt]
    if command == ("export",):
        args = ["export", "--format", "json" if fmt == "json" else "toml"]
    result = seeded(*args, code=None)
    if result.exit_code == 2:  # this command has no such format
        assert "Invalid value for '--format'" in result.stderr
        return
    assert result.exit_code == 0, result.output
    for char in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert char not in result.stdout
    assert "Traceback" not in result.output
