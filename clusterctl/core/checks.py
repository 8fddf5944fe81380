"""What clusterctl accepts as input: text, codes, keys, numbers, and the dates of a task.

Every command and the importer check through these functions, so a rule is written once. Each
check returns the value as stored (stripped, in NFC) or raises :class:`InputError`; the importer
turns the error into a ``file:line`` problem.
"""

import re
from datetime import date
from functools import cache
from unicodedata import is_normalized

from clusterctl.errors import InputError
from clusterctl.i18n import _
from clusterctl.text import has_unsafe, nfc
from clusterctl.words import day

TITLE_LIMIT = 4000
NAME_LIMIT = 500
NOTE_LIMIT = 20000
KEY_LIMIT = 64
NUMBER_LIMIT = 200
STATUSES = ("open", "in_progress", "done", "cancelled", "reported")
DUE_YEARS_AHEAD = 10  # a due date further than this after the issue date is taken as a typo

_CODE = re.compile(r"[^\W_][\w.&-]{0,31}")
BAD_KEY = re.compile(r"[\s#]")
# A note may span lines: newlines and tabs are text there, every other control is refused.
_NOTE_LAYOUT = re.compile("[\n\t]")


def is_plain_text(value: object, limit: int) -> bool:
    """Whether ``value`` is text that :func:`check_text` would return unchanged: not empty,
    not over ``limit``, printable, no surrounding spaces, in NFC. A few calls into C."""
    return (type(value) is str and 0 < len(value) <= limit and value.isprintable()
            and value[0] != " " != value[-1]
            and (value.isascii() or is_normalized("NFC", value)))


def check_text(value: str, what: str, *, limit: int = NAME_LIMIT) -> str:
    """Return ``value`` in NFC, refusing an empty, over-long or control-character text."""
    if is_plain_text(value, limit):
        return value  # the common case, checked in C: imports call this 40,000 times
    value = nfc(value.strip())
    if not value:
        raise InputError(_("{what} must not be empty").format(what=what))
    if len(value) > limit:
        raise InputError(
            _("{what} is {n} characters long; the limit is {limit}").format(
                what=what, n=len(value), limit=limit)
        )
    if has_unsafe(value):
        raise InputError(
            _("{what} contains control characters; remove them").format(what=what)
        )
    return value


def check_note(value: str, what: str | None = None) -> str:
    """A progress note or a reason: text that may span several lines (newlines and tabs are
    kept; Windows line ends become newlines); other control characters are refused."""
    what = what or _("note")
    if is_plain_text(value, NOTE_LIMIT):
        return value
    value = value.replace("\r\n", "\n")
    if not _NOTE_LAYOUT.search(value):
        return check_text(value, what, limit=NOTE_LIMIT)
    # Check the text with its layout taken out, then keep the layout.
    check_text(_NOTE_LAYOUT.sub(" ", value).strip() or "", what, limit=NOTE_LIMIT)
    return nfc(value.strip())


def check_title(value: str) -> str:
    return check_text(value, _("task title"), limit=TITLE_LIMIT)


def check_code(code: str) -> str:
    """Return a valid agency code or raise: letters, digits, ``. & - _``, at most 32."""
    code = nfc(code.strip())
    if not _CODE.fullmatch(code) or _other_digits(code):
        raise InputError(
            _("agency code {code!r} is not valid: use 1 to 32 letters or digits, optionally with "
              ". & - _ (no spaces), e.g. SCT").format(code=code)
        )
    return code


def check_key(key: str) -> str:
    """A task key: text without spaces or '#', whose digits (if any) are ASCII 0-9."""
    key = check_text(key, _("task key"), limit=KEY_LIMIT)
    if BAD_KEY.search(key):
        raise InputError(
            _("task key {key!r} must not contain spaces or '#'").format(key=key)
        )
    if _other_digits(key):
        raise InputError(
            _("task key {key!r} holds a digit other than 0-9; write numbers with 0-9").format(
                key=key)
        )
    return key


def _other_digits(text: str) -> bool:
    """Whether ``text`` holds a digit other than 0-9 (², ٣, ５): codes and keys are typed."""
    return not text.isascii() and any(ch.isnumeric() and not ch.isascii() for ch in text)


def check_number(number: str) -> str:
    """A directive's number (số/ký hiệu), e.g. 2029/UBND-KTTH."""
    number = check_text(number, _("directive number"), limit=NUMBER_LIMIT)
    if "#" in number:
        raise InputError(
            _("directive number {number!r} must not contain '#', which separates the number "
              "from a task key in NUMBER#KEY").format(number=number)
        )
    return number


# -- dates ---------------------------------------------------------------------------------


@cache
def latest_due(issued: date) -> date:
    """The last plausible due date of a directive issued on ``issued`` (imports ask for the
    same few issue dates thousands of times)."""
    leap_day = (issued.month, issued.day) == (2, 29)  # dates end in 2999: no overflow
    return issued.replace(year=issued.year + DUE_YEARS_AHEAD,
                          day=28 if leap_day else issued.day)


def due_problem(due: date | None, issued: date | None) -> str | None:
    """Why ``due`` cannot be a due date of a directive issued on ``issued``, if it cannot."""
    if due is None or issued is None:
        return None
    if due < issued:
        return _("due date {due} is before the directive's issue date {issued}").format(
            due=day(due), issued=day(issued))
    latest = latest_due(issued)
    if due > latest:
        return _("due date {due} is more than {n} years after the directive's issue date "
                 "{issued}; is the year a typo?").format(
            due=day(due), n=DUE_YEARS_AHEAD, issued=day(issued))
    return None


def completion_problem(completed_on: date | None, issued: date | None,
                       today: date) -> str | None:
    """Why ``completed_on`` cannot be a completion date, if it cannot."""
    if completed_on is None:
        return None
    if completed_on > today:
        return _("completion date {d} is in the future").format(d=day(completed_on))
    if issued is not None and completed_on < issued:
        return _("completion date {d} is before the directive's issue date {issued}").format(
            d=day(completed_on), issued=day(issued))
    return None


def check_due(due: date | None, issued: date | None) -> date | None:
    if problem := due_problem(due, issued):
        raise InputError(problem)
    return due


def check_completion(completed_on: date, issued: date | None, today: date) -> date:
    if problem := completion_problem(completed_on, issued, today):
        raise InputError(problem)
    return completed_on
