"""Output: one helper per shape (rows, one record) serving every format.

``table`` is for people at a terminal (Rich, loaded only then). ``plain`` is for pipes, mail
and cron: aligned columns, no colour, no box drawing, nothing truncated or wrapped. ``json``
and ``csv`` are for scripts. Text from users is always shown literally: never read as Rich
markup, and control characters escaped so they cannot act on a terminal.
"""

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from clusterctl.i18n import _, ngettext
from clusterctl.text import UNSAFE, cell_width, escape_char, measured_by_len, safe


class Column:
    """A column of a table: its key, its header and how its cells read and lay out. (A plain
    class: a dataclass costs a millisecond of every command's start.)"""

    __slots__ = ("breakable", "fold", "get", "header", "key", "right", "wrap")

    def __init__(self, key: str, header: str, get: Callable[[dict], Any] | None = None, *,
                 right: bool = False, wrap: bool = False, breakable: bool = False,
                 fold: int | None = None) -> None:
        self.key = key
        self.header = header
        self.get = get  # default: row[key]
        self.right = right
        self.wrap = wrap  # free text (titles, names): wraps at words in a terminal table
        self.breakable = breakable  # whole words, but may wrap at spaces (a rate, its fraction)
        self.fold = fold  # when a terminal is too narrow, columns leave in this order

    def __repr__(self) -> str:
        return f"Column({self.key!r}, {self.header!r})"

    def reader(self) -> Callable[[dict], str]:
        """The column's text of a row (as :func:`display` shows its value), as a function of
        the row alone, with nothing to look up on the column: a table of 50,000 rows calls
        it for every cell."""
        get, key, str_ = self.get, self.key, str

        if get is None:
            def cell(row: dict) -> str:
                value = row.get(key)
                if value.__class__ is str_ and value and value.isprintable():
                    return value
                return display(value)
        else:
            def cell(row: dict) -> str:
                value = get(row)
                if value.__class__ is str_ and value and value.isprintable():
                    return value
                return display(value)
        return cell


def display(value: Any) -> str:
    """A value as one line of safe text: lists joined, None as '-'."""
    if value.__class__ is str:
        if value.isprintable():
            return value or "-"
        return safe(value)
    if value is None or value == []:
        return "-"
    if isinstance(value, list | tuple):
        return display(", ".join(str(v) for v in value))
    return str(value)  # numbers and dates: nothing to escape


def format_rate(row: dict, numerator: str, denominator: str, key: str) -> str:
    """A rate with what it divides (``98.6% (71/72)``), or a dash when there is nothing to
    divide by."""
    if row[key] is None:
        return "—"
    from clusterctl.words import VIETNAMESE

    share = f"{row[key] * 100:.1f}"
    if VIETNAMESE:
        share = share.replace(".", ",")  # a decimal comma, as Vietnamese write it
    return f"{share}% ({row[numerator]}/{row[denominator]})"


def local_time(instant: str) -> str:
    """A stored UTC instant (``2026-11-27T14:17:27Z``) as people read it: in the office time
    zone, to the minute (``2026-11-27 21:17``). JSON keeps the UTC form."""
    from datetime import datetime

    from clusterctl.config import office_tz
    from clusterctl.words import clock

    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return display(instant)
    return clock(moment.astimezone(office_tz()))


def local_day(instant: str) -> str | None:
    """The ISO date, in the office time zone, of a stored UTC instant."""
    from datetime import datetime

    from clusterctl.config import office_tz

    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return moment.astimezone(office_tz()).date().isoformat()


def pick_format(requested: str | None, out: IO[str] | None = None) -> str:
    """The requested format, else a table on a terminal and plain text elsewhere."""
    if requested:
        return requested
    stream = out or sys.stdout
    return "table" if stream.isatty() else "plain"


def to_json(value: Any, indent: int | None = 2) -> str:
    """JSON with non-ASCII text kept readable but terminal-unsafe characters escaped."""
    import json  # only JSON output needs it

    return escape_unsafe(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def escape_unsafe(text: str) -> str:
    """Escape as ``\\uXXXX`` what could act on a terminal, in JSON or TOML text.

    Both formats escape every control character inside strings, so a raw newline is layout;
    DEL, C1 controls and bidi overrides they leave raw, and ``\\uXXXX`` is valid in both.
    """
    return UNSAFE.sub(_json_escape, text)


def _json_escape(match) -> str:
    char = match.group()
    return char if char == "\n" else f"\\u{ord(char):04x}"


def emit_rows(
    rows: Iterable[dict], columns: Sequence[Column], format_: str, *,
    csv_fields: Sequence[str], title: str | None = None, empty: str | None = None,
    out: IO[str] | None = None, output: str | None = None, sheet: str | None = None,
) -> int:
    """Write ``rows`` in ``format_``; return how many there were.

    JSON is an array streamed row by row (``[]`` when empty); CSV has every field in
    ``csv_fields``; table and plain show ``columns``, and when there are no rows they write
    nothing on stdout and the ``empty`` message on stderr.
    """
    out = out or sys.stdout
    if format_ == "xlsx":
        return write_xlsx(output, [(sheet or "clusterctl", title or "", rows, columns,
                                    csv_fields)])
    if format_ == "json":
        return _emit_json(rows, out)
    if format_ == "csv":
        return _emit_csv(rows, csv_fields, out)
    getters = [column.reader() for column in columns]
    cells = [tuple([get(row) for get in getters]) for row in rows]
    if not cells:
        if empty:
            sys.stderr.write(safe(empty) + "\n")
        return 0
    if format_ == "table":
        _emit_table(cells, columns, title, out)
    elif format_ == "markdown":
        _emit_markdown(cells, columns, title, out)
    else:
        if title:
            out.write(safe(title) + "\n\n")
        _emit_plain([tuple(c.header for c in columns), *cells], columns, out)
    return len(cells)


# How a field is written in a spreadsheet; the rest are text.
FIELD_KINDS = {"id": "int", "due": "date", "original_due": "date", "completed_on": "date",
               "days_overdue": "int", "support": "list", "completion_rate": "percent",
               "on_time_rate": "percent", "total": "int", "done": "int", "fallen_due": "int",
               "done_on_time": "int", "done_late": "int", "overdue": "int", "due_soon": "int",
               "on_track": "int", "ongoing": "int", "cancelled": "int", "support_total": "int",
               "support_overdue": "int", "issued": "date"}


# Spreadsheet headers of the fields that no table column names.
FIELD_HEADERS = {"directive": _("Directive"), "key": _("Key"), "original_due": _("Original due"),
                 "status": _("Status"), "completed_on": _("Completed on"), "name": _("Name"),
                 "done": _("Done"), "fallen_due": _("Fallen due"),
                 "days_overdue": _("Days overdue"), "issuer": _("Issuer"),
                 "section": _("Section")}


def write_xlsx(path: str, tables: list[tuple[str, str, Iterable[dict], Sequence[Column],
                                             Sequence[str]]]) -> int:
    """Write each (sheet name, title, rows, columns, fields) as a sheet of the workbook at
    ``path``: every field, headed by its column's header where the table has one."""
    from clusterctl.spreadsheet import Sheet, SheetColumn, write_workbook
    from clusterctl.words import VIETNAMESE, human_codes

    sheets = []
    for name, title, rows, columns, fields in tables:
        if VIETNAMESE:  # statuses and categories by name; dates are the sheet's own
            rows = map(human_codes, rows)
        headers = FIELD_HEADERS | {column.key: column.header for column in columns}
        sheets.append(Sheet(
            name=name, title=title or None, rows=rows,
            columns=[SheetColumn(f, headers.get(f) or f, FIELD_KINDS.get(f, "text"))
                     for f in fields]))
    count = write_workbook(path, sheets)
    sys.stderr.write(safe(ngettext("Wrote {n} row to {file}.", "Wrote {n} rows to {file}.",
                                   count).format(n=count, file=path)) + "\n")
    return count


def _emit_json(rows: Iterable[dict], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write("[\n" if count == 0 else ",\n")
        out.write("  " + to_json(row, indent=None))
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def _emit_csv(rows: Iterable[dict], fields: Sequence[str], out: IO[str]) -> int:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(field)) for field in fields])
        count += 1
    return count


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    return UNSAFE.sub(_escape_but_layout, str(value))


def _escape_but_layout(match) -> str:
    """In CSV a note keeps its lines and tabs (the field is quoted); the rest is escaped."""
    char = match.group()
    return char if char in "\n\t" else escape_char(match)


def _emit_plain(lines: list[tuple[str, ...]], columns: Sequence[Column], out: IO[str]) -> None:
    """Aligned columns, two spaces apart. The last column, left-aligned, is not padded, so
    its width is never measured; where every cell of a column is measured by ``len()``
    (ASCII and Vietnamese text), each line is laid out by one format string."""
    last = len(columns) - 1
    measured = range(last + 1 if columns[last].right else last)
    widths, by_len = [], True
    for i in measured:
        cells = [line[i] for line in lines]
        if all(map(measured_by_len, cells)):
            widths.append(max(map(len, cells)))
        else:
            widths.append(max(map(cell_width, cells)))
            by_len = False
    if not by_len:
        _emit_plain_measured(lines, columns, widths, out)
        return
    fields = [f"{{{i}:{'>' if column.right else '<'}{widths[i]}}}" if i in measured
              else f"{{{i}}}" for i, column in enumerate(columns)]
    layout = "  ".join(fields).format
    for start in range(0, len(lines), 1000):  # written as it goes: lines not held twice
        out.write("\n".join([layout(*line).rstrip() for line in lines[start:start + 1000]])
                  + "\n")


def _emit_plain_measured(lines: list[tuple[str, ...]], columns: Sequence[Column],
                         widths: list[int], out: IO[str]) -> None:
    """As :func:`_emit_plain`, with text some of which is wider or narrower on a terminal
    than its length (CJK, emoji, combining marks): each cell padded by its width."""
    right = [column.right for column in columns]
    chunk = []
    for line in lines:
        parts = []
        for i, cell in enumerate(line):
            if i >= len(widths):
                parts.append(cell)
                continue
            pad = " " * (widths[i] - cell_width(cell))
            parts.append(pad + cell if right[i] else cell + pad)
        chunk.append("  ".join(parts).rstrip())
        if len(chunk) == 1000:  # write as we go: the lines are not held twice
            out.write("\n".join(chunk) + "\n")
            chunk = []
    if chunk:
        out.write("\n".join(chunk) + "\n")


def md_cell(text: str) -> str:
    """Text for a markdown table cell: pipes and markup characters escaped."""
    for char in "\\|*_`[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _emit_markdown(
    cells: list[tuple[str, ...]], columns: Sequence[Column], title: str | None, out: IO[str]
) -> None:
    if title:
        out.write(f"## {md_cell(safe(title))}\n\n")
    out.write("| " + " | ".join(md_cell(c.header) for c in columns) + " |\n")
    out.write("|" + "|".join("---:" if c.right else "---" for c in columns) + "|\n")
    for line in cells:
        out.write("| " + " | ".join(md_cell(cell) for cell in line) + " |\n")


def console(out: IO[str] | None = None):
    """A Rich console that never reads markup or guesses highlights in our data."""
    from rich.console import Console

    return Console(file=out or sys.stdout, highlight=False, markup=False, emoji=False)


def terminal_width(out: IO[str]) -> int:
    """The width to lay a table out in: COLUMNS, else the terminal's, else 80."""
    import os
    import shutil

    if os.environ.get("COLUMNS", "").isdigit():
        return max(20, int(os.environ["COLUMNS"]))
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size((80, 24)).columns


def _styles(out: IO[str]) -> dict:
    """Bold headers and a drawn rule on a colour terminal; plain text elsewhere."""
    import os

    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        "─".encode(encoding)
        rule = "─"
    except (UnicodeEncodeError, LookupError):
        rule = "-"
    colour = (out.isatty() and not os.environ.get("NO_COLOR")
              and os.environ.get("TERM") != "dumb")
    return {"rule": rule, "bold": ("\x1b[1m", "\x1b[0m") if colour else ("", "")}


def _emit_table(
    cells: list[tuple[str, ...]], columns: Sequence[Column], title: str | None, out: IO[str]
) -> None:
    from clusterctl.termtable import render, wrap

    width = terminal_width(out)
    lines = [*wrap(safe(title), width), ""] if title else []
    lines += render(cells, columns, width, **_styles(out))
    out.write("\n".join(lines) + "\n")


def emit_groups(groups: list[tuple[str, list[dict]]], columns: Sequence[Column],
                format_: str, *, title: str, out: IO[str] | None = None) -> int:
    """Rows under headings (table or markdown); a table's groups line up with each other."""
    from clusterctl.termtable import plan, render, wrap

    out = out or sys.stdout
    getters = [column.reader() for column in columns]
    cells = [[tuple([get(row) for get in getters]) for row in rows] for _heading, rows in groups]
    if format_ == "markdown":
        out.write(f"## {md_cell(safe(title))}\n")
        for (heading, _rows), group in zip(groups, cells, strict=True):
            out.write(f"\n### {md_cell(safe(heading))}\n\n")
            _emit_markdown(group, columns, None, out)
        return sum(len(group) for group in cells)
    width = terminal_width(out)
    layout = plan([cell for group in cells for cell in group], columns, width)
    lines = [*wrap(safe(title), width)]
    for (heading, _rows), group in zip(groups, cells, strict=True):
        lines += ["", *wrap(safe(heading), width), ""]
        lines += render(group, columns, width, layout=layout, **_styles(out))
    out.write("\n".join(lines) + "\n")
    return sum(len(group) for group in cells)


def emit_record(
    record: dict, fields: Sequence[tuple[str, str]], format_: str, *,
    sections: Sequence[tuple[str, list[str]]] = (), out: IO[str] | None = None,
) -> None:
    """Write one object: JSON as is; otherwise ``label: value`` lines, then sections."""
    out = out or sys.stdout
    if format_ == "json":
        out.write(to_json(record) + "\n")
        return
    if format_ == "csv":
        _emit_csv([record], [key for key, _label in fields], out)
        return
    width = max(cell_width(label) for _key, label in fields)
    # On a terminal, long values wrap under themselves and history lines under their start.
    room = terminal_width(out) if format_ == "table" else None
    for key, label in fields:
        value = record.get(key)
        texts = ([display(line.expandtabs(4)) for line in value.split("\n")]
                 if value.__class__ is str and "\n" in value else [display(value)])
        lines = _fit(texts, room - width - 3) if room else texts
        out.write(f"{label}:{' ' * (width - cell_width(label))}  "
                  + ("\n" + " " * (width + 3)).join(lines) + "\n")
    for heading, lines in sections:
        out.write(f"\n{safe(heading)}\n")
        for line in lines:
            if not room or cell_width(line) + 2 <= room:
                out.write(f"  {line}\n")
                continue
            indent = "  " + " " * (len(line) - len(line.lstrip(" ")))
            first, *rest = _fit([line.lstrip(" ")], room - len(indent) - 4)
            out.write(f"{indent}{first}\n" + "".join(f"{indent}    {part}\n" for part in rest))


def _fit(texts: list[str], width: int) -> list[str]:
    from clusterctl.termtable import wrap

    return [part for text in texts for part in wrap(text, max(width, 20))]
