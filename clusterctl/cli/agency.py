"""``clusterctl agency``: the departments that lead and support tasks."""

from typing import Annotated

import typer

from clusterctl.cli import complete
from clusterctl.cli.common import (
    FormatOpt,
    actor,
    command_group,
    database,
    format_of,
    say,
)
from clusterctl.i18n import _, ngettext

app = command_group(_("Add, look up and reorganise agencies (Sở, UBND huyện...)."))

AgencyArg = Annotated[str, typer.Argument(metavar="AGENCY", help=_("Code, alias or name."),
                                          autocompletion=complete.agencies)]
OnReorgOpt = Annotated[str, typer.Option(
    "--on", metavar="DATE", help=_("The day it took effect."))]
BasisOpt = Annotated[str, typer.Option(
    "--basis", metavar="TEXT",
    help=_("Its legal basis, e.g. 'Nghị quyết 190/2025/QH15, Điều 3'."))]


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help=_("Short unique code, e.g. SCT."))],
    name: Annotated[str, typer.Argument(help=_("Full name, e.g. 'Sở Công Thương'."))],
    alias: Annotated[
        list[str] | None,
        typer.Option("--alias", "-a", help=_("Another name people use; repeatable.")),
    ] = None,
) -> None:
    """Add an agency.

    Example: clusterctl agency add SCT "Sở Công Thương" --alias DOIT
    """
    from clusterctl.core.agencies import add_agency

    with database(write=True, role="admin") as db:
        agency = add_agency(db, code=code, name=name, aliases=alias or [])
    say(_("Added agency {code} ({name}).").format(code=agency.code, name=agency.name))


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option(
        "--all", help=_("Also the dissolved agencies, with when and to whom."))] = False,
    format_: FormatOpt = None,
) -> None:
    """List the agencies with their aliases (those that still exist, unless --all)."""
    from clusterctl.core.agencies import load_agencies
    from clusterctl.render import Column, emit_rows
    from clusterctl.words import day

    with database(write=False) as db:
        rows = [agency.as_dict() for agency in load_agencies(db)
                if all_ or agency.dissolved_on is None]
    columns = [Column("code", _("Code")), Column("name", _("Name"), wrap=True),
               Column("aliases", _("Aliases"), wrap=True, fold=1)]
    fields = ["code", "name", "aliases"]
    if all_:
        columns += [Column("dissolved_on", _("Dissolved"), get=lambda r: day(r["dissolved_on"])),
                    Column("successors", _("Successor"), breakable=True)]
        fields += ["dissolved_on", "successors"]
    emit_rows(rows, columns, format_of(format_), csv_fields=fields,
              empty=_("No agencies yet: add one with 'clusterctl agency add CODE NAME'."))


@app.command("show")
def show(
    agency: Annotated[str, typer.Argument(help=_("Code, alias or name."),
                                          autocompletion=complete.agencies)],
    format_: FormatOpt = None,
) -> None:
    """Show an agency and how many tasks it leads and supports."""
    from clusterctl.core.agencies import agency_task_counts, find_agency
    from clusterctl.core.records import record_history
    from clusterctl.render import emit_record
    from clusterctl.words import day

    with database(write=False) as db:
        found = find_agency(db, agency)
        record = found.as_dict() | agency_task_counts(db, found.id)
        record["history"] = record_history(db, "agency", found.id)
    fields = [("code", _("Code")), ("name", _("Name")), ("aliases", _("Aliases")),
              ("lead", _("Leads")), ("lead_open", _("Leads, still open")),
              ("support", _("Supports"))]
    fmt = format_of(format_)
    if found.dissolved_on is not None:
        fields.insert(3, ("dissolved", _("Dissolved")))
        record["dissolved"] = _("on {day}; successors: {codes}").format(
            day=day(found.dissolved_on), codes=", ".join(found.successors) or "-")
    lines = [history_line(entry) for entry in record["history"]]
    emit_record(record, fields, fmt, sections=[(_("History"), lines)] if lines else ())


def history_line(entry: dict) -> str:
    """One change to an agency or directive, as ``agency show`` lists it."""
    from clusterctl.cli.task import change_text
    from clusterctl.render import local_time
    from clusterctl.words import action_name, day

    text = f"{day(entry['effective'])}  {entry['actor']}  {action_name(entry['action'])}"
    changes = {k: v for k, v in entry["changes"].items() if k != "undoes"}
    if changes:
        text += f"  {change_text(changes)}"
    if entry["note"]:
        text += f"  ({entry['note']})"
    return text + "  " + _("[recorded {at}]").format(at=local_time(entry["at"]))


def _moved(moved, verb: str) -> None:
    if not moved.tasks:
        say(_("{verb}: no task still to do to move.").format(verb=verb))
        return
    parts = ", ".join(f"{code} {n}" for code, n in moved.by_successor.items())
    say(ngettext("{verb}: {n} task still to do moved ({parts}).",
                 "{verb}: {n} tasks still to do moved ({parts}).", moved.tasks).format(
        verb=verb, n=moved.tasks, parts=parts))
    if moved.later:  # their agencies changed with effect from a later day
        from clusterctl.words import day

        say(_("Moved from a later day, the day their agencies changed: {tasks}.").format(
            tasks=", ".join(f"{task_id} ({day(on)})" for task_id, on in
                            sorted(moved.later.items()))))


@app.command("merge")
def merge(
    agencies: Annotated[list[str], typer.Argument(
        metavar="AGENCY...", help=_("The agencies merged (the successor may be one of them)."),
        autocompletion=complete.agencies)],
    into: Annotated[str, typer.Option(
        "--into", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("The successor, which carries on their tasks."))],
    on: OnReorgOpt,
    basis: BasisOpt,
) -> None:
    """Merge agencies into one from a date: their tasks still to do pass to it.

    Done and cancelled tasks keep the agency that did them; the merged agencies are
    dissolved that day, and reports as of an earlier day still show them.

    Example: clusterctl agency merge SKHDT STC --into STC --on 1/3/2025 --basis "Nghị quyết
    190/2025/QH15"
    """
    from clusterctl.config import today
    from clusterctl.core.succession import merge_agencies
    from clusterctl.dates import parse_date

    day_ = parse_date(on)
    with database(write=True, role="admin") as db:
        moved = merge_agencies(db, agencies, into=into, on=day_, basis=basis, actor=actor(db),
                               today=today())
    _moved(moved, _("Merged"))


@app.command("split")
def split(
    agency: AgencyArg,
    into: Annotated[list[str], typer.Option(
        "--into", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("A successor; repeat it for each."))],
    on: OnReorgOpt,
    basis: BasisOpt,
    assign: Annotated[str, typer.Option(
        "--assign", metavar="FILE",
        help=_("TOML: a table [assign] of task (id or NUMBER#KEY) = successor code."))],
) -> None:
    """Split an agency among several from a date: each of its tasks still to do passes to
    the successor the --assign file names.

    Refused, listing them, while a task still to do is not placed.

    Example: clusterctl agency split SLDTBXH --into SNV --into SYT --on 1/3/2025 --basis
    "..." --assign placement.toml
    """
    from clusterctl.config import today
    from clusterctl.core.succession import read_assign_file, split_agency
    from clusterctl.dates import parse_date

    day_ = parse_date(on)
    placed, where = read_assign_file(assign)
    with database(write=True, role="admin") as db:
        moved = split_agency(db, agency, into=into, on=day_, basis=basis, assign=placed,
                             actor=actor(db), today=today(), where=where)
    _moved(moved, _("Split"))


@app.command("rename")
def rename(
    agency: AgencyArg,
    name: Annotated[str, typer.Option("--name", help=_("Its new name."))],
    on: OnReorgOpt,
    code: Annotated[str | None, typer.Option(
        "--code", metavar="NEWCODE", help=_("Its new code, if it changes."))] = None,
    basis: Annotated[str | None, typer.Option(
        "--basis", metavar="TEXT", help=_("Its legal basis."))] = None,
) -> None:
    """The same agency under a new name from a date; the old name stays an alias.

    Reports as of an earlier day show the old name.
    """
    from clusterctl.config import today
    from clusterctl.core.succession import rename_agency
    from clusterctl.dates import parse_date

    day_ = parse_date(on)
    with database(write=True, role="admin") as db:
        changes = rename_agency(db, agency, name=name, new_code=code, on=day_,
                                actor=actor(db), today=today(), basis=basis)
    from clusterctl.cli.task import change_text

    say(_("Renamed: {changes}.").format(changes=change_text(changes)))


@app.command("edit")
def edit(
    agency: AgencyArg,
    name: Annotated[str | None, typer.Option("--name", help=_("The corrected name."))] = None,
    add_alias: Annotated[list[str] | None, typer.Option(
        "--add-alias", metavar="TEXT", help=_("Another name people use; repeatable."))] = None,
    remove_alias: Annotated[list[str] | None, typer.Option(
        "--remove-alias", metavar="TEXT", help=_("An alias to remove; repeatable."))] = None,
) -> None:
    """Correct an agency's name or aliases (for a new name by a decision, use rename)."""
    from clusterctl.cli.task import change_text
    from clusterctl.config import today
    from clusterctl.core.agencies import edit_agency

    with database(write=True, role="admin") as db:
        changes = edit_agency(db, agency, actor=actor(db), today=today(), name=name,
                              add_aliases=add_alias or [], remove_aliases=remove_alias or [])
    say(_("Changed: {changes}.").format(changes=change_text(changes)))
