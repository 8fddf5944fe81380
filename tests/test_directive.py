"""clusterctl directive add | list | show."""

from tests.conftest import add_task, db_digest


def test_directive_list(seeded):
    seeded("directive", "add", "15/CT-UBND", "--issued", "2025-01-10", "--title", "Chỉ thị")
    add_task(seeded, "Việc", "-l", "SCT")
    rows = seeded.json("directive", "list")
    assert [r["number"] for r in rows] == ["15/CT-UBND", "2029/UBND-KTTH"]  # newest first
    assert rows[1] == {
        "number": "2029/UBND-KTTH", "issued": "2024-04-22",
        "issuer": "Chủ tịch UBND tỉnh Bắc Giang",
        "title": "Tăng cường công tác quản lý, phát triển cụm công nghiệp", "tasks": 1, "open": 1,
    }
    plain = seeded("directive", "list", "--format", "plain").stdout.splitlines()
    assert plain[0].split() == ["Number", "Issued", "Tasks", "Open", "Title"]


def test_directive_show_with_tasks(seeded):
    first = add_task(seeded, "Rà soát", "-l", "SCT", "--due", "30/6/2024")
    shown = seeded.json("directive", "show", "2029/ubnd-ktth")
    assert shown["number"] == "2029/UBND-KTTH"
    assert [t["id"] for t in shown["tasks"]] == [first]
    plain = seeded("directive", "show", "2029/UBND-KTTH", "--format", "plain",
                   "--as-of", "1/7/2024").stdout
    assert "Issuer:  Chủ tịch UBND tỉnh Bắc Giang" in plain
    assert "overdue 1d" in plain


def test_directive_number_matches_without_diacritics(cli, db_path):
    cli("directive", "add", "123/QĐ-UBND", "--issued", "1/1/2024", "--title", "Quyết định")
    assert cli.json("directive", "show", "123/qd-ubnd")["number"] == "123/QĐ-UBND"
    before = db_digest(db_path)
    assert "already exists" in cli.fails(
        "directive", "add", "123/QD-UBND", "--issued", "1/1/2024", "--title", "X")
    assert db_digest(db_path) == before


def test_directive_errors(seeded, db_path):
    before = db_digest(db_path)
    assert "no directive numbered 'X/1'" in seeded.fails("directive", "show", "X/1")
    assert "must not contain '#'" in seeded.fails(
        "directive", "add", "1#2", "--issued", "1/1/2024", "--title", "T")
    assert "not a date that exists" in seeded.fails(
        "directive", "add", "9/UBND", "--issued", "30/2/2024", "--title", "T")
    assert "must not be empty" in seeded.fails(
        "directive", "add", "9/UBND", "--issued", "1/2/2024", "--title", " ")
    assert db_digest(db_path) == before
    seeded("directive", "add", "9/UBND", "--issued", "1/2/2024", "--title", "T")
    assert db_digest(db_path) != before


def test_directive_list_empty(cli):
    cli("init")
    assert cli.json("directive", "list") == []
    assert "No directives yet" in cli("directive", "list", "--format", "plain").stderr
