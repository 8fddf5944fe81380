"""What every command shares: the database it works on, option spellings, messages."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from clusterctl.i18n import _
from clusterctl.text import safe, shorten_runs


class Format(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", case_sensitive=False,
        help=_("Output format [default: table on a terminal, plain otherwise]."),
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE",
        help=_("Judge timeliness as of this date [default: today in the office time zone]."),
        show_default=False,
    ),
]
NoteOpt = Annotated[
    str | None, typer.Option("--note", "-n", help=_("A note recorded in the task's history."))
]
ExpectVersionOpt = Annotated[
    int | None,
    typer.Option(
        "--expect-version", metavar="N",
        help=_("Refuse (exit 4) unless the task is still at version N, as you last saw it."),
    ),
]


class State:
    """Set by the root callback before any command runs."""

    location: str = ""


state = State()


@contextmanager
def database(*, write: bool) -> Iterator:
    """The database this invocation works on; commands that only read never create it."""
    from clusterctl.store.schema import open_database

    db = open_database(state.location, write=write)
    try:
        yield db
    finally:
        db.close()


def as_of_date(text: str | None) -> date:
    from clusterctl.config import today
    from clusterctl.dates import parse_date

    return parse_date(text) if text else today()


def format_of(requested: Format | None) -> str:
    from clusterctl.render import pick_format

    return pick_format(requested.value if requested else None)


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, so that stdout stays data."""
    sys.stderr.write(safe(shorten_runs(message)) + "\n")


def actor() -> str:
    from clusterctl.config import current_user

    return current_user()

