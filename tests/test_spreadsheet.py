"""The .xlsx writer (clusterctl/spreadsheet.py), read back with openpyxl and as raw XML."""

import os
import re
import stat
import subprocess
import sys
import tracemalloc
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText

from clusterctl import spreadsheet
from clusterctl.errors import InputError
from clusterctl.spreadsheet import Sheet, SheetColumn, sheet_name, write_workbook

TRICKY = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "0123", "1e5", "30/06/2024",
          "TRUE", "http://example.com", "<r>a & b</r>", "<r>_x0041_</r>", "_x0041_ & <b>",
          " leading and trailing ", "=1+1\n=2+2"]
NFD = unicodedata.normalize("NFD", "Sở Kế hoạch")

COLUMNS = [
    SheetColumn("id", "Số", "int"),
    SheetColumn("title", "Nhiệm vụ"),
    SheetColumn("due", "Hạn", "date"),
    SheetColumn("rate", "Tỷ lệ đúng hạn", "percent"),
    SheetColumn("support", "Phối hợp", "list"),
]


def rows():
    """A generator, as the reports give: every kind, Vietnamese, tricky text, None, controls."""
    yield {"id": 1, "title": "Sở Kế hoạch và Đầu tư báo cáo", "due": "2024-06-30",
           "rate": 0.9862, "support": ["Sở Công Thương", "UBND huyện Đức Trọng"]}
    yield {"id": 2, "title": "esc \x1b[31m bell \x07 nul \x00 cr \r tab\tnew\nline",
           "due": date(2024, 12, 31), "rate": None, "support": None}
    yield {"id": None, "title": None, "due": None, "rate": 0.0, "support": []}
    yield {"id": 4, "title": NFD, "due": datetime(2025, 1, 2, 15, 30), "rate": 1.0}  # no support
    for number, text in enumerate(TRICKY, start=5):
        yield {"id": number, "title": text, "due": "1900-01-01", "rate": float("nan"),
               "support": [text, "B"]}


def text_of(cell):
    """A cell's text as Excel shows it: a rich text (written in fragments) joined."""
    value = cell.value
    return str(value) if isinstance(value, CellRichText) else value


@pytest.fixture
def book(tmp_path):
    target = tmp_path / "báo cáo.xlsx"
    count = write_workbook(str(target), [Sheet("Quá hạn: 1/UBND", COLUMNS, rows(),
                                               title="Overdue tasks as of 31/12/2024")])
    assert count == 4 + len(TRICKY)
    return target


def load(path):
    return openpyxl.load_workbook(path, rich_text=True)


def sheet_xml(path, number=1):
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


def test_kinds_are_written_as_real_cells(book):
    ws = load(book).worksheets[0]
    assert ws.title == "Quá hạn- 1-UBND"
    assert ws["A1"].value == "Overdue tasks as of 31/12/2024"
    assert [c.value for c in ws[2]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"  # title and header stay in view
    assert ws.auto_filter.ref == f"A2:E{2 + 4 + len(TRICKY)}"

    first, second, empty, fourth = ws[3], ws[4], ws[5], ws[6]
    assert first[0].value == 1 and first[0].data_type == "n"
    assert first[1].value == "Sở Kế hoạch và Đầu tư báo cáo"
    assert first[2].value == datetime(2024, 6, 30) and first[2].is_date
    assert first[2].number_format == "dd/mm/yyyy"
    assert first[3].value == pytest.approx(0.9862) and first[3].data_type == "n"
    assert first[3].number_format == "0.0%"
    assert first[4].value == "Sở Công Thương, UBND huyện Đức Trọng"
    assert second[2].value == datetime(2024, 12, 31)
    assert second[3].value is None and second[4].value is None
    assert [c.value for c in empty] == [None, None, None, 0.0, None]  # a share of 0 is 0.0%
    assert fourth[1].value == NFD  # as given: not normalised
    assert fourth[2].value == datetime(2025, 1, 2)  # a datetime keeps its date only
    assert fourth[4].value is None  # a key absent from the row: an empty cell


def test_control_characters_are_shown_escaped(book):
    ws = load(book).worksheets[0]
    assert ws["B4"].value == ("esc \\x1b[31m bell \\x07 nul \\x00 cr \\x0d tab\tnew\nline")
    assert ws["B4"].alignment.wrap_text  # a text of several lines wraps


def test_formula_looking_text_stays_text_exactly(book):
    ws = load(book).worksheets[0]
    for number, text in enumerate(TRICKY, start=7):
        cell = ws.cell(number, 2)
        assert (text_of(cell), cell.data_type) == (text, "s")
        assert text_of(ws.cell(number, 5)) == f"{text}, B"
        assert ws.cell(number, 4).value is None  # NaN: no share
        assert ws.cell(number, 3).value == datetime(1900, 1, 1)
    xml = sheet_xml(book)
    assert "<f>" not in xml and "<hyperlink" not in xml
    assert '<c r="B16" t="inlineStr">' in xml.replace(' s="', ' t="inlineStr" s="', 0) or \
        re.search(r'<c r="B16"[^>]* t="inlineStr"', xml)


def test_widths_follow_the_content_capped(tmp_path):
    target = tmp_path / "w.xlsx"
    long_text = "Triển khai " * 30
    columns = [SheetColumn("a", "Ngắn"), SheetColumn("b", "Cơ quan"), SheetColumn("c", "Dài"),
               SheetColumn("d", "Cố định", width=15), SheetColumn("e", "Hạn", "date")]
    data = [{"a": "x", "b": "Đ" * 20, "c": long_text, "d": "y" * 40, "e": "2024-01-01"}]
    write_workbook(str(target), [Sheet("W", columns, iter(data))])
    ws = load(target).worksheets[0]
    width = {letter: ws.column_dimensions[letter].width for letter in "ABCDE"}
    assert 8 <= width["A"] < 10  # the minimum
    assert 21 <= width["B"] < 23  # twenty Vietnamese letters: twenty columns, plus a margin
    assert 60 <= width["C"] < 61  # capped; the text wraps
    assert ws["C2"].alignment.wrap_text and not ws["B2"].alignment.wrap_text
    assert 15 <= width["D"] < 16  # as asked
    assert 10 <= width["E"] < 13
    assert ws.freeze_panes == "A2"  # no title: the header is the first row


def test_the_file_is_private_and_replaces_the_old_one_whole(tmp_path, book):
    assert stat.S_IMODE(book.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [book.name]
    assert zipfile.ZipFile(book).testzip() is None


def test_a_missing_folder_is_an_input_error_and_leaves_nothing(tmp_path):
    target = tmp_path / "missing" / "out.xlsx"
    with pytest.raises(InputError, match=r"cannot write .*out\.xlsx: No such file or directory"):
        write_workbook(str(target), [Sheet("S", COLUMNS, rows())])
    assert not target.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_removed_midway_is_an_input_error(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "r.xlsx"

    def vanishing():
        yield {"id": 1}
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        yield {"id": 2}

    with pytest.raises(InputError, match=r"cannot write .*r\.xlsx"):
        write_workbook(str(target), [Sheet("S", COLUMNS, vanishing())])
    assert not folder.exists()


def test_a_failing_row_source_keeps_the_old_file(tmp_path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")

    def broken():
        yield {"id": 1}
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="went away"):
        write_workbook(str(target), [Sheet("S", COLUMNS, broken())])
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_wrong_values_are_programming_errors(tmp_path):
    for column, value in [(SheetColumn("x", "X", "int"), "5"), (SheetColumn("x", "X", "int"), True),
                          (SheetColumn("x", "X", "percent"), "98%"),
                          (SheetColumn("x", "X", "date"), 20240630)]:
        with pytest.raises(TypeError):
            write_workbook(str(tmp_path / "t.xlsx"), [Sheet("S", [column], [{"x": value}])])
    with pytest.raises(ValueError, match="isoformat"):
        write_workbook(str(tmp_path / "t.xlsx"),
                       [Sheet("S", [SheetColumn("x", "X", "date")], [{"x": "30/06/2024"}])])
    with pytest.raises(ValueError, match="unknown column kind"):
        SheetColumn("x", "X", "money")
    assert list(tmp_path.iterdir()) == []


def test_too_many_rows_for_a_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 5)
    data = ({"id": n} for n in range(10))
    with pytest.raises(InputError, match=r"too many rows for one sheet.*: 4 at most"):
        write_workbook(str(tmp_path / "t.xlsx"), [Sheet("S", COLUMNS, data)])
    assert list(tmp_path.iterdir()) == []


def test_sheet_names_are_made_acceptable_to_excel(tmp_path):
    assert sheet_name("Nhiệm vụ: 1/UBND [quá hạn]") == "Nhiệm vụ- 1-UBND (quá hạn)"
    assert sheet_name("Báo cáo tuần của Sở Kế hoạch và Đầu tư tỉnh") == (
        "Báo cáo tuần của Sở Kế hoạch và")
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("") == sheet_name(" ' ") == "Sheet"
    assert sheet_name("*?") == "--"
    assert sheet_name("History") == "History (2)"
    assert sheet_name("Tổng hợp", {"tổng hợp"}) == "Tổng hợp (2)"
    assert len(sheet_name("x" * 40, {"x" * 31})) == 31

    target = tmp_path / "many.xlsx"
    one = [SheetColumn("id", "Số", "int")]
    count = write_workbook(str(target), [Sheet("Tổng hợp", one, [{"id": 1}]),
                                         Sheet("TỔNG HỢP", one, [{"id": 2}, {"id": 3}]),
                                         Sheet("a\x1bb", one, [])])
    assert count == 3
    assert load(target).sheetnames == ["Tổng hợp", "TỔNG HỢP (2)", "a-b"]


def test_loading_the_module_does_not_load_the_writer():
    probe = ("import sys, clusterctl.spreadsheet; "
             "print('xlsxwriter' in sys.modules, 'openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]


def _peak(count: int, tmp_path: Path) -> int:
    def many():
        for n in range(count):
            yield {"id": n, "title": f"Nhiệm vụ số {n} về chuyển đổi số của Sở Kế hoạch",
                   "due": "2024-06-30", "rate": n / count, "support": ["Sở A", "Sở B"]}

    tracemalloc.start()
    try:
        assert write_workbook(str(tmp_path / f"{count}.xlsx"),
                              [Sheet("S", COLUMNS, many())]) == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rows_are_streamed_not_held(tmp_path, figures):
    """Ten times the rows take no more memory: each row is written and let go."""
    small, large = _peak(1_000, tmp_path), _peak(10_000, tmp_path)
    figures(f"peak traced memory: 1,000 rows {small / 1e6:.1f} MB, "
            f"10,000 rows {large / 1e6:.1f} MB")
    assert large < small * 1.5 + 1_000_000


@pytest.mark.slow
def test_a_hundred_thousand_rows_from_a_generator(tmp_path, figures):
    large = _peak(100_000, tmp_path)
    figures(f"peak traced memory: 100,000 rows {large / 1e6:.1f} MB")
    assert large < 5_000_000  # the same rows held in a list would take 49 MB
    assert os.path.getsize(tmp_path / "100000.xlsx") > 1_000_000
