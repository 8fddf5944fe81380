"""Tiếng Việt: the catalogue is whole and compiled, a Vietnamese office sees no English, and
scripts see no difference. The language is chosen once per process, so these tests run
clusterctl as a process, with CLUSTERCTL_LANG or the locale variables set."""

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from clusterctl.i18n import choose_language

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "province-2024.toml"
# Words of the English interface that a Vietnamese office must never see.
ENGLISH = ("Title", "Lead", "Due", "Support", "Status", "Timeliness", "Directive", "Task",
           "Tasks", "Error", "Usage", "Options", "Commands", "History", "Created", "Updated",
           "Version", "Total", "Agency", "Issued", "Number", "Weekly", "Overdue", "overdue",
           "done", "open", "cancelled", "in_progress", "on time", "late", "as of", "days",
           "Added", "Imported", "agencies", "directives", "tasks", "added", "updated",
           "unchanged", "Noted", "note", "Show this message", "Missing", "No such")
ENGLISH_WORD = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w-])")


def english_in(text: str) -> list[str]:
    """The interface's English words in ``text`` (command and option names, which people
    type, are not words: ``clusterctl task show``, ``--format``, ``overdue --as-of``)."""
    text = re.sub(r"'clusterctl [^']*'|--[\w-]+|clusterctl [a-z ]+", " ", text)
    return sorted(set(ENGLISH_WORD.findall(text)))


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The example imported into a database of its own, and how to run clusterctl on it in
    either language."""
    folder = tmp_path_factory.mktemp("vi")
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("LC_", "LANG", "CLUSTERCTL_"))}
    base.update(CLUSTERCTL_DB=str(folder / "vi.db"), CLUSTERCTL_USER="lan",
                CLUSTERCTL_TZ="Asia/Ho_Chi_Minh", HOME=str(folder), CLUSTERCTL_PAGER="cat")

    def run(*args: str, lang: str | None = "vi", code: int | None = 0, cwd=ROOT, **env):
        environ = dict(base, **env)
        if lang:
            environ["CLUSTERCTL_LANG"] = lang
        result = subprocess.run([sys.executable, "-m", "clusterctl", *args], env=environ,
                                capture_output=True, text=True, cwd=cwd)
        assert code is None or result.returncode == code, (args, result.stdout, result.stderr)
        return result

    run("import", str(EXAMPLE), lang="en")
    run.folder = folder
    return run


# -- the catalogue -----------------------------------------------------------------------


def test_every_message_has_a_vietnamese_translation():
    from clusterctl.catalog import read_po, template, untranslated

    missing = untranslated(read_po(), template())
    assert missing == [], f"{len(missing)} messages without Vietnamese: {missing[:10]}"


def test_the_shipped_mo_is_compiled_from_the_po():
    from babel.messages.mofile import read_mo

    from clusterctl.catalog import MO, compiled, read_po

    def messages(data: bytes) -> dict:
        def plain(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {plain(m.id): plain(m.string) for m in read_mo(io.BytesIO(data)) if m.id}

    shipped = messages(MO.read_bytes())
    assert shipped == messages(compiled(read_po())), (
        "the .mo is older than its .po: run 'python -m clusterctl.catalog compile'")


def test_the_root_help_lists_the_commands_as_they_are():
    # `clusterctl --help` lists each command from cli/listing.py, written by the catalogue's
    # compile step from the commands' help and the .po: it must say what they say.
    from clusterctl import catalog

    assert catalog.LISTING.read_text(encoding="utf-8") == catalog.listing(catalog.read_po()), (
        "cli/listing.py is older than the commands' help: run 'python -m clusterctl.catalog "
        "compile'")


def test_translations_keep_every_placeholder():
    from clusterctl.catalog import read_po

    field = re.compile(r"\{[^{}]*\}")
    for message in read_po():
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, list | tuple) else (message.id,)
        strings = (tuple(message.string) if isinstance(message.string, list | tuple)
                   else (message.string,))
        for string in strings:
            assert set(field.findall(string)) <= set(field.findall(ids[-1])) and set(
                field.findall(ids[-1])) - {"{n}"} <= set(field.findall(string)), ids[0]


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"), ({"LANG": "vi_VN.UTF-8"}, "vi"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LANGUAGE": "vi:en", "LANG": "en_US.UTF-8"}, "vi"),
    ({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
    ({"LC_MESSAGES": "vi_VN"}, "vi"),
    ({"CLUSTERCTL_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"),
    ({"CLUSTERCTL_LANG": "vi", "LANG": "C"}, "vi"),
])
def test_the_language_is_chosen_as_documented(environ, expected):
    assert choose_language(environ) == expected


# -- what a Vietnamese office sees ----------------------------------------------------------


def test_the_readme_tour_in_vietnamese_has_no_english(province, tmp_path):
    """Every ``$ clusterctl`` sample of the README, in order, on a new database, in a folder
    of its own (a sample's ``--db FILE`` lands there) where ``examples/`` is the project's."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    lines = (ROOT / "README.md").read_text(encoding="utf-8").split("\n")
    commands, index = [], 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith("$ clusterctl "):
            while line.endswith("\\"):
                line = line[:-1] + " " + lines[index].strip()
                index += 1
            # A sample that shows a refusal: its output is an error line.
            refused = index < len(lines) and lines[index].startswith("Error: ")
            commands.append((line[len("$ clusterctl "):], refused))
    assert len(commands) >= 15
    env = {"CLUSTERCTL_DB": str(tmp_path / "tour.db")}
    for command, refused in commands:
        args = shlex.split(command.replace(
            "\"$(printf 'Đã tổng hợp 8/10 huyện.\\nCòn Lục Nam, Sơn Động.')\"",
            "'Đã tổng hợp 8/10 huyện.\nCòn Lục Nam, Sơn Động.'"))
        result = province(*args, **env, code=None, cwd=tmp_path)
        assert (result.returncode != 0) == refused, (command, result.stderr)
        if "csv" in args:  # a machine format: English on purpose
            continue
        assert english_in(result.stdout + result.stderr) == [], (command, result.stdout,
                                                                 result.stderr)


@pytest.mark.parametrize("command", [("overdue",), ("overdue", "--by-lead"), ("status",),
                                     ("weekly",)])
@pytest.mark.parametrize("fmt", ["table", "plain", "markdown", "mail"])
def test_each_report_in_each_human_format(province, command, fmt):
    out = province(*command, "--as-of", "31/12/2024", "--format", fmt).stdout
    assert english_in(out) == [], out
    assert "31/12/2024" in out and "2024-12-31" not in out  # day first, as people write
    if command[0] == "status":
        assert "66,7%" in out and "66.7%" not in out  # a decimal comma
    if command[0] != "status" and (command[0], fmt) != ("weekly", "plain"):
        assert "tính đến ngày 31/12/2024" in out  # (weekly plain: one task a line)


def test_reports_as_a_spreadsheet_speak_vietnamese(province):
    from openpyxl import load_workbook

    path = province.folder / "vi.xlsx"
    province("task", "list", "--all", "--as-of", "31/12/2024", "--format", "xlsx",
             "--output", str(path))
    sheet = load_workbook(path).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert english_in(" ".join(cells)) == [], cells[:40]
    assert "đang thực hiện" in cells and "hoàn thành" in cells


def test_task_show_and_history(province):
    province("task", "extend", "9", "--to", "31/1/2025", "--reason", "Chờ số liệu",
             "--on", "20/12/2024")
    out = province("task", "show", "9", "--as-of", "31/12/2024").stdout
    assert english_in(out) == [], out
    assert "Thời hạn:" in out and "31/01/2025" in out and "Lịch sử" in out
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}  lan  gia hạn  có hiệu lực từ ngày "
                     r"20/12/2024  thời hạn: 30/09/2024 → 31/01/2025", out), out


def test_usage_errors_help_and_click_s_own_words(province):
    error = province("task", "lst", code=2).stderr
    assert error.startswith("Lỗi: ") and error.count("\n") == 1 and english_in(error) == []
    missing = province("task", "extend", "9", code=2).stderr
    assert missing.startswith("Lỗi: ") and english_in(missing) == [], missing
    for args in (("--help",), ("task", "--help"), ("task", "list", "--help")):
        out = province(*args).stdout
        assert out.startswith("Cách dùng: ") and "Hiện hướng dẫn này rồi thoát." in out
        body = out.split("\n", 1)[1]  # the usage line holds Click's [OPTIONS]
        assert english_in(re.sub(r"^  [a-z]+ ", "", body, flags=re.M)) == [], out


def test_values_are_typed_in_either_language(province):
    ids = {}
    for value in ("in_progress", "in-progress", "đang thực hiện", "dang-thuc-hien",
                  "DANG THUC HIEN"):
        out = province("task", "list", "--status", value, "--format", "json").stdout
        ids[value] = [t["id"] for t in json.loads(out)]
    assert len({tuple(v) for v in ids.values()}) == 1 and ids["in_progress"]
    found = []
    for value in ("overdue", "quá hạn", "qua-han"):
        out = province("task", "list", "-c", value, "--as-of", "31/12/2024", "-f", "json")
        found.append([(t["id"], t["category"]) for t in json.loads(out.stdout)])
    assert found[0] and found[0] == found[1] == found[2]
    assert {category for _id, category in found[0]} == {"overdue"}
    error = province("task", "list", "-c", "trễ", code=2).stderr
    assert "'trễ'" in error and "quá hạn" in error


def test_scripts_see_no_difference(province):
    for args in (("task", "list", "--all", "--format", "json"),
                 ("task", "list", "--all", "--format", "csv"),
                 ("overdue", "--as-of", "31/12/2024", "--format", "json"),
                 ("status", "--as-of", "31/12/2024", "--format", "csv"),
                 ("weekly", "--as-of", "31/12/2024", "--format", "json"),
                 ("task", "show", "5", "--format", "json")):
        vietnamese, english = province(*args).stdout, province(*args, lang="en").stdout
        assert vietnamese == english, args
    rows = list(csv.DictReader(io.StringIO(province("task", "list", "--all", "-f",
                                                    "csv").stdout)))
    assert {"in_progress", "done"} <= {r["status"] for r in rows}


def test_the_locale_alone_chooses_and_clusterctl_lang_wins(province):
    vi = province("overdue", "--as-of", "31/12/2024", lang=None, LANG="vi_VN.UTF-8").stdout
    assert vi.startswith("Nhiệm vụ quá hạn tính đến ngày 31/12/2024")
    en = province("overdue", "--as-of", "31/12/2024", lang="en", LANG="vi_VN.UTF-8").stdout
    assert en.startswith("Overdue tasks as of 2024-12-31")


def test_a_cron_job_with_only_clusterctl_lang_mails_vietnamese(province):
    environ = {"PATH": "/usr/bin:/bin", "CLUSTERCTL_LANG": "vi", "LANG": "C.UTF-8",
               "CLUSTERCTL_DB": str(province.folder / "vi.db"),
               "CLUSTERCTL_TZ": "Asia/Ho_Chi_Minh"}
    result = subprocess.run([sys.executable, "-m", "clusterctl", "weekly", "--as-of",
                             "20/12/2024", "--format", "mail"], env=environ, cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert english_in(result.stdout) == [], result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 78


def test_english_plurals(province):
    out = province("overdue", "--as-of", "16/10/2024", "--format", "mail", lang="en").stdout
    assert "15/CT-UBND#5, due 2024-10-15, 1 day overdue" in out and "1 days" not in out
    assert "quá hạn 1 ngày" in province("overdue", "--as-of", "16/10/2024", "--format",
                                        "mail").stdout
    one = province("export", "-d", "15/CT-UBND", "-o", str(province.folder / "one.toml"),
                   lang="en")
    assert "Exported 1 directive to" in one.stderr
