"""The import discipline that keeps --help and everyday commands fast, and the CLI's edges."""

import json
import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "rich", "dateutil.parser", "tomllib", "csv",
         "xlsxwriter")

PROBE = """
import os, sys, runpy
sys.argv = ["clusterctl", *sys.argv[1:]]
os._exit = sys.exit  # the command leaves without Python's teardown: here, to be looked at
try:
    runpy.run_module("clusterctl", run_name="__main__")
except SystemExit as exit:
    code = exit.code
import json
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def loaded_modules(*args: str, env: dict) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env=env, check=False)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), result.stderr
    return set(report["modules"])


@pytest.fixture
def env(cli, tmp_path):
    cli("agency", "add", "SCT", "Sở Công Thương")
    cli("directive", "add", "1/UBND", "--issued", "1/1/2024", "--title", "T")
    cli("task", "add", "-d", "1/UBND", "-l", "SCT", "--due", "30/6/2024", "Việc")
    return dict(os.environ)


@pytest.mark.parametrize(
    "args",
    [("--help",), ("task", "--help"), ("task", "list"), ("task", "list", "-a", "SCT"),
     ("task", "show", "1"), ("task", "note", "1", "ghi chú"), ("task", "done", "1"),
     ("task", "list", "--format", "json"), ("task", "list", "--format", "table"),
     ("overdue", "--format", "table"), ("status", "--format", "table"), ("agency", "list"),
     ("directive", "show", "1/UBND"),
     ("overdue",), ("status",), ("weekly",), ("overdue", "--format", "json")],
)
def test_everyday_commands_do_not_load_heavy_modules(env, args, register):
    modules = loaded_modules(*args, env=env)
    # SQLite never loads psycopg. PostgreSQL needs it (which loads csv itself), and
    # SQLAlchemy, Rich and the rest no more than SQLite.
    if register.engine == "sqlite":
        watched = (*HEAVY, "psycopg")
    else:
        watched = tuple(m for m in HEAVY if m != "csv")
    heavy = sorted(m for m in watched if m in modules)
    assert heavy == [], f"{args} loaded {heavy}"


def test_the_process_leaves_with_its_exit_code_and_all_its_output(cli, env, tmp_path):
    """The command ends the process itself once its output is flushed (without Python's
    teardown): nothing written is lost, and the exit codes are the documented ones."""
    for n in range(300):
        cli("task", "add", "-d", "1/UBND", "-l", "SCT", "--due", "30/6/2024", f"Việc {n}")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "clusterctl", *args], capture_output=True,
                              text=True, env=env, check=False)

    listed = run("task", "list", "--format", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 301
    assert run("overdue", "--as-of", "1/7/2024", "--fail-on-overdue").returncode == 1
    assert run("task", "lst").returncode == 2
    missing = run("--db", str(tmp_path / "none.db"), "status")
    assert missing.returncode == 3 and missing.stderr.count("\n") == 1
    assert run("--version").stdout.startswith("clusterctl ")


# What each everyday command loads of clusterctl, named in full: a module that joins one of
# these lists is a start-up cost to choose, not to find later (see benchmarks/README.md).
BASE = {"clusterctl", "cli", "cli.common", "cli.lazy", "cli.main", "errors", "i18n", "text"}
OPENS = BASE | {"cli.complete", "config", "core", "core.seriesdue", "pager", "render", "store",
                "store.db", "store.schema", "store.sharing", "words"}
TASKS = OPENS | {"cli.columns", "cli.task", "core.queries", "core.timeliness"}
WRITES = TASKS | {"core.agencies", "core.checks", "core.directives", "core.records",
                  "core.tasks", "core.taskwriter", "dates", "store.timeline"}
REPORTS = OPENS | {"cli.columns", "cli.reports", "core.queries", "core.reports",
                   "core.timeliness"}
OWN_MODULES = {
    ("--help",): BASE | {"cli.listing"},
    ("task", "show", "1"): TASKS,
    ("task", "list", "-a", "SCT"): TASKS | {"core.agencies"},
    ("task", "note", "1", "ghi chú"): WRITES,
    ("task", "done", "1"): WRITES,
    ("overdue",): REPORTS,
    ("status",): REPORTS | {"core.agencies"},
    ("weekly",): REPORTS | {"core.agencies", "core.changelog", "cli.mail_render",
                            "cli.weekly_render"},
    ("agency", "list"): OPENS | {"cli.agency", "core.agencies"},
}


@pytest.mark.sqlite
@pytest.mark.parametrize("args", OWN_MODULES, ids=" ".join)
def test_each_everyday_command_loads_the_modules_listed(env, args):
    loaded = {m.removeprefix("clusterctl.") for m in loaded_modules(*args, env=env)
              if m == "clusterctl" or m.startswith("clusterctl.")}
    assert loaded == OWN_MODULES[args], (
        f"{args}: loads {sorted(loaded - OWN_MODULES[args])} besides, "
        f"no longer {sorted(OWN_MODULES[args] - loaded)}")


def test_the_probe_sees_heavy_modules_when_they_load(env):
    # The CSV format needs the csv module: the probe must notice it, or the test above proves
    # nothing.
    assert "csv" in loaded_modules("task", "list", "--format", "csv", env=env)


def test_python_dash_m_and_version(cli):
    result = subprocess.run([sys.executable, "-m", "clusterctl", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    from clusterctl import __version__

    assert result.stdout == f"clusterctl {__version__}\n"


def _all_commands() -> list[tuple[str, ...]]:
    import click
    from typer.main import get_command

    from clusterctl.cli.main import app

    found = []

    def walk(command, path):
        if hasattr(command, "load_all"):
            command.load_all()
        for name, sub in getattr(command, "commands", {}).items():
            if isinstance(sub, click.Group):
                walk(sub, (*path, name))
            else:
                found.append((*path, name))

    walk(get_command(app), ())
    return found


@pytest.mark.parametrize("path", _all_commands(), ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(cli, path):
    from pathlib import Path

    result = cli(*path, "--help")
    assert result.stdout.startswith(f"Usage: clusterctl {' '.join(path)}")
    summary = result.stdout.split("\n\n")[1].strip()
    assert summary, f"{path} has no help text"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"clusterctl {' '.join(path)}" in readme, f"README.md does not show {path}"


def test_usage_errors_are_one_line_exit_2(cli):
    assert "No such command 'lst'" in cli.fails("task", "lst")
    # Commands are built as they run, yet a misspelt one is matched against them all.
    assert "Did you mean 'overdue'?" in cli.fails("overdeu")
    assert "Did you mean 'show'?" in cli.fails("task", "shwo")
    assert "Missing option '--directive'" in cli.fails("task", "add", "T")
    assert "'soon' is not one of" in cli.fails("task", "list", "--category", "soon")


def test_bare_group_shows_its_help(cli):
    assert "Commands:" in cli("task").stdout


def test_internal_error_has_no_traceback(cli, monkeypatch):
    cli("init")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("clusterctl.core.agencies.load_agencies", broken)
    error = cli.fails("agency", "list", code=70)
    assert "internal error (RuntimeError: boom)" in error
    assert "CLUSTERCTL_DEBUG=1" in error
    monkeypatch.setenv("CLUSTERCTL_DEBUG", "1")
    result = cli("agency", "list", code=1)
    assert isinstance(result.exception, RuntimeError)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Ho_Chi_Minh"])
def test_today_is_the_office_date_whatever_the_machine_zone(zone):
    """In a process of its own, whose machine zone (TZ) is a day away from the office's."""
    machine = "Etc/GMT-14" if zone.startswith("Etc/GMT+") else "Etc/GMT+12"
    for _attempt in range(2):  # a run that straddles midnight in either zone runs again
        expected = datetime.now(ZoneInfo(zone)).date()
        result = subprocess.run(
            [sys.executable, "-c", "from clusterctl.config import today; print(today())"],
            capture_output=True, text=True, check=True,
            env={**os.environ, "CLUSTERCTL_TZ": zone, "TZ": machine})
        if datetime.now(ZoneInfo(zone)).date() == expected:
            break
    assert result.stdout.strip() == expected.isoformat()


def test_a_reader_that_goes_away_stops_output_quietly(cli, tmp_path):
    """`clusterctl task list | head -1`: exit 141 (SIGPIPE's code), no error, no traceback."""
    from pathlib import Path

    generator = Path(__file__).resolve().parent.parent / "examples" / "generate.py"
    source = tmp_path / "many.toml"
    with source.open("w", encoding="utf-8") as out:
        subprocess.run([sys.executable, str(generator), "3000"], stdout=out, check=True)
    cli("import", str(source))
    process = subprocess.Popen([sys.executable, "-m", "clusterctl", "task", "list", "--format",
                                "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"[\n"
    process.stdout.close()  # like head: read a line, then go away
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert stderr == b""
