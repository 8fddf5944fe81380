"""Shell completion sources (clusterctl/cli/complete.py): candidates read from the database
read-only, and nothing at all, silently, when there is no database to read."""

import os
import sqlite3
import time
from pathlib import Path
from typing import Annotated

import click
import pytest
import typer
from typer.testing import CliRunner

from clusterctl.cli import complete
from clusterctl.store import readonly
from tests.conftest import add_task


def context(db: str | None = None) -> typer.Context:
    """The context of a subcommand, under a root that has (or not) ``--db`` typed."""
    root = typer.Context(click.Command("clusterctl"))
    root.params["db_location"] = db
    return typer.Context(click.Command("list"), parent=root)


def values(candidates) -> list[str]:
    return [value for value, _ in candidates]


@pytest.fixture
def board(seeded):
    """The seeded database with an agency whose code has a diacritic, and four tasks."""
    seeded("agency", "add", "SởNV", "Sở Nội vụ")
    seeded("directive", "add", "15/CT-TTg", "--issued", "1/3/2024",
           "--title", "Về việc đẩy mạnh thực hiện các nhiệm vụ, giải pháp trọng tâm "
           "phát triển cụm công nghiệp trong năm 2024 và những năm tiếp theo")
    ids = [add_task(seeded, "Rà soát quy hoạch", "-l", "SCT", "--key", "1"),
           add_task(seeded, "Báo cáo kết quả", "-l", "SXD", "--key", "10"),
           add_task(seeded, "Đôn đốc tiến độ", "-l", "STC", "--key", "a2")]
    seeded("task", "add", "-d", "15/CT-TTg", "-l", "SCT", "--key", "1", "Thực hiện")
    return ids


def test_agencies_by_code_prefix_without_case_or_diacritics(board):
    ctx = context()
    assert complete.agencies(ctx, "") == [
        ("SCT", "Sở Công Thương"), ("SKHDT", "Sở Kế hoạch và Đầu tư"),
        ("SởNV", "Sở Nội vụ"), ("STC", "Sở Tài chính"), ("SXD", "Sở Xây dựng")]
    assert values(complete.agencies(ctx, "SK")) == ["SKHDT"]
    # Typed otherwise, the typed text stays (Typer keeps only candidates that start with
    # it); the commands fold codes, so `skhdt` is SKHDT.
    assert values(complete.agencies(ctx, "sk")) == ["skhdt"]
    assert values(complete.agencies(ctx, "Sở")) == ["SởNV"]
    assert values(complete.agencies(ctx, "SO")) == ["SONV"]
    assert values(complete.agencies(ctx, "sON")) == ["sONV"]
    assert values(complete.agencies(ctx, "so")) == ["sonv"]  # by code: not every "Sở ..." name
    assert complete.agencies(ctx, "X") == []


def test_a_typed_code_the_commands_accept(board, cli):
    for typed in ("skhdt", "sonv"):
        assert cli.json("agency", "show", typed)["code"] in ("SKHDT", "SởNV")


def test_directives_by_number_prefix_with_a_short_title(board):
    ctx = context()
    found = complete.directives(ctx, "")
    assert values(found) == ["15/CT-TTg", "2029/UBND-KTTH"]
    assert found[1][1] == "Tăng cường công tác quản lý, phát triển cụm công nghiệp"
    title = found[0][1]
    assert len(title) <= complete.HELP_WIDTH and title.endswith("…")
    assert title.startswith("Về việc đẩy mạnh thực hiện")
    assert values(complete.directives(ctx, "2029/")) == ["2029/UBND-KTTH"]
    assert values(complete.directives(ctx, "15/ct")) == ["15/ct-ttg"]
    assert complete.directives(ctx, "3") == []


def test_tasks_by_id_and_by_reference(board):
    ctx = context()
    assert board == [1, 2, 3]
    assert complete.tasks(ctx, "1") == [("1", "Rà soát quy hoạch"), ("15/CT-TTg#1", "Thực hiện")]
    assert complete.tasks(ctx, "3") == [("3", "Đôn đốc tiến độ")]
    everything = values(complete.tasks(ctx, ""))
    assert everything[:4] == ["1", "2", "3", "4"]
    assert everything[4:] == ["15/CT-TTg#1", "2029/UBND-KTTH#1", "2029/UBND-KTTH#10",
                              "2029/UBND-KTTH#a2"]
    assert values(complete.tasks(ctx, "20")) == [
        "2029/UBND-KTTH#1", "2029/UBND-KTTH#10", "2029/UBND-KTTH#a2"]
    assert values(complete.tasks(ctx, "15/ct")) == ["15/ct-ttg#1"]


def test_after_a_hash_the_keys_of_that_directive(board):
    ctx = context()
    assert complete.tasks(ctx, "2029/UBND-KTTH#") == [
        ("2029/UBND-KTTH#1", "Rà soát quy hoạch"), ("2029/UBND-KTTH#10", "Báo cáo kết quả"),
        ("2029/UBND-KTTH#a2", "Đôn đốc tiến độ")]
    assert values(complete.tasks(ctx, "2029/UBND-KTTH#1")) == [
        "2029/UBND-KTTH#1", "2029/UBND-KTTH#10"]
    # The number as typed (the commands fold it), the key as stored (matched exactly).
    assert values(complete.tasks(ctx, "2029/ubnd-ktth#A")) == ["2029/ubnd-ktth#a2"]
    assert complete.tasks(ctx, "2029/UBND-KTTH#9") == []
    assert complete.tasks(ctx, "404/XX#") == []


def test_keys_with_wildcards_or_diacritics(board, seeded):
    for key in ("a_1", "ab1", "a%", "Đ1", "đ2"):
        add_task(seeded, f"Việc {key}", "-l", "SCT", "--key", key)
    ctx = context()
    assert values(complete.tasks(ctx, "2029/UBND-KTTH#a_")) == ["2029/UBND-KTTH#a_1"]
    assert values(complete.tasks(ctx, "2029/UBND-KTTH#a%")) == ["2029/UBND-KTTH#a%"]
    assert values(complete.tasks(ctx, "2029/UBND-KTTH#d")) == [
        "2029/UBND-KTTH#Đ1", "2029/UBND-KTTH#đ2"]
    assert values(complete.tasks(ctx, "2029/UBND-KTTH#đ")) == [
        "2029/UBND-KTTH#Đ1", "2029/UBND-KTTH#đ2"]


@pytest.mark.sqlite  # a file's own states
def test_tasks_are_limited(seeded, db_path):
    conn = sqlite3.connect(db_path)
    with conn:
        (lead,) = conn.execute("SELECT id FROM agency WHERE code = 'SCT'").fetchone()
        (directive,) = conn.execute("SELECT id FROM directive").fetchone()
        conn.executemany(
            "INSERT INTO task (directive_id, task_key, title, title_key, lead_id, status, "
            "assigned_on, created_at, updated_at, version) "
            "VALUES (?, ?, 'T', 't', ?, 'open', '2024-01-01', 'x', 'x', 1)",
            [(directive, str(n), lead) for n in range(1, 501)])
    conn.close()
    ctx = context()
    assert len(complete.tasks(ctx, "")) == complete.LIMIT
    keys = values(complete.tasks(ctx, "2029/UBND-KTTH#"))
    assert len(keys) == complete.LIMIT
    assert keys[:3] == ["2029/UBND-KTTH#1", "2029/UBND-KTTH#2", "2029/UBND-KTTH#3"]
    assert values(complete.tasks(ctx, "2029/UBND-KTTH#49")) == [
        "2029/UBND-KTTH#49", *(f"2029/UBND-KTTH#49{n}" for n in range(10))]


def test_statuses_and_categories_are_the_fixed_values():
    from clusterctl.core.checks import STATUSES
    from clusterctl.core.timeliness import CATEGORIES

    assert values(complete.statuses(None, "")) == list(STATUSES)
    assert values(complete.categories(None, "")) == list(CATEGORIES)
    assert complete.statuses(None, "in") == [("in_progress", "started")]
    assert values(complete.categories(None, "DO")) == ["done_on_time", "done_late"]
    assert complete.categories(None, "x") == []


@pytest.mark.sqlite  # a file's own states
def test_the_database_is_found_as_the_root_finds_it(board, db_path, tmp_path, monkeypatch):
    from clusterctl.cli.main import default_location

    assert complete.database_location(context()) == str(db_path)  # CLUSTERCTL_DB
    other = tmp_path / "other.db"
    assert complete.database_location(context(str(other))) == str(other)  # --db typed
    assert complete.agencies(context(str(other)), "") == []
    assert values(complete.agencies(context(f"sqlite:///{db_path}"), "SC")) == ["SCT"]
    monkeypatch.delenv("CLUSTERCTL_DB")
    assert complete.database_location(context()) == default_location()
    assert complete.database_location(None) == default_location()
    monkeypatch.setenv("CLUSTERCTL_DB", "")  # empty: the default, as for the root
    assert complete.database_location(context()) == default_location()


def every_source(ctx) -> list:
    return [complete.agencies(ctx, ""), complete.directives(ctx, ""), complete.tasks(ctx, ""),
            complete.tasks(ctx, "2029/UBND-KTTH#")]


@pytest.mark.sqlite  # a file's own states
def test_no_database_no_candidates_and_nothing_created(db_path, capfd):
    assert every_source(context()) == [[], [], [], []]
    assert not db_path.exists() and not db_path.parent.exists()
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("location", [
    "postgresql://user:secret@localhost/clusterctl", "sqlite://", "sqlite:///", "mysql://x",
    "/nonexistent/folder/clusterctl.db", "", "."])
def test_a_location_that_is_no_sqlite_file_gives_nothing(location, capfd):
    assert every_source(context(location or None)) == [[], [], [], []]
    assert capfd.readouterr() == ("", "")


@pytest.mark.sqlite  # a file's own states
def test_a_damaged_database_gives_nothing(db_path, capfd):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"not a database at all" * 100)
    assert every_source(context()) == [[], [], [], []]
    empty = db_path.parent / "empty.db"
    empty.touch()  # an empty file is a database with no tables
    assert every_source(context(str(empty))) == [[], [], [], []]
    assert capfd.readouterr() == ("", "")
    assert db_path.read_bytes() == b"not a database at all" * 100


@pytest.mark.sqlite  # a file's own states
def test_a_locked_database_gives_nothing_at_once(board, db_path):
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        start = time.monotonic()
        assert every_source(context()) == [[], [], [], []]
        assert time.monotonic() - start < 4 * (readonly.TIMEOUT + 0.5)
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.sqlite  # a file's own states
def test_reading_leaves_the_database_and_its_folder_as_they_were(board, db_path):
    before = sorted(os.listdir(db_path.parent))
    stamp = db_path.stat().st_mtime_ns
    assert complete.agencies(context(), "S")
    assert sorted(os.listdir(db_path.parent)) == before  # no -wal, no -shm
    assert db_path.stat().st_mtime_ns == stamp


# Through Click's completion protocol, with the functions wired as Typer wires them, and
# Typer's completion on (its bash and zsh formats, as --install-completion sets up).
mini = typer.Typer()


@mini.callback()
def mini_root(db_location: Annotated[str | None, typer.Option(
        "--db", envvar="CLUSTERCTL_DB")] = None) -> None:
    pass


@mini.command()
def pick(
    task: Annotated[str | None, typer.Argument(autocompletion=complete.tasks)] = None,
    agency: Annotated[str | None, typer.Option(autocompletion=complete.agencies)] = None,
    directive: Annotated[str | None, typer.Option(
        "--directive", "-d", autocompletion=complete.directives)] = None,
    status: Annotated[str | None, typer.Option(autocompletion=complete.statuses)] = None,
    category: Annotated[str | None, typer.Option(autocompletion=complete.categories)] = None,
) -> None:
    pass


def shell(line: str, kind: str = "bash") -> list[str]:
    """The candidates a shell gets for ``line`` (the last word being typed)."""
    words = line.split(" ")
    env = {"_MINI_COMPLETE": f"complete_{kind}", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - 1), "_TYPER_COMPLETE_ARGS": line}
    result = CliRunner().invoke(mini, [], env=env, prog_name="mini")
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.sqlite  # a file's own states
def test_through_the_shell_completion_protocol(board, db_path, tmp_path):
    assert shell("mini pick --agency S") == ["SCT", "SKHDT", "SởNV", "STC", "SXD"]
    assert shell("mini pick --agency sk") == ["skhdt"]
    assert shell("mini pick -d 15") == ["15/CT-TTg"]
    assert shell("mini pick 2029/UBND-KTTH#1") == ["2029/UBND-KTTH#1", "2029/UBND-KTTH#10"]
    assert shell("mini pick --status in") == ["in_progress"]
    assert shell("mini pick --category o") == ["overdue", "on_track", "ongoing"]
    # --db on the command line comes before CLUSTERCTL_DB, as for the root.
    copy = tmp_path / "copy.db"
    copy.write_bytes(db_path.read_bytes())
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("UPDATE agency SET code = 'SCTX', code_key = 'sctx' WHERE code = 'SCT'")
    conn.close()
    assert shell(f"mini --db {copy} pick --agency SC") == ["SCTX"]
    assert shell(f"mini --db={tmp_path / 'none.db'} pick --agency S") == []
    assert not (tmp_path / "none.db").exists()
    zsh = "\n".join(shell("mini pick --agency SX", "zsh"))
    assert '"SXD":"Sở Xây dựng"' in zsh


def test_through_the_protocol_without_a_database(db_path):
    assert shell("mini pick --agency S") == []
    assert not db_path.exists()


def test_the_sources_load_no_database_layer():
    import subprocess
    import sys

    code = ("import sys, clusterctl.cli.complete; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'sqlmodel', 'rich', 'dateutil') "
            "or m.startswith(('clusterctl.store', 'clusterctl.core'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent).stdout
    assert out.strip() == "[]"
