"""What every command shares: the database it works on, option spellings, messages."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated

import click  # loaded by Typer already; its documented ParamType
import typer

from clusterctl.i18n import _
from clusterctl.text import safe, shorten_runs


class Format(StrEnum):
    """How a command prints what it found."""

    table = "table"  # for people at a terminal
    plain = "plain"  # one record per line, for scripts
    json = "json"
    csv = "csv"
    markdown = "markdown"
    mail = "mail"  # reports only: mail-ready text, at most 78 columns
    xlsx = "xlsx"  # lists and reports: a spreadsheet, written to --output


class ExportFormat(StrEnum):
    """The file formats of ``export``: TOML is the import format; JSON, for other programs,
    holds the same tables."""

    toml = "toml"
    json = "json"


FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", case_sensitive=False,
        help=_("Output format [default: table on a terminal, plain otherwise]; mail for "
               "reports, xlsx (with --output) for lists and reports."),
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None, typer.Option("--output", "-o", metavar="FILE",
                             help=_("Write to FILE (readable by you only): needed by xlsx."))]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", metavar="N", min=0, max=1_000_000_000,
                             help=_("Show at most N rows."))]
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


class Named(click.ParamType):
    """A status or timeliness category, by its code or its name in either language, with or
    without diacritics (``in_progress``, ``"đang thực hiện"``, ``dang-thuc-hien``)."""

    def __init__(self, name: str, names: dict[str, str]) -> None:
        self.name = name
        self.names = names

    def get_metavar(self, param, ctx=None) -> str:
        return self.name.upper()

    def convert(self, value, param, ctx):
        from clusterctl.words import code_of

        code = code_of(str(value), self.names)
        if code is None:
            self.fail(_("{value!r} is not one of {choices}").format(
                value=value, choices=", ".join(self.names.values())), param, ctx)
        return code


class Session:
    """What the root options chose, kept in the Typer context object for every command."""

    __slots__ = ("location",)

    def __init__(self, location: str) -> None:
        self.location = location  # the database: a file path or a URL

    @property
    def shown_location(self) -> str:
        """The location as it may be printed: a URL's password is never shown."""
        from clusterctl.store.db import redact

        return redact(self.location)


def command_group(help_: str) -> typer.Typer:
    """A group of commands; run bare, it shows its help (exit 0)."""
    # Click (8.4+) suggests a close command name itself, in words its catalogue translates.
    # Made into a Click group on its own when it runs (see clusterctl.cli.main.LAZY), each
    # command when it runs (clusterctl.cli.lazy): plain help, no completion options of its
    # own (the root has them).
    from clusterctl.cli.lazy import SubGroup

    group = typer.Typer(cls=SubGroup, help=help_, invoke_without_command=True,
                        suggest_commands=False, add_completion=False, rich_markup_mode=None)
    group.callback()(show_help_if_bare)
    return group


def show_help_if_bare(ctx: typer.Context) -> None:
    """Show the group's help when no command was given."""
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        sys.stdout.write(ctx.get_help() + "\n")
        raise typer.Exit()


def session() -> Session:
    """The session of the command being run (set by the root callback)."""
    import click  # already loaded by Typer; its documented way to reach the context

    return click.get_current_context().find_object(Session)


@contextmanager
def database(*, write: bool, role: str | None = None, as_of: date | None = None) -> Iterator:
    """The database this invocation works on. A command that only reads never creates it,
    and reads in one snapshot, whatever others commit meanwhile. ``role`` is what the
    command needs on PostgreSQL (viewer to read, staff to write unless said otherwise),
    named when the server refuses it. First, the recurring tasks get the occurrences that
    ``as_of`` (default today) needs."""
    from clusterctl.store.schema import open_database

    db = open_database(session().location, write=write,
                       role=role or ("staff" if write else "viewer"))
    try:
        _occurrences(db, as_of, write=write)
        if write:
            yield db
        else:
            with db.snapshot():
                yield db
    finally:
        db.close()


def _occurrences(db, as_of: date | None, *, write: bool) -> None:
    """Make the occurrences of open-ended recurring tasks that the as-of day needs (one
    query when there are none to make). A reader who may not write (a viewer, a file
    shared read-only) reads the register as it is."""
    from clusterctl.config import today as office_today

    today = office_today()
    from clusterctl.core.seriesdue import needs_extending

    if not needs_extending(db, as_of or today, today):
        return
    from clusterctl.core.series import extend_all
    from clusterctl.errors import ClusterError
    from clusterctl.store.schema import open_database

    writer = db if write else None
    try:
        writer = writer or open_database(session().location, write=True, role="staff")
        for attempt in writer.transactions():
            with attempt:
                extend_all(writer, as_of or today, actor=actor(writer), today=today)
    except ClusterError:
        if write:
            raise
    finally:
        if writer is not None and writer is not db:
            writer.close()


def as_of_date(text: str | None) -> date:
    from clusterctl.config import today

    if not text:
        return today()
    from clusterctl.dates import parse_date

    return parse_date(text)


def parse_day(text: str, db, *, due: bool = False, base: date | None = None):
    """A date typed on the command line, read with the register's calendar of working days
    (for ``+3wd``); with ``due``, "thường xuyên" is no due date (None). "trong 03 ngày làm
    việc" counts from ``base`` (a directive's issue date), else from today."""
    from clusterctl.dates import parse_date, parse_due

    def calendar():
        from clusterctl.core.holidays import office_calendar

        return office_calendar(db)

    return (parse_due if due else parse_date)(text, calendar=calendar, base=base)


BASIC_FORMATS = ("table", "plain", "json", "csv", "markdown")
FOR = {"mail": _("overdue, status and weekly"),
       "xlsx": _("task list, overdue, status and weekly")}


def format_of(requested: Format | None, *, also: tuple[str, ...] = (),
              output: str | None = None) -> str:
    """The format to write in: the one asked for (if this command has it), else a table on
    a terminal and plain text elsewhere. xlsx needs --output; the others write to stdout."""
    from clusterctl.errors import InputError
    from clusterctl.render import pick_format

    fmt = pick_format(requested.value if requested else None)
    if fmt not in BASIC_FORMATS + also:
        raise InputError(_("--format {fmt} is for {commands}").format(fmt=fmt,
                                                                      commands=FOR[fmt]))
    if fmt == "xlsx" and not output:
        raise InputError(_("--format xlsx writes a file: give it with --output FILE.xlsx"))
    if output and fmt != "xlsx":
        raise InputError(_("--output is for --format xlsx; other formats write to stdout"))
    return fmt


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, so that stdout stays data."""
    sys.stderr.write(safe(shorten_runs(message)) + "\n")


def actor(db) -> str:
    """Who is recorded for a change to ``db``: on PostgreSQL the database login; on a shared
    SQLite database the system login; on a private one, CLUSTERCTL_USER or the login."""
    from clusterctl.config import current_user

    if db.dialect == "postgresql":
        return db.login()
    return current_user(shared=db.shared_group() is not None)

