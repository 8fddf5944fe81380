"""Working days in Vietnam: weekends, public holidays and the Saturdays worked in exchange.

The public holidays are those of the Labour Code 2019 (Bộ luật Lao động 2019, Điều 112) and
the days the government announces each year: the Tết break, the swaps of a working day for a
day off next to a holiday (worked on a Saturday, a *make-up working day*). :data:`SHIPPED`
holds them for 2024 to 2027; 2027 has no announcement yet, so its days are only those the
Labour Code gives (marked ``provisional``). In any year, 1 January, 30 April, 1 May and
2 September are holidays (and 24 November from 2026), whether or not the table covers it.

An office adds its own days off and working days (:class:`Calendar`'s ``office`` entries, read
from TOML by :func:`office_entries`); they override the shipped ones on the same date.

Plain data and the standard library only, so importing this costs nothing.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import NamedTuple

from clusterctl.errors import InputError
from clusterctl.i18n import _

OFF, WORK = "off", "work"
LAW = "Bộ luật Lao động 2019, Điều 112"
# The last year whose days the government has announced; later years' entries are the law's.
ANNOUNCED_THROUGH = 2026
# The source given to an office's own entries.
OFFICE = "office"


class Holiday(NamedTuple):
    """A day off (``kind`` 'off') or a make-up working day ('work'), with where it comes
    from."""

    day: date
    kind: str
    name: str
    source: str

    @property
    def provisional(self) -> bool:
        """A shipped day of a year whose days have not been announced yet."""
        return self.source != OFFICE and self.day.year > ANNOUNCED_THROUGH


_NEW_YEAR = "Tết Dương lịch"
_TET = "Tết Nguyên đán"
_HUNG = "Giỗ Tổ Hùng Vương"
_VICTORY = "Ngày Chiến thắng"
_LABOUR = "Ngày Quốc tế Lao động"
_NATIONAL = "Quốc khánh"
_CULTURE = "Ngày Văn hóa Việt Nam"
_SWAPPED = "Nghỉ hoán đổi (làm bù thứ Bảy {day})"
_MAKE_UP = "Làm bù cho ngày nghỉ {day}"
_IN_LIEU = " (nghỉ bù)"

_TET_2024 = f"{LAW}; nghỉ Tết theo Thông báo số 5015/TB-LĐTBXH ngày 22/11/2023"
_VPCP_2024 = "Công văn số 2450/VPCP-KGVX năm 2024"
_TB_2025 = "Thông báo số 6150/TB-BLĐTBXH ngày 12/11/2024"
_TET_2026 = f"{LAW}; nghỉ Tết theo thông báo năm 2026"
_SWAP_2026 = f"{LAW}; hoán đổi ngày làm việc theo thông báo năm 2026"
_CULTURE_SOURCE = "Nghị quyết 80-NQ/TW (từ năm 2026)"


def _days(first: date, last: date, name: str, source: str) -> list[Holiday]:
    count = (last - first).days + 1
    return [Holiday(first + timedelta(days=i), OFF, name, source) for i in range(count)]


def _swap(off: date, work: date, source: str) -> list[Holiday]:
    return [Holiday(off, OFF, _SWAPPED.format(day=f"{work.day:02d}/{work.month}/{work.year}"),
                    source),
            Holiday(work, WORK, _MAKE_UP.format(day=f"{off.day:02d}/{off.month}/{off.year}"),
                    source)]


def _table() -> tuple[Holiday, ...]:
    d = date
    entries = [
        # 2024
        Holiday(d(2024, 1, 1), OFF, _NEW_YEAR, LAW),
        *_days(d(2024, 2, 8), d(2024, 2, 14), _TET, _TET_2024),
        Holiday(d(2024, 4, 18), OFF, _HUNG, LAW),
        *_swap(d(2024, 4, 29), d(2024, 5, 4), _VPCP_2024),
        Holiday(d(2024, 4, 30), OFF, _VICTORY, LAW),
        Holiday(d(2024, 5, 1), OFF, _LABOUR, LAW),
        Holiday(d(2024, 9, 2), OFF, _NATIONAL, LAW),
        Holiday(d(2024, 9, 3), OFF, _NATIONAL, LAW),
        # 2025
        Holiday(d(2025, 1, 1), OFF, _NEW_YEAR, LAW),
        *_days(d(2025, 1, 27), d(2025, 2, 1), _TET, _TB_2025),
        Holiday(d(2025, 4, 7), OFF, _HUNG, LAW),
        *_swap(d(2025, 5, 2), d(2025, 4, 26), _TB_2025),
        Holiday(d(2025, 4, 30), OFF, _VICTORY, LAW),
        Holiday(d(2025, 5, 1), OFF, _LABOUR, LAW),
        Holiday(d(2025, 9, 1), OFF, _NATIONAL, LAW),
        Holiday(d(2025, 9, 2), OFF, _NATIONAL, LAW),
        # 2026
        Holiday(d(2026, 1, 1), OFF, _NEW_YEAR, LAW),
        *_days(d(2026, 2, 16), d(2026, 2, 20), _TET, _TET_2026),
        Holiday(d(2026, 4, 26), OFF, _HUNG, LAW),
        Holiday(d(2026, 4, 27), OFF, _HUNG + _IN_LIEU, LAW),
        Holiday(d(2026, 4, 30), OFF, _VICTORY, LAW),
        Holiday(d(2026, 5, 1), OFF, _LABOUR, LAW),
        *_swap(d(2026, 8, 31), d(2026, 8, 22), _SWAP_2026),
        Holiday(d(2026, 9, 1), OFF, _NATIONAL, LAW),
        Holiday(d(2026, 9, 2), OFF, _NATIONAL, LAW),
        Holiday(d(2026, 11, 24), OFF, _CULTURE, _CULTURE_SOURCE),
        # 2027: no announcement yet, the Labour Code's days
        Holiday(d(2027, 1, 1), OFF, _NEW_YEAR, LAW),
        *_days(d(2027, 2, 4), d(2027, 2, 10), _TET, LAW),
        Holiday(d(2027, 4, 16), OFF, _HUNG, LAW),
        Holiday(d(2027, 4, 30), OFF, _VICTORY, LAW),
        Holiday(d(2027, 5, 1), OFF, _LABOUR, LAW),
        Holiday(d(2027, 5, 3), OFF, _LABOUR + _IN_LIEU, LAW),
        Holiday(d(2027, 9, 2), OFF, _NATIONAL, LAW),
        Holiday(d(2027, 9, 3), OFF, _NATIONAL, LAW),
        Holiday(d(2027, 11, 24), OFF, _CULTURE, _CULTURE_SOURCE),
    ]
    return tuple(sorted(entries))


SHIPPED: tuple[Holiday, ...] = _table()


def shipped() -> list[Holiday]:
    """The shipped days off and make-up working days, in date order."""
    return list(SHIPPED)


_FIXED = {(1, 1), (4, 30), (5, 1), (9, 2)}
_CULTURE_DAY, _CULTURE_FROM = (11, 24), 2026


def _fixed_holiday(day: date) -> bool:
    month_day = (day.month, day.day)
    return month_day in _FIXED or (month_day == _CULTURE_DAY and day.year >= _CULTURE_FROM)


def _every_year(year: int) -> list[Holiday]:
    """The holidays on a fixed date in any year (the Labour Code's, and 24 November from
    2026)."""
    days = [Holiday(date(year, 1, 1), OFF, _NEW_YEAR, LAW),
            Holiday(date(year, 4, 30), OFF, _VICTORY, LAW),
            Holiday(date(year, 5, 1), OFF, _LABOUR, LAW),
            Holiday(date(year, 9, 2), OFF, _NATIONAL, LAW)]
    if year >= _CULTURE_FROM:
        days.append(Holiday(date(year, *_CULTURE_DAY), OFF, _CULTURE, _CULTURE_SOURCE))
    return days


class Calendar:
    """Which days an office works: Monday to Friday, less the public holidays and the office's
    own days off, plus the make-up working days and the office's own working days.

    ``office`` is the office's own entries, each ``(date, 'off' | 'work', name)``; on its date
    an office entry replaces the shipped one. ``shipped=False`` leaves the shipped table out
    (the fixed-date holidays of every year stay).
    """

    def __init__(self, office: Iterable[tuple[date, str, str]] = (), *,
                 shipped: bool = True) -> None:
        self._entries: dict[date, Holiday] = {}
        if shipped:
            self._entries.update((entry.day, entry) for entry in SHIPPED)
        for day, kind, name in office:
            if kind not in (OFF, WORK):
                raise ValueError(f"kind must be {OFF!r} or {WORK!r}, not {kind!r}")
            self._entries[day] = Holiday(day, kind, name, OFFICE)

    def is_working_day(self, day: date) -> bool:
        entry = self._entries.get(day)
        if entry is not None:
            return entry.kind == WORK
        return day.weekday() < 5 and not _fixed_holiday(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative),
        ``start`` itself not counted; ``start`` when ``n`` is 0. Raises OverflowError past the
        ends of the calendar."""
        step = timedelta(days=1 if n > 0 else -1)
        day = start
        for _count in range(abs(n)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def holidays(self, year: int) -> list[Holiday]:
        """The year's days off and make-up working days, in date order: the shipped ones,
        the office's, and the fixed-date holidays of any year."""
        found = {entry.day: entry for entry in _every_year(year)}
        found.update((day, entry) for day, entry in self._entries.items() if day.year == year)
        return sorted(found.values())


def _office_date(number: int, value: object, coerce: Callable[[object], date]) -> date:
    try:
        return coerce(value)
    except InputError as error:
        raise InputError(_("holiday {number}: {error}").format(number=number,
                                                               error=error)) from None


def office_entries(document: dict, coerce_date: Callable[[object], date]
                   ) -> list[tuple[date, str, str]]:
    """An office's own days from a parsed TOML document: its ``[[holiday]]`` tables, each
    with ``date`` (a TOML date or a date in words, read by ``coerce_date``, as
    :func:`clusterctl.dates.coerce_date`) and ``name``, and ``working = true`` for a make-up
    working day. The entries for :class:`Calendar`, in date order."""
    from clusterctl.words import day as shown

    tables = document.get("holiday", [])
    if not isinstance(tables, list):
        raise InputError(_("'holiday' must be a list of tables, written [[holiday]]"))
    entries: list[tuple[date, str, str]] = []
    seen: dict[date, int] = {}
    for number, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise InputError(_("holiday {number}: expected a table with 'date' and 'name'")
                             .format(number=number))
        for key in table:
            if key not in ("date", "name", "working"):
                raise InputError(_("holiday {number}: unknown key {key!r} (expected 'date', "
                                   "'name' and 'working')").format(number=number, key=key))
        for key in ("date", "name"):
            if key not in table:
                raise InputError(_("holiday {number}: {key!r} is missing")
                                 .format(number=number, key=key))
        day = _office_date(number, table["date"], coerce_date)
        name = table["name"]
        if not isinstance(name, str) or not name.strip():
            raise InputError(_("holiday {number}: 'name' must be some text")
                             .format(number=number))
        working = table.get("working", False)
        if not isinstance(working, bool):
            raise InputError(_("holiday {number}: 'working' must be true or false")
                             .format(number=number))
        if day in seen:
            raise InputError(_("holiday {number}: {day} is also holiday {other}").format(
                number=number, day=shown(day), other=seen[day]))
        seen[day] = number
        entries.append((day, WORK if working else OFF, " ".join(name.split())))
    return sorted(entries)
