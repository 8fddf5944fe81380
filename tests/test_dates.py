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


@given(st.dates(date(1900, 1, 1), date(2999, 12, 31)))
def test_parse_date_round_trips_every_date_it_accepts(day):
    assert parse_date(day.isoformat(), TODAY) == day
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


# -- years 1900 to 2999, and digits of other scripts ----------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1/1/1900", date(1900, 1, 1)), ("12/2999", date(2999, 12, 31)),
    ("Q4/2999", date(2999, 12, 31)), ("quý IV/2999", date(2999, 12, 31)),
    ("31/12/2999", date(2999, 12, 31)), ("1/1900", date(1900, 1, 31)),
])
def test_the_first_and_last_accepted_days(text, expected):
    assert parse_date(text, TODAY) == expected


# 12/9999 once ended in an internal error (1 January 10000 - 1 day); any year outside 1900 to
# 2999 is now a typo for clusterctl, and far from the ends of Python's calendar, so that the
# reports can step weeks either side of any date they are given.
EDGES = ["12/9999", "Q4/9999", "quý IV/9999", "31/12/9999", "9999-12-31", "31/12/1899",
         "1/1/0001", "1/0001", "3000-01-01"]


@pytest.mark.parametrize("text", EDGES)
def test_years_outside_1900_to_2999_are_refused(text):
    with pytest.raises(InputError, match="outside the years 1900 to 2999; is the year a typo"):
        parse_date(text, TODAY)


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


@pytest.mark.parametrize(("today", "text"), [
    (TODAY, "+9999y"), (TODAY, "+976y"), (TODAY, "-125y"), (date(2999, 12, 31), "tomorrow"),
    (date(2999, 12, 31), "+1w"), (date(1900, 1, 1), "yesterday"), (TODAY, "-9999m"),
])
def test_relative_dates_beyond_the_years_are_refused(today, text):
    with pytest.raises(InputError, match=r"outside the years|falls outside the calendar"):
        parse_date(text, today)


@pytest.mark.parametrize(("command", "text"), [
    (("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "T", "--due"), "12/9999"),
    (("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "T", "--due"), "Q4/9999"),
    (("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "T", "--due"), "quý IV/9999"),
    (("task", "done", "1", "--on"), "12/9999"), (("task", "done", "1", "--on"), "+999y"),
    (("task", "list", "--as-of"), "Q4/9999"), (("overdue", "--as-of"), "31/12/9999"),
    (("status", "--as-of"), "12/9999"), (("weekly", "--as-of"), "1/1/0001"),
    (("task", "extend", "1", "--reason", "x", "--to"), "quý IV/9999"),
    (("directive", "add", "9/UBND", "--title", "T", "--issued"), "12/9999"),
])
def test_dates_at_the_calendar_edge_are_exit_2_on_the_command_line(seeded, command, text):
    task_id = add_task(seeded, "Báo cáo", "-l", "SCT", "--due", "30/6/2024")
    assert task_id == 1
    assert "outside the years 1900 to 2999" in seeded.fails(*command, text)
    assert seeded.json("task", "show", "1")["status"] == "open"


@pytest.mark.parametrize("text", ["٣/٣/٢٠٢٤", "２０２４-01-01", "+٣d"])
def test_due_in_other_digits_is_exit_2_and_adds_nothing(seeded, text):
    error = seeded.fails("task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", "--due", text,
                         "Báo cáo")
    assert "is not a date clusterctl understands" in error
    assert seeded.json("task", "list") == []


@pytest.mark.parametrize(("field", "value", "line", "message"), [
    ("due", '"12/9999"', 14, "outside the years 1900 to 2999"),
    ("due", '"Q4/9999"', 14, "outside the years 1900 to 2999"),
    ("due", '"quý IV/9999"', 14, "outside the years 1900 to 2999"),
    ("due", "9999-12-31", 14, "outside the years 1900 to 2999"),
    ("due", '"٣/٣/٢٠٢٤"', 14, "is not a date clusterctl understands"),
    ("due", '"+999y"', 14, "outside the years"),
    ("due", '"Q4/0000"', 14, "is not a month that exists"),
    ("issued", "9999-12-31", 7, "outside the years 1900 to 2999"),
])
def test_import_date_beyond_the_years_is_a_located_problem(cli, tmp_path, field, value, line,
                                                           message):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n\n'
        '[[directives]]\nnumber = "1/UBND"\nissued = 2024-01-10\ntitle = "T"\n\n'
        '  [[directives.tasks]]\n  key = "1"\n  title = "A"\n  lead = "SCT"\n'
        '  due = 2024-06-30\n'.replace(f"{field} = 2024-0", f"{field} = {value}#"),
        encoding="utf-8")
    result = cli("import", str(path), code=2)
    assert "Traceback" not in result.stderr
    assert f"{path}:{line}: " in result.stderr and f".{field}: " in result.stderr, result.stderr
    assert message in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("nothing was imported")
    cli("init")
    assert cli.json("agency", "list") == [] and cli.json("task", "list") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Quý III năm 2025", date(2025, 9, 30)),
    ("ngày 30/6/2025", date(2025, 6, 30)),
    ("trước ngày 30/6/2025", date(2025, 6, 30)),
    ("Trước ngày 20.7.2020", date(2020, 7, 20)),
    ("trước 25-10-2023", date(2023, 10, 25)),
    ("trong tháng 12/2025", date(2025, 12, 31)),
    ("cuối quý IV/2030", date(2030, 12, 31)),
    ("ngày 05 tháng 3 năm 2024", date(2024, 3, 5)),
    ("tháng 6 năm 2024", date(2024, 6, 30)),
    ("chậm nhất ngày 25/6/2024", date(2024, 6, 25)),
])
def test_the_forms_directives_write(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["trước ngày 31/2/2025", "trước ngày", "ngày 30 tháng 6",
                                  "quý V năm 2025"])
def test_the_forms_directives_write_are_still_checked(text):
    with pytest.raises(InputError):
        parse_date(text)


def test_thuong_xuyen_on_the_command_line_is_no_due_date(seeded):
    task = add_task(seeded, "Thường xuyên", "-l", "SCT", "--due", "thường xuyên")
    assert seeded.json("task", "show", str(task))["due"] is None
    dated = add_task(seeded, "Có hạn", "-l", "SCT", "--due", "trước ngày 30/6/2025")
    assert seeded.json("task", "show", str(dated))["due"] == "2025-06-30"
    seeded("task", "edit", str(dated), "--due", "Thuong xuyen")
    assert seeded.json("task", "show", str(dated))["due"] is None
