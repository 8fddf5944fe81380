"""clusterctl task: add, list, show and every change, with their history."""

import json

import pytest

from tests.conftest import add_task

TASK_KEYS = {"id", "directive", "key", "title", "lead", "support", "due", "original_due",
             "status", "completed_on", "category", "days_overdue"}


def test_task_add_prints_id_and_numbers_keys(seeded):
    first = add_task(seeded, "Rà soát", "-l", "SCT")
    second = add_task(seeded, "Thanh tra", "-l", "SXD", "--key", "7")
    third = add_task(seeded, "Hướng dẫn", "-l", "STC")
    assert (first, second, third) == (1, 2, 3)
    keys = [t["key"] for t in seeded.json("task", "list")]
    assert keys == ["1", "7", "8"]  # the next free number after the highest


def test_task_show_json_has_the_contract_fields(seeded):
    task_id = add_task(seeded, "Rà soát phương án", "-l", "so cong thuong", "-s", "DPI",
                       "-s", "sxd", "--due", "30/6/2024", "--note", "giao theo CV 2029")
    task = seeded.json("task", "show", str(task_id), "--as-of", "2024-07-03")
    assert set(task) >= TASK_KEYS
    assert task | {"created_at": None, "updated_at": None, "history": None} == {
        "id": task_id, "directive": "2029/UBND-KTTH", "key": "1", "title": "Rà soát phương án",
        "lead": "SCT", "support": ["SKHDT", "SXD"], "due": "2024-06-30",
        "original_due": "2024-06-30", "status": "open", "completed_on": None,
        "category": "overdue", "days_overdue": 3, "version": 1, "latest_note": None,
        "deleted_on": None,
        "assigned_on": "2024-04-22",
        "created_at": None, "updated_at": None, "history": None,
        # the drafting division in the directive's number; no key task, report or request
        "field": "KTTH", "priority": False, "evidence": None, "requested_due": None,
    }
    (created,) = task["history"]
    assert created["actor"] == "tester"
    assert created["action"] == "created"
    assert created["note"] == "giao theo CV 2029"
    assert created["at"].endswith("Z")


def test_task_ref_by_number_and_key(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "--key", "3a")
    assert seeded.json("task", "show", "2029/ubnd-ktth#3a")["id"] == task_id
    assert "has no task '9'" in seeded.fails("task", "show", "2029/UBND-KTTH#9")
    assert "no directive numbered" in seeded.fails("task", "show", "1/XX#1")
    assert "no task with id 99" in seeded.fails("task", "show", "99")
    assert "is not a task" in seeded.fails("task", "show", "abc")


def test_task_add_errors_change_nothing(seeded):
    assert "unknown agency 'SCTT'" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCTT", "T")
    assert "closest: SCT" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "-s", "SCTT", "T")
    assert "cannot both lead and support" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "-s", "DOIT", "T")
    assert "no directive numbered" in seeded.fails("task", "add", "-d", "X", "-l", "SCT", "T")
    assert "must not be empty" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "  ")
    assert "4000" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "x" * 5000)
    assert "must not contain spaces" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--key", "a b", "T")
    add_task(seeded, "T", "-l", "SCT", "--key", "1")
    assert "already has a task '1'" in seeded.fails(
        "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--key", "1", "T")
    assert len(seeded.json("task", "list")) == 1


@pytest.fixture
def board(seeded):
    """Tasks in every category as of 2024-07-01 (due soon = 7 days: 1 … 7 July)."""
    ids = {
        "due_today": add_task(seeded, "Hạn hôm nay", "-l", "SCT", "--due", "1/7/2024"),
        "due_yesterday": add_task(seeded, "Hạn hôm qua", "-l", "SCT", "--due", "30/6/2024"),
        "due_day7": add_task(seeded, "Hạn ngày 7", "-l", "STC", "--due", "7/7/2024"),
        "due_day8": add_task(seeded, "Hạn ngày 8", "-l", "STC", "--due", "8/7/2024"),
        "ongoing": add_task(seeded, "Thường xuyên kiểm tra", "-l", "SXD", "-s", "SCT"),
        "on_due_day": add_task(seeded, "Xong đúng hạn", "-l", "SKHDT", "--due", "20/6/2024"),
        "day_after": add_task(seeded, "Xong trễ", "-l", "SKHDT", "--due", "20/6/2024"),
        "cancelled": add_task(seeded, "Huỷ bỏ", "-l", "SXD", "--due", "1/6/2024"),
        "extended": add_task(seeded, "Gia hạn", "-l", "SCT", "--due", "1/6/2024"),
    }
    seeded("task", "done", str(ids["on_due_day"]), "--on", "20/6/2024")
    seeded("task", "done", str(ids["day_after"]), "--on", "21/6/2024")
    seeded("task", "cancel", str(ids["cancelled"]), "--reason", "không còn phù hợp",
           "--on", "25/6/2024")
    seeded("task", "extend", str(ids["extended"]), "--to", "31/7/2024", "--reason", "chờ",
           "--on", "25/6/2024")
    return ids


def _categories(cli, *args):
    return {t["id"]: t["category"] for t in cli.json("task", "list", "--all", *args)}


def test_categories_on_day_boundaries(seeded, board):
    got = _categories(seeded, "--as-of", "2024-07-01")
    assert got == {
        board["due_today"]: "due_soon",  # never overdue on its own due day
        board["due_yesterday"]: "overdue",
        board["due_day7"]: "due_soon",  # D+6 is the last day of the window
        board["due_day8"]: "on_track",
        board["ongoing"]: "ongoing",
        board["on_due_day"]: "done_on_time",
        board["day_after"]: "done_late",
        board["cancelled"]: "cancelled",
        board["extended"]: "on_track",  # judged against the new due date
    }


def test_category_filter_and_days_overdue(seeded, board):
    overdue = seeded.json("task", "list", "--as-of", "2024-07-01", "--category", "overdue")
    assert [(t["id"], t["days_overdue"]) for t in overdue] == [(board["due_yesterday"], 1)]
    both = _categories(seeded, "--as-of", "2024-07-01", "-c", "done_on_time", "-c", "done_late")
    assert set(both) == {board["on_due_day"], board["day_after"]}


def test_completed_after_as_of_was_not_done_then(seeded, board):
    # As of 20 June the task completed on 21 June was still due that day.
    assert _categories(seeded, "--as-of", "2024-06-20")[board["day_after"]] == "due_soon"


def test_due_soon_days_from_environment(seeded, board, monkeypatch):
    monkeypatch.setenv("CLUSTERCTL_DUE_SOON_DAYS", "1")
    got = _categories(seeded, "--as-of", "2024-07-01")
    assert got[board["due_today"]] == "due_soon"
    assert got[board["due_day7"]] == "on_track"


def test_list_filters(seeded, board):
    def ids(*args):
        return {t["id"] for t in seeded.json("task", "list", "--all", *args)}

    assert ids("--lead", "SXD") == {board["ongoing"], board["cancelled"]}
    assert ids("--agency", "SCT") == {board["due_today"], board["due_yesterday"],
                                      board["ongoing"], board["extended"]}
    assert ids("--agency", "SCT", "--agency", "STC") >= {board["due_day7"], board["ongoing"]}
    assert ids("--status", "done") == {board["on_due_day"], board["day_after"]}
    assert ids("--search", "thuong xuyen") == {board["ongoing"]}
    assert ids("--search", "HẠN NGÀY") == {board["due_day7"], board["due_day8"]}
    assert ids("--search", "100%") == set()
    assert ids("--directive", "2029/UBND-KTTH") == set(board.values())
    assert "unknown agency" in seeded.fails("task", "list", "--agency", "nowhere")


def test_list_shows_the_work_still_to_do_unless_asked(seeded, board):
    open_work = {board[k] for k in ("due_today", "due_yesterday", "due_day7", "due_day8",
                                    "ongoing", "extended")}
    for fmt in ("json", "csv", "plain"):
        out = seeded("task", "list", "--as-of", "2024-07-01", "--format", fmt).stdout
        shown = {int(t["id"]) for t in seeded.json("task", "list", "--as-of", "2024-07-01")}
        assert shown == open_work
        assert ("Xong đúng hạn" in out) is False and ("Huỷ bỏ" in out) is False
    # As of 20 June the task done on 21 June was still work to do.
    assert board["day_after"] in {t["id"] for t in seeded.json(
        "task", "list", "--as-of", "2024-06-20")}
    assert len(seeded.json("task", "list", "--all")) == len(board)
    assert {t["status"] for t in seeded.json("task", "list", "--status", "done")} == {"done"}
    limited = seeded.json("task", "list", "--all", "--limit", "3")
    assert [t["id"] for t in limited] == [t["id"] for t in seeded.json(
        "task", "list", "--all")][:3]


def test_list_orders_by_due_then_ongoing(seeded, board):
    dues = [t["due"] for t in seeded.json("task", "list")]
    assert dues[-1] is None
    assert dues[:-1] == sorted(dues[:-1])


def test_list_plain_output(seeded):
    add_task(seeded, "Rà soát", "-l", "SCT", "-s", "STC", "--due", "30/6/2024")
    add_task(seeded, "Kiểm tra", "-l", "SXD")
    out = seeded("task", "list", "--as-of", "2024-07-01").stdout  # piped: plain
    assert out == (
        "ID  Task              Title     Lead  Support  Due         Status  Timeliness\n"
        " 1  2029/UBND-KTTH#1  Rà soát   SCT   STC      2024-06-30  open    overdue 1d\n"
        " 2  2029/UBND-KTTH#2  Kiểm tra  SXD   -        -           open    ongoing\n"
    )


def test_list_csv(seeded):
    add_task(seeded, "Rà soát", "-l", "SCT", "-s", "STC", "-s", "SXD", "--due", "30/6/2024")
    lines = seeded("task", "list", "--format", "csv", "--as-of", "2024-07-01").stdout.splitlines()
    assert lines == [
        "id,directive,key,title,lead,support,due,original_due,status,completed_on,category,"
        "days_overdue",
        "1,2029/UBND-KTTH,1,Rà soát,SCT,STC;SXD,2024-06-30,2024-06-30,open,,overdue,1",
    ]


def test_list_empty(seeded):
    assert seeded.json("task", "list") == []
    result = seeded("task", "list", "--format", "plain")
    assert result.stdout == "" and "No tasks match" in result.stderr


def _history(cli, task_id):
    return cli.json("task", "show", str(task_id))["history"]


def test_status_changes_are_recorded(seeded, monkeypatch):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seeded("task", "start", task_id, "--on", "1/7/2024", "--note", "bắt đầu")
    seeded.become("lan", "staff")
    seeded("task", "done", task_id, "--on", "2/7/2024", "--note", "đã xong")
    seeded("task", "reopen", task_id, "--note", "chưa đạt")
    seeded("task", "cancel", task_id, "--reason", "thu hồi")
    history = _history(seeded, task_id)
    assert [(h["action"], h["actor"]) for h in history] == [
        ("created", "tester"), ("start", "tester"), ("done", "lan"), ("reopen", "lan"),
        ("cancel", "lan")]
    assert history[2]["changes"] == {"status": ["in_progress", "done"],
                                     "completed_on": [None, "2024-07-02"]}
    assert history[3]["changes"] == {"status": ["done", "open"],
                                     "completed_on": ["2024-07-02", None]}
    assert history[4]["note"] == "thu hồi"
    from clusterctl.config import today

    assert [h["effective"] for h in history] == [
        "2024-04-22", "2024-07-01", "2024-07-02", today().isoformat(), today().isoformat()]
    task = seeded.json("task", "show", task_id)
    assert (task["status"], task["completed_on"], task["version"]) == ("cancelled", None, 5)


def test_done_defaults_to_office_today(seeded):
    from clusterctl.config import today

    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    seeded("task", "done", task_id)
    assert seeded.json("task", "show", task_id)["completed_on"] == today().isoformat()


def test_refused_transitions(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    assert "already open" in seeded.fails("task", "reopen", task_id)
    seeded("task", "start", task_id, "--on", "1/5/2024")
    assert "already in progress" in seeded.fails("task", "start", task_id)
    seeded("task", "done", task_id, "--on", "1/5/2024")
    assert "reopen it first" in seeded.fails("task", "done", task_id)
    assert "reopen it first" in seeded.fails("task", "cancel", task_id, "--reason", "x")
    assert "reopen it first" in seeded.fails("task", "extend", task_id, "--to", "eoy",
                                             "--reason", "x")
    assert "in the future" in seeded.fails("task", "done", "1", "--on", "+3d")
    assert "must not be empty" in seeded.fails("task", "cancel", task_id, "--reason", " ")
    assert len(_history(seeded, task_id)) == 3


def test_note(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    seeded("task", "note", task_id, "Đã họp với các sở [ngày 3/5]")
    last = _history(seeded, task_id)[-1]
    assert (last["action"], last["note"], last["changes"]) == (
        "note", "Đã họp với các sở [ngày 3/5]", {})
    assert "must not be empty" in seeded.fails("task", "note", task_id, "")


def test_extend_keeps_original_due(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seeded("task", "extend", task_id, "--to", "Q3/2024", "--reason", "chờ kinh phí")
    seeded("task", "extend", task_id, "--to", "31/12/2024", "--reason", "lần 2")
    task = seeded.json("task", "show", task_id)
    assert (task["due"], task["original_due"]) == ("2024-12-31", "2024-06-30")
    assert [h["changes"] for h in task["history"][1:]] == [
        {"due": ["2024-06-30", "2024-09-30"]}, {"due": ["2024-09-30", "2024-12-31"]}]
    assert "is not after 2024-12-31" in seeded.fails("task", "extend", task_id, "--to",
                                                     "31/12/2024", "--reason", "x")


def test_edit(seeded):
    task_id = str(add_task(seeded, "Việc cũ", "-l", "SCT", "-s", "STC"))
    seeded("task", "edit", task_id, "--title", "Việc mới", "--lead", "STC")
    task = seeded.json("task", "show", task_id)
    # STC moved from support to lead.
    assert (task["title"], task["lead"], task["support"]) == ("Việc mới", "STC", [])
    assert task["history"][-1]["changes"] == {
        "title": ["Việc cũ", "Việc mới"], "lead": ["SCT", "STC"], "support": [["STC"], []]}
    seeded("task", "edit", task_id, "-s", "SXD", "-s", "SKHDT")
    assert seeded.json("task", "show", task_id)["support"] == ["SXD", "SKHDT"]
    seeded("task", "edit", task_id, "--no-support")
    assert seeded.json("task", "show", task_id)["support"] == []
    assert seeded.json("task", "list", "--search", "viec moi")[0]["id"] == int(task_id)
    assert "nothing to change" in seeded.fails("task", "edit", task_id)
    assert "nothing to change" in seeded.fails("task", "edit", task_id, "--title", "Việc mới")
    assert "either --support or --no-support" in seeded.fails(
        "task", "edit", task_id, "-s", "SCT", "--no-support")


def test_expect_version_refuses_a_stale_write(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seen = seeded.json("task", "show", task_id)["version"]
    seeded("task", "note", task_id, "someone else was here")
    error = seeded.fails("task", "extend", task_id, "--to", "eoy", "--reason", "x",
                         "--expect-version", str(seen), code=4)
    assert "someone changed it" in error
    assert seeded.json("task", "show", task_id)["due"] == "2024-06-30"
    seeded("task", "edit", task_id, "--title", "Mới", "--expect-version", str(seen + 1))


def test_show_plain(seeded):
    task_id = str(add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024"))
    seeded("task", "note", task_id, "đang làm", "--on", "28/6/2024")
    seeded("task", "note", task_id, "đã xong phần 1")
    out = seeded("task", "show", task_id, "--as-of", "2024-06-30", "--format", "plain").stdout
    assert "Title:         Rà soát\n" in out
    assert "Timeliness:    due soon (as of 2024-06-30)\n" in out
    # As of 30 June: the changes in effect by then, each with the day it took effect.
    assert out.splitlines()[-1].endswith(
        "tester  note  with effect from 2024-06-28  note: đang làm")
    assert "đã xong phần 1" not in out
    assert "đã xong phần 1" in seeded("task", "show", task_id, "--format", "plain").stdout


HOSTILE = "[bold red]Đỏ[/] [link=http://x]y[/link] \x1b[2J\x1b]0;pwned\x07 \u202egnp.exe \x9b"


def _force_title(cli, task_id: int, title: str) -> None:
    """Control characters cannot be stored through the CLI; put them in the database
    directly, as a damaged import or another program might."""
    cli.register.sql("UPDATE task SET title = ? WHERE id = ?", (title, task_id))


@pytest.mark.parametrize("fmt", ["plain", "table", "csv"])
def test_hostile_titles_are_shown_literally(seeded, fmt, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    seeded("agency", "add", "X1", "Cơ quan [red]X[/]")
    task_id = add_task(seeded, "x", "-l", "X1")
    _force_title(seeded, task_id, HOSTILE)
    out = seeded("task", "list", "--format", fmt).stdout
    assert not any(ch in out for ch in "\x1b\x07\u202e\x9b")
    assert "\\x1b[2J" in out and "\\u202e" in out
    assert "[bold red]Đỏ[/] [link=http://x]y[/link]" in out


def test_hostile_text_in_json_is_escaped_but_exact(seeded):
    task_id = add_task(seeded, "x", "-l", "SCT")
    _force_title(seeded, task_id, HOSTILE)
    raw = seeded("task", "list", "--format", "json").stdout
    assert not any(ch in raw for ch in "\x1b\x07\u202e\x9b")
    assert json.loads(raw)[0]["title"] == HOSTILE
