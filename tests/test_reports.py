"""clusterctl overdue | status | weekly on a fixture whose counts were worked out by hand.

As of Wednesday 2024-07-10 (due soon: 10 … 16 July; the week: 4 … 10 July):

  id lead due        what                                        category
   1 SCT  2024-07-10 open, due today                             due_soon
   2 SCT  2024-07-09 open, due yesterday (supported by STC)      overdue 1 day
   3 SCT  2024-07-03 open                                        overdue 7 days
   4 SCT  2024-07-02 open                                        overdue 8 days
   5 STC  2024-07-05 done on the due day                         done_on_time
   6 STC  2024-07-05 done the day after                          done_late
   7 STC  2024-06-01 extended to 2024-07-20                      on_track
   8 SXD  -          ongoing                                     ongoing
   9 SXD  2024-07-16 last day of the due-soon window             due_soon
  10 SXD  2024-07-17 first day after it                          on_track
  11 SXD  2024-06-01 cancelled                                   cancelled
  12 SCT  2024-06-20 done 2024-07-03, before the week            done_late
"""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import add_task, seed

AS_OF = "2024-07-10"


def _build(cli) -> None:
    seed(cli)
    tasks = [
        ("Hạn hôm nay", "SCT", "10/7/2024", []),
        ("Hạn hôm qua", "SCT", "9/7/2024", ["STC"]),
        ("Quá hạn bảy ngày", "SCT", "3/7/2024", []),
        ("Quá hạn tám ngày", "SCT", "2/7/2024", []),
        ("Xong đúng hạn", "STC", "5/7/2024", []),
        ("Xong trễ một ngày", "STC", "5/7/2024", []),
        ("Được gia hạn", "STC", "1/6/2024", []),
        ("Thường xuyên", "SXD", None, []),
        ("Hạn cuối cửa sổ", "SXD", "16/7/2024", []),
        ("Hạn sau cửa sổ", "SXD", "17/7/2024", []),
        ("Đã huỷ", "SXD", "1/6/2024", []),
        ("Xong trước tuần", "SCT", "20/6/2024", []),
    ]
    for title, lead, due, support in tasks:
        args = ["-l", lead]
        if due:
            args += ["--due", due]
        for agency in support:
            args += ["-s", agency]
        add_task(cli, title, *args)
    cli("task", "done", "5", "--on", "5/7/2024")
    cli("task", "done", "6", "--on", "6/7/2024")
    cli("task", "extend", "7", "--to", "20/7/2024", "--reason", "chờ", "--on", "1/7/2024")
    cli("task", "cancel", "11", "--reason", "thu hồi", "--on", "1/7/2024")
    cli("task", "done", "12", "--on", "3/7/2024")


@pytest.fixture
def fixture(cli, db_path, templates):
    """The database of the table above (a copy of one built once per run)."""
    templates.copy("reports", _build, db_path)
    return cli


def test_overdue_most_overdue_first(fixture):
    rows = fixture.json("overdue", "--as-of", AS_OF)
    assert [(t["id"], t["days_overdue"]) for t in rows] == [(4, 8), (3, 7), (2, 1)]
    assert rows[2]["support"] == ["STC"] and rows[2]["category"] == "overdue"


def test_overdue_plain_has_a_header_and_is_never_cut(fixture, monkeypatch):
    monkeypatch.setenv("COLUMNS", "20")
    out = fixture("overdue", "--as-of", AS_OF).stdout
    lines = out.splitlines()
    assert lines[0] == "Overdue tasks as of 2024-07-10 (Asia/Ho_Chi_Minh)"
    assert lines[2].split() == ["ID", "Task", "Title", "Lead", "Support", "Due", "Days",
                                "overdue"]
    assert lines[3].startswith(" 4  2029/UBND-KTTH#4  Quá hạn tám ngày  SCT")
    assert lines[3].endswith("2024-07-02             8")
    assert len(lines) == 6


def test_overdue_by_lead_and_filters(fixture):
    fixture("task", "add", "-d", "2029/UBND-KTTH", "-l", "SKHDT", "--due", "1/7/2024", "Khác")
    by_lead = fixture.json("overdue", "--as-of", AS_OF, "--by-lead")
    assert [(t["lead"], t["id"]) for t in by_lead] == [("SCT", 4), ("SCT", 3), ("SCT", 2),
                                                       ("SKHDT", 13)]
    assert [t["id"] for t in fixture.json("overdue", "--as-of", AS_OF, "-a", "STC")] == [2]
    assert [t["id"] for t in fixture.json("overdue", "--as-of", AS_OF, "-a", "SKHDT",
                                          "-a", "DPI")] == [13]
    assert fixture.json("overdue", "--as-of", AS_OF, "-d", "2029/UBND-KTTH")[0]["id"] == 13


def test_overdue_exit_codes_and_quiet(fixture):
    assert fixture("overdue", "--as-of", AS_OF, "--fail-on-overdue", code=1).stdout
    nothing = fixture("overdue", "--as-of", "2024-05-31", "--fail-on-overdue", "--quiet")
    assert nothing.stdout == "" and nothing.stderr == ""
    said = fixture("overdue", "--as-of", "2024-05-31")
    assert said.stdout == "No overdue tasks as of 2024-05-31 (Asia/Ho_Chi_Minh).\n"
    assert fixture("overdue", "--as-of", AS_OF, "--quiet").stdout.count("\n") == 6


def test_status_counts_and_rates(fixture):
    report = fixture.json("status", "--as-of", AS_OF)
    assert report["as_of"] == AS_OF and report["timezone"] == "Asia/Ho_Chi_Minh"
    rows = {r["agency"]: r for r in report["agencies"]}
    assert [r["agency"] for r in report["agencies"]] == ["SCT", "STC", "SXD"]
    counts = ("total", "done_on_time", "done_late", "overdue", "due_soon", "on_track",
              "ongoing", "cancelled")
    assert [rows["SCT"][c] for c in counts] == [5, 0, 1, 3, 1, 0, 0, 0]
    assert [rows["STC"][c] for c in counts] == [3, 1, 1, 0, 0, 1, 0, 0]
    assert [rows["SXD"][c] for c in counts] == [3, 0, 0, 0, 1, 1, 1, 1]
    assert [report["total"][c] for c in counts] == [11, 1, 2, 3, 2, 2, 1, 1]
    assert (rows["SCT"]["completion_rate"], rows["SCT"]["on_time_rate"]) == (0.25, 0.0)
    assert (rows["STC"]["completion_rate"], rows["STC"]["on_time_rate"]) == (1.0, 0.5)
    assert (rows["SXD"]["completion_rate"], rows["SXD"]["on_time_rate"]) == (None, None)
    assert (report["total"]["completion_rate"], report["total"]["on_time_rate"]) == (
        0.5, 0.3333)
    assert rows["SCT"]["name"] == "Sở Công Thương"


def test_status_plain_shows_rates_with_denominators(fixture):
    lines = fixture("status", "--as-of", AS_OF).stdout.splitlines()
    assert lines[0] == "Status by lead agency as of 2024-07-10 (Asia/Ho_Chi_Minh)"
    sxd = next(line for line in lines if line.startswith("SXD"))
    assert sxd.split()[-2:] == ["—", "—"]
    total = lines[-1].split()
    assert total[0] == "TOTAL" and total[-4:] == ["50.0%", "(3/6)", "33.3%", "(1/3)"]


def test_status_include_support(fixture):
    report = fixture.json("status", "--as-of", AS_OF, "--include-support")
    rows = {r["agency"]: r for r in report["agencies"]}
    assert (rows["STC"]["support_total"], rows["STC"]["support_overdue"]) == (1, 1)
    assert rows["STC"]["total"] == 3  # never counted twice
    assert report["total"]["total"] == 11
    only = fixture.json("status", "--as-of", AS_OF, "-a", "STC")
    assert [r["agency"] for r in only["agencies"]] == ["STC"]


def test_status_table_has_bars(fixture, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    out = fixture("status", "--as-of", AS_OF, "--format", "table").stdout
    assert "██████████" in out  # STC: 100 %
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_weekly(fixture):
    week = fixture.json("weekly", "--as-of", AS_OF)
    assert week["period"] == {"start": "2024-07-03", "end": "2024-07-09"}
    assert [t["id"] for t in week["completed"]["on_time"]] == [5]
    # D-7 is in the week (task 12, completed 3 July); D itself is next week's.
    assert [t["id"] for t in week["completed"]["late"]] == [12, 6]
    assert [t["id"] for t in week["became_overdue"]] == [3, 2]
    assert [t["id"] for t in week["due_next"]] == [1, 9]
    (sct,) = week["overdue_by_agency"]
    assert (sct["agency"], sct["overdue"]) == ("SCT", 3)
    assert [t["id"] for t in sct["longest"]] == [4, 3, 2]


def test_weekly_longest_five_per_agency(seeded):
    for day in range(1, 8):
        add_task(seeded, f"Việc {day}", "-l", "SCT", "--due", f"{day}/6/2024")
    (sct,) = seeded.json("weekly", "--as-of", AS_OF)["overdue_by_agency"]
    assert sct["overdue"] == 7
    assert [t["due"] for t in sct["longest"]] == [f"2024-06-0{d}" for d in range(1, 6)]


def test_weekly_mail_wraps_long_titles(seeded, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the mail is 78 columns wide whatever the terminal
    title = "Rà soát " + "phương án phát triển cụm công nghiệp " * 6 + "Siêuuuuuu" * 12
    add_task(seeded, title, "-l", "SCT", "--due", "9/7/2024")
    out = seeded("weekly", "--as-of", AS_OF, "--format", "mail").stdout
    assert "\x1b" not in out and "│" not in out and "─" not in out
    lines = out.splitlines()
    assert all(len(line) <= 78 for line in lines)
    start = next(i for i, line in enumerate(lines) if "#1, 2029/UBND-KTTH#1" in line)
    wrapped = [line for line in lines[start + 1:] if line.startswith("      ")]
    assert " ".join(line.strip() for line in wrapped[:5]).startswith(title[:60])
    # A word longer than a line is split across lines, never cut.
    assert "Siêuuuuuu" * 12 in "".join(line.strip() for line in wrapped)
    assert "Lead: SCT (Sở Công Thương)" in out


def test_weekly_markdown(fixture):
    out = fixture("weekly", "--as-of", AS_OF, "--format", "markdown").stdout
    assert out.startswith("## Weekly summary as of 2024-07-10 (Asia/Ho\\_Chi\\_Minh)\n")
    assert "### Became overdue this week: 2" in out
    assert "- **SCT**: 3" in out


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("as_of", [AS_OF, "2024-07-01", "2024-08-31"])
def test_numbers_agree_across_formats(fixture, as_of):
    overdue = fixture.json("overdue", "--as-of", as_of)
    assert len(_csv_rows(fixture("overdue", "--as-of", as_of, "-f", "csv").stdout)) == len(
        overdue)
    md = fixture("overdue", "--as-of", as_of, "-f", "markdown").stdout
    assert md.count("\n| ") - 1 == len(overdue) or (not overdue and "No overdue" in md)

    status = fixture.json("status", "--as-of", as_of)
    csv_total = _csv_rows(fixture("status", "--as-of", as_of, "-f", "csv").stdout)[-1]
    plain_total = fixture("status", "--as-of", as_of).stdout.splitlines()[-1].split()
    md_total = fixture("status", "--as-of", as_of, "-f", "markdown").stdout.splitlines()[-1]
    for position, key in enumerate(["total", "done_on_time", "done_late", "overdue",
                                    "due_soon", "on_track", "ongoing", "cancelled"], start=1):
        assert int(csv_total[key]) == status["total"][key]
        assert int(plain_total[position]) == status["total"][key]
        assert int(md_total.split("|")[position + 1]) == status["total"][key]
    assert sum(r["overdue"] for r in status["agencies"]) == len(overdue)

    week = fixture.json("weekly", "--as-of", as_of)
    sections = [r["section"] for r in _csv_rows(
        fixture("weekly", "--as-of", as_of, "-f", "csv").stdout)]
    assert sections.count("became_overdue") == len(week["became_overdue"])
    assert sections.count("due_next") == len(week["due_next"])
    weekly_overdue = sum(e["overdue"] for e in week["overdue_by_agency"])
    if as_of != "2024-07-01":
        assert weekly_overdue == len(overdue)
    else:  # the weekly reads the end of 30 June: 1 July's extension and cancellation not yet
        assert weekly_overdue == len(overdue) + 2


def test_reports_on_an_empty_database(cli):
    cli("init")
    assert cli.json("overdue") == []
    assert cli("overdue", "--quiet").stdout == ""
    assert "No overdue tasks" in cli("overdue").stdout
    status = cli.json("status")
    assert status["agencies"] == [] and status["total"]["total"] == 0
    assert status["total"]["completion_rate"] is None
    week = cli.json("weekly")
    assert week["completed"] == {"on_time": [], "late": []} and week["due_next"] == []
    cli.fails("overdue", "--as-of", "31/2/2024")


def test_reports_refuse_a_missing_database(cli):
    for report in ("overdue", "status", "weekly"):
        cli.fails(report, code=3)


# Time zones: each judgement runs in a clusterctl process of its own, started with the zone
# settings in its environment, as cron would start it. Changing TZ or CLUSTERCTL_TZ inside
# this process would prove little: the C library reads TZ once, and clusterctl reads its
# office zone once.

AHEAD, BEHIND = "Pacific/Kiritimati", "Etc/GMT+12"  # UTC+14, UTC-12: never on the same date
OFFICE = "Asia/Ho_Chi_Minh"  # the default office zone
# The same two as POSIX TZ strings, which every C library understands without a zone database.
MACHINE_ZONES = {AHEAD: "<+14>-14", BEHIND: "<-12>+12"}


def _run(*args: str, **settings: str | None) -> str:
    """stdout of ``python args...`` in a fresh process whose environment has ``settings``
    (None removes a variable)."""
    env = {k: v for k, v in {**os.environ, **settings}.items() if v is not None}
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _on_one_day(check) -> None:
    """Run ``check(attempt)``; again if midnight passed somewhere while it ran."""
    for attempt in range(3):
        days = [datetime.now(ZoneInfo(zone)).date() for zone in (AHEAD, BEHIND, OFFICE)]
        check(attempt)
        if days == [datetime.now(ZoneInfo(zone)).date() for zone in (AHEAD, BEHIND, OFFICE)]:
            return
    raise AssertionError("the date kept changing while the test ran")


def _due_yesterday_in(cli, db, zone: str) -> None:
    """A database holding one open task, due the day before today in ``zone``."""
    due = datetime.now(ZoneInfo(zone)).date() - timedelta(days=1)
    cli("--db", str(db), "agency", "add", "SCT", "Sở Công Thương")
    cli("--db", str(db), "directive", "add", "1/UBND", "--issued", "1/1/2020", "--title", "T")
    cli("--db", str(db), "task", "add", "-d", "1/UBND", "-l", "SCT", "--due", due.isoformat(),
        f"Hạn hôm qua ở {zone}")


def _days_overdue(db, **settings: str | None) -> list[int]:
    report = json.loads(_run("-m", "clusterctl", "--db", str(db), "overdue", "--format",
                             "json", **settings))
    return [task["days_overdue"] for task in report]


def test_office_time_zone_decides_today(cli, tmp_path):
    """The same database, judged on the same instant under two office zones 26 hours apart:
    a task due yesterday at Kiritimati is overdue there, and not yet due at UTC-12."""

    def check(attempt: int) -> None:
        db = tmp_path / f"zones-{attempt}.db"
        _due_yesterday_in(cli, db, AHEAD)
        assert _days_overdue(db, TZ="UTC", CLUSTERCTL_TZ=AHEAD) == [1]
        assert _days_overdue(db, TZ="UTC", CLUSTERCTL_TZ=BEHIND) == []
        header = _run("-m", "clusterctl", "--db", str(db), "overdue", "--format", "plain",
                      CLUSTERCTL_TZ=AHEAD)
        assert f"({AHEAD})" in header

    _on_one_day(check)


def test_the_machine_zone_does_not_decide_today(cli, tmp_path):
    """A server whose own zone (TZ) is on another date than the office still reports by the
    office's date, whether the office zone is given (CLUSTERCTL_TZ) or left to its default."""

    def check(attempt: int) -> None:
        office_day = datetime.now(ZoneInfo(OFFICE)).date()
        # Of two zones on different dates, at least one is not on the office's date.
        machine = AHEAD if datetime.now(ZoneInfo(AHEAD)).date() != office_day else BEHIND
        machine_day = date.fromisoformat(_run(
            "-c", "import datetime; print(datetime.date.today())",
            TZ=MACHINE_ZONES[machine]).strip())
        assert machine_day != office_day  # the machine zone really is in effect there
        db = tmp_path / f"machine-{attempt}.db"
        _due_yesterday_in(cli, db, OFFICE)
        assert _days_overdue(db, TZ=MACHINE_ZONES[machine], CLUSTERCTL_TZ=OFFICE) == [1]
        assert _days_overdue(db, TZ=MACHINE_ZONES[machine], CLUSTERCTL_TZ=None) == [1]
        # Judged by the machine's date instead, the answer would differ:
        assert _days_overdue(db, CLUSTERCTL_TZ=machine) != [1]

    _on_one_day(check)


def test_hostile_text_in_reports(seeded, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    title = "[bold]Đỏ[/bold] | *x* `y`"
    add_task(seeded, title, "-l", "SCT", "--due", "1/7/2024")
    for fmt in ("plain", "table", "markdown"):
        out = seeded("overdue", "--as-of", AS_OF, "-f", fmt).stdout
        assert "[bold]Đỏ[/bold]" in out.replace("\\", "")
    week = json.loads(seeded("weekly", "--as-of", AS_OF, "-f", "json").stdout)
    assert week["overdue_by_agency"][0]["longest"][0]["title"] == title  # exact, unescaped


def test_table_respects_columns(fixture, monkeypatch):
    from clusterctl.text import cell_width

    monkeypatch.setenv("COLUMNS", "70")  # Rich would take 80 when not on a terminal
    lines = fixture("status", "--as-of", AS_OF, "--format", "table").stdout.splitlines()
    assert max(cell_width(line) for line in lines) <= 70
