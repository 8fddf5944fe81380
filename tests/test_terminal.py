"""Tables as people see them: clusterctl in a real pseudo-terminal of a given window size.

At every width, every value of every row appears whole (ids, references, codes, dates, counts,
rates, statuses, every word of every title) and no line is wider than the terminal.
"""

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from clusterctl.text import cell_width

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = [60, 80, 100, 120, 200]
AS_OF = "31/12/2024"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TEXT = ("phương án phát triển cụm công nghiệp đã được phê duyệt bảo đảm đầy đủ thông tin "
        "tính khả thi đồng bộ thống nhất và không chồng lấn với các quy hoạch khác")
WORDS = TEXT.split()


def in_terminal(args: list[str], cols: int, env: dict, *, pager: str = "cat",
                rows: int = 50) -> str:
    """What a person sees: clusterctl run in a pseudo-terminal ``cols`` columns wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    environment = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment |= {"TERM": "xterm-256color", "CLUSTERCTL_PAGER": pager}
    process = subprocess.Popen([sys.executable, "-m", "clusterctl", *args], stdin=slave,
                               stdout=slave, stderr=slave, env=environment, close_fds=True)
    os.close(slave)
    out, deadline = b"", time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    assert process.wait(timeout=10) == 0
    return ANSI.sub("", out.decode("utf-8").replace("\r\n", "\n"))


def _long_titles(path: Path) -> Path:
    """Titles of about 300 characters, and tasks with many supporting agencies."""
    agencies = [("SCT", "Sở Công Thương"), ("SKHDT", "Sở Kế hoạch và Đầu tư"),
                ("STNMT", "Sở Tài nguyên và Môi trường"),
                ("BQL-KCN-BACGIANG-VA-BACNINH-2025", "Ban quản lý các khu công nghiệp")]
    text = "".join(f'[[agencies]]\ncode = "{c}"\nname = "{n}"\n\n' for c, n in agencies)
    # The longest code an agency may have (32), a long directive number, wide characters.
    text += ('[[directives]]\nnumber = "2029/UBND-KTTH-CNXD-NNMT-VX-2024"\n'
             'issued = 2024-04-22\ntitle = "Tăng cường quản lý cụm công nghiệp"\n\n')
    for key in range(1, 9):
        title = " ".join(WORDS[(key + i) % len(WORDS)] for i in range(70))[:300]
        if key == 7:
            title = "Rà soát 中文资料 ✅ và ⭐ " + title[:200]
        text += (f'[[directives.tasks]]\nkey = "{key}"\ntitle = "{title}"\n'
                 f'lead = "{agencies[key % 4][0]}"\nsupport = '
                 f'{json.dumps([c for c, _n in agencies if c != agencies[key % 4][0]])}\n'
                 f'due = 2024-{key + 4:02d}-15\n')
        text += 'status = "done"\ncompleted_on = 2024-06-01\n\n' if key == 8 else "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["province-2024", "long-titles"])
def register(request, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp(request.param)
    source = (ROOT / "examples" / "province-2024.toml" if request.param == "province-2024"
              else _long_titles(folder / "long.toml"))
    env = dict(os.environ, CLUSTERCTL_DB=str(folder / "t.db"), CLUSTERCTL_USER="lan")
    subprocess.run([sys.executable, "-m", "clusterctl", "import", str(source)], env=env,
                   check=True, capture_output=True)
    return env


def _json(env: dict, *args: str):
    return json.loads(subprocess.run([sys.executable, "-m", "clusterctl", *args, "-f", "json"],
                                     env=env, check=True, capture_output=True).stdout)


def _tokens(text: str) -> set[str]:
    return {word.strip(".,;:()") for word in text.split()}


def _check_width(text: str, cols: int) -> None:
    for line in text.splitlines():
        assert cell_width(line.rstrip()) <= cols, f"{cell_width(line)} > {cols}: {line!r}"


def _check_tasks(text: str, tasks: list[dict], *, extra: tuple[str, ...] = ()) -> None:
    have = _tokens(text)
    for task in tasks:
        values = {str(task["id"]), f"{task['directive']}#{task['key']}", task["lead"],
                  *task["support"], *(str(task[k]) for k in extra if task[k] is not None)}
        if task["due"]:
            values.add(task["due"])
        values |= _tokens(task["title"])
        assert values <= have, f"task {task['id']} lost {sorted(values - have)[:5]}"


@pytest.mark.parametrize("cols", WIDTHS)
def test_overdue_fits_and_keeps_every_value(register, cols):
    text = in_terminal(["overdue", "--as-of", AS_OF], cols, register)
    _check_width(text, cols)
    tasks = _json(register, "overdue", "--as-of", AS_OF)
    assert tasks
    _check_tasks(text, tasks, extra=("days_overdue",))


@pytest.mark.parametrize("cols", WIDTHS)
def test_task_list_fits_and_keeps_every_value(register, cols):
    text = in_terminal(["task", "list", "--all", "--as-of", AS_OF], cols, register)
    _check_width(text, cols)
    tasks = _json(register, "task", "list", "--all", "--as-of", AS_OF)
    _check_tasks(text, tasks)
    have = _tokens(text)
    for task in tasks:  # the timeliness: "overdue 92d", "done on time", "due soon"...
        shown = ({"overdue", f"{task['days_overdue']}d"} if task["days_overdue"] is not None
                 else set(task["category"].split("_")))
        assert shown <= have, f"task {task['id']} lost {shown - have}"


@pytest.mark.parametrize("cols", WIDTHS)
def test_status_fits_and_shows_every_count_and_both_rates(register, cols):
    text = in_terminal(["status", "--as-of", AS_OF], cols, register)
    _check_width(text, cols)
    have = _tokens(text)
    report = _json(register, "status", "--as-of", AS_OF)
    for row in report["agencies"]:
        assert row["agency"] in have
        for key, numerator, denominator in (("completion_rate", "done", "fallen_due"),
                                            ("on_time_rate", "done_on_time", "done")):
            if row[key] is not None:
                assert f"{row[key] * 100:.1f}%" in have
                assert f"{row[numerator]}/{row[denominator]}" in have
    header, _rule, rest = text.partition("──")
    widest = max(cell_width(row["agency"]) for row in report["agencies"])
    for label in ("Total", "Late", "Overdue", "Ongoing", "Cancelled"):
        # Every count as a column of its own at 80 columns (with codes of up to 10
        # characters, as offices use); else a count left out is named under the table.
        if cols >= 80 and widest <= 10:
            assert label in header
        else:
            assert label in header or label in rest.split("not shown at this width")[-1]


@pytest.mark.parametrize("cols", [60, 80, 120])
@pytest.mark.parametrize("args", [["overdue", "--by-lead"], ["weekly"], ["directive", "list"],
                                  ["agency", "list"], ["task", "show", "1"]])
def test_other_tables_fit(register, cols, args):
    text = in_terminal([*args, "--as-of", AS_OF] if args[0] in ("overdue", "weekly")
                       else args, cols, register)
    _check_width(text, cols)
    if args[0] == "overdue":
        _check_tasks(text, _json(register, "overdue", "--as-of", AS_OF),
                     extra=("days_overdue",))
