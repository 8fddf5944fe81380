"""Output: one helper per shape (rows, one record) serving every format.

``table`` is for people at a terminal (Rich, loaded only then). ``plain`` is for pipes, mail
and cron: aligned columns, no colour, no box drawing, nothing truncated or wrapped. ``json``
and ``csv`` are for scripts. Text from users is always shown literally: never read as Rich
markup, and control characters escaped so they cannot act on a terminal.
"""

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from clusterctl.text import UNSAFE, cell_width, escape_char, safe

FORMATS = ("table", "plain", "json", "csv", "markdown")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    get: Callable[[dict], Any] | None = None  # default: row[key]
    right: bool = False
    wrap: bool = False  # in a terminal table, this column (titles, names) takes the squeeze

    def text(self, row: dict) -> str:
        value = self.get(row) if self.get else row.get(self.key)
        if value.__class__ is str and value and value.isprintable():
            return value  # the common case, without another call
        return display(value)


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


def pick_format(requested: str | None, out: IO[str] | None = None) -> str:
    """The requested format, else a table on a terminal and plain text elsewhere."""
    if requested:
        return requested
    stream = out or sys.stdout
    return "table" if stream.isatty() else "plain"


def to_json(value: Any, indent: int | None = 2) -> str:
    """JSON with non-ASCII text kept readable but terminal-unsafe characters escaped."""
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
    out: IO[str] | None = None,
) -> int:
    """Write ``rows`` in ``format_``; return how many there were.

    JSON is an array streamed row by row (``[]`` when empty); CSV has every field in
    ``csv_fields``; table and plain show ``columns``, and when there are no rows they write
    nothing on stdout and the ``empty`` message on stderr.
    """
    out = out or sys.stdout
    if format_ == "json":
        return _emit_json(rows, out)
    if format_ == "csv":
        return _emit_csv(rows, csv_fields, out)
    getters = [column.text for column in columns]
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
    sizes = [tuple([len(cell) if cell.isascii() else cell_width(cell) for cell in line])
             for line in lines]
    widths = [max(column) for column in zip(*sizes, strict=True)]
    right = [column.right for column in columns]
    last = len(columns) - 1
    chunk = []
    for line, size in zip(lines, sizes, strict=True):
        parts = []
        for i, cell in enumerate(line):
            pad = " " * (widths[i] - size[i])
            if right[i]:
                parts.append(pad + cell)
            else:
                parts.append(cell if i == last else cell + pad)
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


def _emit_table(
    cells: list[tuple[str, ...]], columns: Sequence[Column], title: str | None, out: IO[str]
) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left")
    for index, column in enumerate(columns):
        # Short columns (codes, dates, counts) keep their width; long text wraps instead.
        widest = max([cell_width(column.header), *(cell_width(line[index]) for line in cells)])
        keep = not column.wrap and widest <= 14
        table.add_column(column.header, justify="right" if column.right else "left",
                         overflow="fold", no_wrap=keep, min_width=widest if keep else None)
    for line in cells:
        table.add_row(*(Text(cell) for cell in line))
    console(out).print(table)


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
    for key, label in fields:
        value = record.get(key)
        if value.__class__ is str and "\n" in value:  # a note of several lines
            value = ("\n" + " " * (width + 3)).join(display(line.expandtabs(4))
                                                     for line in value.split("\n"))
        else:
            value = display(value)
        out.write(f"{label}:{' ' * (width - cell_width(label))}  {value}\n")
    for heading, lines in sections:
        out.write(f"\n{safe(heading)}\n")
        for line in lines:
            out.write(f"  {line}\n")
