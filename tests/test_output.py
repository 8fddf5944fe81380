"""What offices read and forward: mail text, spreadsheets, the pager, times, usage hints."""

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.test_terminal import in_terminal

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "province-2024.toml")
AS_OF = "31/12/2024"


@pytest.fixture
def province(cli):
    cli("import", EXAMPLE)
    return cli


@pytest.mark.parametrize("args", [["overdue"], ["overdue", "--by-lead"], ["status"],
                                  ["weekly"]])
def test_mail_is_78_columns_with_agencies_in_full(province, monkeypatch, args):
    monkeypatch.setenv("COLUMNS", "200")
    out = province(*args, "--as-of", AS_OF, "--format", "mail").stdout
    assert all(len(line) <= 78 for line in out.splitlines())
    assert "\x1b" not in out and "─" not in out
    assert "STNMT (Sở Tài nguyên và Môi trường)" in out
    if args[0] == "overdue":  # each task's facts, its title and its agencies
        assert "#9, 112/KL-UBND#3, due 2024-09-30, 92 days overdue" in out
        assert "Support: SCT (Sở Công Thương)" in out
    if args[0] == "status":
        assert "completion (done ÷ fallen due): 50.0% (2/4)" in out


def test_mail_and_xlsx_only_where_they_belong(province, tmp_path):
    assert "is for overdue, status and weekly" in province.fails("task", "list", "-f", "mail")
    assert "--output FILE.xlsx" in province.fails("overdue", "-f", "xlsx")
    assert "--output is for --format xlsx" in province.fails("status", "-o", "x.xlsx")
    assert "is for task list, overdue" in province.fails("agency", "list", "-f", "xlsx")


def test_overdue_xlsx_has_dates_numbers_and_text(province, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "overdue.xlsx"
    result = province("overdue", "--as-of", AS_OF, "-f", "xlsx", "-o", str(target))
    assert result.stdout == "" and f"Wrote 4 rows to {target}." in result.stderr
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "Overdue" and sheet.freeze_panes == "A3"
    header = [cell.value for cell in sheet[2]]
    assert header[:4] == ["ID", "Directive", "Key", "Title"]
    first = {h: cell for h, cell in zip(header, sheet[3], strict=True)}
    assert first["ID"].value == 9
    assert first["Due"].value.date() == date(2024, 9, 30)
    assert first["Due"].number_format == "dd/mm/yyyy"
    assert first["Days overdue"].value == 92
    assert first["Title"].value.startswith("Hướng dẫn chủ đầu tư")


def test_status_xlsx_rates_are_percentages(province, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "status.xlsx"
    province("status", "--as-of", AS_OF, "-f", "xlsx", "-o", str(target))
    sheet = openpyxl.load_workbook(target).active
    header = [cell.value for cell in sheet[2]]
    row = {h: cell for h, cell in zip(header, sheet[3], strict=True)}
    assert (row["Agency"].value, row["Done ÷ fallen due"].value) == ("STNMT", 0.5)
    assert row["Done ÷ fallen due"].number_format == "0.0%"


def test_overdue_by_lead_has_a_heading_per_agency(province, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = province("overdue", "--as-of", AS_OF, "--by-lead", "-f", "table").stdout
    assert "STNMT — Sở Tài nguyên và Môi trường: 2 overdue" in out
    assert "UBND-HUYEN — UBND các huyện, thành phố, thị xã: 1 overdue" in out
    markdown = province("overdue", "--as-of", AS_OF, "--by-lead", "-f", "markdown").stdout
    assert "### STC — Sở Tài chính: 1 overdue" in markdown


def test_limit(province):
    every = province.json("overdue", "--as-of", AS_OF)
    assert province.json("overdue", "--as-of", AS_OF, "--limit", "2") == every[:2]
    assert province.json("task", "list", "--all", "--limit", "0") == []


def test_times_are_shown_in_the_office_zone_to_the_minute(province):
    shown = province.json("task", "show", "1")
    stored = shown["created_at"]
    assert stored.endswith("Z")  # JSON keeps UTC
    local = datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")
    plain = province("task", "show", "1", "-f", "plain").stdout
    assert f"Created:       {local}\n" in plain
    assert f"  {local}  tester  created" in plain


def test_a_tall_table_goes_through_the_pager_on_a_terminal_only(province):
    env = dict(os.environ)
    pager = "sed 's/^/PAGED: /'"
    text = in_terminal(["task", "list", "--all"], 100, env, pager=pager, rows=10)
    assert "PAGED: ID" in text
    short = in_terminal(["agency", "list"], 100, env, pager=pager, rows=50)
    assert "PAGED" not in short  # it fits on the screen
    unpaged = in_terminal(["--no-pager", "task", "list", "--all"], 100, env, pager=pager,
                          rows=10)
    assert "PAGED" not in unpaged and "15/CT-UBND#1" in unpaged
    piped = subprocess.run([sys.executable, "-m", "clusterctl", "task", "list", "--all"],
                           env=env | {"CLUSTERCTL_PAGER": pager}, capture_output=True, text=True)
    assert "PAGED" not in piped.stdout


@pytest.mark.parametrize(("args", "says"), [
    (["task", "list", "--db", "x.db"], "--db is a global option: put it before the command"),
    (["overdue", "--no-pager"], "--no-pager is a global option"),
    (["task", "add", "-d", "15/CT-UBND", "-l", "SCT", "-Rà soát"],
     "put -- before the text"),
])
def test_usage_errors_name_the_fix(province, args, says):
    assert says in province.fails(*args)
    province("task", "add", "-d", "15/CT-UBND", "-l", "SCT", "--", "-Rà soát")


def test_shell_completion_through_the_installed_command(province):
    """What bash runs at each Tab, through clusterctl itself: values from the database."""
    def complete(words: str) -> list[str]:
        env = dict(os.environ, _CLUSTERCTL_COMPLETE="complete_bash", COMP_WORDS=words,
                   COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
        result = subprocess.run([sys.executable, "-m", "clusterctl"], env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0 and result.stderr == ""
        return result.stdout.split()

    assert complete("clusterctl task list --lead ST") == ["STC", "STNMT", "STTTT"]
    assert complete("clusterctl overdue --directive 1") == ["112/KL-UBND", "15/CT-UBND"]
    assert "15/CT-UBND#5" in complete("clusterctl task show 15/CT-UBND#")
    assert complete("clusterctl task list --status in") == ["in_progress"]
    help_text = province("--help").stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text


@pytest.mark.sqlite  # the README's crontab reads a database file
def test_the_readme_crontab_runs_in_cron_s_bare_environment(province, tmp_path):
    """Every line of the README's crontab, with only its variables and cron's PATH: the
    mails come out in UTF-8, at most 78 columns, with no colour codes."""
    import re
    import shutil

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    crontab = re.search(r"```crontab\n(.*?)```", readme, re.S).group(1)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"}
    jobs = []
    for line in crontab.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, _eq, value = line.partition("=")
            env[name] = value
        else:
            jobs.append(line.split(None, 5)[5])
    database = Path(env["CLUSTERCTL_DB"])
    env["CLUSTERCTL_DB"] = str(tmp_path / database.name)  # the office's register, here
    shutil.copy(os.environ["CLUSTERCTL_DB"], env["CLUSTERCTL_DB"])
    installed = str(Path(sys.executable).with_name("clusterctl"))
    assert len(jobs) == 2
    for job in jobs:
        command = job.replace("/opt/clusterctl/.venv/bin/clusterctl", installed)
        result = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True)
        assert result.returncode == 0, result.stderr
        text = result.stdout.decode("utf-8")
        assert text and "\x1b" not in text
        assert all(len(line) <= 78 for line in text.splitlines())
        assert "tính đến ngày" in text  # in Vietnamese, as the crontab says
