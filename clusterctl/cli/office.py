"""``clusterctl series | settings | holidays``: recurring tasks, the office's settings and its
calendar of working days."""

from typing import Annotated

import typer

from clusterctl.cli.common import (
    FormatOpt,
    actor,
    command_group,
    database,
    format_of,
    parse_day,
    say,
)
from clusterctl.i18n import _
from clusterctl.render import Column
from clusterctl.words import day

series_app = command_group(_("Recurring tasks: list, end or change a series."))
settings_app = command_group(_("The office's settings, stored in the register."))

SeriesArg = Annotated[str, typer.Argument(
    metavar="SERIES", help=_("The recurring task, as NUMBER#KEY (2029/UBND-KTTH#5)."))]

SERIES_COLUMNS = [
    Column("ref", _("Series")),
    Column("title", _("Title"), wrap=True),
    Column("rule", _("Rule"), breakable=True),
    Column("starts", _("From"), get=lambda s: day(s["starts"]), fold=2),
    Column("until", _("Until"), get=lambda s: day(s["until"]) or "-", fold=3),
    Column("occurrences", _("Tasks"), right=True, fold=1),
    Column("still_to_do", _("Open"), right=True),
]


@series_app.command("list")
def series_list(format_: FormatOpt = None) -> None:
    """Every recurring task, with its rule and how many of its occurrences are still to do."""
    from clusterctl.core.series import list_series
    from clusterctl.render import emit_rows

    fmt = format_of(format_)
    with database(write=False) as db:
        rows = list_series(db)
    emit_rows(rows, SERIES_COLUMNS, fmt,
              csv_fields=["ref", "directive", "key", "title", "rule", "rrule", "starts",
                          "until", "occurrences", "still_to_do"],
              empty=_("No recurring tasks."))


@series_app.command("end")
def series_end(
    series: SeriesArg,
    on: Annotated[str, typer.Option(
        "--on", metavar="DATE", help=_("The last day an occurrence may fall due."))],
    reason: Annotated[str, typer.Option("--reason", "-r", help=_("Why it ends."))],
) -> None:
    """End a recurring task: its occurrences due after --on that are still to do are
    cancelled; those done stay."""
    from clusterctl.config import today
    from clusterctl.core.series import end_series

    with database(write=True) as db:
        last = parse_day(on, db)
        cancelled = end_series(db, series, on=last, reason=reason, actor=actor(db),
                               today=today())
    say(_("The recurring task {ref} ends on {on}; {n} occurrences still to do were "
          "cancelled.").format(ref=series, on=day(last), n=len(cancelled)))


@series_app.command("edit")
def series_edit(
    series: SeriesArg,
    title: Annotated[str | None, typer.Option("--title", help=_("A new title."))] = None,
    lead: Annotated[str | None, typer.Option(
        "--lead", "-l", metavar="AGENCY", help=_("A new lead agency."))] = None,
    support: Annotated[list[str] | None, typer.Option(
        "--support", "-s", metavar="AGENCY",
        help=_("The supporting agencies, replacing the current ones; repeatable."))] = None,
    repeat: Annotated[str | None, typer.Option(
        "--repeat", metavar="RULE", help=_("A new rule."))] = None,
    until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE", help=_("A new last day (see also 'series end')."))] = None,
    priority: Annotated[bool | None, typer.Option(
        "--priority/--no-priority", help=_("A key task, or no longer one."),
        show_default=False)] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help=_("Why."))] = None,
) -> None:
    """Change a recurring task; its occurrences still to do change with it, from today, and
    those done stay as they were."""
    from clusterctl.config import today
    from clusterctl.core.series import edit_series
    from clusterctl.errors import InputError

    if all(v is None for v in (title, lead, support, repeat, until, priority)):
        raise InputError(_("nothing to change: give --title, --lead, --support, --repeat, "
                           "--until or --priority"))
    rule = None
    if repeat is not None:
        from clusterctl.recurrence import parse_rule

        rule = parse_rule(repeat)
    with database(write=True) as db:
        counts = edit_series(db, series, actor=actor(db), today=today(), title=title,
                             lead=lead, support=support, rule=rule,
                             until=parse_day(until, db) if until else None,
                             priority=priority, note=note)
    say(_("The recurring task {ref} changed: {changed} occurrences changed, {cancelled} "
          "cancelled, {added} added.").format(ref=series, **counts))


# -- settings --------------------------------------------------------------------------------


@settings_app.command("show")
def settings_show(format_: FormatOpt = None) -> None:
    """The office's settings and their values."""
    from clusterctl.core.workflow import all_settings
    from clusterctl.render import emit_rows

    fmt = format_of(format_)
    with database(write=False) as db:
        rows = all_settings(db)
    emit_rows(rows, [Column("name", _("Setting")),
                     Column("value", _("Value"), get=lambda r: r["value"] or _("(unset)")),
                     Column("meaning", _("Meaning"), wrap=True)], fmt,
              csv_fields=["name", "value", "meaning", "updated_at", "updated_by"])


@settings_app.command("set")
def settings_set(
    name: Annotated[str, typer.Argument(help=_("The setting, e.g. max-extensions."))],
    value: Annotated[str, typer.Argument(help=_("Its value."))],
) -> None:
    """Set an office setting (an admin's), e.g. 'settings set max-extensions 1'."""
    from clusterctl.config import today
    from clusterctl.core.workflow import set_setting

    with database(write=True, role="admin") as db:
        old = set_setting(db, name, value, actor=actor(db), today=today())
    say(_("{name} is {value} (was {old}).").format(name=name, value=value.strip(),
                                                    old=old or _("unset")))


@settings_app.command("unset")
def settings_unset(name: Annotated[str, typer.Argument(help=_("The setting."))]) -> None:
    """Unset an office setting: no limit."""
    from clusterctl.config import today
    from clusterctl.core.workflow import set_setting

    with database(write=True, role="admin") as db:
        old = set_setting(db, name, None, actor=actor(db), today=today())
    say(_("{name} is unset (was {old}).").format(name=name, old=old or _("unset")))


# -- holidays --------------------------------------------------------------------------------


def holidays(
    year: Annotated[int | None, typer.Option(
        "--year", help=_("The year [default: this year]."))] = None,
    format_: FormatOpt = None,
) -> None:
    """The days off and make-up working days that working days ('+3wd', 'trong 03 ngày làm
    việc') skip and count: Vietnam's public holidays (2024–2027 as announced, 1/1, 30/4, 1/5
    and 2/9 of every year) and the office's own, from [[holiday]] tables in import files."""
    from clusterctl.config import today
    from clusterctl.core.holidays import office_calendar
    from clusterctl.render import emit_rows

    fmt = format_of(format_)
    wanted = year or today().year
    if not 1900 <= wanted <= 2999:
        from clusterctl.errors import InputError

        raise InputError(_("--year {year} is outside the years 1900 to 2999").format(
            year=wanted))
    with database(write=False) as db:
        entries = office_calendar(db).holidays(wanted)
    # A year not announced yet: the Labour Code's days, marked so.
    rows = [{"date": e.day.isoformat(), "kind": e.kind,
             "name": e.name + (" " + _("(provisional)") if e.provisional else ""),
             "source": e.source} for e in entries]
    kinds = {"off": _("day off"), "work": _("working day")}
    sources = {"office": _("the office's own")}
    emit_rows(rows, [Column("date", _("Date"), get=lambda r: day(r["date"])),
                     Column("kind", _("Kind"), get=lambda r: kinds.get(r["kind"], r["kind"])),
                     Column("name", _("Name"), wrap=True),
                     Column("source", _("Source"), wrap=True, fold=1,
                            get=lambda r: sources.get(r["source"], r["source"]))], fmt,
              csv_fields=["date", "kind", "name", "source"], empty=_("No holidays."))
