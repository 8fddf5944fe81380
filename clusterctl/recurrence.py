"""Recurring tasks: the rule a directive gives ("báo cáo định kỳ hằng tháng, trước ngày 25")
and the due dates it makes.

:func:`parse_rule` reads an RFC 5545 RRULE (``FREQ=MONTHLY;BYMONTHDAY=25``) or the Vietnamese
phrases of directives, with or without diacritics, and turns both into a :class:`Rule` whose
``rrule_text`` is the canonical RRULE kept in the database (:meth:`Rule.from_stored` rebuilds
it). python-dateutil's rrule makes the dates. A day 29 to 31 of every month means the month's
last day when the month is shorter (RFC 5545 says it with ``BYSETPOS=-1``).

Each occurrence belongs to one period of the rule's frequency (``2024-03``, ``2024-Q1``,
``2024-H1``, ``2024``, ``2024-W05``), which names the task it makes: a rule that would put two
dates in one period is refused, and so is one whose dates depend on the day its series starts
(every date is named by the rule itself).
"""

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from clusterctl.errors import InputError
from clusterctl.i18n import _
from clusterctl.text import fold

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta
    from dateutil.rrule import rrule

WEEKLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY = (
    "weekly", "monthly", "quarterly", "half-yearly", "yearly")

ACCEPTED_RULES = _(
    "an RRULE such as FREQ=MONTHLY;BYMONTHDAY=25, or \"hằng tuần, thứ Sáu\", \"hằng tháng, "
    "trước ngày 25\", \"hằng quý, trước ngày 20 tháng cuối quý\", \"hằng năm, trước ngày "
    "15/12\", \"trước ngày 20/6 và 20/12 hằng năm\", \"6 tháng một lần, trước ngày 15/6\""
)

# -- RRULE text -----------------------------------------------------------------------------

# The parts a rule may have, in the order of the canonical text. COUNT and UNTIL are not
# taken: a series ends on its own end date. Hours, minutes and seconds mean nothing here.
_PARTS = ("FREQ", "INTERVAL", "BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY",
          "BYSETPOS", "WKST")
_NUMBER_LISTS = {"BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYSETPOS"}
_LENGTH_LIMIT = 200

# Two series starts, on different months, days and weekdays: a rule whose dates after both
# differ depends on the day its series starts. The dates are compared over whole years that
# hold leap years (2028) and a year of 53 ISO weeks (2026).
_STARTS = (datetime(2023, 1, 1), datetime(2024, 6, 19))
_WINDOW = (datetime(2025, 1, 1), datetime(2032, 12, 31))


def _bad(text: str, reason: str | None = None) -> InputError:
    head = reason or _("{text!r} is not a repeat clusterctl understands").format(text=text)
    return InputError(_("{head}; accepted: {forms}").format(head=head, forms=ACCEPTED_RULES))


def _canonical(text: str) -> str:
    """The RRULE ``text`` as stored: no ``RRULE:`` prefix, upper case, its parts in one order,
    no ``INTERVAL=1``, number lists sorted."""
    body = text.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:]
    parts: dict[str, str] = {}
    for part in body.strip().strip(";").split(";"):
        key, equals, value = part.partition("=")
        key, value = key.strip().upper(), "".join(value.split()).upper()
        if not equals or not key or not value:
            raise _bad(text, _("{text!r} is not a valid RRULE: {part!r} is not KEY=VALUE")
                       .format(text=text, part=part.strip()))
        if key in ("COUNT", "UNTIL", "DTSTART"):
            raise InputError(_("{text!r}: {key} is not taken in a rule; a series starts and "
                               "ends on its own dates").format(text=text, key=key))
        if key not in _PARTS:
            raise _bad(text, _("{text!r}: {key} is not taken in a rule (only {parts})")
                       .format(text=text, key=key, parts=", ".join(_PARTS)))
        if key in parts:
            raise _bad(text, _("{text!r} gives {key} twice").format(text=text, key=key))
        if key in _NUMBER_LISTS:
            with suppress(ValueError):  # not numbers: rrulestr names the fault
                value = ",".join(str(n) for n in sorted({int(n) for n in value.split(",")}))
        parts[key] = value
    if "FREQ" not in parts:
        raise _bad(text, _("{text!r} is not a valid RRULE: FREQ is missing").format(text=text))
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return ";".join(f"{key}={parts[key]}" for key in _PARTS if key in parts)


def _rrule(rrule_text: str, start: datetime) -> "rrule":
    from dateutil.rrule import rrulestr

    return rrulestr(rrule_text, dtstart=start)


def _label(frequency: str, day: date) -> str:
    if frequency == WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == MONTHLY:
        return f"{day.year}-{day.month:02d}"
    if frequency == QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if frequency == HALF_YEARLY:
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    return str(day.year)


def _collision(frequency: str, days: list[date]) -> tuple[str, date, date] | None:
    seen: dict[str, date] = {}
    for day in days:
        label = _label(frequency, day)
        if label in seen:
            return label, seen[label], day
        seen[label] = day
    return None


@lru_cache(maxsize=256)
def _checked(text: str, rrule_text: str) -> str:
    """The frequency of a canonical RRULE, or InputError if clusterctl cannot keep it."""
    from dateutil.rrule import rrulestr

    parts = dict(part.split("=", 1) for part in rrule_text.split(";"))
    # before any date is made: FREQ=SECONDLY would make millions
    if parts["FREQ"] not in ("WEEKLY", "MONTHLY", "YEARLY") or "INTERVAL" in parts:
        raise InputError(_("{text!r}: a rule repeats every week, month, quarter, half-year or "
                           "year (FREQ=WEEKLY, MONTHLY or YEARLY, with no INTERVAL)")
                         .format(text=text))
    try:
        samples = [rrulestr(rrule_text, dtstart=start).between(*_WINDOW, inc=True)
                   for start in _STARTS]
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise _bad(text, _("{text!r} is not a valid RRULE: {error}")
                   .format(text=text, error=error)) from None
    if samples[0] != samples[1]:
        raise InputError(_("{text!r} depends on the day its series starts; name the day "
                           "(BYDAY or BYMONTHDAY) and, yearly, the months (BYMONTH)")
                         .format(text=text))
    days = [moment.date() for moment in samples[0]]
    if not days:
        raise InputError(_("{text!r} gives no date").format(text=text))
    candidates = [WEEKLY] if parts["FREQ"] == "WEEKLY" else [YEARLY, HALF_YEARLY, QUARTERLY,
                                                              MONTHLY]
    for frequency in candidates:
        collision = _collision(frequency, days)
        if collision is None:
            return frequency
    from clusterctl.words import day as shown

    label, first, second = collision
    raise InputError(_("{text!r} gives two dates in one period ({period}: {first} and "
                       "{second}); a task is due once a period")
                     .format(text=text, period=label, first=shown(first), second=shown(second)))


# -- the phrases of directives --------------------------------------------------------------

_WEEKDAYS = {"hai": "MO", "ba": "TU", "tu": "WE", "nam": "TH", "sau": "FR", "bay": "SA",
             "2": "MO", "3": "TU", "4": "WE", "5": "TH", "6": "FR", "7": "SA"}
_MONTH_OF_QUARTER = {"dau": 1, "thu nhat": 1, "1": 1, "giua": 2, "thu hai": 2, "2": 2,
                     "cuoi": 3, "thu ba": 3, "3": 3}
# The longest and shortest each month can be.
_LONGEST = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30,
            12: 31}
_SHORTEST = {**_LONGEST, 2: 28}

_HALF = r"(?:hang |moi )?(?:(?:6|sau) thang|nua nam)(?: (?:mot|1) lan)?"
_FREQUENCY = re.compile(
    rf"(?:(?:hang|moi) (?P<unit>tuan|thang|quy|nam)(?: (?:mot|1) lan)?|(?P<half>{_HALF}))",
    re.ASCII)
_LEADING = re.compile(rf"^{_FREQUENCY.pattern} ", re.ASCII)
_TRAILING = re.compile(rf" {_FREQUENCY.pattern}$", re.ASCII)
_BEFORE = r"(?:(?:truoc|vao|cham nhat|han)\s+)?"
_DATE = r"(\d{1,2})(?:/|-| thang )(\d{1,2})"
_ON_WEEKDAY = re.compile(_BEFORE + r"(?:ngay )?(?:thu (hai|ba|tu|nam|sau|bay|[2-7])|chu nhat|cn)",
                         re.ASCII)
_ON_DAY = re.compile(_BEFORE + r"ngay (\d{1,2})(?: (?:cua |trong )?thang)?", re.ASCII)
_ON_LAST_DAY = re.compile(_BEFORE + r"ngay cuoi(?: cung)?(?: cua)? thang", re.ASCII)
_ON_DAY_OF_QUARTER = re.compile(
    _BEFORE + r"ngay (\d{1,2}) (?:cua )?thang (dau|giua|cuoi|thu nhat|thu hai|thu ba|[1-3]) "
    r"(?:cua )?quy", re.ASCII)
_ON_DATE = re.compile(_BEFORE + r"ngay " + _DATE, re.ASCII)
_ON_TWO_DATES = re.compile(_BEFORE + r"ngay " + _DATE + r" va (?:ngay )?" + _DATE, re.ASCII)


def _words(text: str) -> str:
    word = fold(text).rstrip(". ")
    for mark in ",;:()":
        word = word.replace(mark, " ")
    word = " ".join(word.split())
    if word.startswith("dinh ky "):
        word = word[len("dinh ky "):]
    return word


def _split(word: str) -> tuple[str | None, str]:
    """(frequency word, the rest): the frequency is said first or last."""
    for pattern in (_LEADING, _TRAILING):
        if match := pattern.search(word):
            rest = (word[:match.start()] + " " + word[match.end():]).strip()
            rest = rest.removeprefix("dinh ky ").strip()
            return ("half" if match.group("half") else match.group("unit")), rest
    return None, word


def _day_rule(text: str, months: list[int] | None, day: int) -> str:
    """The RRULE of ``day`` in each of ``months`` (every month when None); a day a month is
    too short for is that month's last day."""
    if not 1 <= day <= 31:
        raise _bad(text, _("{text!r}: {day} is not a day of the month").format(text=text,
                                                                              day=day))
    chosen = months or list(range(1, 13))
    by_month = f";BYMONTH={','.join(map(str, months))}" if months else ""
    if day <= min(_SHORTEST[month] for month in chosen):
        return f"FREQ={'YEARLY' if months else 'MONTHLY'}{by_month};BYMONTHDAY={day}"
    if day >= max(_LONGEST[month] for month in chosen):
        return f"FREQ=MONTHLY{by_month};BYMONTHDAY=-1"
    days = ",".join(str(n) for n in range(28, day + 1))
    return f"FREQ=MONTHLY{by_month};BYMONTHDAY={days};BYSETPOS=-1"


def _date(text: str, day: str, month: str) -> tuple[int, int]:
    d, m = int(day), int(month)
    if not 1 <= m <= 12 or not 1 <= d <= _LONGEST[m]:
        raise _bad(text, _("{text!r}: {day}/{month} is not a day of the year")
                   .format(text=text, day=day, month=month))
    return d, m


def _dates_rule(text: str, dates: list[tuple[int, int]]) -> str:
    """The RRULE of one or two dates of every year."""
    if len(dates) == 2 and dates[0] == dates[1]:
        raise _bad(text, _("{text!r} gives {day}/{month} twice").format(
            text=text, day=dates[0][0], month=dates[0][1]))
    dates = sorted(dates, key=lambda pair: (pair[1], pair[0]))
    days = {d for d, _m in dates}
    months = sorted({m for _d, m in dates})
    if len(days) == 1:
        return _day_rule(text, months, dates[0][0])
    if len(months) == 1:  # refused by the check of periods, naming the two dates
        return f"FREQ=YEARLY;BYMONTH={months[0]};BYMONTHDAY={min(days)},{max(days)}"
    # Different days in two months. A month's last day is -1 (29/2 too), which every month
    # has; so has every day up to the 28th.
    (_first, first_month), (_second, second_month) = dates
    specs = [-1 if d == _LONGEST[m] else d for d, m in dates]
    if any(spec > 28 for spec in specs):
        raise _bad(text, _("{text!r}: with two different days, a day past the 28th must be "
                           "its month's last day").format(text=text))
    if specs[0] == specs[1]:  # both last days
        return f"FREQ=MONTHLY;BYMONTH={first_month},{second_month};BYMONTHDAY=-1"
    # The year's set is (low, high) of the first month and (low, high) of the second, a
    # last day being the high; BYSETPOS picks the one of each that was asked for.
    low, high = sorted(specs, key=lambda spec: 99 if spec == -1 else spec)
    positions = f"{1 if specs[0] == low else 2},{3 if specs[1] == low else 4}"
    return (f"FREQ=YEARLY;BYMONTH={first_month},{second_month};BYMONTHDAY={low},{high};"
            f"BYSETPOS={positions}")


def _phrase(text: str) -> str | None:
    """The RRULE of a Vietnamese phrase, or None when it is none of them."""
    unit, rest = _split(_words(text))
    if unit == "tuan" and (match := _ON_WEEKDAY.fullmatch(rest)):
        return f"FREQ=WEEKLY;BYDAY={_WEEKDAYS.get(match.group(1) or '', 'SU')}"
    if unit == "thang":
        if match := _ON_DAY.fullmatch(rest):
            return _day_rule(text, None, int(match.group(1)))
        if _ON_LAST_DAY.fullmatch(rest):
            return "FREQ=MONTHLY;BYMONTHDAY=-1"
    if unit == "quy":
        if match := _ON_DAY_OF_QUARTER.fullmatch(rest):
            first = _MONTH_OF_QUARTER[match.group(2)]
            return _day_rule(text, [first, first + 3, first + 6, first + 9],
                             int(match.group(1)))
        if _ON_DAY.fullmatch(rest):
            raise _bad(text, _("{text!r}: say which month of the quarter, as in \"trước ngày 20 "
                               "tháng cuối quý\"").format(text=text))
    if unit in ("nam", "half"):
        if match := _ON_TWO_DATES.fullmatch(rest):
            return _dates_rule(text, [_date(text, *match.group(1, 2)),
                                      _date(text, *match.group(3, 4))])
        if match := _ON_DATE.fullmatch(rest):
            day, month = _date(text, *match.groups())
            if unit == "nam":
                return _dates_rule(text, [(day, month)])
            # every six months: the same day six months later (or that month's last day)
            return _day_rule(text, sorted({month, (month + 5) % 12 + 1}), day)
    return None


# -- rules ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A repeat: what the user wrote, its canonical RRULE and its frequency."""

    text: str
    rrule_text: str
    frequency: str

    @classmethod
    def from_stored(cls, rrule_text: str) -> "Rule":
        """The rule of an RRULE as :attr:`rrule_text` keeps it in the database."""
        canonical = _canonical(rrule_text)
        return cls(rrule_text, canonical, _checked(rrule_text, canonical))

    def period(self, day: date) -> str:
        """The label of the period a date due on ``day`` belongs to: ``2024-03``,
        ``2024-Q1``, ``2024-H1``, ``2024`` or the ISO week ``2024-W05``."""
        return _label(self.frequency, day)

    def occurrences(self, start: date, until: date | None,
                    through: date) -> list[tuple[str, date]]:
        """(period, due date) of each date from ``start`` to ``until`` (the series' end, or
        None) and ``through``, whichever is earlier, both included, in order."""
        end = through if until is None or through < until else until
        if end < start:
            return []
        first = datetime(start.year, start.month, start.day)
        moments = _rrule(self.rrule_text, first).between(
            first, datetime(end.year, end.month, end.day), inc=True)
        return [(self.period(moment.date()), moment.date()) for moment in moments]

    def step(self) -> "relativedelta":
        """One period of the rule."""
        from dateutil.relativedelta import relativedelta

        return {
            WEEKLY: relativedelta(weeks=1),
            MONTHLY: relativedelta(months=1),
            QUARTERLY: relativedelta(months=3),
            HALF_YEARLY: relativedelta(months=6),
            YEARLY: relativedelta(years=1),
        }[self.frequency]

    def horizon(self, as_of: date) -> date:
        """How far an open-ended series has its dates on ``as_of``: one period beyond."""
        return as_of + self.step()


def parse_rule(text: str) -> Rule:
    """Read a repeat: an RRULE (``FREQ=MONTHLY;BYMONTHDAY=25``, ``RRULE:`` before it or not)
    or a phrase of a directive ("hằng tháng, trước ngày 25", "trước ngày 15/12 hằng năm").

    >>> parse_rule("định kỳ hằng tháng, trước ngày 25").rrule_text
    'FREQ=MONTHLY;BYMONTHDAY=25'
    """
    given = " ".join(text.split())
    if not given or len(given) > _LENGTH_LIMIT:
        raise _bad(text)
    if "=" in given:
        canonical = _canonical(given)
    else:
        canonical = _phrase(given)
        if canonical is None:
            raise _bad(text)
        canonical = _canonical(canonical)
    return Rule(given, canonical, _checked(given, canonical))
