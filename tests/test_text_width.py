"""Terminal widths (clusterctl.text.cell_width): emoji, wide symbols and CJK take two columns,
combining marks none, ASCII and Vietnamese one each; plain columns line up with them."""

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from clusterctl.text import _NARROW, cell_width


@pytest.mark.parametrize(("text", "width"), [
    ("✅", 2), ("⭐", 2), ("🚧", 2), ("中文", 4), ("\u0301", 0), ("e\u0301", 1),
    ("", 0), ("abc", 3),
    ("Sở Kế hoạch và Đầu tư", 21),
    ("Tăng cường công tác quản lý — “cụm công nghiệp” …", 49),
    ("Sở ✅ 中文 a", 12),  # 2 + 1 + 2 + 1 + 4 + 1 + 1
    ("🚧 Công trường 🚧", 17),  # 2 + 1 + 4 + 1 + 6 + 1 + 2
    ("❤️", 2),  # a text symbol made an emoji by VS16
    ("👨\u200d👩\u200d👧", 2),  # one family, joined by ZWJ
    ("🇻🇳", 2),  # a flag: two regional indicators
    ("a\u200bb", 2),  # a zero-width space
    ("ｱｲ", 2), ("ＡＢ", 4),  # half-width and full-width forms
    ("각", 2),
])
def test_widths(text, width):
    assert cell_width(text) == width


def test_vietnamese_takes_its_length_in_either_form():
    text = "Rà soát, đánh giá tình hình thực hiện Chỉ thị số 15/CT-TTg ở các cụm"
    assert cell_width(text) == len(text)
    assert cell_width(unicodedata.normalize("NFD", text)) == len(text)  # marks take none
    everything = "".join(chr(c) for c in range(0x1EA0, 0x1EFA))  # the Vietnamese block
    assert cell_width(everything) == len(everything)


def test_a_control_character_counts_one_column_on_either_path():
    assert cell_width("a\tb") == 3
    assert cell_width("ở\tb") == 3
    assert cell_width("✅\x1b") == 3


def test_the_fast_path_is_only_for_what_takes_one_column():
    """Every character the fast path measures by len() takes one column for wcwidth too."""
    from wcwidth import width

    narrow = [chr(c) for c in range(0x20, 0x2100) if _NARROW.fullmatch(chr(c))]
    assert len(narrow) > 1000
    assert [ch for ch in narrow if width(ch) != 1] == []


def test_ascii_and_vietnamese_do_not_load_the_width_library():
    code = ("import sys; from clusterctl.text import cell_width; "
            "cell_width('Sở Công Thương — “Đầu tư” … 15/CT-TTg'); cell_width('ascii'); "
            "print('wcwidth' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent).stdout
    assert out.strip() == "False"


def display_column(prefix: str) -> int:
    """Where text after ``prefix`` starts, measured without wcwidth: Unicode's East Asian
    width (wide and full-width characters take two columns), combining marks none."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in prefix)


def test_plain_columns_line_up_with_wide_characters(cli):
    agencies = [("SCT", "Sở Công Thương ✅", "DOIT"), ("CN", "中文 Ban", "⭐ sao"),
                ("EM", "🚧 Công trường 🚧", "CT"), ("SXD", "Sở Xây dựng", "XD")]
    for code, name, alias in agencies:
        cli("agency", "add", code, name, "--alias", alias)
    lines = cli("agency", "list", "--format", "plain").stdout.splitlines()
    assert lines[0].split() == ["Code", "Name", "Aliases"]
    starts = {display_column(lines[0][:lines[0].index("Aliases")])}
    for code, name, alias in agencies:
        (line,) = [line for line in lines if line.startswith(code + " ")]
        assert name in line
        starts.add(display_column(line[:line.rindex(alias)]))
    assert len(starts) == 1, lines
