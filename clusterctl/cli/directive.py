"""``clusterctl directive``: the documents that assign tasks."""

from typing import Annotated

import typer

from clusterctl.cli import complete
from clusterctl.cli.common import (
    AsOfOpt,
    FormatOpt,
    as_of_date,
    command_group,
    database,
    format_of,
    say,
)
from clusterctl.i18n import _, pgettext

app = command_group(_("Record and look up directives (công văn, chỉ thị...)."))


@app.command("add")
def add(
    number: Annotated[str, typer.Argument(help=_("Its number, e.g. 2029/UBND-KTTH."))],
    issued: Annotated[str, typer.Option("--issued", metavar="DATE", help=_("Issue date."))],
    title: Annotated[str, typer.Option("--title", help=_("What it is about (trích yếu)."))],
    issuer: Annotated[str, typer.Option("--issuer", help=_("Who signed it."))] = "",
) -> None:
    """Record a directive.

    Example: clusterctl directive add 2029/UBND-KTTH --issued 22/4/2024 --title "..."
    """
    from clusterctl.core.directives import add_directive
    from clusterctl.dates import parse_date

    issued_on = parse_date(issued)
    with database(write=True, role="admin") as db:
        found = add_directive(db, number=number, issued=issued_on, title=title, issuer=issuer)
    say(_("Added directive {number}.").format(number=found.number))


@app.command("edit")
def edit(
    number: Annotated[str, typer.Argument(help=_("The directive's number."),
                                          autocompletion=complete.directives)],
    new_number: Annotated[str | None, typer.Option(
        "--number", metavar="NUMBER", help=_("The correct number."))] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help=_("The correct title (trích yếu)."))] = None,
    issued: Annotated[str | None, typer.Option(
        "--issued", metavar="DATE",
        help=_("The correct issue date; its tasks' assignment moves with it."))] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help=_("Who signed it."))] = None,
) -> None:
    """Correct a directive's number, title, issue date or issuer; recorded in its history.

    A corrected issue date moves the tasks it assigned, and the reports of the past with
    them; it may not fall after a date of one of its tasks.
    """
    from clusterctl.cli.common import actor
    from clusterctl.config import today
    from clusterctl.core.directives import edit_directive
    from clusterctl.dates import parse_date
    from clusterctl.errors import InputError
    from clusterctl.words import field_name

    if new_number is None and title is None and issued is None and issuer is None:
        raise InputError(_("nothing to change: give --number, --title, --issued or --issuer"))
    issued_on = parse_date(issued) if issued is not None else None
    with database(write=True, role="admin") as db:
        edited, changes = edit_directive(db, number, actor=actor(db), today=today(),
                                         new_number=new_number, title=title,
                                         issued=issued_on, issuer=issuer)
    say(_("Directive {number} changed: {fields}.").format(
        number=edited.number, fields=", ".join(field_name(f) for f in changes)))


@app.command("list")
def list_(format_: FormatOpt = None) -> None:
    """List the directives, newest first, with their task counts."""
    from clusterctl.core.directives import list_directives
    from clusterctl.render import Column, emit_rows

    with database(write=False) as db:
        rows = [d.as_dict() | counts for d, counts in list_directives(db)]
    from clusterctl.words import day

    columns = [Column("number", _("Number")),
               Column("issued", _("Issued"), get=lambda row: day(row["issued"])),
               Column("tasks", _("Tasks"), right=True), Column("open", _("Open"), right=True),
               Column("title", pgettext("directive", "Title"), wrap=True)]
    fields = ["number", "issued", "issuer", "title", "tasks", "open"]
    emit_rows(rows, columns, format_of(format_), csv_fields=fields,
              empty=_("No directives yet: add one with 'clusterctl directive add' or "
                      "'clusterctl import'."))


@app.command("show")
def show(
    number: Annotated[str, typer.Argument(help=_("The directive's number."),
                                          autocompletion=complete.directives)],
    as_of: AsOfOpt = None,
    format_: FormatOpt = None,
) -> None:
    """Show a directive and its tasks."""
    from clusterctl.cli.columns import TASK_COLUMNS, TASK_FIELDS
    from clusterctl.cli.task import task_filter
    from clusterctl.core.directives import find_directive
    from clusterctl.core.queries import list_tasks
    from clusterctl.core.records import record_history
    from clusterctl.render import emit_record, emit_rows

    fmt = format_of(format_)
    with database(write=False) as db:
        found = find_directive(db, number)
        history = record_history(db, "directive", found.id)
        tasks = list_tasks(db, task_filter(as_of_date(as_of), directive_ids=[found.id]))
        if fmt == "json":
            emit_record(found.as_dict() | {"history": history, "tasks": list(tasks)}, [], fmt)
            return
        if fmt == "csv":
            emit_rows(tasks, TASK_COLUMNS, fmt, csv_fields=TASK_FIELDS)
            return
        from clusterctl.words import day

        fields = [("number", _("Number")), ("issued", _("Issued")), ("issuer", _("Issuer")),
                  ("title", pgettext("directive", "Title"))]
        sections = [(_("History"), [_history_line(entry) for entry in history])] \
            if history else []
        emit_record(found.as_dict() | {"issued": day(found.issued)}, fields, fmt,
                    sections=sections)
        print()
        emit_rows(tasks, TASK_COLUMNS, fmt, csv_fields=TASK_FIELDS,
                  empty=_("This directive has no tasks yet."))


def _history_line(entry: dict) -> str:
    """A correction of a directive: when, who, and what changed."""
    from clusterctl.cli.task import change_text
    from clusterctl.render import display, local_time
    from clusterctl.words import action_name

    return "  ".join([local_time(entry["at"]), display(entry["actor"]),
                      action_name(entry["action"]), change_text(entry["changes"])])
