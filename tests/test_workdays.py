"""Working days: weekends, Vietnam's public holidays, make-up Saturdays, an office's own days."""

from datetime import date, timedelta

import pytest

from clusterctl.dates import coerce_date
from clusterctl.errors import InputError
from clusterctl.workdays import LAW, OFF, OFFICE, WORK, Calendar, office_entries, shipped

D = date

# python-holidays 0.109's Vietnam calendar for 2024-2027 (its days off, weekends included).
PYTHON_HOLIDAYS_VN = {
    D(2024, 1, 1), *(D(2024, 2, n) for n in range(8, 15)), D(2024, 4, 18), D(2024, 4, 29),
    D(2024, 4, 30), D(2024, 5, 1), D(2024, 9, 2), D(2024, 9, 3),
    D(2025, 1, 1), *(D(2025, 1, n) for n in range(27, 32)), D(2025, 2, 1), D(2025, 4, 7),
    D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2), D(2025, 9, 1), D(2025, 9, 2),
    D(2026, 1, 1), *(D(2026, 2, n) for n in range(16, 21)), D(2026, 4, 26), D(2026, 4, 27),
    D(2026, 4, 30), D(2026, 5, 1), D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2),
    D(2026, 11, 24),
    D(2027, 1, 1), *(D(2027, 2, n) for n in range(4, 11)), D(2027, 4, 16), D(2027, 4, 30),
    D(2027, 5, 1), D(2027, 5, 3), D(2027, 9, 2), D(2027, 9, 3), D(2027, 11, 24),
}


def test_the_shipped_days_off_are_those_of_python_holidays():
    assert {entry.day for entry in shipped() if entry.kind == OFF} == PYTHON_HOLIDAYS_VN


def test_the_make_up_working_days_are_the_swapped_saturdays():
    work = {entry.day: entry for entry in shipped() if entry.kind == WORK}
    assert sorted(work) == [D(2024, 5, 4), D(2025, 4, 26), D(2026, 8, 22)]
    assert all(day.weekday() == 5 for day in work)
    assert "2450/VPCP-KGVX" in work[D(2024, 5, 4)].source
    assert "6150/TB-BLĐTBXH" in work[D(2025, 4, 26)].source


def test_the_shipped_table_is_in_date_order_and_every_entry_has_a_name_and_source():
    entries = shipped()
    assert [entry.day for entry in entries] == sorted({entry.day for entry in entries})
    assert all(entry.name and entry.source and entry.kind in (OFF, WORK) for entry in entries)
    # shipped() hands out a copy: changing it changes nothing
    entries.clear()
    assert shipped()


def test_names_and_sources():
    by_day = {entry.day: entry for entry in shipped()}
    assert by_day[D(2025, 1, 27)].name == "Tết Nguyên đán"
    assert by_day[D(2025, 1, 27)].source == "Thông báo số 6150/TB-BLĐTBXH ngày 12/11/2024"
    assert by_day[D(2024, 4, 18)].name == "Giỗ Tổ Hùng Vương"
    assert by_day[D(2024, 4, 18)].source == LAW
    assert "nghỉ bù" in by_day[D(2026, 4, 27)].name
    assert by_day[D(2026, 11, 24)].name == "Ngày Văn hóa Việt Nam"
    assert "80-NQ/TW" in by_day[D(2026, 11, 24)].source


def test_2027_is_the_law_s_days_marked_provisional():
    entries = [entry for entry in shipped() if entry.day.year == 2027]
    assert entries and all(entry.provisional for entry in entries)
    assert not any(entry.provisional for entry in shipped() if entry.day.year <= 2026)
    assert {entry.source for entry in entries if entry.day.month != 11} == {LAW}


@pytest.mark.parametrize("day, working", [
    (D(2024, 4, 26), True),    # Friday
    (D(2024, 4, 27), False),   # Saturday
    (D(2024, 4, 28), False),   # Sunday
    (D(2024, 4, 29), False),   # swapped for Saturday 4/5
    (D(2024, 5, 4), True),     # the make-up Saturday
    (D(2024, 5, 11), False),   # an ordinary Saturday
    (D(2025, 4, 26), True),    # make-up Saturday for 2/5/2025
    (D(2025, 5, 2), False),
    (D(2025, 1, 27), False),   # 29 Tết, a Monday
    (D(2025, 2, 3), True),     # back to work after Tết
    (D(2026, 4, 27), False),   # Giỗ Tổ falls on a Sunday: Monday off in lieu
    (D(2026, 8, 22), True),
    (D(2026, 8, 31), False),
    (D(2027, 5, 3), False),    # 1/5/2027 is a Saturday: Monday off in lieu
    (D(2023, 11, 24), True),   # the Culture Day is a holiday from 2026
    (D(2028, 11, 24), False),
])
def test_is_working_day(day, working):
    assert Calendar().is_working_day(day) is working


@pytest.mark.parametrize("year", [1990, 2023, 2028, 2031, 2099])
def test_the_fixed_holidays_of_any_year(year):
    calendar = Calendar()
    for month, day in ((1, 1), (4, 30), (5, 1), (9, 2)):
        assert not calendar.is_working_day(D(year, month, day))
    listed = {entry.day for entry in calendar.holidays(year)}
    assert {D(year, 1, 1), D(year, 4, 30), D(year, 5, 1), D(year, 9, 2)} <= listed


def test_1_january_2031_is_a_holiday_though_a_wednesday():
    assert D(2031, 1, 1).weekday() == 2
    assert not Calendar().is_working_day(D(2031, 1, 1))
    assert Calendar().add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)


def test_add_working_days_over_the_2024_reunification_break():
    calendar = Calendar()
    friday = D(2024, 4, 26)
    # 27 Sat, 28 Sun, 29 swapped, 30/4 and 1/5 holidays; 2/5 Thu = 1, 3/5 Fri = 2,
    # Saturday 4/5 worked in exchange = 3
    assert calendar.add_working_days(friday, 1) == D(2024, 5, 2)
    assert calendar.add_working_days(friday, 2) == D(2024, 5, 3)
    assert calendar.add_working_days(friday, 3) == D(2024, 5, 4)
    assert calendar.add_working_days(friday, 4) == D(2024, 5, 6)


def test_add_working_days_zero_and_negative():
    calendar = Calendar()
    assert calendar.add_working_days(D(2024, 4, 27), 0) == D(2024, 4, 27)  # even a Saturday
    assert calendar.add_working_days(D(2024, 5, 4), -3) == D(2024, 4, 26)
    assert calendar.add_working_days(D(2024, 5, 6), -1) == D(2024, 5, 4)
    # over Tết 2025: Friday 24/1 is the last working day before it
    assert calendar.add_working_days(D(2025, 2, 3), -1) == D(2025, 1, 24)
    assert calendar.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)


def test_add_working_days_is_symmetric_between_working_days():
    calendar = Calendar()
    day = D(2024, 1, 2)
    while day < D(2028, 1, 1):
        if calendar.is_working_day(day):
            for n in (1, 5, 22):
                assert calendar.add_working_days(calendar.add_working_days(day, n), -n) == day
        day += timedelta(days=9)


def test_an_office_holiday_moves_a_due_date():
    start = D(2025, 3, 3)  # Monday
    assert Calendar().add_working_days(start, 3) == D(2025, 3, 6)
    office = Calendar([(D(2025, 3, 5), OFF, "Ngày thành lập tỉnh")])
    assert not office.is_working_day(D(2025, 3, 5))
    assert office.add_working_days(start, 3) == D(2025, 3, 7)


def test_office_entries_override_the_shipped_ones():
    office = Calendar([(D(2024, 5, 4), OFF, "Không làm bù"),
                       (D(2024, 4, 29), WORK, "Trực cơ quan"),
                       (D(2024, 6, 8), WORK, "Làm việc thứ Bảy")])
    assert not office.is_working_day(D(2024, 5, 4))
    assert office.is_working_day(D(2024, 4, 29))
    assert office.is_working_day(D(2024, 6, 8))
    listed = {entry.day: entry for entry in office.holidays(2024)}
    assert listed[D(2024, 5, 4)].kind == OFF and listed[D(2024, 5, 4)].source == OFFICE
    assert listed[D(2024, 4, 29)].name == "Trực cơ quan"
    assert listed[D(2024, 6, 8)].kind == WORK


def test_an_office_can_work_on_a_fixed_holiday_of_a_year_outside_the_table():
    office = Calendar([(D(2031, 1, 1), WORK, "Trực Tết")])
    assert office.is_working_day(D(2031, 1, 1))
    assert [e.name for e in office.holidays(2031) if e.day == D(2031, 1, 1)] == ["Trực Tết"]


def test_without_the_shipped_table_only_the_fixed_holidays_remain():
    bare = Calendar(shipped=False)
    assert bare.is_working_day(D(2024, 4, 29))
    assert not bare.is_working_day(D(2024, 4, 30))
    assert not bare.is_working_day(D(2024, 5, 4))


def test_holidays_lists_a_year_in_date_order():
    listed = Calendar().holidays(2025)
    days = [entry.day for entry in listed]
    assert days == sorted(days)
    assert {day.year for day in days} == {2025}
    assert D(2025, 4, 26) in days and D(2025, 1, 27) in days
    assert [entry.day for entry in Calendar().holidays(2030)] == [
        D(2030, 1, 1), D(2030, 4, 30), D(2030, 5, 1), D(2030, 9, 2), D(2030, 11, 24)]


def test_office_entries_from_toml():
    import tomllib

    document = tomllib.loads("""
[[holiday]]
date = 2025-03-05
name = "Ngày thành lập tỉnh"

[[holiday]]
date = "trước ngày 8/3/2025"
name = "  Làm bù   ngày 5/3 "
working = true
""")
    assert office_entries(document, coerce_date) == [
        (D(2025, 3, 5), OFF, "Ngày thành lập tỉnh"),
        (D(2025, 3, 8), WORK, "Làm bù ngày 5/3"),
    ]
    assert office_entries({}, coerce_date) == []
    calendar = Calendar(office_entries(document, coerce_date))
    assert calendar.add_working_days(D(2025, 3, 4), 2) == D(2025, 3, 7)
    assert calendar.add_working_days(D(2025, 3, 4), 3) == D(2025, 3, 8)


@pytest.mark.parametrize("document, message", [
    ({"holiday": {"date": "1/1/2025"}}, "'holiday' must be a list of tables"),
    ({"holiday": ["1/1/2025"]}, "holiday 1: expected a table"),
    ({"holiday": [{"date": D(2025, 3, 5), "name": "A"}, {"name": "B"}]},
     "holiday 2: 'date' is missing"),
    ({"holiday": [{"date": D(2025, 3, 5)}]}, "holiday 1: 'name' is missing"),
    ({"holiday": [{"date": D(2025, 3, 5), "name": " "}]}, "holiday 1: 'name' must be some text"),
    ({"holiday": [{"date": D(2025, 3, 5), "name": "A", "working": "yes"}]},
     "holiday 1: 'working' must be true or false"),
    ({"holiday": [{"date": D(2025, 3, 5), "name": "A", "workin": True}]},
     "holiday 1: unknown key 'workin'"),
    ({"holiday": [{"date": "31/2/2025", "name": "A"}]}, "holiday 1: '31/2/2025' is not a date"),
    ({"holiday": [{"date": 20250305, "name": "A"}]}, "holiday 1: expected a date, got int"),
    ({"holiday": [{"date": D(2025, 3, 5), "name": "A"}, {"date": "5/3/2025", "name": "B"}]},
     "holiday 2: 2025-03-05 is also holiday 1"),
])
def test_office_entries_refused_naming_the_entry(document, message):
    with pytest.raises(InputError) as caught:
        office_entries(document, coerce_date)
    assert message in str(caught.value)


# -- working days in dates ------------------------------------------------------------------

def test_plus_working_days_from_today():
    from clusterctl.dates import parse_date

    friday = D(2024, 4, 26)
    assert parse_date("+3wd", friday) == D(2024, 5, 4)  # the make-up Saturday is the third
    assert parse_date("+4wd", friday) == D(2024, 5, 6)
    assert parse_date("+3d", friday) == D(2024, 4, 29)  # calendar days, as before
    assert parse_date("-2wd", D(2024, 5, 2)) == D(2024, 4, 25)
    assert parse_date("+0wd", D(2024, 4, 27)) == D(2024, 4, 27)
    assert parse_date(" +1WD ", D(2025, 1, 24)) == D(2025, 2, 3)  # over Tết 2025


def test_plus_working_days_counts_from_the_office_s_today(monkeypatch):
    import clusterctl.config
    from clusterctl.dates import parse_date

    monkeypatch.setattr(clusterctl.config, "today", lambda: D(2024, 4, 26))
    assert parse_date("+3wd") == D(2024, 5, 4)
    assert parse_date("trong 1 ngày làm việc") == D(2024, 5, 2)


@pytest.mark.parametrize("text, expected", [
    # issued on Saturday 26/4/2025, itself a make-up working day but not counted: Mon 28 = 1,
    # Tue 29 = 2, then 30/4, 1/5, 2/5 (swapped) off and the weekend: Monday 5/5 = 3
    ("trong 03 ngày làm việc", D(2025, 5, 5)),
    ("Trong vòng 5 ngày làm việc", D(2025, 5, 7)),
    ("trong thời hạn 07 ngày làm việc", D(2025, 5, 9)),
    ("05 ngày làm việc", D(2025, 5, 7)),
    ("trong 03 ngay lam viec", D(2025, 5, 5)),
    ("trong 10 ngày", D(2025, 5, 6)),  # calendar days
    ("trong vòng 3 ngày", D(2025, 4, 29)),
])
def test_within_n_days_counts_from_the_directive_s_date(text, expected):
    from clusterctl.dates import coerce_date, parse_date, parse_due

    issued = D(2025, 4, 26)
    assert parse_date(text, D(2030, 1, 1), base=issued) == expected
    assert parse_due(text, base=issued) == expected
    assert coerce_date(text, base=issued) == expected


def test_within_n_working_days_without_a_base_counts_from_today():
    from clusterctl.dates import parse_date

    assert parse_date("trong 03 ngày làm việc", D(2024, 4, 26)) == D(2024, 5, 4)
    assert parse_date("trong 10 ngày", D(2024, 4, 26)) == D(2024, 5, 6)


def test_the_calendar_is_asked_for_only_by_a_working_day_form():
    from clusterctl.dates import coerce_date, parse_date, parse_due

    def refuse():
        raise AssertionError("the calendar was asked for")

    assert parse_date("30/4/2025", calendar=refuse) == D(2025, 4, 30)
    assert parse_date("+3d", D(2024, 4, 26), calendar=refuse) == D(2024, 4, 29)
    assert parse_date("trong 10 ngày", calendar=refuse, base=D(2025, 4, 26)) == D(2025, 5, 6)
    assert parse_due("thường xuyên", calendar=refuse) is None
    assert coerce_date(D(2025, 4, 30), calendar=refuse) == D(2025, 4, 30)
    asked = []

    def office():
        asked.append(1)
        return Calendar([(D(2025, 5, 5), OFF, "Ngày của tỉnh")])

    assert parse_date("trong 03 ngày làm việc", calendar=office, base=D(2025, 4, 26)) == D(
        2025, 5, 6)  # the office's day off moves the due date
    assert parse_date("+1wd", D(2025, 5, 2), calendar=office) == D(2025, 5, 6)
    assert len(asked) == 2


@pytest.mark.parametrize("text", ["10 ngày", "trong ngày làm việc", "trong 3 ngày làm",
                                  "+3wdd", "+3 wd", "trong 1000 ngày làm việc", "3wd"])
def test_working_day_forms_are_checked(text):
    from clusterctl.dates import parse_date

    with pytest.raises(InputError, match="not a date clusterctl understands"):
        parse_date(text, D(2024, 4, 26), base=D(2024, 4, 26))


def test_working_days_beyond_the_years_are_refused():
    from clusterctl.dates import parse_date

    with pytest.raises(InputError, match="outside the years"):
        parse_date("+9999wd", D(2990, 1, 1))
    with pytest.raises(InputError, match="outside the years"):
        parse_date("-9999wd", D(1901, 1, 1))


def test_the_accepted_forms_name_the_working_day_forms():
    from clusterctl.dates import ACCEPTED_FORMS

    assert "+3wd" in ACCEPTED_FORMS and "trong 03 ngày làm việc" in ACCEPTED_FORMS
