"""Reading the import files: bytes to TOML tables, and where in a file a value was written.

Parsing uses rtoml (TOML 1.0 in Rust): on a 10,000-task file it takes 0.04 s where the
standard library's tomllib takes 0.43 s and its compiled twin tomli 0.10 s, and imports must
beat Taskwarrior's. Where rtoml is not installed (it ships wheels for CPython only), the
standard library's tomllib reads the same files into the same tables, only slower; a syntax
error is reported with its line by either.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clusterctl.i18n import _


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import, located as precisely as it can be."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class TomlFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


_RTOML_LINE = re.compile(r"\s*at line (\d+) column \d+")  # rtoml: "... at line 3 column 1"
# tomllib: "... (at line 3, column 18)", or "(at end of document)"
_TOMLLIB_LINE = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)")
_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_.\s]+?)\s*\]\]\s*(?:#.*)?$")
_ASSIGN = re.compile(r"^\s*\"?([A-Za-z_][A-Za-z0-9_-]*)\"?\s*=")


def read_raw(names: list[str]) -> list[tuple[str, bytes | OSError]]:
    """Each file's bytes, or the error that kept it from being read."""
    raw: list[tuple[str, bytes | OSError]] = []
    for name in names:
        try:
            raw.append((name, Path(name).read_bytes()))
        except OSError as exc:
            raw.append((name, exc))
    return raw


def read_toml(name: str, raw: bytes | OSError) -> tuple[dict, str]:
    """Parse a file's bytes; return its tables and text, or raise :class:`TomlFileError`."""
    text = decode(name, raw)
    return parse_text(name, text), text


def decode(name: str, raw: bytes | OSError) -> str:
    """A file's text, or :class:`TomlFileError` saying why there is none."""
    if isinstance(raw, OSError):
        raise TomlFileError(Problem(name, None, "", _("cannot read it: {reason}").format(
            reason=raw.strerror or raw)))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TomlFileError(
            Problem(name, line, "", _("is not UTF-8 text (byte {n}); save it as UTF-8").format(
                n=exc.start + 1))
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark, as some Windows editors write
    return text


def parse_text(name: str, text: str) -> dict:
    """A file's tables, or :class:`TomlFileError` with the line of its syntax error."""
    try:
        return _loads(text)
    except _SyntaxError as exc:
        raise TomlFileError(
            Problem(name, exc.line, "", _("is not valid TOML: {reason}").format(
                reason=exc.message))
        ) from None


# A large file is parsed a piece at a time, each piece's tables read and let go before the
# next is parsed: the parser's tables for a 100,000-task file take 400 MiB at once. The file
# stays bytes (its text would take twice the room), each piece decoded as it is parsed.
PIECE = 1_000_000  # bytes (some 6,000 tasks)
_TOP_TABLE = re.compile(rb"^[ \t]*\[\[[ \t]*(?:agencies|directives)[ \t]*\]\][ \t\r]*(?:#.*)?$",
                        re.MULTILINE)
_HOLIDAY = re.compile(rb"^[ \t]*\[\[[ \t]*holiday[ \t]*\]\]", re.MULTILINE)


class PieceFailed(Exception):
    """A piece of a large file is not valid UTF-8 TOML by itself: read the file whole,
    which says where the error is (or, if the cut fell inside a multi-line string, reads
    it)."""


def piece_cuts(raw: bytes | OSError) -> list[int] | None:
    """Where to cut a large file: before top-level ``[[agencies]]`` and ``[[directives]]``
    headers, some :data:`PIECE` bytes apart. None for a file read whole: a small one, one
    with a byte-order mark, or one with ``[[holiday]]`` tables (every due date in working
    days needs them first)."""
    if (isinstance(raw, OSError) or len(raw) < 2 * PIECE or raw.startswith(b"\xef\xbb\xbf")
            or _HOLIDAY.search(raw)):
        return None
    cuts = [0]
    for match in _TOP_TABLE.finditer(raw):
        if match.start() - cuts[-1] >= PIECE:
            cuts.append(match.start())
    return cuts if len(cuts) > 1 else None


def parse_pieces(raw: bytes, cuts: list[int]) -> Iterator[dict]:
    """The tables of each piece of ``raw``, parsed as they are asked for."""
    for start, end in zip(cuts, [*cuts[1:], len(raw)], strict=True):
        try:
            yield _loads(raw[start:end].decode("utf-8"))
        except (UnicodeDecodeError, _SyntaxError):
            raise PieceFailed from None


class _SyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def _loads(text: str) -> dict:
    """The file's tables, parsed by rtoml if it is installed, else by tomllib."""
    try:
        import rtoml  # here, not at the top: a re-import of unchanged files never parses
    except ImportError:
        return _loads_tomllib(text)
    try:
        return rtoml.loads(text)
    except rtoml.TomlParsingError as exc:
        found = _RTOML_LINE.search(str(exc))
        raise _SyntaxError(_RTOML_LINE.sub("", str(exc)).strip(),
                           int(found.group(1)) if found else None) from None


def _loads_tomllib(text: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOMLLIB_LINE.search(str(exc))
        if found is None:
            line = None
        elif found.group(1):
            line = int(found.group(1))
        else:  # the end of the document: its last line with text, as rtoml says
            line = len(text.rstrip().splitlines()) or 1
        raise _SyntaxError(_TOMLLIB_LINE.sub("", str(exc)).strip(), line) from None
    except RecursionError as exc:  # rtoml stops at a depth; tomllib runs out of stack
        raise _SyntaxError("nested too deeply", _deepest_line(text, exc)) from None


def _deepest_line(text: str, exc: BaseException) -> int | None:
    """The line tomllib was reading when it ran out of stack: its innermost ``pos``."""
    pos, frame = None, exc.__traceback__
    while frame is not None:
        if "tomllib" in frame.tb_frame.f_code.co_filename:
            value = frame.tb_frame.f_locals.get("pos")
            pos = value if isinstance(value, int) else pos
        frame = frame.tb_next
    return None if pos is None else text.count("\n", 0, pos) + 1


class LineFinder:
    """Finds the line on which a value was written, for tables written as ``[[...]]``."""

    def __init__(self, text: str | bytes) -> None:
        self.text = text  # a large file's bytes, decoded only if a line is looked for
        self._headers: list[tuple[int, str]] | None = None

    @property
    def headers(self) -> list[tuple[int, str]]:
        """(0-based line, table name) of every ``[[...]]`` header, found on first use."""
        if self._headers is None:
            text = self.text
            self.lines = (text.decode("utf-8") if isinstance(text, bytes) else text).splitlines()
            self._headers = list(self._find_headers())
        return self._headers

    def _find_headers(self):
        for number, line in enumerate(self.lines):
            if line.lstrip().startswith("[["):
                match = _HEADER.match(line)
                if match:
                    yield number, "".join(match.group(1).split())

    def _nth(self, name: str, index: int, start: int, stop: int) -> int | None:
        seen = 0
        for number, header in self.headers:
            if number < start or number >= stop:
                continue
            if header == name:
                if seen == index:
                    return number
                seen += 1
        return None

    def _block_end(self, start: int) -> int:
        for number, _header in self.headers:
            if number > start:
                return number
        return len(self.lines)

    def line(self, parts: tuple) -> int | None:
        """1-based line of ``parts`` such as ``("directives", 0, "tasks", 3, "lead")``."""
        headers = self.headers
        start, stop, name, line = 0, len(self.lines), "", None
        index = 0
        while index + 1 < len(parts) and isinstance(parts[index + 1], int):
            name = f"{name}.{parts[index]}" if name else parts[index]
            found = self._nth(name, parts[index + 1], start, stop)
            if found is None:
                return line
            line = found + 1
            start = found
            # A table's block runs to the next header of the same or an outer table.
            stop = next((n for n, h in headers if n > found and
                         (h == name or not h.startswith(name + "."))), len(self.lines))
            index += 2
        if index < len(parts) and isinstance(parts[index], str):
            for number in range(start, self._block_end(start) if line else len(self.lines)):
                match = _ASSIGN.match(self.lines[number])
                if match and match.group(1) == parts[index]:
                    return number + 1
            if line is None:  # a top-level name written as a table header
                return next((n + 1 for n, h in headers if h == parts[index]), None)
        return line
