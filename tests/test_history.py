"""Reports as of a past day stay what they were, whatever is recorded later.

A report as of a past day D reads the register as it stood at the end of D. Re-run after any
number of later changes, it must give the same document, except where a change recorded
since took effect on or before D (a backdated completion, say), and there exactly as that
change says.

The proof runs through the command line on both engines. A property test then checks, on
random timelines, that the register read as of each day from the states kept by the writer
(the changes all recorded at the end, dated back) is the register as the reports read it on
that very day (each change recorded on the day it took effect), and that the states are
those the history gives, as ``db check`` compares them.
"""

import copy
import json
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

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
    # A due date corrected takes effect from the day it was set, unless --on says otherwise.
    cli("task", "edit", "9", "--due", "15/8/2024", "--title", "Bổ sung hạ tầng thiết yếu",
        "--on", today().isoformat())
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
        "period": cli.json("status", "--from", _period_start(day), "--to", day),
    }


def _period_start(day: str) -> str:
    """The first day of the period report that ends on ``day``: two weeks."""
    return (date.fromisoformat(day) - timedelta(days=13)).isoformat()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rates(row: dict) -> None:
    row["done"] = row["done_on_time"] + row["done_late"]
    row["fallen_due"] = row["done"] + row["overdue"]
    row["completion_rate"] = _share(row["done"], row["fallen_due"])
    row["on_time_rate"] = _share(row["done_on_time"], row["done"])
    if "done_rate" in row:
        row["done_rate"] = _share(row["done"], row["total"])


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


def _expected_period(saved: dict, day: str) -> dict:
    """The period report ending on ``day`` once task 5 is recorded done on COMPLETED: done
    late by the end of the period if it was done within it; not a task of the period at all
    if it was done before it began (it was carried over into it, overdue, as saved)."""
    if day < COMPLETED:
        return saved
    want = copy.deepcopy(saved)
    for row in (next(r for r in want["agencies"] if r["agency"] == "SKHDT"), want["total"]):
        assert row["overdue"] >= 1 and row["carried_over"] >= 1
        row["overdue"] -= 1
        if _period_start(day) <= COMPLETED:
            row["done_late"] += 1
        else:
            row["carried_over"] -= 1
            row["total"] -= 1
        _rates(row)
    want["agencies"].sort(key=lambda r: (-r["overdue"], r["agency"]))
    return want


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
    """status, overdue, weekly and the period report as of past days, re-run after every
    kind of later change, give the same documents, but for the one backdated completion,
    which moves task 5 into done from its completion date on (and in the weekly from the
    week that holds it)."""
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
        assert now["period"] == _expected_period(saved[day]["period"], day), day
        changed |= {(day, name) for name in now if now[name] != saved[day][name]}
    # The backdated completion moved exactly these; everything else stayed as it was.
    assert changed == (
        {(day, "status") for day in REPORT_DAYS if day >= COMPLETED}
        | {(day, "overdue") for day in REPORT_DAYS if day >= COMPLETED}
        | {(day, "weekly") for day in REPORT_DAYS if day > COMPLETED}
        | {(day, "period") for day in REPORT_DAYS if day >= COMPLETED})
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
    assert [t["id"] for t in saved["2024-06-03"][0]] == [8, 3, 1, 5, 2, 4, 10, 7, 6]
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


def test_a_backdated_lead_never_supports_its_own_task(seeded, register):
    """An agency cannot both lead and support a task, on any day: a lead change dated back
    to a day on which the new lead supported the task is refused, or takes it out of the
    supporters from that day on."""
    task_id = add_task(seeded, "Việc", "-l", "SCT", "-s", "STC", "--due", "30/6/2024")
    seeded("task", "edit", str(task_id), "--support", "SXD", "--on", "10/6/2024")
    # Refused: the supporters changed with effect from 10 June, after 5 June.
    assert "with effect from 2024-06-10" in seeded.fails(
        "task", "edit", str(task_id), "--lead", "STC", "--on", "5/6/2024")
    then = seeded.json("task", "show", str(task_id), "--as-of", "2024-06-07")
    assert then["lead"] not in then["support"]
    status = seeded.json("status", "--as-of", "2024-06-07", "--include-support")
    assert [(r["agency"], r["total"], r["support_total"]) for r in status["agencies"]
            if r["agency"] == then["lead"]] == [(then["lead"], 1, 0)]


def test_a_backdated_completion_never_precedes_an_extension(seeded, register):
    """An extension is granted to a task still to do on its day. A completion dated before a
    recorded extension is refused, or else one completion would be late as of one day and
    on time as of a later one."""
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seeded("task", "extend", task_id, "--to", "31/7/2024", "--reason", "chờ vốn",
           "--on", "15/7/2024")
    assert "was extended with effect from 2024-07-15" in seeded.fails(
        "task", "done", task_id, "--on", "5/7/2024")
    seeded("task", "done", task_id, "--on", "16/7/2024")  # after the extension: fine
    then, later = (seeded.json("task", "show", task_id, "--as-of", day)
                   for day in ("2024-07-10", "2024-07-20"))
    assert (then["completed_on"], later["completed_on"]) == (None, "2024-07-16")
    assert later["category"] == "done_on_time"


# -- the property: the states the writer keeps are the register as it was each day -----------

START = date(2024, 3, 4)  # the directive's issue date, and the first day of the window
DAYS = 21
END = START + timedelta(days=DAYS - 1)  # "today" of the world where all is recorded late
SOON = 5
LEADS = ("SCT", "STC", "SXD")
NUMBER = "07/CT-UBND"
INITIAL = 3  # slots 0-2: tasks the directive assigns; slots 3-4: tasks added by a command
SLOTS = 5
STATUS_ACTIONS = ("start", "done", "reopen", "cancel")
ACTIONS = (*STATUS_ACTIONS, "extend", "due", "lead", "note")

COMMAND = st.tuples(st.integers(0, DAYS - 1), st.integers(0, SLOTS - 1),
                    st.sampled_from(ACTIONS), st.integers(0, 40))
# A task: its lead, due date (days after the issue date; None: ongoing), whether the next
# agency supports it, and for slots 3-4 the day a command adds it (None: never).
TASK = st.tuples(st.sampled_from(LEADS), st.one_of(st.none(), st.integers(0, 30)),
                 st.booleans(), st.one_of(st.none(), st.integers(0, DAYS - 1)))


def _fresh(path: Path):
    from clusterctl.core.agencies import add_agency
    from clusterctl.core.directives import add_directive
    from clusterctl.store.schema import open_database

    db = open_database(str(path), write=True)
    for code in LEADS:
        add_agency(db, code=code, name=f"Sở {code}", aliases=[])
    add_directive(db, number=NUMBER, issued=START, title="Chỉ thị về cụm công nghiệp")
    return db


def _days(n: int) -> date:
    return START + timedelta(days=n)


def _resolve(db, ids: dict, day: date, slot: int, action: str, n: int):
    """The concrete call an abstract command makes on ``day`` in the world where each change
    is recorded on its own day, or None when there is nothing to call."""
    if slot not in ids:
        return None  # not assigned yet
    if action in STATUS_ACTIONS:
        return (action, slot, {"on": day, "note": f"lý do {n}" if action == "cancel" else None})
    if action == "extend":
        due = db.scalar("SELECT due FROM task WHERE id = :id", {"id": ids[slot]})
        base = date.fromisoformat(str(due)) if due else START
        return ("extend", slot, {"to": base + timedelta(days=n % 10), "on": day})
    if action == "due":
        return ("edit", slot, {"due": _days(n), "on": day} if n <= 35
                else {"no_due": True, "on": day})
    if action == "lead":
        return ("edit", slot, {"lead": LEADS[n % 3], "on": day})
    return ("note", slot, {"text": f"ghi chú {n}", "on": day})


def _apply(db, call, ids: dict, today: date) -> None:
    from clusterctl.core import tasks

    kind, slot, args = call
    if kind == "add":
        ids[slot] = tasks.add_task(db, directive=NUMBER, key=f"k{slot}", title=f"Việc {slot}",
                                   actor="tester", today=today, **args)
    elif kind in STATUS_ACTIONS:
        tasks.change_status(db, ids[slot], action=kind, actor="tester", today=today, **args)
    elif kind == "extend":
        tasks.extend_task(db, ids[slot], reason="gia hạn", actor="tester", today=today, **args)
    elif kind == "edit":
        tasks.edit_task(db, ids[slot], actor="tester", today=today, **args)
    else:
        tasks.add_note(db, ids[slot], actor="tester", today=today, **args)


def _scope(day: date, today: date, agency_ids=()):
    from clusterctl.core.reports import Scope

    return Scope(as_of=day, soon_days=SOON, agency_ids=list(agency_ids), directive_ids=[],
                 today=today)


def _day_reports(db, day: date, today: date) -> dict:
    """Every report as of ``day`` read by a program whose today is ``today``."""
    from clusterctl.core.queries import TaskFilter, list_tasks
    from clusterctl.core.reports import agency_status, overdue_tasks, period_status

    scope = _scope(day, today)
    sct = db.scalar("SELECT id FROM agency WHERE code = 'SCT'")
    return _normal({
        "status": agency_status(db, scope, include_support=True),
        "status_sct": agency_status(db, _scope(day, today, [sct])),
        "overdue": list(overdue_tasks(db, scope)),
        "overdue_by_lead": list(overdue_tasks(db, scope, by_lead=True)),
        "overdue_sct": list(overdue_tasks(db, _scope(day, today, [sct]))),
        "tasks": list(list_tasks(db, TaskFilter(as_of=day, soon_days=SOON, today=today))),
        "period": period_status(db, scope, day - timedelta(days=6), day),
    })


def _weekly(db, day: date, today: date) -> dict:
    from clusterctl.core.reports import weekly_summary

    return _normal(weekly_summary(db, _scope(day, today)))


def _normal(report: dict) -> dict:
    """The report less what differs between two databases holding the same register: when
    rows were written, their versions, the numbers of history entries (and so the order of
    one day's changes, which follows them)."""
    report = _strip(report, ("updated_at", "version", "created_at", "at"))
    for kind, entries in report.get("changed", {}).items():
        entries = [{k: v for k, v in e.items() if k != "id"} for e in entries]
        report["changed"][kind] = sorted(entries, key=lambda e: (
            e["effective"], e["task_id"], json.dumps(e, sort_keys=True)), reverse=True)
    return report


def _interleave(calls: list, rng: random.Random) -> list:
    """The calls, each task's in their order and the additions in theirs, the tasks
    interleaved at random."""
    queues: dict[int, list] = {}
    for call in calls:
        queues.setdefault(call[1], []).append(call)
    adds = [call[1] for call in calls if call[0] == "add"]
    order = []
    while any(queues.values()):
        ready = [slot for slot, queue in queues.items()
                 if queue and (queue[0][0] != "add" or adds[0] == slot)]
        queue = queues[rng.choice(ready)]
        order.append(queue.pop(0))
        if order[-1][0] == "add":
            adds.pop(0)
    return order


def _fields(call: tuple) -> set[str]:
    """What a call reads or writes of its task, besides the task itself: calls that share
    none may be recorded in either order. An extension needs the task still to do on its
    day, so it goes with the status changes too."""
    kind, _slot, args = call
    if kind == "edit":
        return {"lead"} if "lead" in args else {"due"}
    return {"extend": {"due", "status"}, "note": set()}.get(kind, {"status"})


def _shuffle_by_field(calls: list, rng: random.Random) -> list:
    """The calls in a random order in which each task's changes of one field keep their
    order (and follow the task's addition), but changes of different fields are recorded
    in any order: a change dated later is often recorded before one dated earlier."""
    pending, order = list(calls), []
    adds = [call[1] for call in calls if call[0] == "add"]
    while pending:
        ready = []
        for i, call in enumerate(pending):
            if call[0] == "add":
                if adds[0] == call[1]:
                    ready.append(i)
            elif not any(before[1] == call[1] and (before[0] == "add"
                                                   or _fields(before) & _fields(call))
                         for before in pending[:i]):
                ready.append(i)
        order.append(pending.pop(rng.choice(ready)))
        if order[-1][0] == "add":
            adds.pop(0)
    return order


def _addition(slot: int, task: tuple, on: date | None) -> tuple:
    lead, due, supported, _day = task
    return ("add", slot, {"lead": lead, "due": None if due is None else _days(due), "on": on,
                          "support": [LEADS[(LEADS.index(lead) + 1) % 3]] if supported
                          else []})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tasks=st.lists(TASK, min_size=SLOTS, max_size=SLOTS),
       commands=st.lists(COMMAND, min_size=5, max_size=40), rng=st.randoms())
def test_the_past_read_later_is_the_past_read_then(tasks, commands, rng):
    """World A records each change on the day it takes effect and reads every report at the
    end of each day, when the tasks as they are are the tasks as they were. World B records
    the same changes at the end of the window, dated back, each task's in their order, the
    tasks interleaved at random; world C records them in any order that keeps each field's
    changes in theirs. Both read every day from the states, and agree with world A on every
    report of every day; the states of all three are those the history gives."""
    from clusterctl.errors import InputError
    from clusterctl.store.timeline import differences

    commands = sorted(commands, key=lambda c: c[0])  # stable: one day's in the drawn order
    with tempfile.TemporaryDirectory() as folder:
        worlds = [_fresh(Path(folder, f"{name}.db")) for name in "abc"]
        try:
            world_a = worlds[0]
            ids_a: dict[int, int] = {}
            calls, seen = [], {}
            for offset in range(DAYS):
                day = _days(offset)
                seen[("weekly", day)] = _weekly(world_a, day, day - timedelta(days=1))
                made = [_addition(slot, task, None) for slot, task in enumerate(tasks)
                        if slot < INITIAL and offset == 0]
                made += [_addition(slot, task, day) for slot, task in enumerate(tasks)
                         if slot >= INITIAL and task[3] == offset]
                made += [("command", *c[1:]) for c in commands if c[0] == offset]
                for call in made:
                    if call[0] == "command":  # what it does depends on the task as it is
                        call = _resolve(world_a, ids_a, day, *call[1:])
                    if call is None:  # a command on a task not yet assigned
                        continue
                    try:
                        _apply(world_a, call, ids_a, day)
                    except InputError:
                        continue  # refused on its day: made in neither world
                    calls.append(call)
                seen[("day", day)] = _day_reports(world_a, day, day)
            after = END + timedelta(days=1)
            seen[("weekly", after)] = _weekly(world_a, after, END)
            assert differences(world_a) == 0

            for world, order in ((worlds[1], _interleave(calls, rng)),
                                 (worlds[2], _shuffle_by_field(calls, rng))):
                ids: dict[int, int] = {}
                for call in order:
                    _apply(world, call, ids, END)  # never refused: world A made it
                assert ids == ids_a
                for (kind, day), report in seen.items():
                    again = (_weekly(world, day, END) if kind == "weekly"
                             else _day_reports(world, day, END))
                    assert again == report, (kind, day, order)
                assert differences(world) == 0
        finally:
            for world in worlds:
                world.close()


# -- db check: the states are those the history gives ---------------------------------------


def test_db_check_finds_the_states_consistent_and_a_wrong_one(seeded, register):
    """After every kind of change, dated or not, the state tables are what the history
    gives, and ``db check`` says so; a state changed behind clusterctl's back is found."""
    from clusterctl.store.schema import open_database
    from clusterctl.store.timeline import differences

    _build(seeded)
    _later_changes(seeded)

    def found() -> int:
        db = open_database(register.location, write=False)
        try:
            return differences(db)
        finally:
            db.close()

    assert found() == 0
    assert ": ok (13 tasks, 2 directives, 4 agencies" in seeded("db", "check").stdout
    # Task 5 was done from 2024-07-03 on; a state that says otherwise is found.
    assert register.sql("UPDATE task_state SET status = 'open', completed_on = NULL "
                        "WHERE task_id = 5 AND valid_from >= '2024-07-03'") == []
    assert found() > 0
    error = seeded.fails("db", "check", code=3)
    assert "task states differ from what the history gives" in error
    # The history is intact: the states are written anew from it, and the reports agree.
    repaired = seeded("db", "check", "--repair-states").stdout
    assert ": ok (13 tasks" in repaired and found() == 0
    assert seeded.json("task", "show", "5", "--as-of", "2024-07-10")["status"] == "done"
