"""Parse the date forms that directives and staff write.

Day first, always: ``6/7/2024`` is 6 July. Month and quarter deadlines mean their last day.
Only the forms in :data:`ACCEPTED_FORMS` are accepted, so a typo is never read as some other
date; python-dateutil does the calendar arithmetic (``+1m`` from 31 January is 29 February).
Working days (``+3wd``, "trong 03 ngày làm việc") are counted on a
:class:`clusterctl.workdays.Calendar`, asked for only when such a form is met.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from clusterctl.errors import InputError
from clusterctl.i18n import _
from clusterctl.text import fold
from clusterctl.words import day as shown

if TYPE_CHECKING:
    from clusterctl.workdays import Calendar

ACCEPTED_FORMS = _(
    "2024-06-30, 30/6/2024, 30-6-2024, 30.6.2024, ngày 30 tháng 6 năm 2024, 6/2024 or tháng 6 "
    "năm 2024 (end of June), Q2/2024, quý II/2024 or quý II năm 2024 (end of the quarter), "
    "each also after \"trước ngày\", \"trong\" or \"cuối\"; \"trong 03 ngày làm việc\" "
    "(working days) or \"trong 10 ngày\" from the directive's date; today, yesterday, tomorrow, "
    "+3d, +2w, +1m, +1y, +3wd (working days; or -), eow, eom, eoq, eoy"
)
# A due date that is none: an ongoing duty (thường xuyên), in a file or on the command line.
ONGOING_WORDS = {"", "ongoing", "thuong xuyen", "none"}

# Digits are ASCII 0-9 only: without re.ASCII, \d also matches other scripts' digits
# (Arabic-Indic ٣, fullwidth ５...), which int() would then read as numbers.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_FORMAL = re.compile(r"(\d{1,2}) thang (\d{1,2}) nam (\d{4})", re.ASCII)  # Nghị định 30/2020
_MONTH = re.compile(r"(?:thang )?(\d{1,2})(?:[/.-]| nam )(\d{4})", re.ASCII)
_QUARTER = re.compile(r"(?:q|quy )\s*(iv|iii|ii|i|[1-4])\s*(?:[/.-]|nam)\s*(\d{4})", re.ASCII)
# How directives write a deadline before its date: "trước ngày 30/6/2024", "trong tháng
# 12/2025", "cuối quý IV/2030", "chậm nhất ngày 25/6/2024".
_BEFORE = re.compile(r"(?:(?:truoc|trong|cuoi|cham nhat|han)\s+)?(?:ngay\s+)?(?=\d|thang |q)",
                     re.ASCII)
_OFFSET = re.compile(r"([+-])(\d{1,4})([dwmy])", re.ASCII)
_WORKING_OFFSET = re.compile(r"([+-])(\d{1,4})wd", re.ASCII)
# "trong 03 ngày làm việc", "trong vòng 5 ngày làm việc", "trong thời hạn 10 ngày", "05 ngày
# làm việc": from the directive's date. A bare "10 ngày" is refused: it may be "ngày 10" mistyped.
_WITHIN = re.compile(r"(?:(?:trong|trong vong|trong thoi han)\s+(\d{1,3}) ngay( lam viec)?"
                     r"|(\d{1,3}) ngay( lam viec))", re.ASCII)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_NAMED = {
    "today": 0, "hom nay": 0, "nay": 0,
    "yesterday": -1, "hom qua": -1,
    "tomorrow": 1, "ngay mai": 1, "mai": 1,
}


# Directives are dated within these years; a date outside them is certainly a typo (and far
# from the ends of Python's calendar, so reports can step weeks either side of any date).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _bad(text: str, reason: str | None = None) -> InputError:
    head = reason or _("{text!r} is not a date clusterctl understands").format(text=text)
    return InputError(_("{head}; accepted forms: {forms}").format(head=head, forms=ACCEPTED_FORMS))


def _make(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _bad(text, _("{text!r} is not a date that exists").format(text=text)) from None


def _end_of_month(text: str, year: int, month: int) -> date:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise _bad(text, _("{text!r} is not a month that exists").format(text=text))
    if month == 12:  # not via 1 January of the next year, which for 9999 is no date
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _relative(word: str, today: date) -> date | None:
    from dateutil.relativedelta import SU, relativedelta

    if word in _NAMED:
        return today + timedelta(days=_NAMED[word])
    if match := _OFFSET.fullmatch(word):
        sign, count, unit = match.groups()
        amount = int(count) * (1 if sign == "+" else -1)
        step = {
            "d": relativedelta(days=amount),
            "w": relativedelta(weeks=amount),
            "m": relativedelta(months=amount),
            "y": relativedelta(years=amount),
        }[unit]
        return today + step
    if word == "eow":  # weeks run Monday to Sunday
        return today + relativedelta(weekday=SU)
    if word == "eom":
        return today + relativedelta(day=31)
    if word == "eoq":
        return today + relativedelta(month=((today.month - 1) // 3) * 3 + 3, day=31)
    if word == "eoy":
        return date(today.year, 12, 31)
    return None


def _in_range(text: object, day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError(_("{text!r} is {day}, outside the years {first} to {last}; is the year "
                           "a typo?").format(text=str(text), day=shown(day),
                                             first=FIRST_YEAR, last=LAST_YEAR))
    return day


def parse_date(text: str, today: date | None = None, *,
               calendar: Callable[[], "Calendar"] | None = None,
               base: date | None = None) -> date:
    """Parse ``text`` as a date in the years 1900 to 2999; relative forms count from
    ``today`` (office time zone).

    "trong 03 ngày làm việc" (or "trong 10 ngày", calendar days) counts from ``base``, the
    directive's date, or from today without one. Working days are those of ``calendar()``
    (a zero-argument callable, called only for a working-day form), else of the shipped
    holidays alone.

    >>> parse_date("30/6/2024")
    datetime.date(2024, 6, 30)
    >>> parse_date("quý II/2024")
    datetime.date(2024, 6, 30)
    >>> parse_date("+3wd", date(2024, 4, 26))
    datetime.date(2024, 5, 4)
    """
    return _in_range(text, _parse(text, today, calendar, base))


def _today(today: date | None) -> date:
    if today is not None:
        return today
    from clusterctl.config import today as office_today

    return office_today()


def _working_days(text: str, start: date, count: int,
                  calendar: Callable[[], "Calendar"] | None) -> date:
    if calendar is None:
        from clusterctl.workdays import Calendar

        chosen = Calendar()
    else:
        chosen = calendar()
    try:
        return chosen.add_working_days(start, count)
    except (ValueError, OverflowError):
        raise _bad(text, _("{text!r} falls outside the calendar").format(text=text)) from None


def _counted(text: str, word: str, today: date | None,
             calendar: Callable[[], "Calendar"] | None, base: date | None) -> date | None:
    """The working-day forms and the "trong N ngày" periods, or None for another form."""
    if match := _WORKING_OFFSET.fullmatch(word):
        sign, count = match.groups()
        return _working_days(text, _today(today), int(count) * (1 if sign == "+" else -1),
                             calendar)
    if match := _WITHIN.fullmatch(word):
        count = int(match.group(1) or match.group(3))
        start = base if base is not None else _today(today)
        if match.group(2) or match.group(4):
            return _working_days(text, start, count, calendar)
        return start + timedelta(days=count)
    return None


def _parse(text: str, today: date | None, calendar: Callable[[], "Calendar"] | None = None,
           base: date | None = None) -> date:
    word = " ".join(fold(text).split())
    if not word or len(word) > 40:
        raise _bad(text)
    if (word[0] in "+-" or "ngay" in word) and (
            result := _counted(text, word, today, calendar, base)) is not None:
        return result
    if (match := _BEFORE.match(word)) and match.end():
        word = word[match.end():]
    if match := _ISO.fullmatch(word):
        year, month, day = map(int, match.groups())
        return _make(text, year, month, day)
    if match := _DAY_FIRST.fullmatch(word):
        day, _sep, month, year = match.groups()
        return _make(text, int(year), int(month), int(day))
    if match := _FORMAL.fullmatch(word):
        day, month, year = match.groups()
        return _make(text, int(year), int(month), int(day))
    if match := _MONTH.fullmatch(word):
        return _end_of_month(text, int(match.group(2)), int(match.group(1)))
    if match := _QUARTER.fullmatch(word):
        quarter = _ROMAN.get(match.group(1)) or int(match.group(1))
        return _end_of_month(text, int(match.group(2)), quarter * 3)
    if word[0].isalpha() or word[0] in "+-":
        from clusterctl.config import today as office_today

        try:
            result = _relative(word, today or office_today())
        except (ValueError, OverflowError):
            raise _bad(text, _("{text!r} falls outside the calendar").format(text=text)) from None
        if result is not None:
            return result
    raise _bad(text)


def parse_due(text: str, today: date | None = None, *,
              calendar: Callable[[], "Calendar"] | None = None,
              base: date | None = None) -> date | None:
    """A due date as :func:`parse_date` reads it, or None for an ongoing duty
    ("thường xuyên", "ongoing", "none")."""
    if fold(text).strip() in ONGOING_WORDS - {""}:  # an empty one is a slip, not a choice
        return None
    return parse_date(text, today, calendar=calendar, base=base)


def coerce_date(value: object, today: date | None = None, *,
                calendar: Callable[[], "Calendar"] | None = None,
                base: date | None = None) -> date:
    """Accept a ``date`` (from TOML) or a string in any form :func:`parse_date` takes."""
    from datetime import datetime

    if isinstance(value, datetime):
        raise InputError(_("{value} has a time of day; give a date only").format(value=value))
    if isinstance(value, date):
        return _in_range(value, value)
    if isinstance(value, str):
        return parse_date(value, today, calendar=calendar, base=base)
    raise InputError(_("expected a date, got {kind}").format(kind=type(value).__name__))
