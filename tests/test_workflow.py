"""The office's workflow, through the CLI on both engines: completions reported by agencies and
confirmed or returned by the office, extensions asked for and decided, the limit on
extensions, key tasks and fields, recurring tasks, and due dates in working days."""

from pathlib import Path

from tests.conftest import add_task, db_digest

EVIDENCE = "Báo cáo số 123/BC-SCT ngày 5/7/2024"


def _show(cli, task_id, *args) -> dict:
    return cli.json("task", "show", str(task_id), *args)


def _ids(cli, *args) -> list[int]:
    return [t["id"] for t in cli.json("task", "list", *args)]


def _check(cli) -> None:
    """The task's past states as the writer keeps them agree with its history."""
    assert ": ok (" in cli("db", "check").stdout


def _total(cli, *args) -> dict:
    return cli.json("status", *args)["total"]


# -- confirmation ---------------------------------------------------------------------------


def test_a_reported_task_awaits_confirmation_neither_done_nor_overdue(seeded):
    task = add_task(seeded, "Rà soát phương án", "-l", "SCT", "--due", "30/6/2024")
    other = add_task(seeded, "Báo cáo", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "start", str(task), "--on", "1/6/2024")
    result = seeded("task", "report-done", str(task), "--on", "5/7/2024",
                    "--evidence", EVIDENCE)
    assert "awaits confirmation" in result.stderr
    shown = _show(seeded, task)
    assert (shown["status"], shown["category"], shown["completed_on"], shown["evidence"]) == (
        "reported", "awaiting_confirmation", "2024-07-05", EVIDENCE)
    last = shown["history"][-1]
    assert (last["action"], last["effective"], last["changes"]) == (
        "report-done", "2024-07-05", {"status": ["in_progress", "reported"],
                                      "completed_on": [None, "2024-07-05"],
                                      "evidence": [None, EVIDENCE]})
    # Its own category: in the work still to do, in no overdue list, counted apart.
    assert _ids(seeded, "-c", "awaiting_confirmation") == [task]
    assert _ids(seeded, "-c", "chờ xác nhận") == [task]
    assert set(_ids(seeded)) == {task, other}
    assert [t["id"] for t in seeded.json("overdue")] == [other]
    total = _total(seeded)
    assert (total["awaiting_confirmation"], total["overdue"], total["done"]) == (1, 1, 0)
    assert seeded.json("weekly")["awaiting_confirmation"][0]["id"] == task
    mail = seeded("weekly", "--format", "mail").stdout
    assert "Reported done, awaiting confirmation: 1" in mail and EVIDENCE in mail
    # Before the report it was what it was then: overdue on 1 July.
    assert _show(seeded, task, "--as-of", "1/7/2024")["category"] == "overdue"
    _check(seeded)


def test_confirm_makes_it_done_as_of_the_reported_day(seeded):
    late = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    on_time = add_task(seeded, "Báo cáo", "-l", "STC", "--due", "31/7/2024")
    seeded("task", "report-done", str(late), "--on", "5/7/2024", "--evidence", EVIDENCE)
    seeded("task", "report-done", str(on_time), "--on", "20/7/2024", "-e", "Tờ trình 318")
    assert "completed on 2024-07-05" in seeded("task", "confirm", str(late)).stderr
    seeded("task", "confirm", str(on_time), "--note", "đã kiểm tra")
    assert _show(seeded, late)["category"] == "done_late"
    confirmed = _show(seeded, on_time)
    assert (confirmed["status"], confirmed["category"], confirmed["completed_on"]) == (
        "done", "done_on_time", "2024-07-20")
    assert confirmed["evidence"] == "Tờ trình 318"  # the output document stays on record
    last = confirmed["history"][-1]
    assert (last["action"], last["effective"], last["changes"], last["note"]) == (
        "confirm", "2024-07-20", {"status": ["reported", "done"]}, "đã kiểm tra")
    # Done from the reported day on: a report of that week counts it done.
    assert _total(seeded, "--as-of", "21/7/2024")["done_on_time"] == 1
    total = _total(seeded)
    assert (total["done_on_time"], total["done_late"], total["awaiting_confirmation"]) == (
        1, 1, 0)
    assert "awaits no confirmation" in seeded.fails("task", "confirm", str(late))
    _check(seeded)


def test_return_puts_it_back_as_if_never_reported(seeded):
    task = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "report-done", str(task), "--on", "5/7/2024", "--evidence", EVIDENCE)
    seeded.fails("task", "return", str(task))  # a reason is required
    assert "still to do" in seeded("task", "return", str(task), "--reason",
                                   "Thiếu phụ lục số liệu").stderr
    shown = _show(seeded, task)
    assert (shown["status"], shown["category"], shown["completed_on"], shown["evidence"]) == (
        "open", "overdue", None, None)
    actions = [(e["action"], e["effective"]) for e in shown["history"]]
    assert actions[-2:] == [("report-done", "2024-07-05"), ("return", "2024-07-05")]
    assert shown["history"][-1]["note"] == "Thiếu phụ lục số liệu"
    # As if never reported: overdue on every day since its due date, the past included.
    assert _show(seeded, task, "--as-of", "10/7/2024")["category"] == "overdue"
    assert "reported done and awaits confirmation" not in seeded(
        "task", "report-done", str(task), "--evidence", "Báo cáo bổ sung").stderr
    _check(seeded)


def test_a_reported_task_is_confirmed_or_returned_before_anything_else(seeded, db_path):
    task = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "report-done", str(task), "--on", "5/7/2024", "--evidence", EVIDENCE)
    before = db_digest(db_path)
    for args in (["task", "start", str(task)], ["task", "reopen", str(task)],
                 ["task", "report-done", str(task), "--evidence", "x"],
                 ["task", "request-extension", str(task), "--to", "31/12/2024", "-r", "x"]):
        assert seeded.fails(*args) == (
            f"Error: task {task} was reported done and awaits confirmation: confirm it with "
            f"'clusterctl task confirm {task}' or return it with 'clusterctl task return "
            f"{task} --reason TEXT' first")
    assert "is in the future" in seeded.fails("task", "report-done", str(task), "--on",
                                              "31/12/2999", "--evidence", "x")
    assert "--evidence" in seeded("task", "report-done", "1", code=2).stderr  # required
    assert db_digest(db_path) == before
    # The office may still complete it directly, on its own date.
    seeded("task", "done", str(task), "--on", "6/7/2024")
    assert _show(seeded, task)["completed_on"] == "2024-07-06"


# -- extensions -----------------------------------------------------------------------------


def test_an_extension_is_asked_for_then_approved_or_rejected(seeded):
    asked = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    refused = add_task(seeded, "Báo cáo", "-l", "STC", "--due", "31/7/2024")
    add_task(seeded, "Khác", "-l", "SXD", "--due", "31/7/2024")
    seeded("task", "request-extension", str(asked), "--to", "30/9/2024", "--reason",
           "Chờ số liệu của các huyện")
    seeded("task", "request-extension", str(refused), "--to", "31/12/2024", "-r", "Thiếu người")
    assert _ids(seeded, "--pending-extension") == [asked, refused]
    # The weekly of the week ending today (run tomorrow) lists them.
    pending = seeded.json("weekly", "--as-of", "+1d")["pending_extensions"]
    assert seeded.json("weekly", "--as-of", "22/7/2024")["pending_extensions"] == []
    assert [(t["id"], t["requested_due"], t["requested_reason"]) for t in pending] == [
        (asked, "2024-09-30", "Chờ số liệu của các huyện"),
        (refused, "2024-12-31", "Thiếu người")]
    assert "extension asked to 2024-09-30" in seeded("weekly", "--as-of", "+1d", "--format",
                                                     "mail").stdout
    assert "already has an extension asked for" in seeded.fails(
        "task", "request-extension", str(asked), "--to", "31/10/2024", "-r", "x")
    # Until approved, the due date stays: still overdue.
    assert _show(seeded, asked)["due"] == "2024-06-30"
    seeded("task", "approve-extension", str(asked))
    shown = _show(seeded, asked)
    assert (shown["due"], shown["original_due"], shown["requested_due"]) == (
        "2024-09-30", "2024-06-30", None)
    assert shown["history"][-1]["action"] == "approve-extension"
    assert shown["history"][-1]["changes"] == {"due": ["2024-06-30", "2024-09-30"],
                                               "requested_due": ["2024-09-30", None]}
    seeded("task", "reject-extension", str(refused), "--reason", "Không có căn cứ")
    shown = _show(seeded, refused)
    assert (shown["due"], shown["requested_due"]) == ("2024-07-31", None)
    assert shown["history"][-1]["note"] == "Không có căn cứ"
    assert _ids(seeded, "--pending-extension") == []
    assert "no extension asked for" in seeded.fails("task", "approve-extension", str(refused))
    # An approved extension is one of the week's extensions.
    extended = seeded.json("weekly", "--as-of", "+1d")["changed"]["extended"]
    assert [c["task_id"] for c in extended] == [asked]
    _check(seeded)


def test_the_office_limits_extensions_per_task(seeded, db_path):
    task = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    other = add_task(seeded, "Báo cáo", "-l", "STC", "--due", "30/6/2024")
    assert seeded.json("settings", "show")[0] == {
        "name": "max-extensions", "value": None,
        "meaning": "the most extensions a task may have (unset: no limit)",
        "updated_at": None, "updated_by": None}
    assert "max-extensions is 1 (was unset)" in seeded(
        "settings", "set", "max-extensions", "1").stderr
    assert seeded.json("settings", "show")[0]["value"] == "1"
    seeded("task", "extend", str(task), "--to", "31/7/2024", "--reason", "lần 1")
    before = db_digest(db_path)
    error = seeded.fails("task", "extend", str(task), "--to", "31/8/2024", "--reason", "lần 2")
    assert "extended 1 time(s)" in error and "at most 1 (setting max-extensions)" in error
    # A request may be made; its approval is refused at the limit.
    seeded("task", "request-extension", str(task), "--to", "31/8/2024", "-r", "lần 2")
    assert "at most 1" in seeded.fails("task", "approve-extension", str(task))
    seeded("task", "reject-extension", str(task), "-r", "đã gia hạn một lần")
    # An approved request counts as the one extension allowed.
    seeded("task", "request-extension", str(other), "--to", "31/8/2024", "-r", "lần 1")
    seeded("task", "approve-extension", str(other))
    assert "at most 1" in seeded.fails("task", "extend", str(other), "--to", "30/9/2024",
                                       "-r", "lần 2")
    after = db_digest(db_path)
    assert after != before
    for bad in ("-1", "một", "1.5", "1001"):
        assert "whole number from 0 to 1000" in seeded.fails("settings", "set",
                                                             "max-extensions", "--", bad)
    assert "no setting 'max-extension'" in seeded.fails("settings", "set", "max-extension", "1")
    assert db_digest(db_path) == after
    seeded("settings", "unset", "max-extensions")
    seeded("task", "extend", str(task), "--to", "31/8/2024", "--reason", "lần 2")
    assert _show(seeded, task)["due"] == "2024-08-31"


# -- key tasks and fields -----------------------------------------------------------------


def test_key_tasks_and_fields_filter_and_are_counted_apart(seeded):
    seeded("directive", "add", "45/UBND-NNMT", "--issued", "2/5/2024", "--title", "Môi trường")
    key = add_task(seeded, "Quy hoạch", "-l", "SCT", "--due", "30/6/2024", "--priority")
    plain = add_task(seeded, "Báo cáo", "-l", "SCT", "--due", "30/6/2024")
    moved = add_task(seeded, "Kiểm tra", "-l", "STC", "--due", "31/12/2024", "--field", "cnxd")
    green = int(seeded("task", "add", "-d", "45/UBND-NNMT", "-l", "SXD", "--due",
                       "30/6/2024", "Xử lý nước thải").stdout)
    assert [_show(seeded, t)["field"] for t in (key, plain, moved, green)] == [
        "KTTH", "KTTH", "CNXD", "NNMT"]
    assert _ids(seeded, "--priority") == [key]
    assert set(_ids(seeded, "--field", "ktth")) == {key, plain}
    assert [t["id"] for t in seeded.json("overdue", "--priority")] == [key]
    assert [t["id"] for t in seeded.json("overdue", "--field", "NNMT")] == [green]
    status = seeded.json("status")
    assert (status["key_tasks"]["total"], status["key_tasks"]["overdue"]) == (1, 1)
    assert status["total"]["total"] == 4
    table = seeded("status", "--format", "plain").stdout.splitlines()
    assert table[-1].split()[:3] == ["Key", "tasks", "1"]
    by_field = seeded.json("status", "--by-field")
    assert [(r["field"], r["total"], r["overdue"]) for r in by_field["fields"]] == [
        ("KTTH", 2, 2), ("CNXD", 1, 1), ("NNMT", 1, 1)]
    assert seeded.json("status", "--priority")["total"]["total"] == 1
    seeded("task", "edit", str(key), "--no-priority")
    seeded("task", "edit", str(plain), "--priority", "--field", "TH")
    shown = _show(seeded, plain)
    assert (shown["priority"], shown["field"]) == (True, "TH")
    assert shown["history"][-1]["changes"] == {"priority": [False, True],
                                               "field": ["KTTH", "TH"]}
    assert _ids(seeded, "--priority") == [plain]
    assert "--by-field counts tasks per field" in seeded.fails("status", "--by-field",
                                                               "--rollup")


# -- recurring tasks -----------------------------------------------------------------------


def _keys(cli, *args) -> list[tuple[str, str, str]]:
    return [(t["key"], t["due"], t["status"]) for t in cli.json("task", "list", "--all",
                                                                 *args)]


def test_a_bounded_series_has_all_its_occurrences(seeded):
    result = seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "STC", "-s", "SCT",
                    "--repeat", "hằng quý, trước ngày 20 tháng cuối quý", "--from",
                    "1/7/2024", "--until", "30/6/2025", "Báo cáo tình hình quý")
    assert len(result.stdout.split()) == 4
    assert "2029/UBND-KTTH#1 (hằng quý, trước ngày 20 tháng cuối quý): 4 occurrences" in (
        result.stderr)
    assert _keys(seeded) == [("1/2024-Q3", "2024-09-20", "open"),
                             ("1/2024-Q4", "2024-12-20", "open"),
                             ("1/2025-Q1", "2025-03-20", "open"),
                             ("1/2025-Q2", "2025-06-20", "open")]
    first = seeded.json("task", "list", "--all")[0]
    assert (first["lead"], first["support"]) == ("STC", ["SCT"])
    # Each is a task of its own: done, extended, counted on its own.
    seeded("task", "done", "2029/UBND-KTTH#1/2024-Q3", "--on", "15/9/2024")
    seeded("task", "extend", "2029/UBND-KTTH#1/2024-Q4", "--to", "31/12/2024", "-r", "x")
    total = _total(seeded)
    assert (total["done_on_time"], total["overdue"], total["total"]) == (1, 3, 4)
    # An occurrence exists from one period before it falls due: not in a report of 2024-05.
    assert _total(seeded, "--as-of", "31/5/2024")["total"] == 0
    (series,) = seeded.json("series", "list")
    assert (series["ref"], series["rrule"], series["occurrences"], series["still_to_do"]) == (
        "2029/UBND-KTTH#1", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20", 4, 3)
    _check(seeded)


def test_an_open_ended_series_grows_with_the_as_of_day(seeded):
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat",
           "định kỳ hằng tháng, trước ngày 25", "--from", "1/5/2024", "Báo cáo tháng")
    from datetime import date

    from dateutil.relativedelta import relativedelta

    from clusterctl.config import today

    # Up to one period beyond today: the 25th of every month from May 2024 to a month ahead.
    now = today()
    wanted, month = [], date(2024, 5, 25)
    while month <= now + relativedelta(months=1):
        wanted.append(f"1/{month:%Y-%m}")
        month += relativedelta(months=1)
    keys = [t["key"] for t in seeded.json("task", "list", "--all")]
    assert keys == wanted
    # A report far ahead makes the occurrences its day needs.
    seeded.json("overdue", "--as-of", f"31/12/{now.year + 1}")
    keys = [t["key"] for t in seeded.json("task", "list", "--all", "--as-of",
                                          f"31/12/{now.year + 1}")]
    assert f"1/{now.year + 2}-01" in keys and f"1/{now.year + 2}-02" not in keys
    # ... which take effect in their time: not in today's list.
    assert [t["key"] for t in seeded.json("task", "list", "--all")] == wanted
    _check(seeded)


def _on(monkeypatch, day: str) -> None:
    """Run the next commands as if today were ``day`` (ISO) in the office."""
    from datetime import date

    monkeypatch.setattr("clusterctl.config.today", lambda: date.fromisoformat(day))


def test_changing_a_series_reaches_only_what_it_gave_and_is_still_to_do(seeded, monkeypatch):
    _on(monkeypatch, "2024-08-22")
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat",
           "FREQ=MONTHLY;BYMONTHDAY=25", "--from", "1/5/2024", "Báo cáo tháng")
    # Up to one period beyond today (22/9): May to August.
    assert [k for k, _d, _s in _keys(seeded)] == ["1/2024-05", "1/2024-06", "1/2024-07",
                                                  "1/2024-08"]
    seeded("task", "done", "2029/UBND-KTTH#1/2024-05", "--on", "20/5/2024")
    seeded("task", "edit", "2029/UBND-KTTH#1/2024-07", "--title", "Báo cáo tháng 7 (riêng)")
    result = seeded("series", "edit", "2029/UBND-KTTH#1", "--repeat",
                    "hằng tháng, trước ngày 20", "--lead", "STC", "--title", "Báo cáo tháng mới",
                    "--note", "Công văn 99")
    assert "3 occurrences changed, 0 cancelled, 1 added" in result.stderr
    tasks = {t["key"]: t for t in seeded.json("task", "list", "--all")}
    assert [(k, t["due"], t["lead"], t["title"], t["status"]) for k, t in tasks.items()] == [
        # done: as it was
        ("1/2024-05", "2024-05-25", "SCT", "Báo cáo tháng", "done"),
        # due before today: the lead and title the series gave, its due date kept
        ("1/2024-06", "2024-06-25", "STC", "Báo cáo tháng mới", "open"),
        # its own title stays its own
        ("1/2024-07", "2024-07-25", "STC", "Báo cáo tháng 7 (riêng)", "open"),
        # not yet due, but the new rule's 20 August is past: kept
        ("1/2024-08", "2024-08-25", "STC", "Báo cáo tháng mới", "open"),
        # made by the new rule, from today
        ("1/2024-09", "2024-09-20", "STC", "Báo cáo tháng mới", "open")]
    history = _show(seeded, tasks["1/2024-06"]["id"])["history"][-1]
    assert (history["action"], history["note"]) == ("series", "Công văn 99")
    # Ended in the future: a bounded series has every occurrence, now (each taking effect
    # one period before it falls due).
    seeded("series", "end", "2029/UBND-KTTH#1", "--on", "30/11/2024", "--reason", "Đề án xong")
    later = ("--as-of", "30/11/2024")
    assert [k for k, _d, _s in _keys(seeded, *later)][-3:] == [
        "1/2024-09", "1/2024-10", "1/2024-11"]
    result = seeded("series", "end", "2029/UBND-KTTH#1", "--on", "30/9/2024", "-r", "Sớm hơn")
    assert "2 occurrences still to do were cancelled" in result.stderr
    assert [s for _k, _d, s in _keys(seeded, *later)] == [
        "done", "open", "open", "open", "open", "cancelled", "cancelled"]
    assert "already ends on" in seeded.fails("series", "end", "2029/UBND-KTTH#1", "--on",
                                             "31/12/2024", "-r", "x")
    assert "no recurring task '9'" in seeded.fails("series", "end", "2029/UBND-KTTH#9",
                                                   "--on", "1/1/2025", "-r", "x")
    _check(seeded)


def test_a_report_far_ahead_does_not_change_today(seeded, monkeypatch):
    _on(monkeypatch, "2024-08-22")
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat",
           "hằng tháng, trước ngày 25", "--from", "1/5/2024", "Báo cáo tháng")
    before = _total(seeded)
    ahead = seeded.json("status", "--as-of", "31/12/2025")["total"]
    assert ahead["total"] == 21  # May 2024 to January 2026
    assert _total(seeded) == before and before["total"] == 4
    assert len(seeded.json("task", "list", "--all")) == 4
    # The occurrences made ahead take effect in their time.
    _on(monkeypatch, "2024-10-01")
    assert _total(seeded)["total"] == 6


def test_a_series_keeps_its_keys_and_its_years(seeded, db_path):
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat",
           "hằng tháng, trước ngày 25", "--from", "1/5/2024", "--until", "31/7/2024", "Tháng")
    before = db_digest(db_path)
    for key in ("1", "1/2024-08", "1/x"):
        assert "is a key of a recurring task" in seeded.fails(
            "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "-k", key, "Khác")
    other = add_task(seeded, "Khác", "-l", "SCT")
    assert db_digest(db_path) != before
    assert "is a key of a recurring task" in seeded.fails("task", "edit", str(other), "--key",
                                                          "1/2024-09")
    assert "more than 10 years after" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat", "hằng tuần, thứ Sáu",
        "--until", "31/12/2999", "Tuần")


def test_occurrences_of_a_dissolved_lead_pass_to_its_successor(seeded):
    seeded("agency", "merge", "SKHDT", "--into", "STC", "--on", "1/3/2025", "--basis",
           "Nghị quyết 190/2025/QH15")
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "SKHDT", "--repeat",
           "hằng quý, trước ngày 20 tháng cuối quý", "--from", "1/10/2024", "--until",
           "30/6/2025", "Báo cáo quý")
    leads = [(t["key"], t["lead"]) for t in seeded.json("task", "list", "--all")]
    assert leads == [("1/2024-Q4", "STC"), ("1/2025-Q1", "STC"), ("1/2025-Q2", "STC")]
    # ... from the merger: before it, the Q4 occurrence was SKHDT's.
    past = seeded.json("task", "list", "--all", "--as-of", "31/12/2024")
    assert [(t["key"], t["lead"]) for t in past] == [("1/2024-Q4", "SKHDT"),
                                                     ("1/2025-Q1", "SKHDT")]
    _check(seeded)


def test_a_rule_that_is_not_one_is_refused_with_the_forms(seeded, db_path):
    before = db_digest(db_path)
    error = seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat",
                         "thỉnh thoảng", "Việc")
    assert "'thỉnh thoảng' is not a repeat clusterctl understands" in error
    assert "hằng tháng, trước ngày 25" in error
    assert "--repeat or --due, not both" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--repeat", "hằng tháng, trước "
        "ngày 25", "--due", "30/6/2024", "Việc")
    assert "give --repeat" in seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT",
                                           "--until", "30/6/2024", "Việc")
    assert db_digest(db_path) == before


# -- the import --------------------------------------------------------------------------------


def _file(tmp_path: Path, text: str, name: str = "tasks.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


FILE = """
[[holiday]]
date = 2024-05-03
name = "Nghỉ bù của tỉnh"

[[directives]]
number = "88/UBND-KTTH"
issued = 2024-04-26
title = "Triển khai"

[[directives.tasks]]
key = "1"
title = "Báo cáo nhanh"
lead = "SCT"
due = "trong 03 ngày làm việc"
priority = true

[[directives.tasks]]
key = "2"
title = "Báo cáo tháng"
lead = "STC"
field = "TH"
repeat = "hằng tháng, trước ngày 25"
from = 2024-05-01
until = 2024-08-31
"""


def test_an_import_reads_working_days_key_tasks_fields_and_series(seeded, tmp_path):
    source = _file(tmp_path, FILE)
    seeded("import", source)
    quick = seeded.json("task", "show", "88/UBND-KTTH#1")
    # From Friday 26/4/2024: 27, 28 weekend; 29/4 swapped, 30/4, 1/5 holidays; 2/5 is the
    # first working day; 3/5 the office's own day off; 4/5 a make-up Saturday (the second);
    # 5/5 Sunday; 6/5 the third.
    assert (quick["due"], quick["priority"], quick["field"]) == ("2024-05-06", True, "KTTH")
    assert [t["key"] for t in seeded.json("task", "list", "--all", "--field", "TH")] == [
        "2/2024-05", "2/2024-06", "2/2024-07", "2/2024-08"]
    holidays = {h["date"]: h for h in seeded.json("holidays", "--year", "2024")}
    assert (holidays["2024-05-03"]["kind"], holidays["2024-05-03"]["name"]) == (
        "off", "Nghỉ bù của tỉnh")
    assert holidays["2024-05-04"]["kind"] == "work"  # the shipped make-up Saturday
    # A re-import changes nothing; staff's changes to the series stay.
    seeded("series", "end", "88/UBND-KTTH#2", "--on", "30/6/2024", "-r", "dừng")
    seeded("import", source)
    assert [s for _k, _d, s in _keys(seeded, "--field", "TH")] == [
        "open", "open", "cancelled", "cancelled"]
    # The file marks a task a key task: taken without a conflict (nobody chose otherwise).
    changed = FILE.replace('priority = true', 'priority = false')
    seeded("import", _file(tmp_path, changed, "changed.toml"))
    assert seeded.json("task", "show", "88/UBND-KTTH#1")["priority"] is False


def test_an_import_undo_removes_the_series_and_holidays_it_added(seeded, tmp_path):
    result = seeded("import", _file(tmp_path, FILE))
    assert "recurring tasks: 1 added" in result.stderr
    assert "the office's own holidays: 1 in the files" in result.stderr
    seeded("import", "--undo")
    assert seeded.json("series", "list") == []
    assert seeded.json("task", "list", "--all") == []
    assert "2024-05-03" not in {h["date"] for h in seeded.json("holidays", "--year", "2024")}


def test_an_import_that_links_occurrences_can_be_undone(seeded, tmp_path, monkeypatch):
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "STC", "--repeat",
           "hằng tháng, trước ngày 25", "--from", "1/5/2024", "--until", "30/6/2024", "Tháng")
    exported = tmp_path / "export.toml"
    seeded("export", "-o", str(exported))
    monkeypatch.setenv("CLUSTERCTL_DB", str(tmp_path / "copy.db"))
    seeded("import", str(exported))
    assert seeded.json("series", "list")[0]["occurrences"] == 2
    seeded("import", "--undo")
    assert seeded.json("task", "list", "--all") == []


def test_working_days_on_the_command_line_count_from_the_directive(seeded):
    # 2029/UBND-KTTH is of Monday 22/4/2024: 23, 24, 25 April.
    task = add_task(seeded, "Báo cáo nhanh", "-l", "SCT", "--due", "trong 03 ngày làm việc")
    assert _show(seeded, task)["due"] == "2024-04-25"
    seeded("task", "edit", str(task), "--due", "trong 05 ngày làm việc")
    # 26/4 Friday, then 27, 28 weekend, 29/4 (swapped for 4/5), 30/4, 1/5 holidays: 2/5.
    assert _show(seeded, task)["due"] == "2024-05-02"


def test_bad_workflow_keys_in_a_file_say_where(seeded, tmp_path, db_path):
    before = db_digest(db_path)
    bad = FILE.replace("priority = true", 'priority = "có"').replace(
        'repeat = "hằng tháng, trước ngày 25"', 'repeat = "thỉnh thoảng"')
    result = seeded("import", _file(tmp_path, bad), code=2)
    assert "directives[0].tasks[0] (key '1').priority: must be true or false" in result.stderr
    assert "directives[0].tasks[1] (key '2').repeat:" in result.stderr
    assert db_digest(db_path) == before


# -- working days on the command line --------------------------------------------------------


def test_working_days_on_the_command_line(seeded):
    from datetime import date

    from clusterctl.config import today
    from clusterctl.workdays import Calendar

    task = add_task(seeded, "Báo cáo nhanh", "-l", "SCT", "--due", "+3wd")
    assert _show(seeded, task)["due"] == Calendar().add_working_days(today(), 3).isoformat()
    assert Calendar().add_working_days(date(2024, 4, 26), 3) == date(2024, 5, 4)
    lines = seeded("holidays", "--year", "2025", "--format", "plain").stdout
    assert "2025-04-26" in lines and "2025-05-02" in lines and "provisional" not in lines
    later = {h["date"]: h["name"] for h in seeded.json("holidays", "--year", "2027")}
    assert later["2027-02-04"] == "Tết Nguyên đán (provisional)"


def test_an_export_keeps_key_tasks_fields_and_series(seeded, tmp_path, monkeypatch):
    add_task(seeded, "Quy hoạch", "-l", "SCT", "--due", "30/6/2024", "--priority", "--field",
             "CN")
    reported = add_task(seeded, "Báo cáo", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "report-done", str(reported), "--on", "1/7/2024", "--evidence", "BC 1")
    seeded("task", "add", "-d", "2029/UBND-KTTH", "-l", "STC", "--repeat",
           "hằng tháng, trước ngày 25", "--from", "1/5/2024", "--until", "31/7/2024",
           "Báo cáo tháng")
    seeded("task", "done", "2029/UBND-KTTH#3/2024-05", "--on", "20/5/2024")
    exported = tmp_path / "export.toml"
    seeded("export", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert 'repeat = "hằng tháng, trước ngày 25"' in text and 'field = "CN"' in text
    # The same register again: nothing to do, the report awaiting confirmation left as it is.
    seeded("import", str(exported))
    assert _show(seeded, reported)["status"] == "reported"
    # A new register from it: the occurrences belong to their series, as they were.
    monkeypatch.setenv("CLUSTERCTL_DB", str(tmp_path / "copy.db"))
    seeded("import", str(exported))
    (series,) = seeded.json("series", "list")
    assert (series["ref"], series["occurrences"], series["still_to_do"]) == (
        "2029/UBND-KTTH#3", 3, 2)
    keys = {t["key"]: t for t in seeded.json("task", "list", "--all")}
    assert (keys["1"]["priority"], keys["1"]["field"]) == (True, "CN")
    assert keys["3/2024-05"]["status"] == "done" and keys["2"]["status"] == "open"
    _check(seeded)


def test_each_step_of_the_workflow_can_be_undone(seeded):
    task = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    fresh = _show(seeded, task)
    seeded("task", "request-extension", str(task), "--to", "31/12/2024", "-r", "x")
    seeded("task", "report-done", str(task), "--on", "1/7/2024", "--evidence", "BC")
    seeded("task", "confirm", str(task))
    seeded("task", "undo", str(task))  # the confirmation, and the request's lapse with it
    shown = _show(seeded, task)
    assert (shown["status"], shown["requested_due"]) == ("reported", "2024-12-31")
    seeded("task", "undo", str(task))  # the report
    seeded("task", "undo", str(task))  # the request
    seeded("task", "edit", str(task), "--priority", "--field", "AB")
    seeded("task", "undo", str(task))
    shown = _show(seeded, task)
    keep = ("status", "completed_on", "evidence", "requested_due", "priority", "field",
            "category", "due")
    assert {k: shown[k] for k in keep} == {k: fresh[k] for k in keep}
    assert _ids(seeded, "--pending-extension") == []
    _check(seeded)


def test_a_task_reported_done_before_a_merger_keeps_the_agency_that_did_it(seeded):
    task = add_task(seeded, "Rà soát", "-l", "SKHDT", "--due", "30/6/2024")
    seeded("task", "report-done", str(task), "--on", "20/2/2025", "--evidence", "BC")
    seeded("agency", "merge", "SKHDT", "--into", "STC", "--on", "1/3/2025", "--basis",
           "Nghị quyết 190/2025/QH15")
    assert _show(seeded, task)["lead"] == "STC"  # still to do when the merger took effect
    seeded("task", "confirm", str(task))
    shown = _show(seeded, task)
    assert (shown["lead"], shown["status"], shown["completed_on"]) == (
        "SKHDT", "done", "2025-02-20")
    _check(seeded)
