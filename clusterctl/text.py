"""Text helpers: matching folds, safe display, terminal widths."""

import re
import unicodedata

# Combining marks (the Unicode blocks of diacritics), removed after NFD.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

# Characters that can change a terminal or the order of what it shows: C0/C1 controls (ESC,
# BEL, CSI...), DEL, bidirectional overrides and isolates, zero-width and line separators.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def nfc(value: str) -> str:
    """Return text in NFC, the form in which clusterctl stores it."""
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Fold text for matching: no case, no diacritics, single spaces.

    >>> fold("  Sở Kế hoạch và ĐẦU TƯ ")
    'so ke hoach va dau tu'
    """
    if value.isascii():
        return " ".join(value.lower().split())
    # Đ/đ do not decompose under NFD, so folding them to d takes an explicit rule.
    value = value.casefold().replace("đ", "d").replace("ð", "d")
    return " ".join(_MARKS.sub("", unicodedata.normalize("NFD", value)).split())


def escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: object) -> str:
    """Return ``value`` as text that shows literally and cannot act on a terminal."""
    text = "" if value is None else str(value)
    if text.isprintable():  # no control character can be printable
        return text
    return UNSAFE.sub(escape_char, text)


def has_unsafe(value: str) -> bool:
    """Tell whether ``value`` holds a character that :func:`safe` would escape."""
    return UNSAFE.search(value) is not None


_JAMO = re.compile("[\u1100-\u115f]")  # the only wide block below U+2E80
# Below U+2E80, what may not take exactly one column: a combining mark or Hangul Jamo.
_ODD = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                  "\u1100-\u115f]")


def cell_width(value: str) -> int:
    """Columns ``value`` takes on a terminal: wide East Asian characters count twice,
    combining marks not at all. Vietnamese text (U+1EA0 ... U+1EF9) takes the fast path."""
    if value.isascii() or (max(value) < "\u2e80" and not _ODD.search(value)):
        return len(value)
    width = len(value) - sum(len(run) for run in _MARKS.findall(value))
    if max(value) >= "\u2e80":  # CJK and other wide scripts: ask Unicode, character by character
        return width + sum(1 for ch in value if unicodedata.east_asian_width(ch) in "WF")
    return width + len(_JAMO.findall(value))


_LONG_RUN = re.compile(r"\S{120,}")


def shorten_runs(message: str) -> str:
    """Cut very long unbroken runs (a huge argument echoed in an error) to a readable size."""
    return _LONG_RUN.sub(lambda m: f"{m.group()[:60]}…({len(m.group())} characters)", message)
