"""Tables for people at a terminal, at any width from 60 columns up.

No value is ever cut or split: ids, codes, dates, counts and statuses keep their width; only
free text (titles, names) wraps, at word boundaries, and a rate may put its fraction on a
second line. When the terminal is too narrow for every column, the least important ones
leave the table in a fixed order (each column's ``fold`` rank): they are written under the
row's free text (``Support: SKHDT, SXD``), or, in a table without free text, left out and
named below it. Columns are separated by two spaces (one when that makes everything fit),
and the header is underlined by a rule: no box drawing.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from clusterctl.i18n import _
from clusterctl.text import cell_width

MIN_TEXT = 14  # free text narrower than this (or a quarter of the width) is hard to read


@dataclass
class Layout:
    shown: list[int]  # the columns in the table, by index
    widths: dict[int, int]
    folded: list[int]  # written under the free text of each row
    dropped: list[int]  # left out (a table without free text)
    gap: int


def _longest_word(text: str) -> int:
    return max((cell_width(w) for w in text.split()), default=0)


def plan(cells: Sequence[Sequence[str]], columns: Sequence, width: int) -> Layout:
    """Choose the columns shown and their widths for a terminal ``width`` columns wide."""
    count = len(columns)
    natural = [max([cell_width(c[i]) for c in cells] or [0]) for i in range(count)]
    header = [_longest_word(column.header) for column in columns]
    word = [max([_longest_word(c[i]) for c in cells] or [0]) for i in range(count)]

    least_text = max(MIN_TEXT, width // 4)
    shown = list(range(count))
    text_column = next((i for i in shown if columns[i].wrap), None)
    folded: list[int] = []
    dropped: list[int] = []

    def least(i: int) -> int:
        column = columns[i]
        if column.wrap:  # folded values are written under it: their codes stay whole too
            return max(header[i], min(natural[i], least_text),
                       *(word[j] + 2 for j in folded))
        if column.breakable:
            return max(header[i], word[i])
        return max(header[i], natural[i])

    def rank(i: int) -> float:
        """When a column leaves: its fold rank; as a last resort any other column but the
        first and the free text, rightmost first."""
        if columns[i].fold is not None:
            return columns[i].fold
        return float("inf") if i == 0 or columns[i].wrap else 1000 + count - i

    while True:
        foldable = [i for i in shown if rank(i) != float("inf")]
        explicit = [i for i in foldable if columns[i].fold is not None]
        # A table of text gives its text room by folding its ranked columns; a table of
        # numbers, or one with none left to fold, closes up to one space first.
        gaps = (2,) if text_column is not None and explicit else (2, 1)
        for gap in gaps:
            need = sum(least(i) for i in shown) + gap * (len(shown) - 1)
            if need <= width:
                return _allot(shown, folded, dropped, gap, width - need, least, natural,
                              columns)
        if not foldable:  # nothing more can go: the best there is
            return _allot(shown, folded, dropped, 1, 0, least, natural, columns)
        out = min(foldable, key=rank)
        shown.remove(out)
        (folded if text_column in shown else dropped).append(out)


def _allot(shown, folded, dropped, gap, spare, least, natural, columns) -> Layout:
    widths = {i: least(i) for i in shown}
    # Spare room goes first to rates (whole on one line), then to free text.
    for kind in ("breakable", "wrap"):
        for i in shown:
            if getattr(columns[i], kind) and spare > 0:
                more = min(spare, max(0, max(natural[i], widths[i]) - widths[i]))
                widths[i] += more
                spare -= more
    return Layout(shown, widths, folded, dropped, gap)


_TOKENS = re.compile(r"\S+| +")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns, broken at spaces (the spaces inside a line kept as
    written); a word longer than a line (only in free text, whose width may be below its
    longest word) is split."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used, gap = "", 0, ""
        for token in _TOKENS.findall(paragraph):
            if token[0] == " ":
                gap = token
                continue
            word, size = token, cell_width(token)
            while size > width:  # split an over-long word, character by character
                if line:
                    lines.append(line)
                    line, used = "", 0
                head, size_head = "", 0
                for char in word:
                    step = cell_width(char)
                    if size_head + step > width:
                        break
                    head, size_head = head + char, size_head + step
                lines.append(head)
                word = word[len(head):]
                size = cell_width(word)
            space = len(gap) if line else 0
            if line and used + space + size > width:
                lines.append(line)
                line, used, space = "", 0, 0
            line, used = line + gap[:space] + word, used + space + size
            gap = ""
        lines.append(line)
    return lines or [""]


def render(cells: Sequence[Sequence[str]], columns: Sequence, width: int, *,
           rule: str = "─", bold: tuple[str, str] = ("", ""),
           layout: Layout | None = None) -> Iterator[str]:
    """The table's lines: header, rule, rows; then the names of columns left out, if any.
    Tables that must line up with each other share one ``layout``."""
    layout = layout or plan(cells, columns, width)
    space = " " * layout.gap
    text_column = next((i for i in layout.shown if columns[i].wrap), None)

    def line_of(parts: dict[int, str]) -> str:
        out = []
        for i in layout.shown:
            text = parts.get(i, "")
            pad = " " * (layout.widths[i] - cell_width(text))
            out.append(pad + text if columns[i].right else text + pad)
        return space.join(out).rstrip()

    heads = {i: wrap(columns[i].header, layout.widths[i]) for i in layout.shown}
    height = max(len(h) for h in heads.values())
    for row in range(height):  # headers sit on their last line, above the rule
        parts = {i: h[row - height + len(h)] for i, h in heads.items()
                 if row - height + len(h) >= 0}
        yield bold[0] + line_of(parts) + bold[1]
    yield space.join(rule * layout.widths[i] for i in layout.shown)
    for cell in cells:
        lines = {i: wrap(cell[i], layout.widths[i]) if columns[i].wrap or columns[i].breakable
                 else [cell[i]] for i in layout.shown}
        if text_column is not None:
            for i in layout.folded:
                if cell[i] and cell[i] != "-":
                    lines[text_column] += wrap(f"{columns[i].header}: {cell[i]}",
                                               layout.widths[text_column])
        for row in range(max(len(v) for v in lines.values())):
            yield line_of({i: v[row] for i, v in lines.items() if row < len(v)})
    names = ", ".join(columns[i].header for i in layout.dropped if columns[i].header)
    if names:
        yield from wrap(_("(not shown at this width: {names}; see --format plain)").format(
            names=names), width)
