"""clusterctl import and export: validation, all or nothing, idempotence, round trips."""

import json
from pathlib import Path

import pytest

from tests.conftest import db_digest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "2029-UBND-KTTH.toml"
PROVINCE = ROOT / "examples" / "province-2024.toml"
BAD = Path(__file__).resolve().parent / "bad_imports"


def test_import_example_then_reimport_changes_nothing(cli, db_path):
    first = cli("import", str(EXAMPLE))
    assert "agencies: 6 added, 0 updated, 0 unchanged" in first.stderr
    assert "tasks: 15 added, 0 updated, 0 unchanged" in first.stderr
    tasks = cli.json("task", "list")
    assert len(tasks) == 15
    by_key = {t["key"]: t for t in tasks}
    assert by_key["1"]["lead"] == "SCT" and by_key["1"]["due"] == "2024-06-30"
    assert by_key["2"]["due"] == "2024-09-30"  # quý III/2024
    assert by_key["12"]["due"] is None and by_key["12"]["support"] == ["UBND-HUYEN"]
    before = db_digest(db_path)
    history_before = cli.json("task", "show", "1")["history"]
    second = cli("import", str(EXAMPLE))
    assert "tasks: 0 added, 0 updated, 15 unchanged" in second.stderr
    assert "agencies: 0 added, 0 updated, 6 unchanged" in second.stderr
    assert db_digest(db_path) == before
    assert cli.json("task", "show", "1")["history"] == history_before


def test_imported_task_history_names_who_and_which_file(cli):
    cli("import", str(EXAMPLE))
    (created,) = cli.json("task", "show", "2029/UBND-KTTH#1")["history"]
    assert (created["actor"], created["action"], created["source"]) == (
        "tester", "created", str(EXAMPLE))


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


BASE = """
[[agencies]]
code = "SCT"
name = "Sở Công Thương"

[[agencies]]
code = "SXD"
name = "Sở Xây dựng"

[[directives]]
number = "1/UBND"
issued = 2024-01-10
title = "Chỉ đạo"

  [[directives.tasks]]
  key = "1"
  title = "Việc một"
  lead = "SCT"
  due = "30/6/2024"

  [[directives.tasks]]
  key = "2"
  title = "Việc hai"
  lead = "SXD"
"""


def test_changed_fields_update_and_are_recorded(cli, db_path, tmp_path):
    cli("import", _write(tmp_path, "a.toml", BASE))
    changed = BASE.replace('title = "Việc một"', 'title = "Việc một (sửa)"').replace(
        'due = "30/6/2024"', 'due = "31/7/2024"\n  status = "done"\n  completed_on = 2024-07-20'
        '\n  note = "đã xong"')
    path = _write(tmp_path, "b.toml", changed)
    before = db_digest(db_path)
    dry = cli("import", path, "--dry-run")
    assert "tasks: 0 added, 1 updated, 1 unchanged" in dry.stderr
    assert "update task 1/UBND#1: title: Việc một → Việc một (sửa); due: 2024-06-30 → " \
           "2024-07-31; status: open → done; completed_on: - → 2024-07-20" in dry.stderr
    assert db_digest(db_path) == before  # the dry run wrote nothing
    cli("import", path)
    assert db_digest(db_path) != before
    task = cli.json("task", "show", "1")
    assert (task["title"], task["due"], task["original_due"], task["status"],
            task["completed_on"]) == ("Việc một (sửa)", "2024-07-31", "2024-06-30", "done",
                                      "2024-07-20")
    actions = [(h["action"], h["source"]) for h in task["history"]]
    assert actions == [("created", str(tmp_path / "a.toml")), ("extend", path),
                       ("import", path), ("import", path)]
    assert task["history"][1]["changes"] == {"due": ["2024-06-30", "2024-07-31"]}
    # The completion takes effect on its date; the rest on the day of the import.
    assert task["history"][2]["changes"] == {"status": ["open", "done"],
                                             "completed_on": [None, "2024-07-20"]}
    assert task["history"][2]["effective"] == "2024-07-20"
    assert task["history"][3]["changes"] == {"title": ["Việc một", "Việc một (sửa)"]}
    assert task["history"][3]["note"] == "đã xong"
    assert "tasks: 0 added, 0 updated, 2 unchanged" in cli("import", path).stderr


def test_extension_made_since_survives_reimport_of_the_original(cli, tmp_path):
    path = _write(tmp_path, "a.toml", BASE)
    cli("import", path)
    cli("task", "extend", "1", "--to", "31/12/2024", "--reason", "chờ kinh phí")
    cli("task", "done", "2", "--on", "1/3/2024")
    assert "tasks: 0 added, 0 updated, 2 unchanged" in cli("import", path).stderr
    assert cli.json("task", "show", "1")["due"] == "2024-12-31"
    assert cli.json("task", "show", "2")["status"] == "done"  # the file gives no status


def test_tasks_missing_from_the_file_are_listed_and_kept(cli, tmp_path):
    cli("import", _write(tmp_path, "a.toml", BASE))
    cli("task", "add", "-d", "1/UBND", "-l", "SCT", "Việc ba")
    shorter = BASE[: BASE.index("  [[directives.tasks]]\n  key = \"2\"")]
    result = cli("import", _write(tmp_path, "b.toml", shorter))
    assert "not in the files (left alone): 1/UBND#2, 1/UBND#3" in result.stderr
    assert len(cli.json("task", "list")) == 3


def test_note_only_change_is_recorded_once(cli, tmp_path):
    cli("import", _write(tmp_path, "a.toml", BASE))
    noted = BASE.replace('lead = "SXD"', 'lead = "SXD"\n  note = "đang triển khai"')
    path = _write(tmp_path, "b.toml", noted)
    assert "tasks: 0 added, 1 updated, 1 unchanged" in cli("import", path).stderr
    assert "tasks: 0 added, 0 updated, 2 unchanged" in cli("import", path).stderr
    history = cli.json("task", "show", "2")["history"]
    assert [(h["action"], h["note"]) for h in history] == [
        ("created", None), ("note", "đang triển khai")]


def test_directive_may_span_files_if_headers_agree(cli, db_path, tmp_path):
    part2 = """
[[directives]]
number = "1/UBND"
issued = 2024-01-10
title = "Chỉ đạo"

  [[directives.tasks]]
  key = "3"
  title = "Việc ba"
  lead = "SCT"
"""
    cli("import", _write(tmp_path, "a.toml", BASE), _write(tmp_path, "b.toml", part2))
    assert len(cli.json("task", "list")) == 3
    clash = part2.replace("Chỉ đạo", "Khác")
    before = db_digest(db_path)
    error = cli("import", _write(tmp_path, "a.toml", BASE), _write(tmp_path, "c.toml", clash),
                code=2).stderr
    assert "must agree with" in error and "a.toml:" in error
    assert db_digest(db_path) == before


def test_dry_run_on_no_database_creates_nothing(cli, db_path, tmp_path):
    result = cli("import", "--dry-run", _write(tmp_path, "a.toml", BASE))
    assert "everything would be added" in result.stderr
    assert "add task 1/UBND#1: Việc một" in result.stderr
    assert not db_path.exists()


# (file, text expected in the report, line expected in the report or None)
MALFORMED = [
    ("unterminated_string.toml", "is not valid TOML", 8),
    ("not_utf8.toml", "is not UTF-8", 4),
    ("empty.toml", "holds no [[agencies]] or [[directives]]", None),
    ("only_comment.toml", "holds no [[agencies]] or [[directives]]", None),
    ("unknown_top_key.toml", "directive: unknown key (did you mean 'directives'?)", 1),
    ("typo_key.toml", "directives[0].tasks[0] (key '1').tittle: unknown key (did you mean "
                      "'title'?)", 8),
    ("missing_lead.toml", "missing required key 'lead'", 6),
    ("wrong_types.toml", "directives[0].number: must be a string", 2),
    ("duplicate_toml_key.toml", "duplicate key", 3),
    ("duplicate_task_key.toml", "task key '1' is used twice in directive 1/UBND", 11),
    ("unknown_agency.toml", "lead: unknown agency 'So Cong Thuongg'; closest: SCT", 9),
    ("impossible_date.toml", "(number '1/UBND').issued: '31/2/2024' is not a date that exists", 3),
    ("completed_without_done.toml", "completed_on: is only allowed with status = \"done\"", 10),
    ("done_without_date.toml", "status is done, so completed_on is required", 6),
    ("bad_status.toml", "status: must be one of open, in_progress, done, cancelled", 10),
    ("future_completion.toml", "completed_on: completion date 2999-01-01 is in the future", 11),
    ("support_not_list.toml", "support: must be a list of strings", 10),
    ("lead_also_support.toml", "support: SCT is already the lead agency", 10),
    ("datetime_not_date.toml", "has a time of day; give a date only", 3),
    ("agency_code_with_space.toml", "agency code 'S C T' is not valid", 2),
    ("agency_alias_taken.toml", "'DOIT' names more than one agency: NEW, SCT", 1),
    ("empty_title.toml", "directives[0] (number '1/UBND').title: directive title must not be "
                         "empty", 4),
    ("tasks_not_tables.toml", "must be a table, not a string", 1),
    ("key_with_hash.toml", "task key '1#2' must not contain spaces or '#'", 7),
    ("deeply_nested.toml", "is not valid TOML", 1),
]


@pytest.mark.parametrize(("name", "expected", "line"), MALFORMED)
def test_malformed_file_is_reported_and_changes_nothing(cli, db_path, name, expected, line):
    cli("import", str(EXAMPLE))
    before = db_digest(db_path)
    path = BAD / name
    result = cli("import", str(path), code=2)
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    if line is not None:
        assert f"{path}:{line}:" in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("nothing was imported")
    assert db_digest(db_path) == before


def test_malformed_file_creates_no_database(cli, db_path):
    cli("import", str(BAD / "unknown_agency.toml"), code=2)
    assert not db_path.exists()  # no file, or (PostgreSQL) no tables


def test_every_problem_is_reported(cli, tmp_path):
    text = BASE.replace('lead = "SCT"', 'lead = "XYZ"').replace('lead = "SXD"', 'lead = "ABC"')
    text = text.replace('issued = 2024-01-10', 'issued = "30/2/2024"')
    result = cli("import", _write(tmp_path, "bad.toml", text), code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4
    assert "3 problems" in lines[-1]


def test_problem_lines_point_at_the_key(cli, tmp_path):
    path = _write(tmp_path, "bad.toml", BASE.replace('lead = "SXD"', 'lead = "Nowhere"'))
    error = cli("import", path, code=2).stderr
    line = BASE.splitlines().index('  lead = "SXD"') + 1
    assert f"{path}:{line}: directives[0].tasks[1] (key '2').lead: unknown agency" in error


def test_missing_file(cli, tmp_path):
    error = cli("import", str(tmp_path / "nope.toml"), code=2).stderr
    assert "nope.toml: cannot read it" in error


def test_export_toml_and_json(cli):
    cli("import", str(EXAMPLE))
    cli("task", "extend", "1", "--to", "31/12/2024", "--reason", "chờ")
    cli("task", "done", "4", "--on", "2024-07-30")
    toml_text = cli("export").stdout
    assert 'number = "2029/UBND-KTTH"' in toml_text
    assert "original_due = 2024-06-30" in toml_text
    data = json.loads(cli("export", "--format", "json").stdout)
    task4 = next(t for t in data["directives"][0]["tasks"] if t["key"] == "4")
    assert task4["status"] == "done" and task4["completed_on"] == "2024-07-30"


def test_export_round_trips_through_an_empty_database(cli, tmp_path, monkeypatch):
    cli("import", str(PROVINCE))
    exported = tmp_path / "export.toml"
    cli("export", "--output", str(exported))
    original = cli("export", "--format", "json").stdout
    monkeypatch.setenv("CLUSTERCTL_DB", str(tmp_path / "fresh.db"))
    cli("import", str(exported))
    assert cli("export", "--format", "json").stdout == original


def test_export_one_directive_with_its_agencies(cli):
    cli("import", str(PROVINCE))
    cli("import", str(EXAMPLE))
    data = json.loads(cli("export", "-d", "2029/UBND-KTTH", "-f", "json").stdout)
    assert [d["number"] for d in data["directives"]] == ["2029/UBND-KTTH"]
    assert {a["code"] for a in data["agencies"]} == {"SCT", "SKHDT", "STC", "SXD", "STNMT",
                                                      "UBND-HUYEN"}
    assert "no directive numbered" in cli.fails("export", "-d", "nope")


def test_export_on_missing_database(cli):
    cli.fails("export", code=3)


def test_reimport_of_unchanged_files_reads_nothing(cli, db_path, tmp_path, monkeypatch):
    path = _write(tmp_path, "a.toml", BASE)
    cli("import", path)
    cli("task", "add", "-d", "1/UBND", "-l", "SCT", "Việc ba")  # a write: the cache is stale
    calls = []
    import clusterctl.core.importer as importer

    real = importer.read_files
    monkeypatch.setattr(importer, "read_files", lambda *a: calls.append(1) or real(*a))
    second = cli("import", path)
    assert calls == [1]
    before = db_digest(db_path)
    third = cli("import", path)  # nothing written since the last import: not even parsed
    assert calls == [1]
    assert db_digest(db_path) == before  # not even the generation moved
    assert third.stderr == second.stderr
    assert "tasks: 0 added, 0 updated, 2 unchanged" in third.stderr
    assert "not in the files (left alone): 1/UBND#3" in third.stderr
    assert "tasks: 0 added, 0 updated, 2 unchanged" in cli("import", "--dry-run", path).stderr
    assert calls == [1]
    assert db_digest(db_path) == before


def test_reimport_of_an_unchanged_file_keeps_a_staff_change(cli, tmp_path):
    path = _write(tmp_path, "a.toml", BASE)
    cli("import", path)
    cli("task", "edit", "1", "--title", "Đổi tên")
    assert "tasks: 0 added, 0 updated, 2 unchanged" in cli("import", path).stderr
    assert cli.json("task", "show", "1")["title"] == "Đổi tên"


def test_fingerprint_counts_the_day_and_every_byte():
    from datetime import date

    from clusterctl.core.importcache import fingerprint

    files = [("a.toml", b"x = 1"), ("b.toml", b"y = 2")]
    same = fingerprint(files, date(2024, 1, 1))
    assert fingerprint(list(files), date(2024, 1, 1)) == same
    assert fingerprint(files, date(2024, 1, 2)) != same  # "+3d" means another date
    assert fingerprint([("a.toml", b"x = 1y = 2")], date(2024, 1, 1)) != same
    assert fingerprint(files[::-1], date(2024, 1, 1)) != same
    assert fingerprint([("a.toml", OSError("gone"))], date(2024, 1, 1)) is None


def test_created_entry_json_matches_the_generic_encoder():
    from datetime import date

    from hypothesis import given
    from hypothesis import strategies as st

    from clusterctl.core.taskwriter import changes_json, created_json

    @given(title=st.text(), lead=st.text(), support=st.lists(st.text(), max_size=3),
           due=st.none() | st.dates(), original=st.none() | st.dates(),
           completed=st.none() | st.dates(), status=st.sampled_from(["open", "done"]))
    def check(title, lead, support, due, original, completed, status):
        def iso(day: date | None):
            return day.isoformat() if day else None

        expected = {"title": [None, title], "lead": [None, lead], "support": [None, support],
                    "due": [None, iso(due)]}
        if original and original != due:
            expected["original_due"] = [None, iso(original)]
        expected["status"] = [None, status]
        if completed:
            expected["completed_on"] = [None, iso(completed)]
        written = created_json(title=title, lead=lead, support=support, due=due,
                               status=status, completed_on=completed, original_due=original)
        assert written == changes_json(expected)

    check()


def test_quick_path_agrees_with_the_full_checks():
    """The importer's fast path for ordinary task tables must accept only what the full
    checks accept, with the same result."""
    from datetime import date, datetime

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from clusterctl.core.importer import DirectiveIn, FileReader, Parsed, Where

    today = date(2024, 7, 1)
    texts = st.one_of(st.sampled_from(["1", "SCT", "Rà soát", " x", "x ", "", "a#b", "a b",
                                       "e\u0301", "\x1b[2J", "k" * 70]), st.text(max_size=8),
                      st.integers(0, 99))
    dates = st.one_of(st.dates(date(2024, 1, 1), date(2024, 12, 31)),
                      st.sampled_from(["30/6/2024", "thường xuyên", "31/2/2024"]),
                      st.just(datetime(2024, 1, 1, 8)), st.integers())
    tables = st.fixed_dictionaries(
        {"key": texts, "title": texts, "lead": texts},
        optional={"support": st.one_of(st.lists(texts, max_size=3), texts),
                  "due": dates, "original_due": dates,
                  "status": st.sampled_from(["open", "in_progress", "done", "cancelled",
                                             "finished", 3]),
                  "completed_on": dates, "note": texts, "tittle": texts})

    def run(table, quick: bool):
        parsed = Parsed()
        reader = FileReader("f.toml", "", parsed, today)
        if not quick:
            reader.quick_task = lambda table, where, issued: None
        # Issued in the middle of the dates drawn: due and completion dates fall either side.
        directive = DirectiveIn("1/UBND", date(2024, 4, 1), "", "T", Where("f.toml", ()))
        reader.task(dict(table), Where("f.toml", ("directives", 0, "tasks", 0)),
                    directive)
        tasks = [(t.key, t.title, t.lead, t.support, t.due, t.has_due, t.original_due,
                  t.status, t.completed_on, t.note, t.where.label) for t in directive.tasks]
        return tasks, [str(p) for p in parsed.problems]

    @settings(max_examples=400, deadline=None)
    @given(table=tables)
    def check(table):
        assert run(table, quick=True) == run(table, quick=False)

    check()


def test_new_lead_taken_from_the_supporters_stops_supporting(cli, tmp_path):
    text = BASE.replace('lead = "SXD"', 'lead = "SXD"\n  support = ["SCT"]')
    cli("import", _write(tmp_path, "a.toml", text))
    # A later file moves the lead to SCT and says nothing of supporters.
    cli("import", _write(tmp_path, "b.toml", BASE.replace('lead = "SXD"', 'lead = "SCT"')))
    task = cli.json("task", "show", "2")
    assert (task["lead"], task["support"]) == ("SCT", [])
    assert task["history"][-1]["changes"] == {"lead": ["SXD", "SCT"], "support": [["SCT"], []]}
