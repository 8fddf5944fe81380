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


# Characters that take exactly one column each, whatever the terminal: printable ASCII, Latin-1
# (less the soft hyphen) and the Latin extensions up to the spacing modifiers, Latin Extended
# Additional (Vietnamese letters are U+1EA0 ... U+1EF9 there), and the dashes, quotes, bullets,
# ellipsis and primes of General Punctuation. Text made of these alone is measured by len().
_NARROW = re.compile("[\x20-\x7e\xa0-\xac\xae-\u02ff\u1e00-\u1eff\u2010-\u2027\u2030-\u205e"
                     "\u20a0-\u20c0]*")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def measured_by_len(value: str) -> bool:
    """Whether ``value`` takes as many terminal columns as it has characters (ASCII and
    Vietnamese text do), so that ``str.ljust`` and format widths pad it right."""
    return value.isascii() or _NARROW.fullmatch(value) is not None


def cell_width(value: str) -> int:
    """Columns ``value`` takes on a terminal: wide East Asian characters and emoji count twice,
    combining marks and joiners not at all.

    ASCII and Vietnamese text take a fast path (len); anything else is measured by wcwidth,
    imported only then. A control character counts one column, as on the fast path (the
    renderers escape them before measuring anyway).
    """
    if value.isascii() or _NARROW.fullmatch(value):
        return len(value)
    from wcwidth import width  # emoji, CJK, combining marks: a grapheme-aware table

    return width(_CONTROLS.sub(" ", value), control_codes="ignore")


_LONG_RUN = re.compile(r"\S{120,}")


def shorten_runs(message: str) -> str:
    """Cut very long unbroken runs (a huge argument echoed in an error) to a readable size."""
    return _LONG_RUN.sub(lambda m: f"{m.group()[:60]}…({len(m.group())} characters)", message)
