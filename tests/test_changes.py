"""Changes over time: the three-way re-import, effect dates (--on), the weekly window,
clusterctl log and the period report (status --from/--to).

Dates are in 2024, well before today: every change here is dated in the past, as an office
records what happened last week or last month.
"""

import csv
import io
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import add_task, db_digest

DIRECTIVE = "2029/UBND-KTTH"  # of the `seeded` register: issued 2024-04-22

FILE = """[[agencies]]
code = "SCT"
name = "Sở Công Thương"

[[agencies]]
code = "SXD"
name = "Sở Xây dựng"

[[agencies]]
code = "STC"
name = "Sở Tài chính"

[[directives]]
number = "1/UBND"
issued = 2024-01-10
title = "Chỉ đạo về cụm công nghiệp"

  [[directives.tasks]]
  key = "1"
  title = "Báo cáo tình hình"
  lead = "SCT"
  due = 2024-06-30
  status = "done"
  completed_on = 2024-06-20

  [[directives.tasks]]
  key = "2"
  title = "Rà soát quy hoạch"
  lead = "SXD"
  support = ["STC"]
  due = 2024-09-30
  status = "open"

  [[directives.tasks]]
  key = "3"
  title = "Kiểm tra cụm công nghiệp"
  lead = "SCT"
  due = 2024-10-31
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _changed(text: str, *replacements: tuple[str, str]) -> str:
    """The file with each text (found exactly once) replaced."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _line(text: str, needle: str) -> int:
    """The line (from 1) of the one line of ``text`` holding ``needle``."""
    (found,) = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return found


def _tasks(cli) -> dict:
    """Every task of the imported file with its whole history, by id."""
    return {i: cli.json("task", "show", str(i)) for i in (1, 2, 3)}


def _today() -> date:
    from clusterctl.config import today

    return today()


def _log(cli, *args: str) -> list[dict]:
    return cli.json("log", *args)


# -- 1. a re-import never undoes staff work ---------------------------------------------

STAFF_WORK = {
    # what staff did: the command, the task, and what it must stay like
    "reopen": (("task", "reopen", "1", "--note", "chưa đạt yêu cầu, làm lại"), 1,
               {"status": "open", "completed_on": None}),
    "extension": (("task", "extend", "2", "--to", "31/12/2024", "--reason", "chờ kinh phí"), 2,
                  {"due": "2024-12-31", "original_due": "2024-09-30"}),
    # STC supported the task: made its lead, it supports no more, and the file's supporter
    # list (STC) must not come back either.
    "lead": (("task", "edit", "2", "--lead", "STC"), 2, {"lead": "STC", "support": []}),
    "title": (("task", "edit", "3", "--title", "Kiểm tra các cụm công nghiệp"), 3,
              {"title": "Kiểm tra các cụm công nghiệp"}),
    "cancel": (("task", "cancel", "2", "--reason", "thu hồi theo văn bản mới"), 2,
               {"status": "cancelled"}),
}


@pytest.mark.parametrize("work", list(STAFF_WORK))
def test_reimport_of_the_unchanged_file_keeps_staff_work(cli, tmp_path, work):
    command, task_id, kept = STAFF_WORK[work]
    path = _write(tmp_path, "giao.toml", FILE)
    cli("import", path)
    cli(*command)
    after_staff = _tasks(cli)
    assert {k: after_staff[task_id][k] for k in kept} == kept
    for night in (1, 2):  # a nightly cron imports the same file again and again
        result = cli("import", path)
        assert "tasks: 0 added, 0 updated, 3 unchanged" in result.stderr, (night, result.stderr)
        now = _tasks(cli)
        assert {k: now[task_id][k] for k in kept} == kept, night
        assert now == after_staff, night  # no field, no history entry, no version moved


def test_reopened_task_history_has_no_entry_from_the_reimports(cli, tmp_path):
    path = _write(tmp_path, "giao.toml", FILE)
    cli("import", path)
    cli("task", "reopen", "1", "--note", "chưa đạt yêu cầu, làm lại")
    cli("import", path)
    cli("import", path)
    history = cli.json("task", "show", "1")["history"]
    assert [(h["action"], h["note"]) for h in history] == [
        ("created", None), ("reopen", "chưa đạt yêu cầu, làm lại")]
    assert [e["action"] for e in _log(cli, "--directive", "1/UBND")
            if e["key"] == "1"] == ["reopen", "created"]


# -- 2. what the file changed, what staff changed, and conflicts ----------------------


def test_file_change_to_a_field_staff_left_alone_is_applied(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    cli("task", "extend", "2", "--to", "31/12/2024", "--reason", "chờ kinh phí")
    newer = _changed(FILE, ('title = "Rà soát quy hoạch"', 'title = "Rà soát quy hoạch chung"'),
                     ("due = 2024-10-31", "due = 2024-11-30"))
    path = _write(tmp_path, "giao-2.toml", newer)
    assert "tasks: 0 added, 2 updated, 1 unchanged" in cli("import", path).stderr
    two, three = cli.json("task", "show", "2"), cli.json("task", "show", "3")
    # Task 2: the file's new title, and the due date staff extended it to.
    assert (two["title"], two["due"], two["original_due"]) == (
        "Rà soát quy hoạch chung", "2024-12-31", "2024-09-30")
    assert two["history"][-1]["changes"] == {"title": ["Rà soát quy hoạch",
                                                       "Rà soát quy hoạch chung"]}
    # Task 3: the file moved its due date later: an extension, from the file.
    assert (three["due"], three["original_due"]) == ("2024-11-30", "2024-10-31")
    last = three["history"][-1]
    assert (last["action"], last["changes"], last["source"]) == (
        "extend", {"due": ["2024-10-31", "2024-11-30"]}, path)


def _conflicting(cli, tmp_path) -> tuple[str, str]:
    """Import the file; staff retitle task 3 and extend task 2; a newer file retitles task 3
    and moves task 2's due date otherwise, and retitles task 1 (staff did not touch it).
    Returns the newer file's path and text."""
    cli("import", _write(tmp_path, "giao.toml", FILE))
    cli("task", "edit", "3", "--title", "Kiểm tra các cụm công nghiệp")
    cli("task", "extend", "2", "--to", "31/12/2024", "--reason", "chờ kinh phí")
    newer = _changed(FILE,
                     ('title = "Kiểm tra cụm công nghiệp"',
                      'title = "Kiểm tra cụm công nghiệp năm 2024"'),
                     ("due = 2024-09-30", "due = 2024-11-15"),
                     ('title = "Báo cáo tình hình"', 'title = "Báo cáo tình hình quý II"'))
    return _write(tmp_path, "giao-2.toml", newer), newer


TITLE_CONFLICT = ("title: Kiểm tra cụm công nghiệp → file Kiểm tra cụm công nghiệp năm 2024 "
                  "/ register Kiểm tra các cụm công nghiệp: both changed it")
DUE_CONFLICT = "due: 2024-09-30 → file 2024-11-15 / register 2024-12-31: both changed it"


def test_conflicts_stop_the_import_and_are_listed_with_file_and_line(cli, db_path, tmp_path):
    path, text = _conflicting(cli, tmp_path)
    before = db_digest(db_path)
    result = cli("import", path, code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    due_line = _line(text, "due = 2024-11-15")  # in the order of the file
    title_line = _line(text, "Kiểm tra cụm công nghiệp năm 2024")
    assert lines[0].startswith(f"{path}:{due_line}: ") and DUE_CONFLICT in lines[0], lines
    assert lines[1].startswith(f"{path}:{title_line}: ") and TITLE_CONFLICT in lines[1], lines
    assert all("--prefer file or --prefer database" in line for line in lines[:2])
    assert lines[2] == f"Error: 2 problems in {path}; nothing was imported"
    assert db_digest(db_path) == before  # not even task 1's change, which is no conflict
    assert cli.json("task", "show", "1")["title"] == "Báo cáo tình hình"


def test_one_conflict_is_one_line(cli, db_path, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    cli("task", "cancel", "2", "--reason", "thu hồi")
    text = _changed(FILE, ('status = "open"', 'status = "done"\n  completed_on = 2024-08-15'))
    path = _write(tmp_path, "giao-2.toml", text)
    before = db_digest(db_path)
    error = cli.fails("import", path)
    status_line = _line(text, "completed_on = 2024-08-15") - 1
    assert error.startswith(f"Error: {path}:{status_line}: ")
    assert "status: open → file done (2024-08-15) / register cancelled" in error
    assert error.endswith("; nothing was imported")
    assert db_digest(db_path) == before


def test_dry_run_lists_changes_and_conflicts_and_writes_nothing(cli, db_path, tmp_path):
    path, _text = _conflicting(cli, tmp_path)
    before = db_digest(db_path)
    result = cli("import", "--dry-run", path, code=2)
    assert "nothing was written" in result.stderr
    assert ("update task 1/UBND#1: title: Báo cáo tình hình → Báo cáo tình hình quý II"
            in result.stderr)
    assert TITLE_CONFLICT in result.stderr and DUE_CONFLICT in result.stderr
    assert db_digest(db_path) == before
    # With a side chosen, the dry run succeeds and still writes nothing.
    chosen = cli("import", "--dry-run", "--prefer", "file", path)
    assert ("update task 1/UBND#3: title: Kiểm tra các cụm công nghiệp → Kiểm tra cụm công "
            "nghiệp năm 2024") in chosen.stderr
    assert db_digest(db_path) == before


def test_prefer_file_applies_the_files_values(cli, tmp_path):
    path, text = _conflicting(cli, tmp_path)
    result = cli("import", "--prefer", "file", path)
    assert "tasks: 0 added, 3 updated, 0 unchanged" in result.stderr
    tasks = _tasks(cli)
    assert tasks[1]["title"] == "Báo cáo tình hình quý II"
    assert tasks[3]["title"] == "Kiểm tra cụm công nghiệp năm 2024"
    # An earlier due date than the register's is a correction, not an extension.
    assert (tasks[2]["due"], tasks[2]["original_due"]) == ("2024-11-15", "2024-09-30")
    last = tasks[2]["history"][-1]
    assert (last["action"], last["changes"]) == ("import", {"due": ["2024-12-31", "2024-11-15"]})
    again = cli("import", _write(tmp_path, "giao-3.toml", text + "# lần sau\n"))
    assert "tasks: 0 added, 0 updated, 3 unchanged" in again.stderr
    assert _tasks(cli) == tasks


def test_prefer_database_keeps_the_registers_values_and_then_is_quiet(cli, tmp_path):
    path, text = _conflicting(cli, tmp_path)
    staff = _tasks(cli)
    result = cli("import", "--prefer", "database", path)
    assert "tasks: 0 added, 1 updated, 2 unchanged" in result.stderr
    tasks = _tasks(cli)
    assert tasks[1]["title"] == "Báo cáo tình hình quý II"  # no conflict: the file's
    assert tasks[2] == staff[2] and tasks[3] == staff[3]  # the register's, untouched
    # The next nightly run (the same text, other bytes: not the import cache) is quiet.
    again = cli("import", _write(tmp_path, "giao-3.toml", text + "# lần sau\n"))
    assert "tasks: 0 added, 0 updated, 3 unchanged" in again.stderr
    assert _tasks(cli) == tasks


def test_dry_run_with_prefer_lists_the_settled_conflicts(cli, tmp_path):
    path, _text = _conflicting(cli, tmp_path)
    result = cli("import", "--dry-run", "--prefer", "database", path)
    assert "Kiểm tra cụm công nghiệp năm 2024" in result.stderr
    assert "2024-11-15" in result.stderr


def test_both_changed_to_the_same_value_is_no_conflict(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    cli("task", "edit", "3", "--title", "Kiểm tra các cụm công nghiệp")
    cli("task", "extend", "2", "--to", "31/12/2024", "--reason", "chờ kinh phí")
    staff = _tasks(cli)
    same = _changed(FILE, ('title = "Kiểm tra cụm công nghiệp"',
                           'title = "Kiểm tra các cụm công nghiệp"'),
                    ("due = 2024-09-30", "due = 2024-12-31"))
    result = cli("import", _write(tmp_path, "giao-2.toml", same))
    assert "tasks: 0 added, 0 updated, 3 unchanged" in result.stderr
    assert _tasks(cli) == staff
    # The file now says what the register says: its next change applies, no conflict.
    later = _changed(same, ('title = "Kiểm tra các cụm công nghiệp"',
                            'title = "Kiểm tra các cụm công nghiệp (đợt 2)"'))
    cli("import", _write(tmp_path, "giao-3.toml", later))
    assert cli.json("task", "show", "3")["title"] == "Kiểm tra các cụm công nghiệp (đợt 2)"


def test_file_giving_a_field_it_did_not_give_before_is_applied(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))  # task 3: no status, so open
    text = _changed(FILE, ("due = 2024-10-31", 'due = 2024-10-31\n  support = ["STC"]\n'
                                               '  status = "done"\n  completed_on = 2024-10-20'))
    cli("import", _write(tmp_path, "giao-2.toml", text))
    three = cli.json("task", "show", "3")
    assert (three["support"], three["status"], three["completed_on"]) == (
        ["STC"], "done", "2024-10-20")
    # Had staff reopened it meanwhile, that would be a conflict.
    cli("task", "reopen", "3")
    again = _changed(text, ("completed_on = 2024-10-20", "completed_on = 2024-10-21"))
    error = cli.fails("import", _write(tmp_path, "giao-3.toml", again))
    assert "status: done (2024-10-20) → file done (2024-10-21) / register open" in error


# -- 3. the effect dates of an import -----------------------------------------------


def _done(cli, lead: str, on: str) -> int:
    """How many tasks ``lead`` leads that the status report as of ``on`` counts done."""
    rows = {r["agency"]: r for r in cli.json("status", "--as-of", on)["agencies"]}
    return rows[lead]["done"] if lead in rows else 0


def test_imported_tasks_take_effect_on_the_issue_date_and_completion_date(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    created = [e for e in _log(cli) if e["action"] == "created"]
    assert sorted((e["key"], e["effective"]) for e in created) == [
        ("1", "2024-01-10"), ("2", "2024-01-10"), ("3", "2024-01-10")]
    # Before the issue date there was no task; from it, all three.
    assert cli.json("status", "--as-of", "2024-01-09")["total"]["total"] == 0
    assert cli.json("status", "--as-of", "2024-01-10")["total"]["total"] == 3
    # Task 1 (SCT) was done on 2024-06-20, not before.
    assert _done(cli, "SCT", "2024-06-19") == 0
    assert _done(cli, "SCT", "2024-06-20") == 1


def test_task_show_history_has_the_effect_dates(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    (created,) = cli.json("task", "show", "2")["history"]
    assert created["effective"] == "2024-01-10"
    (created,) = cli.json("task", "show", "1")["history"]
    assert created["effective"] == "2024-01-10"
    assert created["changes"]["completed_on"] == [None, "2024-06-20"]
    # The task as it stood: open the day before its completion, done on the day.
    before = cli.json("task", "show", "1", "--as-of", "2024-06-19")
    assert (before["status"], before["completed_on"]) == ("open", None)
    on_the_day = cli.json("task", "show", "1", "--as-of", "2024-06-20")
    assert (on_the_day["status"], on_the_day["category"]) == ("done", "done_on_time")


def test_reimported_completion_takes_effect_on_its_date(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    text = _changed(FILE, ('status = "open"', 'status = "done"\n  completed_on = 2024-08-15'),
                    ('title = "Rà soát quy hoạch"', 'title = "Rà soát quy hoạch tỉnh"'))
    path = _write(tmp_path, "giao-2.toml", text)
    cli("import", path)
    entries = [(e["action"], e["effective"], sorted(e["changes"]))
               for e in _log(cli, "--since", "2024-01-11") if e["key"] == "2"]
    # The completion on its date, the title on the day of the import.
    assert entries == [("import", _today().isoformat(), ["title"]),
                       ("import", "2024-08-15", ["completed_on", "status"])]
    assert _done(cli, "SXD", "2024-08-14") == 0
    assert _done(cli, "SXD", "2024-08-15") == 1


def test_reimport_correcting_a_completion_date_earlier_takes_effect_on_it(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    text = _changed(FILE, ("completed_on = 2024-06-20", "completed_on = 2024-06-14"))
    cli("import", _write(tmp_path, "giao-2.toml", text))
    assert cli.json("task", "show", "1")["completed_on"] == "2024-06-14"
    assert cli.json("task", "show", "1", "--as-of", "2024-06-14")["status"] == "done"
    assert _done(cli, "SCT", "2024-06-14") == 1
    # Monday 2024-06-17's summary covers 10 … 16 June, the week of the completion, and
    # the next Monday's 17 … 23 June: the completion is in the first, once.
    weeks = {monday: _completed(cli, "--as-of", monday) for monday in ("2024-06-17",
                                                                       "2024-06-24")}
    assert weeks == {"2024-06-17": [1], "2024-06-24": []}
    assert "ok" in cli("db", "check").stdout  # the states agree with the history
    # And moved later again: open until then, done from then.
    later = _changed(FILE, ("completed_on = 2024-06-20", "completed_on = 2024-06-25"))
    cli("import", _write(tmp_path, "giao-3.toml", later))
    assert cli.json("task", "show", "1", "--as-of", "2024-06-24")["status"] != "done"
    assert cli.json("task", "show", "1", "--as-of", "2024-06-25")["status"] == "done"
    assert "ok" in cli("db", "check").stdout


# -- 4. --on: what cannot be dated so -------------------------------------------------


def test_on_dates_that_are_refused_change_nothing(seeded, db_path):
    first = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/9/2024")
    later = add_task(seeded, "Giao bổ sung", "-l", "STC", "--due", "30/9/2024",
                     "--on", "1/6/2024")
    seeded("task", "extend", str(first), "--to", "31/12/2024", "--reason", "chờ",
           "--on", "1/10/2024")
    seeded("task", "start", str(later), "--on", "10/7/2024")
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    before = db_digest(db_path)
    refusals = [
        (("task", "start", str(first), "--on", tomorrow), "is in the future"),
        (("task", "note", str(first), "ghi chú", "--on", tomorrow), "is in the future"),
        (("task", "add", "-d", DIRECTIVE, "-l", "SCT", "Mới", "--on", tomorrow),
         "is in the future"),
        (("task", "add", "-d", DIRECTIVE, "-l", "SCT", "Mới", "--on", "21/4/2024"),
         "was issued on 2024-04-22"),
        (("task", "note", str(later), "ghi chú", "--on", "31/5/2024"),
         "was assigned on 2024-06-01"),
        (("task", "cancel", str(later), "--reason", "x", "--on", "31/5/2024"),
         "was assigned on 2024-06-01"),
        (("task", "extend", str(first), "--to", "31/3/2025", "--reason", "chờ",
          "--on", "1/9/2024"), "changed with effect from 2024-10-01"),
        (("task", "edit", str(first), "--due", "15/1/2025", "--on", "1/9/2024"),
         "changed with effect from 2024-10-01"),
        (("task", "done", str(later), "--on", "5/7/2024"),
         "changed with effect from 2024-07-10"),
    ]
    for command, expected in refusals:
        error = seeded.fails(*command)
        assert expected in error, (command, error)
        assert db_digest(db_path) == before, command
    # Dated on or after those changes, the same changes are taken.
    seeded("task", "extend", str(first), "--to", "31/3/2025", "--reason", "chờ",
           "--on", "1/10/2024")
    seeded("task", "done", str(later), "--on", "10/7/2024")
    assert db_digest(db_path) != before


# -- 5. the weekly window ------------------------------------------------------------

MONDAY = date(2024, 7, 8)  # ISO week 2024-W28 starts here; 2024-W27 is 1 … 7 July


def _completed(cli, *args: str) -> list[int]:
    week = cli.json("weekly", *args)
    return sorted(t["id"] for t in week["completed"]["on_time"] + week["completed"]["late"])


def test_weekly_covers_the_seven_days_before_the_as_of_date(seeded):
    done_on = {"monday D": MONDAY, "monday D-7": MONDAY - timedelta(days=7),
               "sunday D-1": MONDAY - timedelta(days=1), "sunday D+6": MONDAY + timedelta(6)}
    ids = {}
    for name, on in done_on.items():
        ids[name] = add_task(seeded, name, "-l", "SCT", "--due", "31/7/2024")
        seeded("task", "done", str(ids[name]), "--on", on.isoformat())
    this = _completed(seeded, "--as-of", MONDAY.isoformat())
    following = _completed(seeded, "--as-of", (MONDAY + timedelta(days=7)).isoformat())
    assert this == sorted([ids["monday D-7"], ids["sunday D-1"]])
    assert following == sorted([ids["monday D"], ids["sunday D+6"]])
    week = seeded.json("weekly", "--as-of", MONDAY.isoformat())
    assert week["period"] == {"start": "2024-07-01", "end": "2024-07-07"}


def test_consecutive_mondays_partition_the_completions(seeded):
    rng = random.Random(20240708)
    first, last = date(2024, 5, 6), date(2024, 9, 9)  # Mondays
    days = [first + timedelta(days=n) for n in range((last - first).days)]
    # Every Monday and Sunday of the range, then days drawn at random.
    chosen = [d for d in days if d.weekday() in (0, 6)][::3] + rng.sample(days, 12)
    done_on = {}
    for n, on in enumerate(chosen):
        due = on + timedelta(days=rng.randint(-10, 10))  # on time or late
        task_id = add_task(seeded, f"Việc {n}", "-l", rng.choice(["SCT", "STC", "SXD"]),
                           "--due", due.isoformat())
        seeded("task", "done", str(task_id), "--on", on.isoformat())
        done_on[task_id] = on
    seen: dict[int, date] = {}
    monday = first
    while monday <= last:
        for task_id in _completed(seeded, "--as-of", monday.isoformat()):
            assert task_id not in seen, f"task {task_id} in the weeks of {seen.get(task_id)} " \
                                        f"and {monday}"
            seen[task_id] = monday
            assert monday - timedelta(days=7) <= done_on[task_id] < monday, task_id
        monday += timedelta(days=7)
    assert seen.keys() == done_on.keys()  # every completion in exactly one week


def test_week_option_equals_the_monday_after_it(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "--due", "5/7/2024")
    seeded("task", "done", str(task_id), "--on", "3/7/2024")
    for fmt in ("json", "plain", "mail", "markdown", "csv"):
        by_week = seeded("weekly", "--week", "2024-W27", "-f", fmt).stdout
        assert by_week == seeded("weekly", "--as-of", "2024-07-08", "-f", fmt).stdout, fmt
    assert _completed(seeded, "--week", "2024-W27") == [task_id]
    assert seeded.json("weekly", "--week", "2024w28")["as_of"] == "2024-07-15"
    for bad in ("2024-W54", "2024-W00", "2024-W53", "W27", "2024-27", "27/2024", "", "2024-Wx"):
        assert "is not an ISO week" in seeded.fails("weekly", "--week", bad), bad
    assert "not both" in seeded.fails("weekly", "--week", "2024-W27", "--as-of", "2024-07-08")


def test_weekly_lists_what_changed_in_the_week(seeded):
    kept = add_task(seeded, "Không đổi", "-l", "SCT", "--due", "31/7/2024")
    extended = add_task(seeded, "Được gia hạn", "-l", "SCT", "--due", "15/7/2024")
    moved = add_task(seeded, "Chuyển đơn vị", "-l", "SCT", "-s", "STC", "--due", "30/9/2024")
    added = add_task(seeded, "Giao thêm", "-l", "STC", "--due", "30/9/2024", "--on", "9/7/2024")
    earlier = add_task(seeded, "Giao tuần trước", "-l", "SXD", "--on", "5/7/2024")
    seeded("task", "extend", str(extended), "--to", "31/8/2024", "--reason", "chờ kinh phí",
           "--on", "10/7/2024")
    seeded("task", "edit", str(moved), "--lead", "SXD", "--on", "11/7/2024")
    seeded("task", "extend", str(extended), "--to", "30/9/2024", "--reason", "lần hai",
           "--on", "15/7/2024")  # the next week
    seeded("task", "edit", str(kept), "--title", "Không đổi (sửa)", "--on", "12/7/2024")
    week = seeded.json("weekly", "--as-of", "2024-07-15")
    changed = week["changed"]
    assert [c["task_id"] for c in changed["assigned"]] == [added]
    assert [(c["task_id"], c["changes"]["due"]) for c in changed["extended"]] == [
        (extended, ["2024-07-15", "2024-08-31"])]
    assert [(c["task_id"], c["changes"]["lead"]) for c in changed["reassigned"]] == [
        (moved, ["SCT", "SXD"])]
    listed = [c["task_id"] for kind in changed.values() for c in kind]
    assert earlier not in listed and kept not in listed  # the week before; a title
    mail = seeded("weekly", "--as-of", "2024-07-15", "-f", "mail").stdout
    section = mail[mail.index("Changed this week"):]
    for line in ("New tasks: 1", f"{DIRECTIVE}#{added}: STC, due 2024-09-30", "Extended: 1",
                 f"{DIRECTIVE}#{extended}: 2024-07-15 → 2024-08-31 (chờ kinh phí)",
                 "Reassigned: 1", f"{DIRECTIVE}#{moved}: SCT → SXD"):
        assert line in section, (line, section)
    following = seeded.json("weekly", "--as-of", "2024-07-22")["changed"]
    assert [c["changes"]["due"] for c in following["extended"]] == [["2024-08-31",
                                                                    "2024-09-30"]]
    assert following["assigned"] == [] and following["reassigned"] == []


# -- 6. clusterctl log -----------------------------------------------------------------

LONG = "2029/UBND-KTTH-CNXD-NNMT-VX-2024"  # 32 characters, as long as numbers get
NOTE = ("Đã họp với các sở, ngành liên quan để thống nhất phương án phát triển cụm công "
        "nghiệp trên địa bàn tỉnh")
LOG_FIELDS = {"id", "task_id", "directive", "key", "effective", "at", "actor", "action",
              "changes", "note", "source"}


@pytest.fixture
def history(seeded):
    """Two tasks of two directives, changed by two people on several days, recorded in
    another order than they took effect (the number: the order of recording):

      effective   who     task  what
      2024-04-22  tester  A     created (lead SCT)                          1
      2024-05-02  tester  B     created (lead SXD, support SKHDT), of LONG  4
      2024-05-06  tester  A     start                                       2
      2024-06-25  tester  A     extend                                      3
      2024-07-01  lan     A     edit: lead SCT → STC                        6
      2024-07-02  lan     A     note                                        7
      2024-08-20  lan     B     done                                        5
    """
    a = add_task(seeded, "Rà soát phương án", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "start", str(a), "--on", "6/5/2024")
    seeded("task", "extend", str(a), "--to", "31/7/2024", "--reason", "chờ ý kiến Bộ",
           "--on", "25/6/2024")
    seeded("directive", "add", LONG, "--issued", "2/5/2024", "--title", "Chỉ đạo dài")
    b = int(seeded("task", "add", "-d", LONG, "-l", "SXD", "-s", "SKHDT", "--due", "31/8/2024",
                   "Kiểm tra tiến độ đầu tư hạ tầng các cụm công nghiệp").stdout)
    seeded.become("lan")
    seeded("task", "done", str(b), "--on", "20/8/2024")
    seeded("task", "edit", str(a), "--lead", "STC", "--on", "1/7/2024")
    seeded("task", "note", str(a), NOTE, "--on", "2/7/2024")
    return seeded


ALL = [("2024-08-20", "lan", f"{LONG}#1", "done"),
       ("2024-07-02", "lan", f"{DIRECTIVE}#1", "note"),
       ("2024-07-01", "lan", f"{DIRECTIVE}#1", "edit"),
       ("2024-06-25", "tester", f"{DIRECTIVE}#1", "extend"),
       ("2024-05-06", "tester", f"{DIRECTIVE}#1", "start"),
       ("2024-05-02", "tester", f"{LONG}#1", "created"),
       ("2024-04-22", "tester", f"{DIRECTIVE}#1", "created")]


def _entries(cli, *args: str) -> list[tuple]:
    return [(e["effective"], e["actor"], f"{e['directive']}#{e['key']}", e["action"])
            for e in _log(cli, *args)]


def test_log_newest_first_and_its_filters(history):
    assert _entries(history) == ALL
    assert _entries(history, "--since", "25/6/2024", "--until", "1/7/2024") == ALL[2:4]
    assert _entries(history, "--since", "2024-07-02") == ALL[:2]
    assert _entries(history, "--until", "2024-05-02") == ALL[5:]
    task_a = [e for e in ALL if e[2] == f"{DIRECTIVE}#1"]
    task_b = [e for e in ALL if e[2] == f"{LONG}#1"]
    # SCT led task A until 1 July: it still sees the task, before and after.
    assert _entries(history, "--agency", "SCT") == task_a
    assert _entries(history, "--agency", "STC") == task_a
    assert _entries(history, "--agency", "SXD") == task_b
    assert _entries(history, "--agency", "DPI") == task_b  # SKHDT, as support, by alias
    assert _entries(history, "--agency", "SCT", "--agency", "SXD") == ALL
    assert _entries(history, "--directive", LONG) == task_b
    assert _entries(history, "--actor", "lan") == ALL[:3]
    assert _entries(history, "--actor", "tester", "--directive", DIRECTIVE) == ALL[3:5] + ALL[6:]
    assert _entries(history, "--limit", "2") == ALL[:2]
    assert _entries(history, "--agency", "SCT", "--since", "2024-07-01",
                    "--actor", "lan") == ALL[1:3]
    assert history.fails("log", "--since", "2024-08-01", "--until", "2024-07-01").endswith(
        "--until 2024-07-01 is before --since 2024-08-01")
    nothing = history("log", "--since", "2024-09-01")
    assert (nothing.stdout, nothing.stderr) == ("", "No changes match.\n")
    assert history("log", "--since", "2024-09-01", "-f", "json").stdout.strip() == "[]"


def test_log_json_and_csv(history):
    entries = _log(history)
    assert all(set(e) == LOG_FIELDS for e in entries)
    edit = entries[2]
    assert (edit["action"], edit["changes"], edit["note"], edit["source"]) == (
        "edit", {"lead": ["SCT", "STC"]}, None, None)
    assert entries[1]["note"] == NOTE and entries[1]["changes"] == {}
    assert entries[0]["changes"] == {"status": ["open", "done"],
                                     "completed_on": [None, "2024-08-20"]}
    rows = list(csv.DictReader(io.StringIO(history("log", "-f", "csv").stdout)))
    assert [r["effective"] for r in rows] == [e[0] for e in ALL]
    assert set(rows[0]) == LOG_FIELDS
    assert [json.loads(r["changes"]) for r in rows] == [e["changes"] for e in entries]
    assert [r["note"] for r in rows][1] == NOTE


def _tokens(text: str) -> list[str]:
    return [word.strip(".,;:()") for word in text.split()]


def test_log_table_fits_80_columns_and_keeps_every_reference(history, monkeypatch):
    from clusterctl.text import cell_width

    monkeypatch.setenv("COLUMNS", "80")
    text = history("log", "-f", "table").stdout
    lines = text.splitlines()
    assert max(cell_width(line) for line in lines) <= 80, text
    tokens = _tokens(text)
    # Each entry's reference once, whole, and in the order of the entries.
    assert [t for t in tokens if "#" in t] == [e[2] for e in ALL], text
    for word in NOTE.split():
        assert word.strip(",") in tokens, word


@pytest.mark.sqlite
def test_log_in_a_terminal_80_columns_wide(history):
    from clusterctl.text import cell_width
    from tests.test_terminal import in_terminal

    text = in_terminal(["log"], 80, dict(os.environ))
    assert max(cell_width(line.rstrip()) for line in text.splitlines()) <= 80, text
    assert [t for t in _tokens(text) if "#" in t] == [e[2] for e in ALL], text


# -- 7. status --from/--to --------------------------------------------------------------


@pytest.fixture
def period(seeded):
    """Tasks around July 2024 (the directive was issued 2024-04-22):

      task  lead  assigned    became                      in 1 … 31 July
      1     SCT   04-22       open, due 07-15             carried over, overdue
      2     SCT   04-22       done 06-15                  not its task
      3     SCT   04-22       done 07-10                  carried over, done on time
      4     SCT   07-05       open, due 07-20             assigned, overdue
      5     SCT   07-10       done 07-12                  assigned, done on time
      6     SCT   04-22       cancelled 07-20             carried over, cancelled
      7     SCT   08-05       open                        not its task
      8     SCT   04-22       cancelled 06-01             not its task
      9     STC   04-22       open, due 09-01             carried over, on track
     10     STC   07-31       open, due 08-10             assigned, on track
    """
    tasks = [("SCT", "15/7/2024", None), ("SCT", "30/6/2024", None),
             ("SCT", "15/7/2024", None), ("SCT", "20/7/2024", "5/7/2024"),
             ("SCT", "30/7/2024", "10/7/2024"), ("SCT", "30/7/2024", None),
             ("SCT", None, "5/8/2024"), ("SCT", "1/7/2024", None),
             ("STC", "1/9/2024", None), ("STC", "10/8/2024", "31/7/2024")]
    for n, (lead, due, on) in enumerate(tasks, 1):
        args = ["-l", lead] + (["--due", due] if due else []) + (["--on", on] if on else [])
        assert add_task(seeded, f"Việc {n}", *args) == n
    seeded("task", "done", "2", "--on", "15/6/2024")
    seeded("task", "done", "3", "--on", "10/7/2024")
    seeded("task", "done", "5", "--on", "12/7/2024")
    seeded("task", "cancel", "6", "--reason", "thu hồi", "--on", "20/7/2024")
    seeded("task", "cancel", "8", "--reason", "trùng", "--on", "1/6/2024")
    return seeded


def test_period_status_carried_over_and_assigned(period):
    report = period.json("status", "--from", "1/7/2024", "--to", "31/7/2024")
    assert (report["from"], report["to"]) == ("2024-07-01", "2024-07-31")
    rows = {r["agency"]: r for r in report["agencies"]}
    assert list(rows) == ["SCT", "STC"]
    keys = ("carried_over", "assigned", "total", "done_on_time", "done_late", "overdue",
            "on_track", "cancelled", "done")
    assert [rows["SCT"][k] for k in keys] == [3, 2, 4, 2, 0, 2, 0, 1, 2]
    assert [rows["STC"][k] for k in keys] == [1, 1, 2, 0, 0, 0, 2, 0, 0]
    assert (rows["SCT"]["done_rate"], rows["SCT"]["completion_rate"],
            rows["SCT"]["on_time_rate"]) == (0.5, 0.5, 1.0)
    assert (rows["STC"]["done_rate"], rows["STC"]["completion_rate"]) == (0.0, None)
    total = report["total"]
    assert (total["carried_over"], total["assigned"], total["total"], total["done"],
            total["done_rate"]) == (4, 3, 6, 2, round(2 / 6, 4))
    # A period of its own: July's carried-over tasks are August's only if still to do.
    august = {r["agency"]: r for r in period.json(
        "status", "--from", "1/8/2024", "--to", "31/8/2024")["agencies"]}
    assert (august["SCT"]["carried_over"], august["SCT"]["assigned"]) == (2, 1)
    assert (august["STC"]["carried_over"], august["STC"]["assigned"]) == (2, 0)


def test_period_status_csv_and_table(period, monkeypatch):
    rows = list(csv.DictReader(io.StringIO(period(
        "status", "--from", "1/7/2024", "--to", "31/7/2024", "-f", "csv").stdout)))
    assert [r["agency"] for r in rows] == ["SCT", "STC", "TOTAL"]
    assert (rows[0]["carried_over"], rows[0]["assigned"], rows[0]["done_rate"]) == (
        "3", "2", "0.5")
    monkeypatch.setenv("COLUMNS", "200")
    text = period("status", "--from", "1/7/2024", "--to", "31/7/2024", "-f", "table").stdout
    assert "Carried" in text and "Assigned" in text
    assert "50.0% (2/4)" in text and "33.3% (2/6)" in text  # done ÷ all: SCT, total


def test_period_status_mail_keeps_to_78_columns(period, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the mail's width whatever the terminal's
    text = period("status", "--from", "1/7/2024", "--to", "31/7/2024", "-f", "mail").stdout
    assert all(len(line) <= 78 for line in text.splitlines())
    assert "carried over: 3, assigned in the period: 2" in text
    assert "done of all the period's tasks: 50.0% (2/4)" in text


def test_period_status_refusals(period):
    assert "is before --from" in period.fails("status", "--from", "1/8/2024",
                                              "--to", "31/7/2024")
    assert "--to needs --from" in period.fails("status", "--to", "31/7/2024")
    assert "neither --as-of" in period.fails("status", "--from", "1/7/2024",
                                            "--as-of", "2024-07-31")


# -- the lead and its supporters, through re-imports ----------------------------------------


def test_an_import_never_makes_the_lead_a_supporter_of_its_own_task(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    cli("task", "edit", "2", "--lead", "SCT")  # staff: task 2 now led by SCT
    text = _changed(FILE, ('support = ["STC"]', 'support = ["STC", "SCT"]'))
    cli("import", _write(tmp_path, "giao-2.toml", text))
    two = cli.json("task", "show", "2")
    assert (two["lead"], two["support"]) == ("SCT", ["STC"])
    assert "ok" in cli("db", "check").stdout


def test_a_lead_taken_from_the_supporters_leaves_them_as_written(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    # The file makes the supporter STC the lead and says nothing of supporters: STC stops
    # supporting, and the file is taken to have said so.
    moved = _changed(FILE, ('lead = "SXD"\n  support = ["STC"]', 'lead = "STC"'))
    cli("import", _write(tmp_path, "giao-2.toml", moved))
    assert cli.json("task", "show", "2")["support"] == []
    # Its next change of the supporters is the file's alone: no conflict.
    later = _changed(moved, ('lead = "STC"\n  due = 2024-09-30',
                             'lead = "STC"\n  support = ["SCT"]\n  due = 2024-09-30'))
    cli("import", _write(tmp_path, "giao-3.toml", later))
    assert cli.json("task", "show", "2")["support"] == ["SCT"]


def test_an_extension_and_a_completion_in_one_file_keep_one_category(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    # The file extends task 2 to 31 October and marks it done on 15 October: extended, then
    # done on time, whatever the day the register is read.
    text = _changed(FILE, ('due = 2024-09-30\n  status = "open"',
                           'due = 2024-10-31\n  status = "done"\n  completed_on = 2024-10-15'))
    cli("import", _write(tmp_path, "giao-2.toml", text))
    categories = {day: cli.json("task", "show", "2", "--as-of", day)["category"]
                  for day in ("2024-10-15", "2024-10-20", "2024-12-31")}
    assert categories == dict.fromkeys(("2024-10-15", "2024-10-20", "2024-12-31"),
                                       "done_on_time")
    assert "ok" in cli("db", "check").stdout


def test_a_corrected_issue_date_moves_the_tasks_it_assigned(cli, tmp_path):
    cli("import", _write(tmp_path, "giao.toml", FILE))
    moved = _changed(FILE, ("issued = 2024-01-10", "issued = 2024-02-15"))
    cli("import", _write(tmp_path, "giao-2.toml", moved))
    assert cli.json("task", "list", "--all", "--as-of", "2024-01-20") == []
    assert [t["id"] for t in cli.json("task", "list", "--all", "--as-of", "2024-02-15")] == [
        1, 2, 3]
    one = cli.json("task", "show", "1")
    assert one["assigned_on"] == "2024-02-15"
    assert one["history"][-1]["changes"] == {"assigned_on": ["2024-01-10", "2024-02-15"]}
    assert "ok" in cli("db", "check").stdout
