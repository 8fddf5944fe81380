"""The cracks of 0.1.0 found in review, each held through the CLI."""

import csv
import io
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import add_task, db_digest

ROOT = Path(__file__).resolve().parent.parent
NOTE = "Đã họp.\nCòn 2 huyện:\n\tLục Nam, Sơn Động."


def _run(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clusterctl", *args], stdout=stdout,
                          stderr=subprocess.PIPE, timeout=60)


# -- ids and keys ----------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["99999999999999999999", "9223372036854775808", "²", "٣",
                                 "1²", "2029/UBND-KTTH#²"])
def test_task_refs_out_of_range_or_not_ascii_are_bad_input(seeded, ref):
    add_task(seeded, "Việc", "-l", "SCT")
    message = seeded.fails("task", "show", ref)
    assert "internal error" not in message


def test_key_digits_are_ascii(seeded, db_path):
    before = db_digest(db_path)
    assert "0-9" in seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT",
                                 "--key", "1²", "Việc")
    assert db_digest(db_path) == before
    add_task(seeded, "Việc", "-l", "SCT", "--key", "3a")  # letters are fine
    assert add_task(seeded, "Việc 2", "-l", "SCT") == 2  # next number after 3a is 1: free


# -- notes -----------------------------------------------------------------------------


def test_a_note_of_several_lines_is_kept_as_written(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    seeded("task", "note", task_id, NOTE)
    shown = seeded.json("task", "show", task_id)
    assert shown["history"][-1]["note"] == NOTE
    assert shown["latest_note"] == NOTE
    plain = seeded("task", "show", task_id, "--format", "plain").stdout
    # In the history the note continues below its entry, indented; nothing is escaped.
    assert "note: Đã họp.\n      Còn 2 huyện:\n          Lục Nam, Sơn Động.\n" in plain
    assert "Latest note:   Đã họp.\n" in plain
    assert "\\x0a" not in plain and "\\x09" not in plain
    (row,) = list(csv.DictReader(io.StringIO(
        seeded("task", "show", task_id, "--format", "csv").stdout)))
    assert row["latest_note"] == NOTE


@pytest.mark.parametrize("bad", ["\x1b[2J", "a\rb", "a\u202eb", "\x00", "a\x85b"])
def test_a_note_still_refuses_other_controls(seeded, db_path, bad):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    before = db_digest(db_path)
    assert "control characters" in seeded.fails("task", "note", task_id, f"x\n{bad}")
    assert db_digest(db_path) == before


def test_windows_line_ends_in_a_note_become_newlines(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    seeded("task", "note", task_id, "Một\r\nHai")
    assert seeded.json("task", "show", task_id)["latest_note"] == "Một\nHai"


@pytest.mark.parametrize(("bad", "says"), [
    ("   ", "must not be empty"), ("x" * 20001, "the limit is 20000"),
    ("\x1b]0;pwned\x07", "control characters")])
@pytest.mark.parametrize("command", [
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "Việc mới"),
    ("task", "start", "{id}"), ("task", "done", "{id}"), ("task", "reopen", "{done}"),
    ("task", "edit", "{id}", "--title", "Tên khác"), ("task", "cancel", "{id}")])
def test_every_note_option_is_checked_as_task_note(seeded, db_path, command, bad, says):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    done = str(add_task(seeded, "Xong", "-l", "SCT"))
    seeded("task", "done", done, "--on", "1/5/2024")
    before = db_digest(db_path)
    args = [part.format(id=task_id, done=done) for part in command]
    option = "--reason" if command[1] == "cancel" else "--note"
    assert says in seeded.fails(*args, option, bad)
    assert db_digest(db_path) == before


def test_a_multi_line_toml_note_imports_the_same(cli, tmp_path):
    source = tmp_path / "notes.toml"
    source.write_text(
        '[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n'
        '[[directives]]\nnumber = "1/UBND"\nissued = 2024-04-22\ntitle = "T"\n\n'
        '[[directives.tasks]]\nkey = "1"\ntitle = "Việc"\nlead = "SCT"\n'
        'note = """\nĐã họp.\nCòn 2 huyện:\n\tLục Nam, Sơn Động."""\n', encoding="utf-8")
    cli("import", str(source))
    assert cli.json("task", "show", "1")["history"][0]["note"] == NOTE


# -- dates that are certainly typos -----------------------------------------------------


def test_dates_before_the_directive_or_far_after_it_are_refused(seeded, db_path):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    before = db_digest(db_path)
    assert "before the directive's issue date 2024-04-22" in seeded.fails(
        "task", "done", task_id, "--on", "21/4/2024")
    assert "before the directive's issue date 2024-04-22" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", "1/4/2024", "Việc")
    assert "is the year a typo" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", "30/6/2205", "Việc")
    assert "is the year a typo" in seeded.fails(
        "task", "edit", task_id, "--due", "23/4/2034")
    assert db_digest(db_path) == before
    seeded("task", "edit", task_id, "--due", "22/4/2034")  # ten years to the day: allowed
    seeded("task", "done", task_id, "--on", "22/4/2024")  # the issue date itself: allowed


def test_an_import_with_dates_before_the_directive_names_the_lines(cli, tmp_path):
    source = tmp_path / "typo.toml"
    source.write_text(
        '[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n'
        '[[directives]]\nnumber = "1/UBND"\nissued = 2024-04-22\ntitle = "T"\n\n'
        '[[directives.tasks]]\nkey = "1"\ntitle = "Việc"\nlead = "SCT"\n'
        'due = 2024-03-01\n\n'
        '[[directives.tasks]]\nkey = "2"\ntitle = "Việc"\nlead = "SCT"\ndue = 2204-06-30\n'
        'status = "done"\ncompleted_on = 2024-04-01\n', encoding="utf-8")
    error = cli("import", str(source), code=2).stderr
    assert f"{source}:14: directives[0].tasks[0] (key '1').due: due date 2024-03-01 is " \
           "before the directive's issue date 2024-04-22" in error
    assert f"{source}:20: directives[0].tasks[1] (key '2').due:" in error
    assert "is the year a typo" in error
    assert f"{source}:22: directives[0].tasks[1] (key '2').completed_on: completion date " \
           "2024-04-01 is before" in error
    assert not Path(os.environ["CLUSTERCTL_DB"]).exists()


def test_extend_moves_later_only_and_edit_due_is_a_correction(seeded, db_path):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    before = db_digest(db_path)
    error = seeded.fails("task", "extend", task_id, "--to", "1/6/2024", "--reason", "nhầm")
    assert "not after 2024-06-30" in error and f"task edit {task_id} --due" in error
    assert db_digest(db_path) == before
    # A due date entered wrong, never extended: the original is corrected with it.
    seeded("task", "edit", task_id, "--due", "31/5/2024", "--note", "gõ nhầm")
    task = seeded.json("task", "show", task_id)
    assert (task["due"], task["original_due"]) == ("2024-05-31", "2024-05-31")
    assert task["history"][-1]["action"] == "edit"
    assert task["history"][-1]["changes"] == {"due": ["2024-06-30", "2024-05-31"],
                                              "original_due": ["2024-06-30", "2024-05-31"]}
    # Once extended, a correction moves the due date only; the extension stays counted.
    seeded("task", "extend", task_id, "--to", "31/7/2024", "--reason", "chờ kinh phí")
    seeded("task", "edit", task_id, "--due", "30/7/2024")
    task = seeded.json("task", "show", task_id)
    assert (task["due"], task["original_due"]) == ("2024-07-30", "2024-05-31")
    assert [h["action"] for h in task["history"]] == ["created", "edit", "extend", "edit"]
    ongoing = str(add_task(seeded, "Thường xuyên", "-l", "SCT"))
    assert "--due" in seeded.fails("task", "extend", ongoing, "--to", "eoy", "--reason", "x")


# -- output and files --------------------------------------------------------------------


@pytest.mark.parametrize("args", [("status", "-f", "json"), ("--version",)])
def test_a_reader_already_gone_gives_141_quietly(seeded, db_path, args):
    add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024")
    read, write = os.pipe()
    os.close(read)  # `clusterctl status -f json | true`: the reader has gone before we write
    try:
        result = _run(*args, stdout=write)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (141, b"")


def test_export_output_is_private_and_never_half_written(seeded, tmp_path):
    add_task(seeded, "Việc", "-l", "SCT")
    target = tmp_path / "out" / "export.toml"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    seeded("export", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert 'title = "Việc"' in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["export.toml"]
    missing = tmp_path / "no-such-folder" / "export.toml"
    assert "cannot write" in seeded.fails("export", "--output", str(missing))
    assert not missing.parent.exists()


@pytest.mark.parametrize("url", ["postgresql://lan:s3cr3t@127.0.0.1:9/register",
                                 "postgresql://lan@127.0.0.1:9/register?password=s3cr3t"])
def test_a_database_password_is_never_printed(cli, url):
    shown = cli("--db", url, "db", "path").stdout
    assert "s3cr3t" not in shown and "***" in shown
    error = cli.fails("--db", url, "task", "list")  # a password in a URL others can see
    assert "s3cr3t" not in error and "***" in error and "~/.pgpass or PGPASSWORD" in error


def test_an_agency_code_that_names_another_agency_is_refused(seeded, tmp_path, db_path):
    source = tmp_path / "dpi.toml"
    source.write_text('[[agencies]]\ncode = "DPI"\nname = "Cục Thống kê"\n', encoding="utf-8")
    before = db_digest(db_path)
    error = seeded("import", str(source), code=2).stderr
    assert "'DPI' names more than one agency: DPI, SKHDT" in error
    assert db_digest(db_path) == before


def test_an_exact_code_wins_over_another_agencys_alias():
    from clusterctl.core.agencies import Agency, AgencyMatcher

    matcher = AgencyMatcher([Agency(1, "SKHDT", "Sở Kế hoạch và Đầu tư", ["DPI"]),
                             Agency(2, "DPI", "Cục Thống kê")])
    assert matcher.find("dpi").code == "DPI"
    assert matcher.find("Sở Kế hoạch và Đầu tư").code == "SKHDT"


def test_tasks_are_listed_only_in_the_fixed_orders(seeded, db_path):
    from clusterctl.core.queries import Order, TaskFilter, list_tasks
    from clusterctl.store.schema import open_database

    add_task(seeded, "Việc", "-l", "SCT")
    db = open_database(str(db_path), write=False)
    try:
        every = TaskFilter(as_of=date(2024, 7, 1), soon_days=7)
        assert [t["id"] for t in list_tasks(db, every, Order.lead)] == [1]
        with pytest.raises(ValueError, match="is not a valid Order"):
            list(list_tasks(db, every, order="t.id; DROP TABLE task"))
    finally:
        db.close()


def test_a_read_sees_one_snapshot(seeded, db_path):
    from clusterctl.store.schema import open_database

    add_task(seeded, "Việc", "-l", "SCT")
    reader = open_database(str(db_path), write=False)
    try:
        with reader.snapshot():
            assert reader.scalar("SELECT COUNT(*) FROM task") == 1
            add_task(seeded, "Việc khác", "-l", "SCT")  # committed by another connection
            assert reader.scalar("SELECT COUNT(*) FROM task") == 1
        assert reader.scalar("SELECT COUNT(*) FROM task") == 2
    finally:
        reader.close()


# -- the re-import fast path ----------------------------------------------------------------


def test_a_change_by_another_program_is_seen_by_the_next_import(cli, db_path):
    example = str(ROOT / "examples" / "province-2024.toml")
    cli("import", example)
    assert "19 unchanged" in cli("import", example).stderr  # the fast path
    # Another program changes a title and records that the file said so: the file now
    # differs from what it last said, so the next import must look, not take the fast path.
    import json

    from clusterctl.core.importplan import _created_base

    said = _created_base(cli.json("task", "show", "1")["history"][0]["changes"])
    cli.register.sql("INSERT INTO import_base (task_id, said, source) VALUES (1, ?, 'x')",
                     (json.dumps(said | {"title": "sửa tay"}, ensure_ascii=False),))
    cli.register.sql("UPDATE task SET title = 'sửa tay' WHERE id = 1")  # sqlite3, psql
    assert "1 updated, 18 unchanged" in cli("import", example).stderr
    assert cli.json("task", "show", "1")["title"] != "sửa tay"


def test_the_fingerprint_holds_the_version(monkeypatch):
    import clusterctl
    from clusterctl.core.importcache import fingerprint

    raw = [("a.toml", b"x = 1")]
    first = fingerprint(raw, date(2024, 7, 1))
    monkeypatch.setattr(clusterctl, "__version__", "99.0")
    assert fingerprint(raw, date(2024, 7, 1)) != first


# -- the error boundary --------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["task"], ["db"], ["agency"], ["directive"]])
def test_a_bare_group_shows_its_help(cli, args):
    result = cli(*args)
    assert result.stdout.startswith("Usage: ") and result.stderr == ""


def test_a_mistyped_command_is_one_line_with_one_suggestion(cli):
    error = cli.fails("task", "lst")
    assert error.count("Did you mean") == 1 and "'list'" in error


# -- one writer of tasks ---------------------------------------------------------------------


def test_only_the_task_writer_writes_tasks_and_their_history():
    """Every INSERT, UPDATE or DELETE of task, task_support or task_history in the product
    code is in core/taskwriter.py; the command line layer holds no SQL at all."""
    import re

    write = re.compile(r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(task|task_support|"
                       r"task_history)\b")  # the code writes SQL keywords in capitals
    writers = {path.relative_to(ROOT).as_posix()
               for path in (ROOT / "clusterctl").rglob("*.py")
               if write.search(path.read_text(encoding="utf-8"))}
    # An upgrade rewrites tables as a whole, once; and on PostgreSQL the function that the
    # writer calls to remove the tasks an import added (its undo) is the owner's, made with
    # the roles: the other places allowed.
    assert writers <= {"clusterctl/core/taskwriter.py", "clusterctl/store/migrations.py",
                       "clusterctl/store/pgroles.py"}
    assert "clusterctl/core/taskwriter.py" in writers
    for path in (ROOT / "clusterctl" / "cli").glob("*.py"):
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", path.read_text(
            encoding="utf-8")), path


# -- found in review ------------------------------------------------------------------------


def test_limits_too_large_or_zero(seeded):
    add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024")
    assert "--limit" in seeded.fails("task", "list", "--limit", "99999999999999999999")
    assert "--limit" in seeded.fails("overdue", "--limit", "99999999999999999999")
    # Nothing shown, but something is overdue: monitoring still says so.
    result = seeded("overdue", "--limit", "0", "--fail-on-overdue", "-f", "json", code=1)
    assert result.stdout == "[]\n"


def _directive_file(tmp_path, name: str, issued: str, task: str) -> str:
    path = tmp_path / name
    path.write_text(
        '[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n'
        f'[[directives]]\nnumber = "1/UBND"\nissued = {issued}\ntitle = "T"\n\n'
        f'[[directives.tasks]]\nkey = "1"\ntitle = "Việc"\nlead = "SCT"\n{task}\n',
        encoding="utf-8")
    return str(path)


def test_an_import_extends_only_later_and_corrects_otherwise(cli, tmp_path):
    cli("import", _directive_file(tmp_path, "a.toml", "2024-04-22", "due = 2024-06-30"))
    cli("import", _directive_file(tmp_path, "b.toml", "2024-04-22", "due = 2024-05-31"))
    task = cli.json("task", "show", "1")
    assert (task["due"], task["original_due"]) == ("2024-05-31", "2024-05-31")
    assert task["history"][-1]["action"] == "import"  # a correction, not an extension
    cli("import", _directive_file(tmp_path, "c.toml", "2024-04-22", "due = 2024-07-31"))
    task = cli.json("task", "show", "1")
    assert (task["due"], task["original_due"]) == ("2024-07-31", "2024-05-31")
    assert task["history"][-1]["action"] == "extend"
    cli("import", _directive_file(tmp_path, "d.toml", "2024-04-22", 'due = "thường xuyên"'))
    assert cli.json("task", "show", "1")["history"][-1]["action"] == "import"


def test_an_import_cannot_move_an_issue_date_past_its_tasks(cli, tmp_path, db_path):
    cli("import", _directive_file(tmp_path, "a.toml", "2024-04-22", "due = 2024-05-31"))
    before = db_digest(db_path)
    later = _directive_file(tmp_path, "b.toml", "2024-12-01", "")
    error = cli.fails("import", later)
    assert "issued: 2024-12-01 is after 2024-05-31, a date of its task '1'" in error
    assert db_digest(db_path) == before


@pytest.mark.sqlite
def test_upgrade_through_a_url_and_two_at_once(cli, tmp_path):
    from clusterctl.store.migrations import SCHEMA_VERSION
    from tests.test_upgrade import FIXTURE, _old_and_large, version

    copy = tmp_path / "url.db"
    shutil.copy(FIXTURE, copy)
    result = cli("--db", f"sqlite:///{copy}", "db", "upgrade")
    assert "Backed up" in result.stderr and version(copy) == SCHEMA_VERSION
    big = tmp_path / "big.db"
    _old_and_large(big, tmp_path, 3000)
    env = dict(os.environ, CLUSTERCTL_DB=str(big))
    both = [subprocess.Popen([sys.executable, "-m", "clusterctl", "db", "upgrade"], env=env,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(p.wait(timeout=60), p.stderr.read()) for p in both]
    assert [code for code, _err in outcomes] == [0, 0], outcomes
    assert version(big) == SCHEMA_VERSION
    with sqlite3.connect(big) as db:
        assert db.execute("SELECT COUNT(*) FROM task").fetchone()[0] == 3000


def test_a_full_disk_is_exit_74_in_one_line(seeded):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "clusterctl", "agency", "list"],
                                stdout=full, stderr=subprocess.PIPE, text=True)
    assert (result.returncode, result.stderr) == (
        74, "Error: cannot write the output: No space left on device\n")


def test_codes_take_digits_0_to_9_only(seeded):
    assert "not valid" in seeded.fails("agency", "add", "S²", "Sở Hai")


def test_the_unchanged_reimport_lists_whole_references(cli, tmp_path):
    many = "".join(f'[[directives.tasks]]\nkey = "k{i}"\ntitle = "Việc {i}"\nlead = "SCT"\n\n'
                   for i in range(25))
    number = "1234/QĐ-UBND-KTTH-CNXD-NNMT-VX-PHU-TRACH-CONG-NGHIEP"
    first = tmp_path / "all.toml"
    first.write_text('[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n[[directives]]\n'
                     f'number = "{number}"\nissued = 2024-04-22\ntitle = "T"\n\n{many}',
                     encoding="utf-8")
    one = tmp_path / "one.toml"
    one.write_text(first.read_text(encoding="utf-8").split("[[directives.tasks]]")[0]
                   + '[[directives.tasks]]\nkey = "k0"\ntitle = "Việc 0"\nlead = "SCT"\n',
                   encoding="utf-8")
    cli("import", str(first))
    full = cli("import", str(one)).stderr
    again = cli("import", str(one)).stderr  # the unchanged fast path
    assert f"{number}#k1" in again and "more" in again
    listed = [line for line in full.splitlines() if "not in the files" in line]
    assert listed == [line for line in again.splitlines() if "not in the files" in line]
