"""``clusterctl agency``: the departments that lead and support tasks."""

from typing import Annotated

import typer

from clusterctl.cli import complete
from clusterctl.cli.common import FormatOpt, command_group, database, format_of, say
from clusterctl.i18n import _

app = command_group(_("Add and look up agencies (Sở, UBND huyện...)."))


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
def list_(format_: FormatOpt = None) -> None:
    """List the agencies with their aliases."""
    from clusterctl.core.agencies import load_agencies
    from clusterctl.render import Column, emit_rows

    with database(write=False) as db:
        rows = [agency.as_dict() for agency in load_agencies(db)]
    columns = [Column("code", _("Code")), Column("name", _("Name"), wrap=True),
               Column("aliases", _("Aliases"), wrap=True)]
    emit_rows(rows, columns, format_of(format_), csv_fields=["code", "name", "aliases"],
              empty=_("No agencies yet: add one with 'clusterctl agency add CODE NAME'."))


@app.command("show")
def show(
    agency: Annotated[str, typer.Argument(help=_("Code, alias or name."),
                                          autocompletion=complete.agencies)],
    format_: FormatOpt = None,
) -> None:
    """Show an agency and how many tasks it leads and supports."""
    from clusterctl.core.agencies import agency_task_counts, find_agency
    from clusterctl.render import emit_record

    with database(write=False) as db:
        found = find_agency(db, agency)
        record = found.as_dict() | agency_task_counts(db, found.id)
    fields = [("code", _("Code")), ("name", _("Name")), ("aliases", _("Aliases")),
              ("lead", _("Leads")), ("lead_open", _("Leads, still open")),
              ("support", _("Supports"))]
    emit_record(record, fields, format_of(format_))
