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
