"""Reports as of a past day stay what they were, whatever is recorded later.

A report as of a past day D reads the register as it stood at the end of D. Re-run after any
number of later changes, it must give the same document, except where a change recorded
since took effect on or before D (a backdated completion, say), and there exactly as that
change says.

The proof runs through the command line on both engines. A property test then checks, on
random timelines, that the register read as of each day from the states kept by the writer
(the changes all recorded at the end) is the register as the reports read it on that very
day (each change recorded on the day it took effect).
"""

import copy
import json
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import add_task

# -- the proof, through the command line ---------------------------------------------------

# Directive 2029/UBND-KTTH (issued 2024-04-22) assigns these; each is changed later.
#  id lead   support due         what happens by the first reports   what happens later
#   1 SCT    -       2024-06-30  done 2024-06-20                     reopened
#   2 SCT    STC     2024-07-05  -                                   cancelled
#   3 STC    -       2024-06-15  extended on 06-10 to 07-20          extended again
#   4 SXD    SCT     2024-07-08  -                                   lead SCT (support gone)
#   5 SKHDT  -       2024-07-01  -                                   done, dated 2024-07-03
#   6 SCT    -       ongoing     started 2024-05-10                  done
#   7 STC    -       2024-08-31  cancelled 2024-07-15                reopened
#   8 SXD    -       2024-06-05  done 2024-06-10 (late)              -
#   9 SXD    -       2024-07-31  assigned 2024-06-15                 due and title corrected
#  10 SKHDT  SXD     2024-07-12  started 2024-07-01                  note dated 07-05; support
#                                                                    removed
REPORT_DAYS = ["2024-05-15", "2024-06-03", "2024-06-16", "2024-07-01", "2024-07-02",
               "2024-07-03", "2024-07-04", "2024-07-10", "2024-07-16", "2024-08-05",
               "2024-09-16"]
COMPLETED = "2024-07-03"  # the backdated completion of task 5
LATE_TASK = 5


def _build(cli) -> None:
    tasks = [
        ("Rà soát quy hoạch cụm công nghiệp", "SCT", [], "30/6/2024", []),
        ("Báo cáo hạ tầng kỹ thuật", "SCT", ["STC"], "5/7/2024", []),
        ("Đề xuất quỹ đất", "STC", [], "15/6/2024", []),
        ("Thẩm định dự án đầu tư", "SXD", ["SCT"], "8/7/2024", []),
        ("Thu hút đầu tư thứ cấp", "SKHDT", [], "1/7/2024", []),
        ("Kiểm tra định kỳ", "SCT", [], None, []),
        ("Chuẩn bị kinh phí", "STC", [], "31/8/2024", []),
        ("Giải phóng mặt bằng", "SXD", [], "5/6/2024", []),
        ("Bổ sung hạ tầng", "SXD", [], "31/7/2024", ["--on", "15/6/2024"]),
        ("Đánh giá tác động môi trường", "SKHDT", ["SXD"], "12/7/2024", []),
    ]
    for number, (title, lead, support, due, extra) in enumerate(tasks, 1):
        args = ["-l", lead, *extra]
        for agency in support:
            args += ["-s", agency]
        if due:
            args += ["--due", due]
        assert add_task(cli, title, *args) == number
    cli("task", "done", "1", "--on", "20/6/2024")
    cli("task", "extend", "3", "--to", "20/7/2024", "--reason", "chờ quy hoạch",
        "--on", "10/6/2024")
    cli("task", "start", "6", "--on", "10/5/2024")
    cli("task", "cancel", "7", "--reason", "gộp nhiệm vụ", "--on", "15/7/2024")
    cli("task", "done", "8", "--on", "10/6/2024")
    cli("task", "start", "10", "--on", "1/7/2024")


def _later_changes(cli) -> None:
    """Every kind of change, recorded today; one of them (task 5 done) dated in the past."""
    from clusterctl.config import today

    cli("task", "reopen", "1", "--note", "báo cáo chưa đạt")
    cli("task", "cancel", "2", "--reason", "không còn phù hợp")
    cli("task", "extend", "3", "--to", "31/1/2027", "--reason", "chờ vốn")
    cli("task", "edit", "4", "--lead", "SCT")
    cli("task", "done", "6")
    cli("task", "reopen", "7")
    cli("task", "edit", "9", "--due", "15/8/2024", "--title", "Bổ sung hạ tầng thiết yếu")
    cli("task", "note", "10", "Đã lấy ý kiến các sở", "--on", "5/7/2024")
    cli("task", "edit", "10", "--no-support")
    cli("directive", "add", "15/UBND-KTTH", "--issued", "10/1/2025",
        "--title", "Đẩy nhanh tiến độ hạ tầng cụm công nghiệp")
    cli("task", "add", "-d", "15/UBND-KTTH", "-l", "SCT", "--due", "31/3/2025", "Hạ tầng A")
    cli("task", "add", "-d", "15/UBND-KTTH", "-l", "STC", "-s", "SXD", "Theo dõi thường xuyên")
    cli("task", "add", "-d", "2029/UBND-KTTH", "-l", "SXD", "-s", "SKHDT", "--due",
        "31/12/2026", "--on", (today() - timedelta(days=3)).isoformat(), "Nhiệm vụ bổ sung")
    cli("task", "done", str(LATE_TASK), "--on", "3/7/2024")
    # A status change dated before a later one of the same field is refused, and leaves
    # the register alone.
    error = cli.fails("task", "done", "1", "--on", "25/6/2024")
    assert "task 1" in error and "date it" in error


def _strip(document, names=("updated_at", "version")):
    """The document less the fields a later change moves in every report (the task's
    version and the instant it was last changed), at any depth."""
    if isinstance(document, dict):
        return {k: _strip(v, names) for k, v in document.items() if k not in names}
    if isinstance(document, list):
        return [_strip(v, names) for v in document]
    return document


def _reports(cli, day: str) -> dict:
    return {
        "status": cli.json("status", "--as-of", day, "--include-support"),
        "overdue": cli.json("overdue", "--as-of", day),
        "weekly": cli.json("weekly", "--as-of", day),
    }


def _rates(row: dict) -> None:
    row["done"] = row["done_on_time"] + row["done_late"]
    row["fallen_due"] = row["done"] + row["overdue"]
    row["completion_rate"] = (round(row["done"] / row["fallen_due"], 4)
                              if row["fallen_due"] else None)
    row["on_time_rate"] = round(row["done_on_time"] / row["done"], 4) if row["done"] else None


def _as_completed(task: dict) -> dict:
    """Task 5 as a report lists it once done late, on COMPLETED."""
    return {**task, "status": "done", "completed_on": COMPLETED, "category": "done_late",
            "days_overdue": None}


def _expected_status(saved: dict, day: str) -> dict:
    """The status report as of ``day`` once task 5 is recorded done on COMPLETED."""
    if day < COMPLETED:
        return saved
    want = copy.deepcopy(saved)
    for row in (next(r for r in want["agencies"] if r["agency"] == "SKHDT"), want["total"]):
        assert row["overdue"] >= 1  # it was overdue as saved: the change is real
        row["overdue"] -= 1
        row["done_late"] += 1
        _rates(row)
    want["agencies"].sort(key=lambda r: (-r["overdue"], r["agency"]))
    return want


def _expected_overdue(saved: list, day: str) -> list:
    if day < COMPLETED:
        return saved
    assert LATE_TASK in [t["id"] for t in saved]
    return [t for t in saved if t["id"] != LATE_TASK]


def _expected_weekly(saved: dict, day: str) -> dict:
    """The weekly summary as of ``day`` (D-7 … D-1, read at the end of D-1) once task 5 is
    recorded done on COMPLETED: it is done from the read of COMPLETED on, and listed as
    completed by the weeks that hold COMPLETED."""
    end = date.fromisoformat(day) - timedelta(days=1)
    if end.isoformat() < COMPLETED:
        return saved
    want = copy.deepcopy(saved)
    (sk,) = [e for e in want["overdue_by_agency"] if e["agency"] == "SKHDT"]
    (late,) = [t for t in sk["longest"] if t["id"] == LATE_TASK]
    sk["overdue"] -= 1
    sk["longest"].remove(late)
    if not sk["overdue"]:
        want["overdue_by_agency"].remove(sk)
    want["overdue_by_agency"].sort(key=lambda e: (-e["overdue"], e["agency"]))
    want["became_overdue"] = [t for t in want["became_overdue"] if t["id"] != LATE_TASK]
    if want["period"]["start"] <= COMPLETED <= want["period"]["end"]:
        want["completed"]["late"].append(_as_completed(late))
        want["completed"]["late"].sort(key=lambda t: (t["completed_on"], t["id"]))
    return want


def _check_fixture(saved: dict) -> None:
    """The register is what the table above says, as the reports read it before the later
    changes: every later change then has something to undo."""
    def overdue(day):
        return [(t["id"], t["days_overdue"]) for t in saved[day]["overdue"]]

    def row(day, agency):
        return next(r for r in saved[day]["status"]["agencies"] if r["agency"] == agency)

    assert overdue("2024-07-01") == []
    assert overdue("2024-07-02") == [(5, 1)]
    assert overdue("2024-07-10") == [(5, 9), (2, 5), (4, 2)]
    assert overdue("2024-08-05") == [(5, 35), (2, 31), (4, 28), (10, 24), (3, 16), (9, 5)]
    assert row("2024-05-15", "SXD")["total"] == 2  # task 9 is assigned on 2024-06-15
    assert row("2024-06-16", "SXD")["total"] == 3
    assert (row("2024-07-01", "SCT")["done_on_time"], row("2024-07-01", "SCT")["ongoing"]) == (
        1, 1)  # task 1 done, task 6 started
    assert row("2024-07-16", "STC")["cancelled"] == 1  # task 7
    assert row("2024-07-10", "SXD")["support_total"] == 1  # task 10, supported by SXD
    assert row("2024-07-10", "SCT")["support_total"] == 1  # task 4, supported by SCT
    week = saved["2024-06-16"]["weekly"]
    assert [t["id"] for t in week["completed"]["late"]] == [8]
    assert [c["task_id"] for c in week["changed"]["assigned"]] == [9]
    assert [c["task_id"] for c in week["changed"]["extended"]] == [3]
    week = saved["2024-07-04"]["weekly"]
    assert [t["id"] for t in week["became_overdue"]] == [LATE_TASK]
    assert [(e["agency"], e["overdue"]) for e in week["overdue_by_agency"]] == [("SKHDT", 1)]
    week = saved["2024-07-10"]["weekly"]
    assert week["period"] == {"start": "2024-07-03", "end": "2024-07-09"}
    assert week["completed"] == {"on_time": [], "late": []}


def test_past_reports_are_unchanged_by_later_changes(seeded, register):
    """status, overdue and weekly as of past days, re-run after every kind of later change,
    give the same documents, but for the one backdated completion, which moves task 5 into
    done from its completion date on (and in the weekly from the week that holds it)."""
    from clusterctl.config import today

    _build(seeded)
    saved = {day: _strip(_reports(seeded, day)) for day in REPORT_DAYS}
    _check_fixture(saved)
    before_today = _strip(_reports(seeded, today().isoformat()))
    _later_changes(seeded)
    changed = set()
    for day in REPORT_DAYS:
        now = _strip(_reports(seeded, day))
        assert now["status"] == _expected_status(saved[day]["status"], day), day
        assert now["overdue"] == _expected_overdue(saved[day]["overdue"], day), day
        assert now["weekly"] == _expected_weekly(saved[day]["weekly"], day), day
        changed |= {(day, name) for name in now if now[name] != saved[day][name]}
    # The backdated completion moved exactly these; everything else stayed as it was.
    assert changed == (
        {(day, "status") for day in REPORT_DAYS if day >= COMPLETED}
        | {(day, "overdue") for day in REPORT_DAYS if day >= COMPLETED}
        | {(day, "weekly") for day in REPORT_DAYS if day > COMPLETED})
    # The later changes did change the register as it is today.
    after_today = _strip(_reports(seeded, today().isoformat()))
    assert all(after_today[name] != before_today[name] for name in after_today)
    assert seeded.json("task", "show", "4")["lead"] == "SCT"
    assert seeded.json("task", "show", "3")["due"] == "2027-01-31"


def _listing(cli, day: str) -> list:
    return cli.json("task", "list", "--all", "--as-of", day)


def _show(cli, task_id: int, day: str):
    """``task show --as-of`` as JSON, or its exit code and error for a task not yet
    assigned on ``day``."""
    result = cli("task", "show", str(task_id), "--as-of", day, "--format", "json", code=None)
    if result.exit_code:
        return (result.exit_code, result.stderr)
    return _strip(json.loads(result.stdout))


NOTED = "2024-07-05"  # task 10's backdated note
NOTE = "Đã lấy ý kiến các sở"


def test_past_task_list_and_show_are_unchanged_by_later_changes(seeded, register):
    """task list --all and task show, as of past days, read the tasks as they stood then;
    the backdated completion and note appear from their effect dates on, and nothing
    else."""
    _build(seeded)
    ids = range(1, 11)
    saved = {day: (_strip(_listing(seeded, day)), {i: _show(seeded, i, day) for i in ids})
             for day in REPORT_DAYS}
    assert [t["id"] for t in saved["2024-06-03"][0]] == [8, 3, 1, 5, 2, 4, 7, 6, 10]
    assert saved["2024-06-03"][1][9][0] == 2  # not yet assigned
    assert {t["id"]: t["status"] for t in saved["2024-07-16"][0]}[7] == "cancelled"
    assert saved["2024-07-10"][1][4]["support"] == ["SCT"]
    _later_changes(seeded)
    history = {i: seeded.json("task", "show", str(i))["history"] for i in (LATE_TASK, 10)}
    (done_entry,) = [e for e in history[LATE_TASK] if e["action"] == "done"]
    (note_entry,) = [e for e in history[10] if e["action"] == "note"]
    assert (done_entry["effective"], note_entry["effective"]) == (COMPLETED, NOTED)
    for day in REPORT_DAYS:
        listing, shown = saved[day]
        want = [_as_completed(t) if t["id"] == LATE_TASK and day >= COMPLETED else t
                for t in listing]
        assert _strip(_listing(seeded, day)) == want, day
        for task_id in ids:
            want = copy.deepcopy(shown[task_id])
            if task_id == LATE_TASK and day >= COMPLETED:
                want = _as_completed(want)
                want["history"].append(done_entry)
            if task_id == 10 and day >= NOTED:
                want["history"].append(note_entry)
                want["latest_note"] = NOTE
            assert _show(seeded, task_id, day) == want, (day, task_id)
