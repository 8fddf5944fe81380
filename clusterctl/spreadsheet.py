"""Reports as .xlsx workbooks, for users who forward them to their leaders.

Dates are real dates shown day first (dd/mm/yyyy), counts and shares are numbers, and text from
users is always a text cell, exactly as given: never read as a formula, a link or a number.
Characters that an .xlsx file cannot hold (C0 controls but tab and newline) are shown escaped,
as ``\\x1b``. Rows are streamed: a report of 100,000 rows is never held whole in memory.

The writer (XlsxWriter) is imported by :func:`write_workbook` only, so that start-up and the
everyday commands never load it.
"""

import math
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from clusterctl.errors import InputError
from clusterctl.files import replacing
from clusterctl.i18n import _
from clusterctl.text import cell_width, escape_char

KINDS = ("text", "date", "int", "percent", "list")
MIN_WIDTH, MAX_WIDTH = 8, 60  # a column's width from its content, in characters
MAX_ROWS = 1_048_576  # Excel's rows on one sheet, title and header included
MAX_TEXT = 32_767  # Excel's characters in one cell
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"

# What an .xlsx file cannot hold: XML 1.0 refuses C0 controls but tab, newline and carriage
# return, lone surrogates and U+FFFE/U+FFFF; a carriage return would come back as a newline or
# as Excel's own _x000D_ escape, so it is shown escaped like the others.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")

# Excel refuses these in a sheet's name, as it refuses a name over 31 characters or one that
# starts or ends with an apostrophe.
_NAME_FORBIDDEN = re.compile("[\\[\\]:*?/\\\\\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_NAME_MAX = 31
_RESERVED_NAMES = {"history"}  # Excel keeps this name for itself


@dataclass(frozen=True)
class SheetColumn:
    key: str  # the row dict's key
    header: str  # the header cell's text (already translated by the caller)
    kind: str = "text"  # "text" | "date" | "int" | "percent" | "list"
    width: int | None = None  # None: from the content, MIN_WIDTH to MAX_WIDTH characters

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}: one of {', '.join(KINDS)}")


@dataclass
class Sheet:
    name: str  # the tab's name; made acceptable to Excel by sheet_name()
    columns: list[SheetColumn]
    rows: Iterable[dict]  # may be a generator: read once, row by row
    title: str | None = None  # an optional first line above the table


def write_workbook(path: str, sheets: list[Sheet]) -> int:
    """Write the sheets to an .xlsx file at ``path``; return the number of data rows written.

    The file is written whole or not at all, readable by its owner only. Each sheet has its
    header row in bold and frozen (below the title, when there is one) with a filter on it.
    A missing value (None, absent from the row) is an empty cell.
    """
    import xlsxwriter  # here only: start-up and everyday commands must not load it
    from xlsxwriter.exceptions import FileCreateError, FileSizeError

    with replacing(path) as partial, tempfile.TemporaryDirectory(prefix="clusterctl-") as tmp:
        book = xlsxwriter.Workbook(str(partial), {
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "constant_memory": True, "tmpdir": tmp,
        })
        try:
            styles = _Styles(book)
            names: set[str] = set()
            written = 0
            for sheet in sheets:
                written += _write_sheet(book, sheet, styles, names)
            book.close()
        except FileCreateError as exc:  # an OSError inside, which replacing() words clearly
            error = exc.args[0] if exc.args else None
            raise error if isinstance(error, OSError) else OSError(str(exc)) from None
        except FileSizeError:
            raise InputError(_("cannot write {file}: too large for an .xlsx file").format(
                file=path)) from None
        finally:
            if not book.fileclosed:  # failed midway: let go of the sheets' scratch files
                for worksheet in book.worksheets():
                    handle = getattr(worksheet, "row_data_fh", None)
                    if handle is not None and not handle.closed:
                        handle.close()
    return written


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """``name`` as Excel accepts it for a tab: ``[]`` become ``()``, the other forbidden
    characters (``:*?/\\``, controls) ``-``; at most 31 characters, no apostrophe at either
    end, never empty, and none of ``taken`` (casefolded: Excel ignores case), to which " (2)",
    " (3)"... is added."""
    name = _NAME_FORBIDDEN.sub(_name_char, name).strip(" '") or "Sheet"
    taken = {*taken, *_RESERVED_NAMES}
    candidate, number = _fit(name, ""), 1
    while candidate.casefold() in taken:
        number += 1
        candidate = _fit(name, f" ({number})")
    return candidate


def _name_char(match: re.Match[str]) -> str:
    return {"[": "(", "]": ")"}.get(match.group(), "-")


def _fit(name: str, suffix: str) -> str:
    return name[:_NAME_MAX - len(suffix)].rstrip(" '") + suffix


class _Styles:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                       "bottom": 1})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.date = book.add_format({"num_format": DATE_FORMAT, "valign": "top"})
        self.percent = book.add_format({"num_format": PERCENT_FORMAT, "valign": "top"})
        self.number = book.add_format({"valign": "top"})
        self.text = self.number


def _write_sheet(book: Any, sheet: Sheet, styles: _Styles, names: set[str]) -> int:
    name = sheet_name(sheet.name, names)
    names.add(name.casefold())
    ws = book.add_worksheet(name)
    columns = sheet.columns
    row_no = 0
    if sheet.title:
        _put_text(ws, 0, 0, _clean(sheet.title), styles.title)
        row_no = 1
    header_row = row_no
    widths = [MIN_WIDTH] * len(columns)
    for col, column in enumerate(columns):
        header = _clean(column.header)
        _put_text(ws, header_row, col, header, styles.header)
        widths[col] = max(widths[col], _width(header) + 2)  # room for the filter's button
    ws.freeze_panes(header_row + 1, 0)

    writers = [(column.key, _WRITERS[column.kind](ws, styles)) for column in columns]
    count = 0
    for row in sheet.rows:
        row_no += 1
        if row_no >= MAX_ROWS:
            raise InputError(_("too many rows for one sheet of a spreadsheet: {count} at most")
                             .format(count=f"{MAX_ROWS - header_row - 1:,}"))
        get = row.get
        for col, (key, write) in enumerate(writers):
            value = get(key)
            if value is None:
                continue
            width = write(row_no, col, value)
            if width > widths[col]:
                widths[col] = width
        count += 1

    for col, column in enumerate(columns):
        ws.set_column(col, col, column.width or min(widths[col] + 1, MAX_WIDTH))
    if columns:
        ws.autofilter(header_row, 0, row_no, len(columns) - 1)
    return count


def _clean(text: str) -> str:
    """Text that an .xlsx cell holds exactly: unwritable characters shown escaped, at most
    Excel's 32,767 characters (a longer text ends with an ellipsis)."""
    if not text.isprintable():
        text = _UNWRITABLE.sub(escape_char, text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "…"
    return text


def _width(text: str) -> int:
    """Columns the text takes: its longest line, a Vietnamese letter as one, a wide one as two."""
    if "\n" in text:
        return max(cell_width(line) for line in text.split("\n"))
    return cell_width(text)


def _put_text(ws: Any, row: int, col: int, text: str, style: Any) -> None:
    if text.startswith("<r>") and text.endswith("</r>"):
        # XlsxWriter's constant_memory mode copies such a string into the file as raw XML (it
        # takes it for a rich string it made), which would corrupt the file; written as a rich
        # string of plain fragments, it is escaped. A fragment ends at each underscore, so that
        # no _xHHHH_ is escaped twice (rich strings are passed through that escape again).
        fragments = [part for part in re.split("(?<=_)", text[2:]) if part]
        ws.write_rich_string(row, col, "<", "r", *fragments, style)
    else:
        ws.write_string(row, col, text, style)


def _text_writer(ws: Any, styles: _Styles) -> Callable[[int, int, Any], int]:
    wrap, plain = styles.wrap, styles.text

    def write(row: int, col: int, value: Any) -> int:
        text = value if value.__class__ is str else str(value)
        if not text:
            return 0
        text = _clean(text)
        long = len(text) > MAX_WIDTH or "\n" in text
        _put_text(ws, row, col, text, wrap if long else plain)
        return _width(text) if len(text) <= 4 * MAX_WIDTH or "\n" in text else MAX_WIDTH

    return write


def _list_writer(ws: Any, styles: _Styles) -> Callable[[int, int, Any], int]:
    text = _text_writer(ws, styles)

    def write(row: int, col: int, value: Any) -> int:
        if isinstance(value, list | tuple):
            value = ", ".join(item if item.__class__ is str else str(item) for item in value)
        return text(row, col, value)

    return write


def _date_writer(ws: Any, styles: _Styles) -> Callable[[int, int, Any], int]:
    style = styles.date

    def write(row: int, col: int, value: Any) -> int:
        if value.__class__ is str:
            if not value:
                return 0
            value = (date.fromisoformat(value) if len(value) <= 10
                     else datetime.fromisoformat(value).date())
        elif isinstance(value, datetime):
            value = value.date()
        elif not isinstance(value, date):
            raise TypeError(f"a date column holds an ISO date, a date or None, not {value!r}")
        ws.write_datetime(row, col, value, style)
        return 10

    return write


def _number_writer(style_of: Callable[[_Styles], Any], what: str,
                   shown: Callable[[Any], str]) -> Callable:
    """A writer of numbers in ``style_of(styles)``; ``shown`` gives the width they take.
    A value that is no finite number (NaN: a share of nothing) is left empty, like None."""

    def writer(ws: Any, styles: _Styles) -> Callable[[int, int, Any], int]:
        style = style_of(styles)

        def write(row: int, col: int, value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{what}, not {value!r}")
            if isinstance(value, float) and not math.isfinite(value):
                return 0
            ws.write_number(row, col, value, style)
            return len(shown(value))

        return write

    return writer


_int_writer = _number_writer(lambda styles: styles.number,
                             "an int column holds numbers or None", str)
_percent_writer = _number_writer(lambda styles: styles.percent,
                                 "a percent column holds a share (0..1) or None",
                                 lambda value: f"{value:.1%}")


_WRITERS: dict[str, Callable[[Any, _Styles], Callable[[int, int, Any], int]]] = {
    "text": _text_writer, "list": _list_writer, "date": _date_writer,
    "int": _int_writer, "percent": _percent_writer,
}
