"""Correcting the register: a task deleted as entered by mistake (and restored), the latest
change of a task undone, a task's key and a due date corrected, a directive corrected."""


from tests.conftest import add_task, db_digest

DELETED = "task {id} is deleted; restore it first with 'clusterctl task restore {id}'"


def _today() -> str:
    from clusterctl.config import today

    return today().isoformat()


def _show(cli, task_id, *args) -> dict:
    return cli.json("task", "show", str(task_id), *args)


def _as_it_stands(task: dict) -> dict:
    """A task less what every change moves: its version, when it was last changed, and its
    history."""
    return {k: v for k, v in task.items() if k not in ("version", "updated_at", "history")}


def _ids(cli, *args) -> set[int]:
    return {t["id"] for t in cli.json("task", "list", *args)}


def _state_ok(cli) -> None:
    """The task's past states as the writer keeps them agree with its history."""
    assert ": ok (" in cli("db", "check").stdout


# -- delete and restore -----------------------------------------------------------------


def test_a_deleted_task_leaves_every_list_and_report(seeded):
    kept = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    gone = add_task(seeded, "Rà soát (nhập trùng)", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "delete", str(gone), "--reason", "nhập trùng với nhiệm vụ 1")
    assert _ids(seeded, "--all") == {kept}
    assert _ids(seeded, "--all", "--as-of", "1/7/2024") == {kept}  # the past too
    assert {t["id"] for t in seeded.json("overdue", "--as-of", "1/7/2024")} == {kept}
    (row,) = seeded.json("status", "--as-of", "1/7/2024")["agencies"]
    assert (row["agency"], row["overdue"], row["total"]) == ("SCT", 1, 1)
    assert seeded.json("directive", "list")[0]["tasks"] == 1
    # ... but it is listed among the deleted, and shown.
    assert _ids(seeded, "--deleted") == {gone}
    task = _show(seeded, gone)
    assert task["deleted_on"] == _today()
    last = task["history"][-1]
    assert (last["action"], last["changes"], last["note"], last["effective"]) == (
        "delete", {"deleted": [None, _today()]}, "nhập trùng với nhiệm vụ 1", _today())
    plain = seeded("task", "show", str(gone), "--format", "plain").stdout
    assert f"Deleted on:    {_today()}: nhập trùng với nhiệm vụ 1\n" in plain
    assert "Deleted on" not in seeded("task", "show", str(kept), "--format", "plain").stdout
    assert f"deleted: - → {_today()}" in plain


def test_a_deleted_task_is_changed_by_nothing_but_a_restore(seeded, db_path):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "delete", str(task_id), "--reason", "nhầm")
    before = db_digest(db_path)
    refused = DELETED.format(id=task_id)
    for args in (("start",), ("done",), ("reopen",), ("cancel", "--reason", "x"),
                 ("note", "ghi chú"), ("extend", "--to", "31/12/2024", "--reason", "x"),
                 ("edit", "--title", "Việc khác"), ("edit", "--key", "9")):
        assert seeded.fails("task", args[0], str(task_id), *args[1:]) == f"Error: {refused}"
    assert "already deleted" in seeded.fails("task", "delete", str(task_id), "--reason", "x")
    assert db_digest(db_path) == before


def test_restore_brings_the_task_back_as_it_was(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "-s", "STC", "--due", "30/6/2024")
    seeded("task", "done", str(task_id), "--on", "20/6/2024")
    before = _show(seeded, task_id)
    assert "is not deleted" in seeded.fails("task", "restore", str(task_id))
    assert "must not be empty" in seeded.fails("task", "delete", str(task_id), "--reason", " ")
    seeded("task", "delete", str(task_id), "--reason", "nhầm")
    result = seeded("task", "restore", str(task_id), "--note", "không nhầm")
    assert f"Restored task {task_id}" in result.stderr
    after = _show(seeded, task_id)
    assert _as_it_stands(after) == _as_it_stands(before)
    last = after["history"][-1]
    assert (last["action"], last["changes"], last["note"]) == (
        "restore", {"deleted": [_today(), None]}, "không nhầm")
    assert _ids(seeded, "--all") == {task_id} and _ids(seeded, "--deleted") == set()
    seeded("task", "reopen", str(task_id))  # changed again as any task
    _state_ok(seeded)


def test_deleting_and_restoring_are_an_admins(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT"))
    seeded.become("lan", "staff")
    if seeded.register.engine == "postgresql":
        assert "admin role" in seeded.fails("task", "delete", task_id, "--reason", "x",
                                            code=5)
        seeded.become("hoa", "admin")
    seeded("task", "delete", task_id, "--reason", "nhầm")
    seeded.become("lan", "staff")
    if seeded.register.engine == "postgresql":
        assert "admin role" in seeded.fails("task", "restore", task_id, code=5)
        # Undoing a deletion is a restore: an admin's as well.
        assert "admin role" in seeded.fails("task", "undo", task_id, code=5)
        seeded.become("hoa", "admin")
    seeded("task", "restore", task_id)
    assert _show(seeded, task_id)["deleted_on"] is None


# -- undo -------------------------------------------------------------------------------


def test_undo_a_backdated_completion_corrects_past_reports(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024")
    seeded("task", "start", str(task_id), "--on", "1/6/2024")
    before = _show(seeded, task_id)
    seeded("task", "done", str(task_id), "--on", "20/6/2024")
    assert seeded.json("overdue", "--as-of", "1/7/2024") == []
    result = seeded("task", "undo", str(task_id), "--note", "chưa xong, báo nhầm")
    assert result.stderr == (f"Undid the done of task {task_id}, with effect from 2024-06-20: "
                             "status: done → in_progress; completed_on: 2024-06-20 → -.\n")
    after = _show(seeded, task_id)
    assert _as_it_stands(after) == _as_it_stands(before)
    done, undo = after["history"][-2:]
    assert (undo["action"], undo["undoes"], undo["effective"], undo["note"]) == (
        "undo", done["id"], "2024-06-20", "chưa xong, báo nhầm")
    assert undo["changes"] == {"status": ["done", "in_progress"],
                               "completed_on": ["2024-06-20", None]}
    # The reports of the past are right: it was never done.
    (overdue,) = seeded.json("overdue", "--as-of", "1/7/2024")
    assert (overdue["id"], overdue["days_overdue"]) == (task_id, 1)
    (row,) = seeded.json("status", "--as-of", "25/6/2024")["agencies"]
    assert (row["done_on_time"], row["due_soon"]) == (0, 1)
    assert _show(seeded, task_id, "--as-of", "25/6/2024")["status"] == "in_progress"
    plain = seeded("task", "show", str(task_id), "--format", "plain").stdout
    assert "undo (of the done of " in plain
    _state_ok(seeded)


def test_undo_an_extension(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024")
    before = _show(seeded, task_id)
    seeded("task", "extend", str(task_id), "--to", "31/7/2024", "--reason", "chờ",
           "--on", "25/6/2024")
    seeded("task", "undo", str(task_id))
    after = _show(seeded, task_id)
    assert _as_it_stands(after) == _as_it_stands(before)
    assert (after["due"], after["original_due"]) == ("2024-06-30", "2024-06-30")
    assert after["history"][-1]["changes"] == {"due": ["2024-07-31", "2024-06-30"]}
    assert after["history"][-1]["effective"] == "2024-06-25"
    assert after["history"][-1]["note"] is None
    assert task_id in {t["id"] for t in seeded.json("overdue", "--as-of", "1/7/2024")}
    _state_ok(seeded)


def test_undo_a_correction_of_lead_and_supporters(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "-s", "STC", "-s", "SXD")
    before = _show(seeded, task_id)
    seeded("task", "edit", str(task_id), "--lead", "STC", "--on", "1/6/2024")
    seeded("task", "edit", str(task_id), "--support", "SKHDT", "--on", "1/6/2024")
    assert (_show(seeded, task_id)["lead"], _show(seeded, task_id)["support"]) == (
        "STC", ["SKHDT"])
    seeded("task", "undo", str(task_id))
    assert _show(seeded, task_id)["support"] == ["SXD"]
    assert _ids(seeded, "--agency", "SKHDT", "--as-of", "2/7/2024") == set()
    seeded("task", "undo", str(task_id))
    after = _show(seeded, task_id)
    assert _as_it_stands(after) == _as_it_stands(before)
    assert after["history"][-1]["changes"] == {"lead": ["STC", "SCT"],
                                               "support": [["SXD"], ["STC", "SXD"]]}
    assert _ids(seeded, "--lead", "SCT", "--as-of", "15/6/2024") == {task_id}
    assert _ids(seeded, "--agency", "STC", "--as-of", "15/6/2024") == {task_id}
    _state_ok(seeded)


def test_undo_a_note(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT")
    seeded("task", "note", str(task_id), "đã họp")
    seeded("task", "note", str(task_id), "nhầm nhiệm vụ", "--on", "1/6/2024")
    assert _show(seeded, task_id)["latest_note"] == "nhầm nhiệm vụ"
    result = seeded("task", "undo", str(task_id))
    assert result.stderr == (f"Undid the note of task {task_id}, with effect from "
                             "2024-06-01.\n")
    task = _show(seeded, task_id)
    note, undo = task["history"][-2:]
    assert (undo["action"], undo["changes"], undo["undoes"], undo["effective"]) == (
        "undo", {}, note["id"], "2024-06-01")
    assert task["latest_note"] == "đã họp"  # the note undone is no note
    seeded("task", "undo", str(task_id))
    assert _show(seeded, task_id)["latest_note"] is None


def test_undo_a_deletion_and_a_restore(seeded):
    task_id = add_task(seeded, "Việc", "-l", "SCT")
    seeded("task", "delete", str(task_id), "--reason", "nhầm")
    seeded("task", "undo", str(task_id))
    task = _show(seeded, task_id)
    assert task["deleted_on"] is None and _ids(seeded) == {task_id}
    assert task["history"][-1]["changes"] == {"deleted": [_today(), None]}
    # A deletion undone is no longer to undo; a restore undone deletes again.
    assert "no change left to undo" in seeded.fails("task", "undo", str(task_id))
    seeded("task", "delete", str(task_id), "--reason", "nhầm thật")
    seeded("task", "restore", str(task_id))
    seeded("task", "undo", str(task_id))
    assert _show(seeded, task_id)["deleted_on"] == _today()
    assert _ids(seeded, "--deleted") == {task_id}
    assert seeded.fails("task", "note", str(task_id), "x") == \
        f"Error: {DELETED.format(id=task_id)}"
    seeded("task", "undo", str(task_id))  # then the deletion
    assert _show(seeded, task_id)["deleted_on"] is None


def test_repeated_undos_walk_back_to_the_task_as_created(seeded):
    task_id = str(add_task(seeded, "Việc cũ", "-l", "SCT", "-s", "STC", "--due", "30/6/2024",
                           "--key", "a"))
    created = _show(seeded, task_id)
    seeded("task", "start", task_id)
    seeded("task", "note", task_id, "đang làm", "--on", "10/5/2024")
    seeded("task", "extend", task_id, "--to", "31/7/2024", "--reason", "chờ",
           "--on", "20/6/2024")
    seeded("task", "edit", task_id, "--title", "Việc mới", "--key", "b", "--lead", "SXD")
    seeded("task", "done", task_id)
    seeded("task", "undo", task_id)
    assert _show(seeded, task_id)["status"] == "in_progress"
    seeded("task", "undo", task_id)
    task = _show(seeded, "2029/UBND-KTTH#a")
    assert (task["title"], task["lead"], task["support"]) == ("Việc cũ", "SCT", ["STC"])
    seeded("task", "undo", task_id)
    assert _show(seeded, task_id)["due"] == "2024-06-30"
    assert _ids(seeded, "--as-of", "1/7/2024", "--category", "overdue") == {int(task_id)}
    seeded("task", "undo", task_id)
    assert _show(seeded, task_id)["latest_note"] is None
    seeded("task", "undo", task_id)
    assert _as_it_stands(_show(seeded, task_id)) == _as_it_stands(created)
    assert "no change left to undo" in seeded.fails("task", "undo", task_id)
    history = _show(seeded, task_id)["history"]
    assert [h["action"] for h in history] == (
        ["created", "start", "note", "extend", "edit", "done"] + ["undo"] * 5)
    ids = [h["id"] for h in history]
    assert [h["undoes"] for h in history[6:]] == ids[5:0:-1]
    _state_ok(seeded)


def test_undo_refusals(seeded, db_path):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    assert seeded.fails("task", "undo", task_id) == (
        f"Error: task {task_id} has no change left to undo; a task entered by mistake is "
        f"deleted with 'clusterctl task delete {task_id} --reason TEXT'")
    # An assignment moved with its directive's issue date is corrected there.
    seeded("directive", "edit", "2029/UBND-KTTH", "--issued", "2/5/2024")
    before = db_digest(db_path)
    error = seeded.fails("task", "undo", task_id)
    assert "cannot be undone" in error
    assert "'clusterctl directive edit 2029/UBND-KTTH --issued DATE'" in error
    assert db_digest(db_path) == before
    assert "no task with id 99" in seeded.fails("task", "undo", "99")
    # A field no longer as the change left it (written by another program) is not put back.
    seeded("task", "edit", task_id, "--title", "Việc (sửa)")
    seeded.register.sql("UPDATE task SET title = ? WHERE id = ?", ("Khác", int(task_id)))
    assert "its title is no longer what the edit left it" in seeded.fails(
        "task", "undo", task_id)


def test_undos_walk_back_across_changes_of_a_field_on_different_days(seeded):
    """A change undone and its undo stand in the way of no earlier-dated change: undoing
    again walks back to the change before, whatever its day."""
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "-s", "STC", "--due", "30/6/2024"))
    seeded("task", "extend", task_id, "--to", "31/7/2024", "--reason", "1", "--on", "1/6/2024")
    seeded("task", "extend", task_id, "--to", "31/8/2024", "--reason", "2", "--on", "1/7/2024")
    seeded("task", "undo", task_id)
    seeded("task", "undo", task_id)
    assert _show(seeded, task_id)["due"] == "2024-06-30"
    for day in ("15/6/2024", "15/7/2024"):
        assert _show(seeded, task_id, "--as-of", day)["due"] == "2024-06-30", day
    seeded("task", "start", task_id, "--on", "1/5/2024")
    seeded("task", "done", task_id, "--on", "25/7/2024")
    seeded("task", "undo", task_id)
    seeded("task", "undo", task_id)  # the start, dated before the completion undone
    assert _show(seeded, task_id, "--as-of", "1/8/2024")["status"] == "open"
    # A due date corrected now takes effect from the task's assignment: the extensions
    # undone never set it.
    seeded("task", "edit", task_id, "--due", "29/6/2024")
    assert _show(seeded, task_id)["history"][-1]["effective"] == "2024-04-22"
    assert _show(seeded, task_id, "--as-of", "15/6/2024")["due"] == "2024-06-29"


def test_db_check_agrees_after_undos_across_days(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seeded("task", "extend", task_id, "--to", "31/7/2024", "--reason", "1", "--on", "1/6/2024")
    seeded("task", "extend", task_id, "--to", "31/8/2024", "--reason", "2", "--on", "1/7/2024")
    seeded("task", "undo", task_id)
    seeded("task", "undo", task_id)
    _state_ok(seeded)


def test_undo_of_a_key_refuses_a_key_taken_since(seeded):
    first = str(add_task(seeded, "Một", "-l", "SCT", "--key", "1"))
    seeded("task", "edit", first, "--key", "1a")
    add_task(seeded, "Hai", "-l", "SCT", "--key", "1")
    error = seeded.fails("task", "undo", first)
    assert "already has a task '1'" in error


# -- task edit --key and --due ----------------------------------------------------------


def test_edit_key(seeded, db_path):
    first = add_task(seeded, "Một", "-l", "SCT")
    second = add_task(seeded, "Hai", "-l", "SCT")
    seeded("task", "edit", str(second), "--key", "2a")
    task = _show(seeded, "2029/UBND-KTTH#2a")
    assert task["id"] == second
    assert task["history"][-1]["changes"] == {"key": ["2", "2a"]}
    assert "key: 2 → 2a" in seeded("task", "show", str(second), "--format", "plain").stdout
    before = db_digest(db_path)
    assert "already has a task '1'" in seeded.fails("task", "edit", str(second), "--key", "1")
    assert "must not contain spaces" in seeded.fails("task", "edit", str(second), "--key", "a b")
    assert "nothing to change" in seeded.fails("task", "edit", str(second), "--key", "2a")
    assert db_digest(db_path) == before
    seeded("task", "edit", str(first), "--key", "2")  # free again
    assert _show(seeded, "2029/UBND-KTTH#2")["id"] == first


def test_a_corrected_due_date_takes_effect_from_the_day_it_was_set(seeded):
    task_id = str(add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024"))
    seeded("task", "edit", task_id, "--due", "31/5/2024", "--note", "gõ nhầm")
    task = _show(seeded, task_id)
    assert (task["due"], task["original_due"]) == ("2024-05-31", "2024-05-31")
    last = task["history"][-1]
    assert (last["effective"], last["note"]) == ("2024-04-22", "gõ nhầm")  # its assignment
    # The past is corrected: it was overdue on 5 June.
    assert _ids(seeded, "--category", "overdue", "--as-of", "5/6/2024") == {int(task_id)}
    assert _show(seeded, task_id, "--as-of", "1/5/2024")["due"] == "2024-05-31"
    # Once extended, a corrected due date takes effect from the extension's day.
    seeded("task", "extend", task_id, "--to", "31/7/2024", "--reason", "chờ", "--on", "1/6/2024")
    seeded("task", "edit", task_id, "--due", "30/7/2024", "--title", "Việc (sửa)")
    task = _show(seeded, task_id)
    assert (task["due"], task["original_due"]) == ("2024-07-30", "2024-05-31")
    due_edit, title_edit = task["history"][-2:]
    assert (due_edit["effective"], due_edit["changes"]) == (
        "2024-06-01", {"due": ["2024-07-31", "2024-07-30"]})
    # The other corrections made with it take effect today, as ever.
    assert (title_edit["effective"], title_edit["changes"]) == (
        _today(), {"title": ["Việc", "Việc (sửa)"]})
    assert _show(seeded, task_id, "--as-of", "15/6/2024")["due"] == "2024-07-30"
    # With --on, from that day.
    seeded("task", "edit", task_id, "--due", "29/7/2024", "--on", "1/7/2024")
    task = _show(seeded, task_id)
    assert task["history"][-1]["effective"] == "2024-07-01"
    assert _show(seeded, task_id, "--as-of", "15/6/2024")["due"] == "2024-07-30"
    _state_ok(seeded)


# -- directive edit ---------------------------------------------------------------------


def test_directive_edit_corrects_and_records(seeded, db_path):
    task_id = add_task(seeded, "Việc", "-l", "SCT")
    before = db_digest(db_path)
    assert "nothing to change: give" in seeded.fails("directive", "edit", "2029/UBND-KTTH")
    assert "is already so" in seeded.fails("directive", "edit", "2029/UBND-KTTH",
                                           "--issued", "22/4/2024")
    seeded("directive", "add", "15/CT-UBND", "--issued", "1/1/2024", "--title", "Chỉ thị")
    taken = db_digest(db_path)
    assert "already exists" in seeded.fails("directive", "edit", "2029/UBND-KTTH",
                                            "--number", "15/ct-ubnd")
    assert "no directive numbered" in seeded.fails("directive", "edit", "1/X", "--title", "T")
    assert db_digest(db_path) == taken != before
    result = seeded("directive", "edit", "2029/UBND-KTTH", "--number", "2029/UBND-KTTH-2",
                    "--title", "Tiêu đề đúng", "--issuer", "Phó Chủ tịch")
    assert result.stderr == "Directive 2029/UBND-KTTH-2 changed: number, issuer, title.\n"
    shown = seeded.json("directive", "show", "2029/ubnd-ktth-2")
    assert (shown["number"], shown["title"], shown["issuer"]) == (
        "2029/UBND-KTTH-2", "Tiêu đề đúng", "Phó Chủ tịch")
    (entry,) = shown["history"]
    assert (entry["actor"], entry["action"], entry["effective"]) == ("tester", "edit", _today())
    assert entry["changes"] == {
        "number": ["2029/UBND-KTTH", "2029/UBND-KTTH-2"],
        "issuer": ["Chủ tịch UBND tỉnh Bắc Giang", "Phó Chủ tịch"],
        "title": ["Tăng cường công tác quản lý, phát triển cụm công nghiệp", "Tiêu đề đúng"]}
    assert _show(seeded, "2029/UBND-KTTH-2#1")["id"] == task_id
    plain = seeded("directive", "show", "2029/UBND-KTTH-2", "--format", "plain").stdout
    assert "\nHistory\n" in plain
    assert "tester  edit  number: 2029/UBND-KTTH → 2029/UBND-KTTH-2; issuer:" in plain
    # A number differing only in case or diacritics is a correction too.
    seeded("directive", "edit", "2029/UBND-KTTH-2", "--number", "2029/ubnd-ktth-2")
    assert seeded.json("directive", "show", "2029/UBND-KTTH-2")["number"] == "2029/ubnd-ktth-2"
    assert "History" not in seeded("directive", "show", "15/CT-UBND",
                                   "--format", "plain").stdout


def test_directive_edit_issued_moves_its_tasks(seeded, db_path):
    task_id = add_task(seeded, "Việc", "-l", "SCT", "--due", "30/6/2024")
    other = add_task(seeded, "Việc khác", "-l", "STC", "--due", "31/5/2024")
    seeded("task", "done", str(other), "--on", "8/5/2024")
    seeded("task", "note", str(task_id), "ghi", "--on", "3/5/2024")
    before = db_digest(db_path)
    # Not after a date of one of its tasks: a due date, a completion, a change's day.
    error = seeded.fails("directive", "edit", "2029/UBND-KTTH", "--issued", "1/6/2024")
    assert error == ("Error: directive 2029/UBND-KTTH cannot be issued on 2024-06-01: that "
                     "is after 2024-05-03, a date of its task '1'; correct that task first, "
                     "or give an earlier issue date")
    assert db_digest(db_path) == before
    seeded("task", "undo", str(task_id))  # the note; its day stays in the history
    assert "2024-05-03, a date of its task '1'" in seeded.fails(
        "directive", "edit", "2029/UBND-KTTH", "--issued", "4/5/2024", "--title", "T")
    seeded("directive", "add", "15/CT", "--issued", "1/1/2024", "--title", "Chỉ thị")
    seeded("task", "add", "-d", "15/CT", "-l", "SCT", "--due", "10/3/2024", "Việc sớm")
    assert "2024-03-10, a date of its task '1'" in seeded.fails(
        "directive", "edit", "15/CT", "--issued", "1/4/2024")
    assert seeded.json("directive", "show", "2029/UBND-KTTH")["history"] == []
    seeded("directive", "edit", "2029/UBND-KTTH", "--issued", "2/5/2024")
    task = _show(seeded, task_id)
    assert task["assigned_on"] == "2024-05-02"
    assert task["history"][-1]["changes"] == {"assigned_on": ["2024-04-22", "2024-05-02"]}
    assert _ids(seeded, "--all", "--as-of", "1/5/2024", "-d", "2029/UBND-KTTH") == set()
    assert _ids(seeded, "--all", "--as-of", "2/5/2024", "-d", "2029/UBND-KTTH") == {
        task_id, other}
    (entry,) = seeded.json("directive", "show", "2029/UBND-KTTH")["history"]
    assert entry["changes"] == {"issued": ["2024-04-22", "2024-05-02"]}
    # Earlier is always possible.
    seeded("directive", "edit", "2029/UBND-KTTH", "--issued", "1/4/2024")
    assert _show(seeded, task_id)["assigned_on"] == "2024-04-01"
    assert _ids(seeded, "--all", "--as-of", "1/5/2024", "-d", "2029/UBND-KTTH") == {
        task_id, other}
    _state_ok(seeded)


def test_directive_edit_is_an_admins(seeded):
    seeded.become("lan", "staff")
    if seeded.register.engine == "postgresql":
        assert "admin role" in seeded.fails("directive", "edit", "2029/UBND-KTTH",
                                            "--title", "T", code=5)
        seeded.become("hoa", "admin")
    seeded("directive", "edit", "2029/UBND-KTTH", "--title", "T")
    (entry,) = seeded.json("directive", "show", "2029/UBND-KTTH")["history"]
    assert entry["actor"] == ("lan" if seeded.register.engine == "sqlite" else "hoa")
