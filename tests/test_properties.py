"""Properties of the command line: whatever text a person types where a date, a task, a key,
an agency or a directive number goes, clusterctl answers with exit 0 or exit 2 and one
``Error: ...`` line, never an internal error (exit 70) or a traceback.

Each test creates its database once; Hypothesis then runs its examples against it.
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import add_task

PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# Texts that have broken parsers before: other scripts' digits, numbers past 64 bits, the
# calendar's edges, '#' (NUMBER#KEY), controls, bidirectional marks, option-like text.
SPECIAL = [
    "", " ", "#", "#1", "1#", "##", "#-1", "²", "٣", "５", "٣/٣/٢٠٢٤", "２０２４-01-01",
    "99999999999999999999", "-99999999999999999999", "9223372036854775808", "0", "-1",
    "1e3", "NaN", "\x00", "\x1b[31m", "\n", "\t", "\r", "\x7f", "\u202e", "\ufeff", "\u200b",
    "12/9999", "Q4/9999", "quý IV/9999", "31/12/9999", "1/1/0001", "12/0000", "+9999y",
    "-9999y", "+9999d", "eoq", "eom", "eow", "eoy", "today", "2029/UBND-KTTH",
    "2029/UBND-KTTH#1", "2029/UBND-KTTH#", "SCT", "DOIT", "sở công thương", "%", "_", "'",
    '"', "\\", "-", "--", "--help", "/", "..", "a" * 600,
]
DIGITS = st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=5)
NUMBER = st.one_of(st.integers(-10**21, 10**21).map(str), DIGITS,
                   st.sampled_from(["9999", "0000", "12", "31", "IV", "iv", "²", "99999999999"]))
PIECE = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6), NUMBER)
HOSTILE = st.lists(PIECE, max_size=4).map("".join)
DATE_LIKE = st.one_of(
    st.builds("{}{}{}{}{}".format, NUMBER, st.sampled_from("/.-"), NUMBER,
              st.sampled_from("/.-"), NUMBER),
    st.builds("{}/{}".format, NUMBER, NUMBER),
    st.builds("{}{}/{}".format, st.sampled_from(["Q", "q", "quý ", "Quý ", "tháng "]),
              NUMBER, NUMBER),
    st.builds("{}{}{}".format, st.sampled_from("+-"), NUMBER, st.sampled_from("dwmyx")),
    st.dates().map(date.isoformat),
)
DATE_TEXT = st.one_of(HOSTILE, DATE_LIKE)
AS_OF_COMMANDS = [("task", "list"), ("overdue",), ("status",), ("weekly",),
                  ("directive", "show", "2029/UBND-KTTH"), ("task", "show", "1")]


def answered(result) -> None:
    """Exit 0, or exit 2 with one ``Error: ...`` line; never a crash or a traceback."""
    assert result.exit_code in (0, 2), (
        f"exit {result.exit_code}\nstderr: {result.stderr}\nexception: {result.exception!r}")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr


def run(cli, *args: str):
    result = cli(*args, code=None)
    answered(result)
    return result


# -- dates ----------------------------------------------------------------------------------


@PROPERTY
@given(text=DATE_TEXT)
@example(text="12/9999")
@example(text="Q4/9999")
@example(text="quý IV/9999")
@example(text="٣/٣/٢٠٢٤")
def test_any_due_is_answered(seeded, text):
    run(seeded, "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", f"--due={text}", "T")


@pytest.fixture
def one_task(seeded):
    """The seeded database with task 1, due 30 June 2024, so that every report has a row."""
    assert add_task(seeded, "T", "-l", "SCT", "--due", "30/6/2024") == 1
    return seeded


@PROPERTY
@given(text=DATE_TEXT, command=st.sampled_from(AS_OF_COMMANDS))
@example(text="30/6/2024", command=("task", "show", "1"))
@example(text="+9999y", command=("task", "list"))
@example(text="５/2024", command=("weekly",))
def test_any_as_of_is_answered(one_task, text, command):
    run(one_task, *command, f"--as-of={text}")


@PROPERTY
@given(days=st.integers(0, 6), command=st.sampled_from(AS_OF_COMMANDS))
def test_as_of_at_the_ends_of_the_calendar_is_answered(one_task, days, command):
    run(one_task, *command, f"--as-of={(date.max - timedelta(days=days)).isoformat()}")
    run(one_task, *command, f"--as-of={(date.min + timedelta(days=days)).isoformat()}")


@PROPERTY
@given(text=DATE_TEXT)
@example(text="12/9999")
@example(text="+1d")
@example(text="1/1/0001")
def test_any_completion_date_is_answered(seeded, text):
    task_id = add_task(seeded, "T", "-l", "SCT")
    run(seeded, "task", "done", str(task_id), f"--on={text}")


# -- tasks ----------------------------------------------------------------------------------


@PROPERTY
@given(text=HOSTILE)
@example(text="99999999999999999999")
@example(text="2029/UBND-KTTH#99999999999999999999")
@example(text="²")
@example(text="2029/UBND-KTTH#٣")
def test_any_task_reference_is_answered(seeded, text):
    run(seeded, "task", "show", "--", text)


@PROPERTY
@given(text=HOSTILE)
@example(text="#")
@example(text="１")
@example(text="99999999999999999999")
def test_any_task_key_is_answered(seeded, text):
    result = run(seeded, "task", "add", "-d", "2029/UBND-KTTH", "-l", "SCT", f"--key={text}",
                 "T")
    if result.exit_code == 0:
        run(seeded, "task", "show", "--", f"2029/UBND-KTTH#{text}")


# -- agencies -------------------------------------------------------------------------------


@PROPERTY
@given(text=HOSTILE)
def test_any_lead_is_answered(seeded, text):
    run(seeded, "task", "add", "-d", "2029/UBND-KTTH", f"--lead={text}", "T")


@PROPERTY
@given(text=HOSTILE)
def test_any_agency_lookup_is_answered(seeded, text):
    run(seeded, "agency", "show", "--", text)


@PROPERTY
@given(code=HOSTILE, name=HOSTILE)
@example(code="٣", name="Sở")
@example(code="#", name="Sở")
def test_any_new_agency_is_answered(seeded, code, name):
    result = run(seeded, "agency", "add", "--", code, name)
    if result.exit_code == 0:
        run(seeded, "agency", "show", "--", code)


# -- directives -----------------------------------------------------------------------------


@PROPERTY
@given(text=HOSTILE)
def test_any_directive_lookup_is_answered(seeded, text):
    run(seeded, "directive", "show", "--", text)


@PROPERTY
@given(text=HOSTILE)
@example(text="1#2")
@example(text="٣/UBND")
def test_any_new_directive_number_is_answered(seeded, text):
    result = run(seeded, "directive", "add", "--issued", "1/1/2024", "--title", "T", "--", text)
    if result.exit_code == 0:
        run(seeded, "directive", "show", "--", text)
