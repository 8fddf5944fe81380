#!/usr/bin/env python3
"""Time clusterctl as a user feels it, side by side with Taskwarrior, at several sizes.

    python benchmarks/bench.py [--sizes 1000,10000,100000] [--runs 5] [--postgres]
                               [--output FILE]

For each size: generate a task list with examples/generate.py (fixed seed, 40 agencies, N/10
directives issued 190-400 days before 2024-07-01, due dates ±180 days around it, about 30 %
done), import it into a fresh database, then time whole processes, start to exit, each after
a warm-up run, and report the median, the spread (min-max) and the peak memory (RSS) of each
command. When Taskwarrior's `task` is on PATH the same tasks are imported into it, and each
pair of commands is run alternately in the same loop, so that both see the same machine.

With --postgres the same tasks are imported, with the same commands, into a PostgreSQL
database of their own on a throwaway server (tests/pgserver.py; or the one that
CLUSTERCTL_TEST_PGHOST, CLUSTERCTL_TEST_PGPORT and CLUSTERCTL_TEST_PGUSER name), whose commands
join the same loops; `db copy --to` from the SQLite file into an empty PostgreSQL database is
timed too. The databases are dropped, and the throwaway server stopped, at the end.

Reports run without --as-of (today), as Taskwarrior's do: the generated due dates are all in
the past by then, so both tools judge the same tasks overdue. Beside them the same reports run
as of a past day (PAST, inside the generated dates), which read the register as it stood then
(task_state) instead of the task table, with the period report and the log of one week: each
in the same loop as the report of today it sits next to, so that the two can be compared.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2024-07-01"
# The past, inside the generated data (directives issued 2023-05-28 ... 2023-12-24 and each
# task created on its directive's issue date; completions from 2023-12-14 to 2024-07-01; due
# dates 2024-01-03 ... 2024-12-28): every report as of a day before today reads task_state.
PAST = AS_OF  # every task assigned, every completion made, a third of the open ones overdue
PERIOD = ("2023-10-01", "2024-03-31")  # tasks carried over into it and assigned in it
LOG_WEEK = ("2023-09-04", "2023-09-10")  # a week of creations (an import writes no others)
# Each case of the past, and the report of today it is measured with, in the same loop.
TODAY_OF = {"overdue plain, past": "overdue plain", "status plain, past": "status plain",
            "status --from --to": "status plain", "weekly plain, past": "weekly plain"}
TW_RC = ["rc.confirmation=off", "rc.verbose=nothing"]
COPY_RUNS = 3  # db copy --to: each a whole copy of the register, not in the median loop
# The throwaway test server trades durability for speed; the benchmark's commits wait for
# the disk, as they do on a server as PostgreSQL ships and on SQLite.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def clusterctl_command() -> list[str]:
    """The installed console script next to this interpreter, as users run it."""
    script = Path(sys.executable).with_name("clusterctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "clusterctl"]


def child_env() -> dict:
    """The environment of timed commands: this one's, but with bytecode caching on, as on
    a user's machine (the warm-up run writes the cache)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(argv: list[str], env: dict) -> tuple[float, int]:
    """Seconds from start to exit, and the peak RSS in KiB, of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # overdue --fail-on-overdue is not used; 1 is Taskwarrior's "none"
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(argv)}")
    return elapsed, usage.ru_maxrss


class Case:
    """One command to time: its argv, its environment and what to do before each run."""

    def __init__(self, name, argv, env, prepare=None):
        self.name, self.argv, self.env, self.prepare = name, argv, env, prepare
        self.times: list[float] = []
        self.rss: list[int] = []

    def run(self, record: bool) -> None:
        if self.prepare:
            self.prepare()
            # What the preparation wrote (a copy of a 100 MiB database) reaches the disk
            # before the clock starts, lest the timed command's own sync wait behind it.
            os.sync()
        elapsed, rss = run_once(self.argv, self.env)
        if record:
            self.times.append(elapsed)
            self.rss.append(rss)

    def summary(self) -> dict:
        return {
            "median_s": round(statistics.median(self.times), 4),
            "min_s": round(min(self.times), 4),
            "max_s": round(max(self.times), 4),
            "peak_rss_mib": round(max(self.rss) / 1024, 1),
            "runs": len(self.times),
        }


def measure(cases: list[Case], runs: int) -> None:
    """Run the cases in turn, ``runs`` times after one warm-up, alternating between them."""
    for round_ in range(runs + 1):
        for case in cases:
            case.run(record=round_ > 0)


def copier(source: Path, target: Path):
    """Restore ``target`` from ``source`` before a run that changes it."""
    def prepare():
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(source, target)
    return prepare


def remover(*paths: Path):
    def prepare():
        for path in paths:
            if path.is_dir():
                shutil.rmtree(path)
                path.mkdir()
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    return prepare


class Postgres:
    """The PostgreSQL server of a run: the one CLUSTERCTL_TEST_PGHOST, CLUSTERCTL_TEST_PGPORT
    and CLUSTERCTL_TEST_PGUSER name, else a throwaway one started with tests/pgserver.py in
    ``folder``. Databases are made and dropped as its superuser, with psql when it is on PATH
    (else psycopg, in a child process: this one must stay small, see bench_size)."""

    def __init__(self, folder: Path) -> None:
        self.folder: Path | None = None
        self.made: set[str] = set()
        self.psql = shutil.which("psql")
        if os.environ.get("CLUSTERCTL_TEST_PGHOST"):
            self.info = {"host": os.environ["CLUSTERCTL_TEST_PGHOST"],
                         "port": os.environ.get("CLUSTERCTL_TEST_PGPORT", "5432"),
                         "user": os.environ.get("CLUSTERCTL_TEST_PGUSER", "postgres")}
        else:
            sys.path.insert(0, str(ROOT))
            from tests.pgserver import start

            self.folder = folder
            self.info = start(folder)
            self.sql(*(f"ALTER SYSTEM SET {name} = {value}" for name, value in DURABLE.items()),
                     "SELECT pg_reload_conf()")
        self.version = self.sql("SHOW server_version").split()[0]

    def url(self, name: str) -> str:
        return (f"postgresql:///{name}?host={self.info['host']}&port={self.info['port']}"
                f"&user={self.info['user']}")

    def sql(self, *statements: str, dbname: str = "postgres") -> str:
        """Run each statement in turn, outside any transaction; the last one's output."""
        if self.psql:
            argv = [self.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                    "-h", self.info["host"], "-p", self.info["port"], "-U", self.info["user"],
                    "-d", dbname]
            for statement in statements:
                argv += ["-c", statement]
        else:
            argv = [sys.executable, "-c", PSYCOPG_SQL, json.dumps([self.info, dbname]),
                    *statements]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"PostgreSQL: {statements[-1]}: {done.stderr.strip()}")
        return done.stdout.strip()

    def create(self, name: str, template: str | None = None) -> None:
        """A new database ``name``, empty or a copy of ``template``, in place of any other."""
        self.made.add(name)
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                 f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop(self, *names: str) -> None:
        for name in names:
            self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.made.discard(name)

    def close(self) -> None:
        """Drop the databases made here; stop the server if it was started here."""
        try:
            self.drop(*sorted(self.made))
        finally:
            if self.folder is not None:
                from tests.pgserver import stop

                stop(self.folder)


PSYCOPG_SQL = """import json, sys, psycopg
info, dbname = json.loads(sys.argv[1])
with psycopg.connect(dbname=dbname, autocommit=True, **info) as conn:
    for statement in sys.argv[2:]:
        cursor = conn.execute(statement)
    print("\\n".join("|".join(map(str, row)) for row in cursor) if cursor.description else "")
"""


# The tables an import fills, counted in a child process (this one must stay small).
TABLES = ("task", "task_history", "task_support", "task_state", "task_support_state",
          "import_base")
COUNT_ROWS = """import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(json.dumps({t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in sys.argv[2:]}))
"""


def storage(db: Path) -> dict:
    """The size of the SQLite file after the import (its WAL checkpointed on close), and
    the rows of each table the import fills."""
    rows = json.loads(subprocess.run([sys.executable, "-c", COUNT_ROWS, str(db), *TABLES],
                                     capture_output=True, text=True, check=True).stdout)
    size = sum(Path(f"{db}{suffix}").stat().st_size for suffix in ("", "-wal")
               if Path(f"{db}{suffix}").exists())
    return {"sqlite_mib": round(size / 2**20, 1), "rows": rows}


def to_taskwarrior(toml_file: Path, json_file: Path) -> None:
    """The same tasks in Taskwarrior's import format: lead agency as project."""
    import uuid

    data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
    tasks = []
    for directive in data["directives"]:
        for task in directive.get("tasks", []):
            ref = f"{directive['number']}#{task['key']}"
            item = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, ref)), "entry": "20240101T000000Z",
                    "description": task["title"], "project": task["lead"], "status": "pending"}
            if "due" in task:
                item["due"] = task["due"].strftime("%Y%m%dT000000Z")
            if task.get("status") == "done":
                item["status"] = "completed"
                item["end"] = task["completed_on"].strftime("%Y%m%dT000000Z")
            elif task.get("status") == "cancelled":
                item["status"] = "deleted"
                item["end"] = "20240101T000000Z"
            tasks.append(item)
    json_file.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")


def clusterctl_cases(env: dict, source: Path, db: str, scratch: str, restore, fresh: str,
                     empty, agency_list: bool) -> dict[str, Case]:
    """The commands timed on one database: ``db`` holds the imported tasks; ``scratch`` is
    where ``restore`` puts a copy of ``db`` before each run that writes; ``fresh`` is where
    ``empty`` leaves nothing before each first import."""
    cc = clusterctl_command()
    task_id = "1"

    def cc_case(name, *args, database=db, prepare=None):
        return Case(name, [*cc, "--db", database, *args], env, prepare)

    cases = {"help": cc_case("help", "--help")}
    if agency_list:  # the smallest command that opens the database: start-up and connection
        cases["agency list"] = cc_case("agency list", "agency", "list")
    cases |= {
        "task list --agency": cc_case("task list --agency", "task", "list", "--agency", "SCT",
                                      "--format", "plain"),
        "task show": cc_case("task show", "task", "show", task_id),
        "task done": cc_case("task done", "task", "done", task_id, database=scratch,
                             prepare=restore),
        "task note": cc_case("task note", "task", "note", task_id, "Đã họp với các sở",
                             database=scratch, prepare=restore),
    }
    for report in ("overdue", "status", "weekly"):
        for fmt in ("plain", "json", "table"):
            name = f"{report} {fmt}"
            cases[name] = cc_case(name, report, "--format", fmt)
            if fmt == "plain":  # as of a past day: the register as it stood then (task_state)
                name = f"{report} plain, past"
                cases[name] = cc_case(name, report, "--as-of", PAST, "--format", "plain")
            if report == "status" and fmt == "plain":
                cases["status --from --to"] = cc_case(
                    "status --from --to", "status", "--from", PERIOD[0], "--to", PERIOD[1],
                    "--format", "plain")
    cases["log --since --until"] = cc_case("log --since --until", "log", "--since",
                                           LOG_WEEK[0], "--until", LOG_WEEK[1],
                                           "--format", "plain")
    # What staff see at a terminal (120 columns wide): every open task as a table.
    cases["task list table"] = cc_case("task list table", "task", "list", "--format", "table")
    cases["import"] = cc_case("import", "import", str(source), database=fresh, prepare=empty)
    cases["re-import"] = cc_case("re-import", "import", str(source))

    def changed_copy():
        """A copy in which someone wrote since the import: the full comparison runs."""
        restore()
        subprocess.run([*cc, "--db", scratch, "task", "note", task_id, "ghi chú"],
                       env=env, check=True, stderr=subprocess.DEVNULL)

    cases["re-import, after a write"] = cc_case("re-import, after a write", "import",
                                                str(source), database=scratch,
                                                prepare=changed_copy)
    return cases


def bench_size(size: int, runs: int, work: Path, task_bin: str | None,
               pg: Postgres | None = None) -> tuple[dict, dict | None, dict]:
    """The figures of each command at this size, those of db copy --to (with --postgres),
    and the size of the database after the import."""
    cc = clusterctl_command()
    folder = work / str(size)
    folder.mkdir()
    source = folder / "tasks.toml"
    with source.open("w", encoding="utf-8") as out:
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), str(size),
                        "--as-of", AS_OF, "--seed", "1"], stdout=out, check=True)
    env = child_env() | {"CLUSTERCTL_USER": "bench", "CLUSTERCTL_TZ": "Asia/Ho_Chi_Minh",
                         "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("CLUSTERCTL_DB", None)
    db, fresh, scratch = folder / "bench.db", folder / "fresh.db", folder / "scratch.db"
    subprocess.run([*cc, "--db", str(db), "import", str(source)], env=env, check=True,
                   stderr=subprocess.DEVNULL)
    stored = storage(db)
    cases = clusterctl_cases(env, source, str(db), str(scratch), copier(db, scratch),
                             str(fresh), remover(fresh), agency_list=pg is not None)

    pg_cases: dict[str, Case] = {}
    if pg:
        pg_db, pg_scratch, pg_fresh, pg_copy = (f"bench_{size}{suffix}" for suffix in
                                                ("", "_scratch", "_fresh", "_copy"))
        pg.create(pg_db)
        for command in (["init"], ["import", str(source)]):
            subprocess.run([*cc, "--db", pg.url(pg_db), *command], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # As autovacuum leaves a server minutes after an import: statistics taken.
        pg.sql("VACUUM ANALYZE", dbname=pg_db)
        stored["postgresql_mib"] = round(int(pg.sql(
            "SELECT pg_database_size(current_database())", dbname=pg_db)) / 2**20, 1)
        pg_cases = clusterctl_cases(env, source, pg.url(pg_db), pg.url(pg_scratch),
                                    lambda: pg.create(pg_scratch, template=pg_db),
                                    pg.url(pg_fresh), lambda: pg.create(pg_fresh),
                                    agency_list=True)

    tw: dict[str, Case] = {}
    if task_bin:
        tw_json, tw_data = folder / "tasks.json", folder / "taskdata"
        # In a child process: this one must stay small, since a child's peak RSS starts
        # from its parent's size at fork.
        subprocess.run([sys.executable, __file__, "--to-taskwarrior", str(source),
                        str(tw_json)], check=True)
        tw_env = child_env() | {"TASKRC": "/dev/null", "TASKDATA": str(tw_data)}
        tw_data.mkdir()
        subprocess.run([task_bin, *TW_RC, "import", str(tw_json)], env=tw_env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tw_fresh, tw_scratch = folder / "tw-fresh", folder / "tw-scratch"
        tw_fresh.mkdir()

        def tw_case(name, *args, data=tw_data, prepare=None):
            return Case(name, [task_bin, *TW_RC, *args], {**tw_env, "TASKDATA": str(data)},
                        prepare)

        tw = {
            "overdue plain": tw_case("task overdue", "overdue"),
            "status plain": tw_case("task summary", "summary"),
            "import": tw_case("task import", "import", str(tw_json), data=tw_fresh,
                              prepare=remover(tw_fresh)),
            "re-import": tw_case("task re-import", "import", str(tw_json)),
            "task done": tw_case("task N done", "1", "done", data=tw_scratch,
                                 prepare=copier(tw_data, tw_scratch)),
            "task note": tw_case("task N annotate", "1", "annotate", "Đã họp với các sở",
                                 data=tw_scratch, prepare=copier(tw_data, tw_scratch)),
        }
        tw["weekly plain"] = tw["status plain"]  # Taskwarrior's nearest report to both
    floors: dict[str, Case] = {}  # the floor, timed in the loop of each case judged by it
    for name, case in cases.items():
        if name in TODAY_OF:
            continue  # measured with the report of today, below
        group = [case]
        if name in pg_cases:
            group.append(pg_cases[name])
        if name in tw and not tw[name].times:  # each Taskwarrior command is timed once
            group.append(tw[name])
        twins = [past for past, today in TODAY_OF.items() if today == name]
        for past in twins:
            group += [cases[past]] + ([pg_cases[past]] if past in pg_cases else [])
        if any(basis == "floor" for _limit, basis in TARGETS.get(name, {}).values()):
            floors[name] = Case("python -c 'import typer'",
                                [sys.executable, "-c", "import typer"], child_env())
            group.append(floors[name])
        measure(group, runs)
        for done in (name, *twins):
            line = f"  {size:>7} {done:<26} {cases[done].summary()['median_s']:8.3f} s"
            if done in pg_cases:
                line += f"  PostgreSQL {pg_cases[done].summary()['median_s']:8.3f} s"
            print(line, file=sys.stderr, flush=True)
        if name == "import" and pg:
            pg.drop(pg_fresh)  # lest autovacuum read it while the next commands are timed

    results = {}
    for name, case in cases.items():
        entry = {"clusterctl": case.summary()}
        if name in pg_cases:
            entry["postgresql"] = pg_cases[name].summary()
            entry["postgresql_ratio"] = round(entry["postgresql"]["median_s"]
                                              / entry["clusterctl"]["median_s"], 3)
        if name in tw:
            other = tw[name].summary()
            entry["taskwarrior"] = other | {"command": tw[name].name}
            entry["ratio"] = round(entry["clusterctl"]["median_s"] / other["median_s"], 3)
        if name in floors:
            entry["floor_s"] = floors[name].summary()["median_s"]
            entry["floor_ratio"] = round(entry["clusterctl"]["median_s"] / entry["floor_s"], 3)
        if name in TODAY_OF:  # a report of the past against the same report of today
            today = TODAY_OF[name]
            entry["today"] = today
            entry["vs_today"] = round(case.summary()["median_s"]
                                      / cases[today].summary()["median_s"], 3)
            if name in pg_cases:
                entry["postgresql_vs_today"] = round(
                    entry["postgresql"]["median_s"] / pg_cases[today].summary()["median_s"], 3)
        results[name] = entry
    if pg:
        # What an office does when it moves from a file to a server: once, so timed apart.
        copy = Case("db copy --to", [*cc, "--db", str(db), "db", "copy", "--to",
                                     pg.url(pg_copy)], env, lambda: pg.create(pg_copy))
        for _ in range(COPY_RUNS):
            copy.run(record=True)
        print(f"  {size:>7} {'db copy --to':<26} {copy.summary()['median_s']:8.3f} s",
              file=sys.stderr, flush=True)
        pg.drop(pg_db, pg_scratch, pg_fresh, pg_copy)
    judge(size, results)
    return results, copy.summary() if pg else None, stored


# The targets (issue "Speed, round two"): case -> {size: (limit, relative to what)}. "floor":
# `python -c "import typer"` timed in the same loop; "tw": Taskwarrior's command in the same
# loop; "today": the same report as of today, in the same loop. At 1,000 tasks none is set.
_EVERYDAY = {10_000: (1.4, "floor"), 100_000: (1.8, "floor")}
TARGETS = {
    "help": {10_000: (1.2, "floor"), 100_000: (1.2, "floor")},
    "task list --agency": _EVERYDAY, "task show": _EVERYDAY, "task done": _EVERYDAY,
    "task note": _EVERYDAY,
    "overdue plain": {10_000: (0.9, "tw"), 100_000: (0.35, "tw")},
    "status plain": {10_000: (1.2, "tw"), 100_000: (0.25, "tw")},
    "weekly plain": {10_000: (1.2, "tw"), 100_000: (0.3, "tw")},
    "import": {10_000: (0.9, "tw"), 100_000: (0.7, "tw")},
    "re-import": {10_000: (0.5, "tw"), 100_000: (0.1, "tw")},
    # A report as of a past day (--as-of: the register rebuilt as it stood); the period
    # report is shown beside today's status too, but is a report of its own.
    **{past: {10_000: (2.0, "today"), 100_000: (2.0, "today")} for past in TODAY_OF
       if past.endswith(", past")},
}
# Peak memory (MiB): of an import (a first one and the re-imports), and of any report.
RSS_LIMIT_MIB = {"import": {10_000: 120, 100_000: 200},
                 "report": {10_000: 60, 100_000: 120}}
REPORTS = ("overdue", "status", "weekly", "log")


def judge(size: int, results: dict) -> None:
    """Add each case's target and whether it is met."""
    for name, entry in results.items():
        target = TARGETS.get(name, {}).get(size)
        if target:
            limit, basis = target
            ratio = {"floor": entry.get("floor_ratio"), "tw": entry.get("ratio"),
                     "today": entry.get("vs_today")}[basis]
            what = {"floor": 'python -c "import typer"', "tw": "Taskwarrior",
                    "today": "today's"}[basis]
            if ratio is not None:
                entry["target"], entry["met"] = f"<= {limit} x {what}", ratio <= limit
        kind = ("import" if name.startswith(("import", "re-import")) else "report"
                if name.startswith(REPORTS) else None)
        if kind and size in RSS_LIMIT_MIB[kind]:
            entry["rss_target_mib"] = RSS_LIMIT_MIB[kind][size]
            entry["rss_met"] = entry["clusterctl"]["peak_rss_mib"] <= entry["rss_target_mib"]


def import_time(module: str, runs: int, after: str | None = None) -> dict:
    """What ``python -X importtime -c "import MODULE"`` says the module costs, all it imports
    included (its cumulative time), in seconds: median, min and max of ``runs`` after one.
    With ``after``, that module is imported first (what it loads is then not counted)."""
    found = []
    code = (f"import {after}; " if after else "") + f"import {module}"
    for round_ in range(runs + 1):
        lines = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                               capture_output=True, text=True, env=child_env(),
                               check=True).stderr.splitlines()
        cumulative = [line.split("|")[1] for line in lines
                      if line.count("|") == 2 and line.split("|")[2].rstrip() == f" {module}"]
        if round_ > 0:
            found.append(int(cumulative[-1]) / 1e6)
    return {"median_s": round(statistics.median(found), 4), "min_s": round(min(found), 4),
            "max_s": round(max(found), 4), "runs": len(found)}


def print_table(report: dict) -> None:
    print(f"\nclusterctl {report['clusterctl_version']} on {report['machine']['summary']}")
    for name, figures in report["floor"].items():
        print(f"  floor: {name}: {figures['median_s']:.3f} s")
    pg = report.get("postgresql")
    if pg:
        print(f"  PostgreSQL {pg['server_version']}, psycopg {pg['psycopg']}; "
              f"-X importtime psycopg: {pg['psycopg_import_time']['median_s']:.3f} s, "
              f"after typer: {pg['psycopg_import_time_after_typer']['median_s']:.3f} s")
    head = (f"{'size':>7}  {'command':<26} {'clusterctl':>10} {'spread':>15} {'RSS MiB':>8} "
            + (f"{'PostgreSQL':>10} {'spread':>15} {'RSS MiB':>8} {'pg/sq':>6} " if pg else "")
            + f"{'Taskwarrior':>11} {'ratio':>6}  target")
    print(head)
    print("-" * len(head))
    for size, results in report["sizes"].items():
        for name, entry in results.items():
            ours = entry["clusterctl"]
            theirs = entry.get("taskwarrior", {}).get("median_s")
            verdict = ""
            if "vs_today" in entry:
                verdict = f"{entry['vs_today']} x today's {entry['today']}"
                if "postgresql_vs_today" in entry:
                    verdict += f" (PostgreSQL {entry['postgresql_vs_today']} x)"
            if "floor_ratio" in entry:
                verdict = f"{entry['floor_ratio']} x import typer ({entry['floor_s']:.3f}s)"
            if "met" in entry:
                verdict += f"; {entry['target']}: {'met' if entry['met'] else 'NOT MET'}"
            if "rss_met" in entry and not entry["rss_met"]:
                verdict += f"; RSS over {entry['rss_target_mib']} MiB"
            server = ""
            if pg:
                on_pg = entry.get("postgresql")
                server = (f"{on_pg['median_s']:>9.3f}s "
                          f"{on_pg['min_s']:>6.3f}-{on_pg['max_s']:<7.3f} "
                          f"{on_pg['peak_rss_mib']:>8.1f} {entry['postgresql_ratio']:>6} "
                          if on_pg else f"{'-':>10} {'':>15} {'':>8} {'':>6} ")
            print(f"{size:>7}  {name:<26} {ours['median_s']:>9.3f}s "
                  f"{ours['min_s']:>6.3f}-{ours['max_s']:<7.3f} {ours['peak_rss_mib']:>8.1f} "
                  f"{server}{(f'{theirs:.3f}s' if theirs else '-'):>11} "
                  f"{entry.get('ratio', '-'):>6}  {verdict}")
    print("\nthe database after the import:")
    for size, stored in report.get("database", {}).items():
        rows = ", ".join(f"{table} {count:,}" for table, count in stored["rows"].items())
        server = (f", PostgreSQL {stored['postgresql_mib']:.1f} MiB"
                  if "postgresql_mib" in stored else "")
        print(f"{size:>7}  SQLite {stored['sqlite_mib']:.1f} MiB{server}; rows: {rows}")
    if pg:
        print("\ndb copy --to, from the SQLite file into an empty PostgreSQL database:")
        for size, copy in pg["copy"].items():
            print(f"{size:>7}  {copy['median_s']:.3f} s ({copy['min_s']:.3f}-{copy['max_s']:.3f}), "
                  f"peak RSS {copy['peak_rss_mib']:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="task counts, comma-separated (default: 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json",
                        help="where to write the figures as JSON")
    parser.add_argument("--no-taskwarrior", action="store_true",
                        help="time clusterctl alone even if task is on PATH")
    parser.add_argument("--postgres", action="store_true",
                        help="time the same commands on PostgreSQL too: a throwaway server "
                             "(tests/pgserver.py), or CLUSTERCTL_TEST_PGHOST/PGPORT/PGUSER's")
    parser.add_argument("--to-taskwarrior", nargs=2, type=Path, metavar=("TOML", "JSON"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.to_taskwarrior:
        to_taskwarrior(*args.to_taskwarrior)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    task_bin = None if args.no_taskwarrior else shutil.which("task")
    version = subprocess.run([*clusterctl_command(), "--version"], capture_output=True,
                             text=True, check=True).stdout.split()[-1]
    tw_version = (subprocess.run([task_bin, "--version"], capture_output=True, text=True)
                  .stdout.strip() if task_bin else None)
    floor_cases = [Case("python -c pass", [sys.executable, "-c", "pass"], child_env()),
                   Case("python -c 'import typer'", [sys.executable, "-c", "import typer"],
                        child_env())]
    if args.postgres:
        floor_cases.append(Case("python -c 'import psycopg'",
                                [sys.executable, "-c", "import psycopg"], child_env()))
    measure(floor_cases, max(args.runs, 5))
    floor = {case.name: case.summary() for case in floor_cases}
    started = time.time()
    postgres = None
    with tempfile.TemporaryDirectory(prefix="clusterctl-bench-") as work:
        pg = Postgres(Path(work) / "pgserver") if args.postgres else None
        try:
            by_size, copies, stored = {}, {}, {}
            for size in sizes:
                print(f"size {size}:", file=sys.stderr, flush=True)
                by_size[str(size)], copy, stored[str(size)] = bench_size(
                    size, args.runs, Path(work), task_bin, pg)
                if copy:
                    copies[str(size)] = copy
            if pg:
                postgres = {
                    "server_version": pg.version,
                    "server": "given" if pg.folder is None else "throwaway, tests/pgserver.py",
                    "settings": pg.sql("SELECT string_agg(name || '=' || setting, ', ' "
                                       "ORDER BY name) FROM pg_settings WHERE name IN "
                                       "('fsync', 'synchronous_commit', 'full_page_writes', "
                                       "'shared_buffers')"),
                    "psycopg": subprocess.run(
                        [sys.executable, "-c", "import psycopg; print(psycopg.__version__, "
                         "psycopg.pq.__impl__)"], capture_output=True, text=True,
                        check=True).stdout.strip(),
                    "psycopg_import_time": import_time("psycopg", max(args.runs, 5)),
                    "psycopg_import_time_after_typer": import_time("psycopg", max(args.runs, 5),
                                                                   after="typer"),
                    "copy": copies,
                }
        finally:
            if pg:
                pg.close()
    report = {
        "clusterctl_version": version,
        "taskwarrior_version": tw_version,
        "date": time.strftime("%Y-%m-%d"),
        "seconds": round(time.time() - started),
        "runs": args.runs,
        "machine": {
            "summary": f"{platform.machine()}, {os.cpu_count()} cores, "
                       f"{platform.python_implementation()} {platform.python_version()}, "
                       f"SQLite {__import__('sqlite3').sqlite_version}",
            "platform": platform.platform(),
        },
        "floor": floor,
        "sizes": by_size,
        "database": stored,
    }
    if postgres:
        report["postgresql"] = postgres
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    print_table(report)
    print(f"\nfigures written to {args.output}")


if __name__ == "__main__":
    main()
