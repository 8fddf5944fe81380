"""Recurring tasks: the rules directives write, their dates and the periods that name them."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from clusterctl.errors import InputError
from clusterctl.recurrence import Rule, parse_rule

D = date
YEAR_2024 = (D(2024, 1, 1), None, D(2024, 12, 31))


def dates(rule: Rule, start=D(2024, 1, 1), until=None, through=D(2024, 12, 31)) -> list[date]:
    return [day for _period, day in rule.occurrences(start, until, through)]


@pytest.mark.parametrize("text", [
    "hằng tháng, trước ngày 25",
    "định kỳ hằng tháng trước ngày 25",
    "Hàng tháng, trước ngày 25",
    "hang thang truoc ngay 25",
    "trước ngày 25 hằng tháng",
    "định kỳ trước ngày 25 hằng tháng.",
    "Hằng tháng (trước ngày 25)",
    "mỗi tháng, chậm nhất ngày 25",
    "mỗi tháng một lần, trước ngày 25",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=25",
    "freq=monthly; bymonthday=25",
    "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=25",
])
def test_monthly_on_the_25th(text):
    rule = parse_rule(text)
    assert rule.rrule_text == "FREQ=MONTHLY;BYMONTHDAY=25"
    assert rule.frequency == "monthly"
    assert rule.text == text.strip()
    assert rule.occurrences(*YEAR_2024) == [(f"2024-{m:02d}", D(2024, m, 25))
                                             for m in range(1, 13)]


@pytest.mark.parametrize("day, february, april", [
    (31, D(2024, 2, 29), D(2024, 4, 30)),
    (30, D(2024, 2, 29), D(2024, 4, 30)),
    (29, D(2024, 2, 29), D(2024, 4, 29)),
])
def test_a_day_a_month_lacks_is_its_last_day(day, february, april):
    rule = parse_rule(f"hằng tháng, trước ngày {day}")
    got = dates(rule)
    assert len(got) == 12 and len({d.month for d in got}) == 12
    assert got[1] == february and got[3] == april
    assert got[0] == D(2024, 1, day)
    # and in a common year
    assert dates(rule, D(2025, 2, 1), None, D(2025, 2, 28)) == [D(2025, 2, 28)]


def test_the_31st_is_every_month_s_last_day():
    rule = parse_rule("hằng tháng trước ngày 31")
    assert rule.rrule_text == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert dates(rule, D(2025, 1, 1), None, D(2025, 12, 31)) == [
        D(2025, m, 1) + relativedelta(day=31) for m in range(1, 13)]
    assert parse_rule("ngày cuối tháng hằng tháng").rrule_text == rule.rrule_text


@pytest.mark.parametrize("text, months, day", [
    ("hằng quý, trước ngày 20 tháng cuối quý", (3, 6, 9, 12), 20),
    ("định kỳ hằng quý trước ngày 20 của tháng cuối quý", (3, 6, 9, 12), 20),
    ("hang quy, truoc ngay 20 thang cuoi quy", (3, 6, 9, 12), 20),
    ("trước ngày 20 tháng cuối quý hằng quý", (3, 6, 9, 12), 20),
    ("hằng quý, trước ngày 15 tháng đầu quý", (1, 4, 7, 10), 15),
    ("hằng quý, trước ngày 10 tháng thứ hai của quý", (2, 5, 8, 11), 10),
    ("hằng quý, trước ngày 31 tháng cuối quý", (3, 6, 9, 12), None),
])
def test_quarterly(text, months, day):
    rule = parse_rule(text)
    assert rule.frequency == "quarterly"
    expected = [D(2024, m, 1) + relativedelta(day=day or 31) for m in months]
    assert rule.occurrences(*YEAR_2024) == [
        (f"2024-Q{n}", due) for n, due in enumerate(expected, start=1)]


def test_quarterly_on_the_last_day_of_the_quarter_s_months():
    rule = parse_rule("hằng quý, trước ngày 31 tháng cuối quý")
    assert dates(rule) == [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]


@pytest.mark.parametrize("text", [
    "hằng năm, trước ngày 15/12",
    "trước ngày 15/12 hằng năm",
    "Hằng năm trước ngày 15 tháng 12",
    "hang nam truoc ngay 15-12",
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15",
])
def test_yearly(text):
    rule = parse_rule(text)
    assert rule.rrule_text == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15"
    assert rule.frequency == "yearly"
    assert rule.occurrences(D(2024, 1, 1), None, D(2026, 12, 31)) == [
        ("2024", D(2024, 12, 15)), ("2025", D(2025, 12, 15)), ("2026", D(2026, 12, 15))]


def test_29_february_every_year_is_its_last_day():
    rule = parse_rule("trước ngày 29/2 hằng năm")
    assert dates(rule, D(2024, 1, 1), None, D(2026, 12, 31)) == [
        D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28)]


@pytest.mark.parametrize("text, expected", [
    ("trước ngày 20 tháng 6 và 20 tháng 12 hằng năm", [D(2024, 6, 20), D(2024, 12, 20)]),
    ("hằng năm, trước ngày 20/6 và ngày 20/12", [D(2024, 6, 20), D(2024, 12, 20)]),
    ("6 tháng một lần, trước ngày 20/6 và 20/12", [D(2024, 6, 20), D(2024, 12, 20)]),
    ("định kỳ 6 tháng, trước ngày 15/6", [D(2024, 6, 15), D(2024, 12, 15)]),
    ("6 tháng 1 lần trước ngày 31/3", [D(2024, 3, 31), D(2024, 9, 30)]),
    ("trước ngày 15/1 hằng nửa năm", [D(2024, 1, 15), D(2024, 7, 15)]),
    ("trước ngày 15/6 và ngày 10/12 hằng năm", [D(2024, 6, 15), D(2024, 12, 10)]),
    ("trước ngày 10/12 và ngày 15/6 hằng năm", [D(2024, 6, 15), D(2024, 12, 10)]),
    ("trước ngày 5/6 và ngày 10/12 hằng năm", [D(2024, 6, 5), D(2024, 12, 10)]),
    ("trước ngày 30/6 và 31/12 hằng năm", [D(2024, 6, 30), D(2024, 12, 31)]),
    ("trước ngày 15/6 và 31/12 hằng năm", [D(2024, 6, 15), D(2024, 12, 31)]),
    ("trước ngày 31/12 và 15/6 hằng năm", [D(2024, 6, 15), D(2024, 12, 31)]),
    ("trước ngày 29/2 và 10/8 hằng năm", [D(2024, 2, 29), D(2024, 8, 10)]),
])
def test_half_yearly(text, expected):
    rule = parse_rule(text)
    assert rule.frequency == "half-yearly"
    assert rule.occurrences(*YEAR_2024) == [("2024-H1", expected[0]), ("2024-H2", expected[1])]
    # the same dates the next year
    assert dates(rule, D(2025, 1, 1), None, D(2025, 12, 31)) == [
        day + relativedelta(years=1) for day in expected]


@pytest.mark.parametrize("text, weekday", [
    ("hằng tuần, thứ Sáu", 4),
    ("hằng tuần, trước thứ Sáu", 4),
    ("hang tuan thu sau", 4),
    ("thứ Hai hằng tuần", 0),
    ("hằng tuần vào thứ 5", 3),
    ("hằng tuần, thứ Năm", 3),
    ("hằng tuần, thứ Tư", 2),
    ("mỗi tuần, thứ Bảy", 5),
    ("hằng tuần, Chủ nhật", 6),
    ("FREQ=WEEKLY;BYDAY=FR", 4),
])
def test_weekly(text, weekday):
    rule = parse_rule(text)
    assert rule.frequency == "weekly"
    got = rule.occurrences(*YEAR_2024)
    assert len(got) in (52, 53)
    assert all(day.weekday() == weekday for _period, day in got)
    assert [period for period, _day in got] == [
        f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}" for _p, day in got]
    assert len({period for period, _day in got}) == len(got)


def test_weekly_periods_are_iso_weeks():
    rule = parse_rule("hằng tuần, thứ Sáu")
    assert rule.period(D(2024, 2, 2)) == "2024-W05"
    assert rule.period(D(2021, 1, 1)) == "2020-W53"  # ISO year, not the calendar's
    assert rule.period(D(2024, 12, 30)) == "2025-W01"
    assert rule.occurrences(D(2024, 1, 29), None, D(2024, 2, 4)) == [("2024-W05", D(2024, 2, 2))]


def test_period_labels():
    day = D(2024, 8, 9)
    assert parse_rule("hằng tháng, trước ngày 9").period(day) == "2024-08"
    assert parse_rule("hằng quý, trước ngày 9 tháng thứ hai của quý").period(day) == "2024-Q3"
    assert parse_rule("trước ngày 9/8 và 9/2 hằng năm").period(day) == "2024-H2"
    assert parse_rule("trước ngày 9/2 và 9/8 hằng năm").period(D(2024, 2, 9)) == "2024-H1"
    assert parse_rule("hằng năm, trước ngày 9/8").period(day) == "2024"
    assert parse_rule("hằng quý, trước ngày 20 tháng cuối quý").period(D(2024, 3, 20)) == (
        "2024-Q1")


def test_occurrences_between_start_until_and_through():
    rule = parse_rule("hằng tháng, trước ngày 25")
    # start and end days included
    assert dates(rule, D(2024, 3, 25), None, D(2024, 5, 25)) == [
        D(2024, 3, 25), D(2024, 4, 25), D(2024, 5, 25)]
    assert dates(rule, D(2024, 3, 26), None, D(2024, 5, 24)) == [D(2024, 4, 25)]
    # the series' end comes first, or through does
    assert dates(rule, D(2024, 1, 1), D(2024, 3, 1), D(2024, 12, 31)) == [
        D(2024, 1, 25), D(2024, 2, 25)]
    assert dates(rule, D(2024, 1, 1), D(2024, 12, 31), D(2024, 2, 25)) == [
        D(2024, 1, 25), D(2024, 2, 25)]
    assert dates(rule, D(2024, 5, 1), None, D(2024, 4, 1)) == []
    assert dates(rule, D(2024, 5, 1), D(2024, 4, 1), D(2024, 12, 1)) == []


@pytest.mark.parametrize("text", [
    "hằng tháng, trước ngày 30", "hằng quý, trước ngày 30 tháng thứ hai của quý",
    "trước ngày 15/6 và ngày 10/12 hằng năm", "6 tháng một lần, trước ngày 31/3",
    "hằng tuần, thứ Sáu", "trước ngày 29/2 hằng năm",
])
def test_a_series_starting_any_day_has_the_same_dates_from_that_day(text):
    rule = parse_rule(text)
    whole = dates(rule, D(2020, 1, 1), None, D(2026, 12, 31))
    for start in (D(2024, 2, 29), D(2024, 6, 16), D(2024, 12, 31), D(2025, 5, 30)):
        assert dates(rule, start, None, D(2026, 12, 31)) == [d for d in whole if d >= start]


def test_step_and_horizon():
    as_of = D(2024, 1, 31)
    assert parse_rule("hằng tuần, thứ Sáu").horizon(as_of) == D(2024, 2, 7)
    assert parse_rule("hằng tháng, trước ngày 25").horizon(as_of) == D(2024, 2, 29)
    assert parse_rule("hằng quý, trước ngày 20 tháng cuối quý").horizon(as_of) == D(2024, 4, 30)
    assert parse_rule("trước ngày 20/6 và 20/12 hằng năm").horizon(as_of) == D(2024, 7, 31)
    assert parse_rule("hằng năm, trước ngày 15/12").horizon(D(2024, 2, 29)) == D(2025, 2, 28)
    assert parse_rule("hằng tháng, trước ngày 25").step() == relativedelta(months=1)
    assert parse_rule("hằng tuần, thứ Hai").step() == relativedelta(weeks=1)
    # an open-ended series has its dates up to one period beyond the as-of date
    rule = parse_rule("hằng tháng, trước ngày 25")
    assert dates(rule, D(2024, 1, 1), None, rule.horizon(D(2024, 3, 26))) == [
        D(2024, 1, 25), D(2024, 2, 25), D(2024, 3, 25), D(2024, 4, 25)]


@pytest.mark.parametrize("text", [
    "hằng tháng, trước ngày 25", "hằng tháng, trước ngày 30", "hằng tháng trước ngày 31",
    "hằng quý, trước ngày 20 tháng cuối quý", "hằng quý, trước ngày 30 tháng thứ hai của quý",
    "hằng năm, trước ngày 15/12", "trước ngày 20/6 và 20/12 hằng năm",
    "trước ngày 15/6 và ngày 10/12 hằng năm", "6 tháng một lần, trước ngày 31/3",
    "trước ngày 15/6 và 31/12 hằng năm", "trước ngày 29/2 và 10/8 hằng năm",
    "hằng tuần, thứ Sáu", "hằng tuần, Chủ nhật", "RRULE:freq=yearly;bymonthday=1;bymonth=7,1",
])
def test_the_stored_rule_gives_the_same_dates(text):
    rule = parse_rule(text)
    stored = Rule.from_stored(rule.rrule_text)
    assert stored.rrule_text == rule.rrule_text
    assert stored.frequency == rule.frequency
    span = (D(2023, 11, 5), None, D(2028, 3, 1))
    assert stored.occurrences(*span) == rule.occurrences(*span)
    assert stored.occurrences(*span)  # not vacuous
    # the stored text is an RRULE that dateutil reads as it is
    from dateutil.rrule import rrulestr

    assert rrulestr(rule.rrule_text, dtstart=__import__("datetime").datetime(2024, 1, 1))


def test_rrule_text_is_canonical():
    assert parse_rule("RRULE:bymonth=7,1;BYMONTHDAY=1;freq=YEARLY").rrule_text == (
        "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1")
    assert parse_rule("FREQ=MONTHLY;BYMONTHDAY=05;").rrule_text == "FREQ=MONTHLY;BYMONTHDAY=5"


def test_two_dates_of_one_half_are_periods_of_a_month():
    rule = parse_rule("trước ngày 20/5 và 20/6 hằng năm")
    assert rule.frequency == "monthly"
    assert rule.occurrences(*YEAR_2024) == [("2024-05", D(2024, 5, 20)),
                                             ("2024-06", D(2024, 6, 20))]


@pytest.mark.parametrize("text, message", [
    ("hằng tháng", "is not a repeat clusterctl understands"),
    ("trước ngày 25", "is not a repeat clusterctl understands"),
    ("trước ngày 15/12", "is not a repeat clusterctl understands"),
    ("hằng ngày", "is not a repeat clusterctl understands"),
    ("hằng tuần, ngày 25", "is not a repeat clusterctl understands"),
    ("hằng tháng, thứ Sáu", "is not a repeat clusterctl understands"),
    ("", "is not a repeat clusterctl understands"),
    ("hằng quý, trước ngày 20", "say which month of the quarter"),
    ("hằng tháng, trước ngày 32", "32 is not a day of the month"),
    ("hằng tháng, trước ngày 0", "0 is not a day of the month"),
    ("trước ngày 31/6 hằng năm", "31/6 is not a day of the year"),
    ("hằng năm, trước ngày 15/13", "15/13 is not a day of the year"),
    ("trước ngày 20/3 và 20/3 hằng năm", "gives 20/3 twice"),
    ("trước ngày 10/3 và 20/3 hằng năm", "gives two dates in one period (2025-03"),
    ("trước ngày 30/1 và 10/8 hằng năm", "a day past the 28th must be its month's last day"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", "gives two dates in one period (2025-01"),
    ("FREQ=WEEKLY;BYDAY=MO,FR", "gives two dates in one period (2025-W02"),
    ("FREQ=YEARLY;BYDAY=FR", "gives two dates in one period"),
    ("FREQ=DAILY", "repeats every week, month, quarter, half-year or year"),
    ("FREQ=SECONDLY", "repeats every week, month, quarter, half-year or year"),
    ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20", "with no INTERVAL"),
    ("FREQ=MONTHLY;COUNT=12;BYMONTHDAY=25", "COUNT is not taken in a rule"),
    ("FREQ=MONTHLY;UNTIL=20251231;BYMONTHDAY=25", "UNTIL is not taken in a rule"),
    ("FREQ=MONTHLY;BYHOUR=9;BYMONTHDAY=25", "BYHOUR is not taken in a rule"),
    ("FREQ=MONTHLY;BYMONTHDAY=25;BYMONTHDAY=26", "gives BYMONTHDAY twice"),
    ("FREQ=MONTHLY;BYMONTHDAY", "is not KEY=VALUE"),
    ("BYMONTHDAY=25", "FREQ is missing"),
    ("FREQ=MONTHLY;BYMONTHDAY=abc", "is not a valid RRULE"),
    ("FREQ=WEEKLY;BYDAY=XX", "is not a valid RRULE"),
    ("FREQ=MONTHLY", "depends on the day its series starts"),
    ("FREQ=WEEKLY", "depends on the day its series starts"),
    ("FREQ=YEARLY;BYMONTH=12", "depends on the day its series starts"),
    ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "gives no date"),
])
def test_refusals(text, message):
    with pytest.raises(InputError) as caught:
        parse_rule(text)
    assert message in str(caught.value)


def test_a_phrase_not_understood_lists_the_accepted_forms():
    with pytest.raises(InputError) as caught:
        parse_rule("mỗi khi có yêu cầu")
    text = str(caught.value)
    assert "accepted:" in text and "FREQ=MONTHLY;BYMONTHDAY=25" in text
    assert "hằng tháng, trước ngày 25" in text and "tháng cuối quý" in text


def test_a_stored_rule_is_checked_too():
    with pytest.raises(InputError, match="gives two dates in one period"):
        Rule.from_stored("FREQ=MONTHLY;BYMONTHDAY=1,15")


def test_every_form_the_refusal_names_is_accepted():
    import re

    from clusterctl.recurrence import ACCEPTED_RULES

    named = re.findall(r'"([^"]+)"', ACCEPTED_RULES)
    assert len(named) == 6
    for text in [*named, re.search(r"FREQ=\S+(?=,)", ACCEPTED_RULES).group()]:
        assert parse_rule(text).occurrences(*YEAR_2024)
