"""Correcting the register: a directive corrected."""

from tests.conftest import add_task, db_digest


def _today() -> str:
    from clusterctl.config import today

    return today().isoformat()


def _show(cli, task_id, *args) -> dict:
    return cli.json("task", "show", str(task_id), *args)


def _ids(cli, *args) -> set[int]:
    return {t["id"] for t in cli.json("task", "list", *args)}


def _state_ok(cli) -> None:
    """The task's past states as the writer keeps them agree with its history."""
    assert ": ok (" in cli("db", "check").stdout


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
