"""Every date form the CLI accepts, and refusals of everything else."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterctl.dates import parse_date
from clusterctl.errors import InputError
from tests.conftest import add_task

TODAY = date(2024, 1, 31)  # a Wednesday, the last day of a 31-day month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-30", date(2024, 6, 30)),
        ("30/6/2024", date(2024, 6, 30)),
        ("30/06/2024", date(2024, 6, 30)),
        ("30-6-2024", date(2024, 6, 30)),
        ("30.6.2024", date(2024, 6, 30)),
        ("6/7/2024", date(2024, 7, 6)),  # day first, always
        ("29/2/2024", date(2024, 2, 29)),
        ("6/2024", date(2024, 6, 30)),
        ("2/2024", date(2024, 2, 29)),
        ("12/2025", date(2025, 12, 31)),
        ("tháng 12/2025", date(2025, 12, 31)),
        ("Q1/2024", date(2024, 3, 31)),
        ("Q2/2024", date(2024, 6, 30)),
        ("q4/2030", date(2030, 12, 31)),
        ("quý II/2024", date(2024, 6, 30)),
        ("Quý IV/2030", date(2030, 12, 31)),
        ("quy iii/2024", date(2024, 9, 30)),
        ("today", TODAY),
        ("yesterday", date(2024, 1, 30)),
        ("tomorrow", date(2024, 2, 1)),
        ("+3d", date(2024, 2, 3)),
        ("+2w", date(2024, 2, 14)),
        ("+1m", date(2024, 2, 29)),  # 31 January + 1 month = end of February
        ("+1y", date(2025, 1, 31)),
        ("-1m", date(2023, 12, 31)),
        ("eow", date(2024, 2, 4)),  # the Sunday ending this week
        ("eom", date(2024, 1, 31)),
        ("eoq", date(2024, 3, 31)),
        ("eoy", date(2024, 12, 31)),
        (" 30/6/2024 ", date(2024, 6, 30)),
    ],
)
def test_parse_date_accepts(text, expected):
    assert parse_date(text, TODAY) == expected


def test_eow_on_a_sunday_is_that_day():
    assert parse_date("eow", date(2024, 2, 4)) == date(2024, 2, 4)


@pytest.mark.parametrize(
    "text",
    ["31/2/2024", "30/2/2024", "29/2/2023", "32/1/2024", "0/1/2024", "1/13/2024",
     "13/2024", "0/2024", "Q5/2024", "quý V/2024", "2024/06/30", "30/6/24", "30/6-2024",
     "June 30 2024", "", "   ", "soon", "+3", "+3x", "3d", "+99999d", "+9999y",
     "2024-02-30", "\x1b[31m2024-01-01"],
)
def test_parse_date_refuses(text):
    with pytest.raises(InputError) as caught:
        parse_date(text, TODAY)
    assert "accepted forms" in str(caught.value)


@given(st.text(max_size=30))
def test_parse_date_never_fails_otherwise(text):
    try:
        result = parse_date(text, TODAY)
    except InputError:
        return
    assert isinstance(result, date)


@given(st.dates())
def test_parse_date_round_trips_every_real_date(day):
    assert parse_date(day.isoformat(), TODAY) == day
    if day.year >= 1000:
        assert parse_date(f"{day.day}/{day.month}/{day.year}", TODAY) == day


@pytest.mark.parametrize("text", ["30.6.2024", "quý II/2024", "6/2024", "Q2/2024"])
def test_task_add_due_forms_through_cli(seeded, text):
    task_id = add_task(seeded, "Báo cáo", "-l", "SCT", "--due", text)
    assert seeded.json("task", "show", str(task_id))["due"] == "2024-06-30"


def test_relative_due_counts_from_office_today(seeded):
    from clusterctl.config import today

    task_id = add_task(seeded, "Báo cáo", "-l", "SCT", "--due", "+1d")
    assert seeded.json("task", "show", str(task_id))["due"] == (
        date.fromordinal(today().toordinal() + 1).isoformat()
    )


def test_impossible_date_is_exit_2_and_adds_nothing(seeded):
    error = seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due",
                         "31/2/2024", "Báo cáo")
    assert "'31/2/2024' is not a date that exists" in error
    assert "accepted forms" in error
    assert seeded.json("task", "list") == []


# -- the edges of the calendar (years 1 to 9999) and digits of other scripts -----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/9999", date(9999, 12, 31)),  # the end of December, not 1 January 10000 - 1
        ("tháng 12/9999", date(9999, 12, 31)),
        ("Q4/9999", date(9999, 12, 31)),
        ("quý IV/9999", date(9999, 12, 31)),
        ("11/9999", date(9999, 11, 30)),
        ("31/12/9999", date(9999, 12, 31)),
        ("9999-12-31", date(9999, 12, 31)),
        ("1/0001", date(1, 1, 31)),
        ("Q1/0001", date(1, 3, 31)),
        ("1/1/0001", date(1, 1, 1)),
    ],
)
def test_periods_at_the_calendar_edge_end_on_their_last_day(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["12/0000", "Q4/0000", "1/1/0000", "0000-01-01", "13/9999"])
def test_year_zero_is_refused(text):
    with pytest.raises(InputError, match="accepted forms"):
        parse_date(text, TODAY)


# \d would match these: Arabic-Indic, Persian, Devanagari, fullwidth; ² is no Nd digit.
OTHER_DIGITS = ["٣/٣/٢٠٢٤", "۱۲/۲۰۲۴", "१२/२०२४", "２０２４-01-01", "30/6/２０２４", "12/١٢٣٤",
                "Q٤/2024", "quý ４/2024", "+٣d", "+１m", "²/2024", "2024-0²-01", "tháng ١٢/2024"]


@pytest.mark.parametrize("text", OTHER_DIGITS)
def test_digits_of_other_scripts_are_refused(text):
    with pytest.raises(InputError, match="is not a date clusterctl understands"):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    ("today", "text"),
    [
        (date.max, "tomorrow"), (date.max, "+1d"), (date.max, "+1w"), (date.max, "+1m"),
        (date.max, "+1y"), (date.max, "eow"),  # 9999-12-31 is a Friday
        (date.min, "yesterday"), (date.min, "-1d"), (date.min, "-1w"), (date.min, "-1m"),
        (date.min, "-1y"), (TODAY, "+9999y"), (TODAY, "-2024y"), (date(500, 1, 1), "-9999m"),
        (date(9999, 12, 25), "+1w"),
    ],
)
def test_relative_dates_beyond_the_calendar_are_refused(today, text):
    with pytest.raises(InputError, match="falls outside the calendar"):
        parse_date(text, today)


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date.max, "today", date.max), (date.max, "eom", date.max), (date.max, "eoq", date.max),
        (date.max, "eoy", date.max), (date.max, "-1d", date(9999, 12, 30)),
        (date(9999, 12, 26), "eow", date(9999, 12, 26)),  # a Sunday
        (date(9999, 11, 15), "eoq", date.max), (date(9999, 12, 1), "eom", date.max),
        (date.min, "today", date.min), (date.min, "eow", date(1, 1, 7)),
        (date.min, "+9998y", date(9999, 1, 1)), (date(9998, 12, 31), "+1y", date.max),
        (TODAY, "+9999m", date(2857, 4, 30)), (TODAY, "-2023y", date(1, 1, 31)),
    ],
)
def test_relative_dates_up_to_the_calendar_edge(today, text, expected):
    assert parse_date(text, today) == expected


@pytest.mark.parametrize("text", ["12/9999", "Q4/9999", "quý IV/9999"])
def test_due_at_the_end_of_the_calendar_through_cli(seeded, text):
    seeded("directive", "add", "1/9995", "--issued", "1/1/9995", "--title", "T")
    result = seeded("task", "add", "-d", "1/9995", "-l", "SCT", "--due", text, "Báo cáo")
    task_id = result.stdout.strip()
    assert seeded.json("task", "show", task_id)["due"] == "9999-12-31"
    # For a directive of 2024 the same date is refused, by the ten-year rule: exit 2.
    error = seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", text,
                         "Báo cáo")
    assert "due date 9999-12-31 is more than 10 years after" in error
    assert len(seeded.json("task", "list")) == 1


@pytest.mark.parametrize("text", ["٣/٣/٢٠٢٤", "２０２４-01-01", "+٣d"])
def test_due_in_other_digits_is_exit_2_and_adds_nothing(seeded, text):
    error = seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", text,
                         "Báo cáo")
    assert "is not a date clusterctl understands" in error
    assert seeded.json("task", "list") == []


@pytest.mark.parametrize(("text", "message"), [
    ("12/9999", "is in the future"), ("Q4/9999", "is in the future"),
    ("quý IV/9999", "is in the future"), ("+9999y", "falls outside the calendar"),
    ("٣/٣/٢٠٢٤", "is not a date clusterctl understands"),
])
def test_done_on_the_calendar_edge_is_exit_2(seeded, text, message):
    task_id = add_task(seeded, "Báo cáo", "-l", "SCT")
    assert message in seeded.fails("task", "done", str(task_id), "--on", text)
    assert seeded.json("task", "show", str(task_id))["status"] == "open"


@pytest.mark.parametrize("command", [("task", "list"), ("overdue",), ("status",), ("weekly",)])
@pytest.mark.parametrize("text", ["+9999y", "١/١/٢٠٢٤", "12/10000"])
def test_as_of_beyond_the_calendar_is_exit_2(seeded, command, text):
    assert "accepted forms" in seeded.fails(*command, "--as-of", text)


# Parsed, but the reports then step past the calendar from the as-of day (see
# clusterctl/core/timeliness.py window() and clusterctl/core/reports.py weekly_summary()).
EDGE_AS_OF_CRASH = pytest.mark.xfail(
    strict=True, reason="as-of within the due-soon window of 9999-12-31, or within a week of "
    "0001-01-01, ends in internal error (OverflowError) outside clusterctl/dates.py")


@EDGE_AS_OF_CRASH
@pytest.mark.parametrize(("command", "text"), [
    (("task", "list"), "Q4/9999"), (("overdue",), "31/12/9999"), (("status",), "12/9999"),
    (("weekly",), "31/12/9999"), (("weekly",), "1/1/0001"),
])
def test_as_of_at_the_calendar_edge_is_not_an_internal_error(seeded, command, text):
    result = seeded(*command, "--as-of", text, code=None)
    assert result.exit_code in (0, 2), result.stderr


def test_import_dates_at_the_calendar_edge(cli, tmp_path):
    path = tmp_path / "edge.toml"
    path.write_text(
        '[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n'
        '[[directives]]\nnumber = "1/UBND"\nissued = 9995-01-10\ntitle = "T"\n\n'
        '  [[directives.tasks]]\n  key = "1"\n  title = "A"\n  lead = "SCT"\n'
        '  due = "12/9999"\n\n'
        '  [[directives.tasks]]\n  key = "2"\n  title = "B"\n  lead = "SCT"\n'
        '  due = "quý IV/9999"\n', encoding="utf-8")
    cli("import", str(path))
    assert [t["due"] for t in cli.json("task", "list")] == ["9999-12-31", "9999-12-31"]


@pytest.mark.parametrize(("due", "message"), [
    ("٣/٣/٢٠٢٤", "is not a date clusterctl understands"),
    ("+9999y", "falls outside the calendar"),
    ("Q4/0000", "is not a month that exists"),
])
def test_import_date_beyond_the_calendar_is_a_located_problem(cli, tmp_path, due, message):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n'
        '[[directives]]\nnumber = "1/UBND"\nissued = 2024-01-10\ntitle = "T"\n\n'
        '  [[directives.tasks]]\n  key = "1"\n  title = "A"\n  lead = "SCT"\n'
        f'  due = "{due}"\n', encoding="utf-8")
    result = cli("import", str(path), code=2)
    assert "Traceback" not in result.stderr
    assert f"{path}:14: directives[0].tasks[0] (key '1').due: " in result.stderr, result.stderr
    assert message in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("nothing was imported")
    cli("init")
    assert cli.json("agency", "list") == [] and cli.json("task", "list") == []
