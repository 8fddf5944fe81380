"""Bad input at every entry point: exit 2, one line on stderr, and the data unchanged.

Together with the malformed files of tests/bad_imports (test_import.py), this is the corpus of
bad inputs. Each case runs against a database holding the 2029/UBND-KTTH example, whose every
table (history and metadata included) is digested before and after.
"""

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import db_digest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2029-UBND-KTTH.toml"
HUGE = "x" * 100_000

CASES = [
    # task add
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", "31/2/2024", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", "sometime", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", "", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", "2024-02-30", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "nowhere", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "-s", "nowhere", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "-s", "DOIT", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", ""),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "   "),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", HUGE),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "chuông \x07 reo"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "\u202egnp.exe"),
    ("task", "add", "-d", "no/such", "-l", "SCT", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--key", "a b", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--key", "1", "T"),
    ("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--key", "k" * 65, "T"),
    # task show and changes
    ("task", "show", "99999"),
    ("task", "show", "2029/UBND-KTTH#999"),
    ("task", "show", "no/such#1"),
    ("task", "show", "#"),
    ("task", "show", "abc"),
    ("task", "show", HUGE),
    ("task", "done", "99999"),
    ("task", "done", "1", "--on", "32/1/2024"),
    ("task", "done", "1", "--on", "+5d"),
    ("task", "extend", "1", "--to", "garbage", "--reason", "x"),
    ("task", "extend", "1", "--to", "1/1/2030", "--reason", ""),
    ("task", "cancel", "1", "--reason", "  "),
    ("task", "note", "1", ""),
    ("task", "note", "1", "y" * 30_000),
    ("task", "note", "1", "xoá màn hình \x1b[2J"),
    ("task", "start", "1"),
    ("task", "edit", "1"),
    ("task", "edit", "1", "--lead", "nowhere"),
    ("task", "edit", "1", "--title", ""),
    ("task", "edit", "1", "--support", "SCT"),
    # listing and reports
    ("task", "list", "--as-of", "2024-13-01"),
    ("task", "list", "--category", "soon"),
    ("task", "list", "--status", "finished"),
    ("task", "list", "--directive", "no/such"),
    ("overdue", "--as-of", "yesterday-ish"),
    ("overdue", "--agency", "nowhere"),
    ("status", "--directive", "no/such"),
    ("weekly", "--as-of", "31/4/2024"),
    ("status", "--format", "xml"),
    # agencies and directives
    ("agency", "add", "S C T", "Sở Công Thương"),
    ("agency", "add", "", "Tên"),
    ("agency", "add", "NEW", ""),
    ("agency", "add", "SCT", "Trùng mã"),
    ("agency", "add", "NEW", "Tên mới", "--alias", "DOIT"),
    ("agency", "add", "C" * 100, "Tên"),
    ("agency", "add", "NEW", "Tên \x1b[31mđỏ"),
    ("agency", "show", "nowhere"),
    ("directive", "add", "2029/UBND-KTTH", "--issued", "1/1/2024", "--title", "T"),
    ("directive", "add", "9/UBND", "--issued", "30/2/2024", "--title", "T"),
    ("directive", "add", "9#1", "--issued", "1/2/2024", "--title", "T"),
    ("directive", "add", "9/UBND", "--issued", "1/2/2024", "--title", ""),
    ("directive", "show", "no/such"),
    # files
    ("export", "--directive", "no/such"),
    ("export", "--format", "xml"),
    ("import", "/no/such/file.toml"),
]


@pytest.fixture
def loaded(cli, register, templates):
    """The example imported (once per run; each test works on its own copy)."""
    templates.copy("example", lambda cli: cli("import", str(EXAMPLE)), register)
    cli("task", "start", "1")  # so that "reopen 1" is refused: it is open, not done
    return cli


def test_the_corpus_is_large_enough():
    bad_files = list((Path(__file__).parent / "bad_imports").glob("*.toml"))
    assert len(CASES) + len(bad_files) >= 60


@pytest.mark.parametrize("args", CASES, ids=lambda args: " ".join(args)[:60])
def test_bad_argument_is_exit_2_one_line_and_changes_nothing(loaded, db_path, args):
    before = db_digest(db_path)
    error = loaded.fails(*args)
    assert len(error) < 2000  # a huge input is named, not echoed whole
    assert "\x1b" not in error and "\x07" not in error and "\u202e" not in error
    assert db_digest(db_path) == before


@pytest.mark.sqlite
def test_the_digest_sees_every_change(loaded, db_path):
    """The checks above could fail: a note (history only, which export leaves out), the
    metadata alone, and a reordering that keeps the same rows are each told apart."""
    before = db_digest(db_path)
    export = loaded("export", "--format", "json").stdout
    loaded("task", "note", "1", "ghi chú")
    noted = db_digest(db_path)
    assert noted != before
    assert loaded("export", "--format", "json").stdout == export  # export cannot see it
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO clusterctl_meta (name, value) VALUES ('x', 'y')")
    conn.commit()
    assert db_digest(db_path) not in (before, noted)
    conn.execute("DELETE FROM clusterctl_meta WHERE name = 'x'")
    conn.commit()
    assert db_digest(db_path) == noted  # the same rows again: the same digest
    conn.execute("VACUUM")  # every page rewritten, no row changed
    conn.close()
    assert db_digest(db_path) == noted


SQL_TEXT = ["'; DROP TABLE task; --", 'Robert"); DELETE FROM agency; --', "1 OR 1=1",
            "%' OR title LIKE '%", "\\' ; SELECT 1"]


@pytest.mark.parametrize("text", SQL_TEXT)
def test_sql_in_text_is_only_ever_data(loaded, text):
    loaded("agency", "add", "INJ", f"Cơ quan {text}", "--alias", f"a {text}")
    task_id = loaded("task", "add", "-d", "2029/UBND-KTTH", "-l", f"a {text}",
                     "--key", "k-inj", text).stdout.strip()
    loaded("task", "note", task_id, text)
    task = loaded.json("task", "show", task_id)
    assert (task["title"], task["lead"], task["history"][-1]["note"]) == (text, "INJ", text)
    assert [t["id"] for t in loaded.json("task", "list", "--search", text)] == [int(task_id)]
    assert len(loaded.json("task", "list")) == 16


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(
    lambda b: b.decode("latin-1"))))
def test_fuzzed_files_are_imported_or_refused_never_crash(loaded, db_path, tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data.encode("utf-8", "surrogatepass")
                     if isinstance(data, str) else data)
    before = db_digest(db_path)
    result = loaded("import", "--dry-run", str(path), code=None)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert db_digest(db_path) == before


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 40),
                               st.text(max_size=5)), min_size=1, max_size=4))
def test_mutated_example_is_imported_or_refused_never_crash(loaded, db_path, tmp_path, cuts):
    text = EXAMPLE.read_text(encoding="utf-8")
    for start, length, insert in cuts:
        start %= len(text)
        text = text[:start] + insert + text[start + length:]
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = db_digest(db_path)
    result = loaded("import", str(path), code=None)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert db_digest(db_path) == before
