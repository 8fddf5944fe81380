"""``clusterctl overdue | status | weekly``: who is late, for staff and for cron."""

import sys
from typing import Annotated

import typer

from clusterctl.cli import complete
from clusterctl.cli.columns import TASK_BASE_COLUMNS
from clusterctl.cli.common import (
    AsOfOpt,
    FormatOpt,
    LimitOpt,
    OutputOpt,
    as_of_date,
    database,
    format_of,
)
from clusterctl.errors import EXIT_FOUND
from clusterctl.i18n import _
from clusterctl.render import Column, format_rate
from clusterctl.words import day

AgencyFilter = Annotated[
    list[str] | None,
    typer.Option("--agency", "-a", metavar="AGENCY", autocompletion=complete.agencies,
                 help=_("Only tasks this agency leads or supports; repeatable."))]
DirectiveFilter = Annotated[
    list[str] | None,
    typer.Option("--directive", "-d", metavar="NUMBER", autocompletion=complete.directives,
                 help=_("Only tasks of this directive; repeatable."))]


PriorityFilter = Annotated[bool, typer.Option(
    "--priority", help=_("Only key tasks (nhiệm vụ trọng tâm)."))]
FieldFilter = Annotated[list[str] | None, typer.Option(
    "--field", metavar="FIELD",
    help=_("Only tasks of this field (lĩnh vực, e.g. KTTH); repeatable."))]


def _scope(db, as_of, agencies: list[str] | None, directives: list[str] | None,
           priority: bool = False, fields: list[str] | None = None):
    from datetime import date

    from clusterctl.config import due_soon_days, today
    from clusterctl.core.reports import Scope

    agency_ids = directive_ids = []
    if agencies:
        from clusterctl.core.agencies import AgencyMatcher, load_agencies

        matcher = AgencyMatcher(load_agencies(db))
        agency_ids = [matcher.find(a).id for a in agencies]
    if directives:
        from clusterctl.core.directives import find_directive

        directive_ids = [find_directive(db, d).id for d in directives]
    return Scope(
        as_of=as_of if isinstance(as_of, date) else as_of_date(as_of),
        soon_days=due_soon_days(),
        agency_ids=agency_ids,
        directive_ids=directive_ids,
        today=today(),
        priority=True if priority else None,
        fields=[f.strip().upper() for f in fields or []],
    )


def _day(as_of):
    """An as-of option as a date (None: today)."""
    from datetime import date

    if as_of is None or isinstance(as_of, date):
        return as_of
    return as_of_date(as_of)


def _heading(what: str, as_of) -> str:
    from clusterctl.config import office_tz_name
    return _("{what} as of {as_of} ({tz})").format(what=what, as_of=day(as_of),
                                                    tz=office_tz_name())


OVERDUE_COLUMNS = [*TASK_BASE_COLUMNS, Column("days_overdue", _("Days overdue"), right=True)]
OVERDUE_FIELDS = ["id", "directive", "key", "title", "lead", "support", "due", "original_due",
                  "status", "days_overdue"]


def overdue(
    as_of: AsOfOpt = None,
    agency: AgencyFilter = None,
    directive: DirectiveFilter = None,
    priority: PriorityFilter = False,
    field: FieldFilter = None,
    by_lead: Annotated[bool, typer.Option(
        "--by-lead", help=_("Group by lead agency, each under a heading with its count."))
    ] = False,
    fail_on_overdue: Annotated[bool, typer.Option(
        "--fail-on-overdue", help=_("Exit 1 when any task is overdue (for monitoring)."))
    ] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help=_("Print nothing at all when nothing is overdue (for cron)."))
    ] = False,
    limit: LimitOpt = None,
    format_: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """The overdue tasks, most overdue first.

    A task due on D is overdue from D+1 in the office time zone, never on its due day.
    """
    import itertools

    from clusterctl.config import office_tz_name
    from clusterctl.core.reports import overdue_tasks

    fmt = format_of(format_, also=("mail", "xlsx"), output=output)
    with database(write=False, as_of=_day(as_of)) as db:
        scope = _scope(db, as_of, agency, directive, priority, field)
        tasks = overdue_tasks(db, scope, by_lead=by_lead)
        first = next(tasks, None)  # look ahead: is anything overdue, whatever is shown?
        if first is None and quiet:  # nothing overdue: print nothing at all
            return
        tasks = itertools.chain([first] if first else [], tasks)
        if limit is not None:
            tasks = itertools.islice(tasks, limit)
        title = _heading(_("Overdue tasks"), scope.as_of)
        _write_overdue(db, tasks, title, fmt, by_lead=by_lead, output=output)
    if first is None and fmt in ("table", "plain", "markdown"):
        sys.stdout.write(_("No overdue tasks as of {as_of} ({tz}).").format(
            as_of=day(scope.as_of), tz=office_tz_name()) + "\n")
    if fail_on_overdue and first is not None:
        raise typer.Exit(EXIT_FOUND)


def _agency_names(db) -> dict[str, str]:
    from clusterctl.core.agencies import load_agencies

    return {a.code: a.name for a in load_agencies(db)}


def _write_overdue(db, tasks, title: str, fmt: str, *, by_lead: bool, output) -> int:
    """Overdue tasks in ``fmt``; grouped under a heading per lead agency with --by-lead
    (plain, JSON and CSV stay one record per line, sorted by lead)."""
    from clusterctl.render import emit_groups, emit_rows

    if fmt == "mail":
        from clusterctl.cli.mail_render import write_overdue

        return write_overdue(tasks, title, _agency_names(db), sys.stdout, by_lead=by_lead)
    if not by_lead or fmt not in ("table", "markdown"):
        return emit_rows(tasks, OVERDUE_COLUMNS, fmt, csv_fields=OVERDUE_FIELDS, title=title,
                         output=output, sheet=_("Overdue"))
    groups: dict[str, list[dict]] = {}
    for task in tasks:
        groups.setdefault(task["lead"], []).append(task)
    names = _agency_names(db)
    headings = [(_("{code} — {name}: {n} overdue").format(
        code=code, name=names.get(code, ""), n=len(group)), group)
        for code, group in groups.items()]
    # The heading names the lead agency: its column would only repeat it.
    columns = [c for c in OVERDUE_COLUMNS if c.key != "lead"]
    return emit_groups(headings, columns, fmt, title=title)


def _bar(row: dict) -> str:
    if row["completion_rate"] is None:
        return ""
    filled = round(row["completion_rate"] * 10)
    return "█" * filled + "░" * (10 - filled)


STATUS_COUNTS = [("total", _("Total")), ("done_on_time", _("On time")),
                 ("done_late", _("Late")), ("awaiting_confirmation", _("To confirm")),
                 ("overdue", _("Overdue")),
                 ("due_soon", _("Due soon")), ("on_track", _("On track")),
                 ("ongoing", _("Ongoing")), ("cancelled", _("Cancelled"))]


# At narrow widths these leave the table first (the bar, then the least used counts), the
# rates last; at 80 columns every count and both rates stay (with codes of 10 characters).
STATUS_FOLD = {"bar": 1, "support_total": 2, "support_overdue": 3, "cancelled": 4,
               "ongoing": 5, "awaiting_confirmation": 6, "on_track": 7, "due_soon": 8,
               "done_late": 9, "done_on_time": 10, "total": 11, "overdue": 12}


def _status_columns(fmt: str, include_support: bool, rows: list[dict] | None = None
                    ) -> list[Column]:
    """The status table's columns. People's formats leave out the count of tasks awaiting
    confirmation where there are none (scripts' keep it, always in one place)."""
    columns = [Column("agency", _("Agency"))]
    awaiting = rows is None or fmt in ("csv", "xlsx") or any(
        row.get("awaiting_confirmation") for row in rows)
    columns += [Column(key, label, right=True, fold=STATUS_FOLD.get(key))
                for key, label in STATUS_COUNTS
                if key != "awaiting_confirmation" or awaiting]
    if include_support:
        columns += [Column("support_total", _("As support"), right=True, fold=2),
                    Column("support_overdue", _("Support overdue"), right=True, fold=3)]
    columns += [
        Column("completion_rate", _("Done ÷ fallen due"), right=True, breakable=True,
               get=lambda r: format_rate(r, "done", "fallen_due", "completion_rate")),
        Column("on_time_rate", _("On time ÷ done"), right=True, breakable=True,
               get=lambda r: format_rate(r, "done_on_time", "done", "on_time_rate")),
    ]
    if fmt == "table":
        columns.append(Column("bar", "", get=_bar, fold=1))
    return columns


def status(
    as_of: AsOfOpt = None,
    agency: Annotated[list[str] | None, typer.Option(
        "--agency", "-a", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("Only this agency's row; repeatable."))
    ] = None,
    directive: DirectiveFilter = None,
    priority: PriorityFilter = False,
    field: FieldFilter = None,
    by_field: Annotated[bool, typer.Option(
        "--by-field", help=_("One row per field (lĩnh vực) instead of per lead agency."))
    ] = False,
    include_support: Annotated[bool, typer.Option(
        "--include-support",
        help=_("Also count tasks for their supporting agencies, in their own columns."))
    ] = False,
    from_: Annotated[str | None, typer.Option(
        "--from", metavar="DATE",
        help=_("A period report from this day: tasks carried over into it and assigned in "
               "it."))] = None,
    to: Annotated[str | None, typer.Option(
        "--to", metavar="DATE", help=_("The period's last day [default: today]."))] = None,
    rollup: Annotated[bool, typer.Option(
        "--rollup", help=_("Count each merged agency's tasks under the agency that carries "
                           "them on today."))] = False,
    format_: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Per lead agency: tasks by timeliness, completion and on-time rates, and a total.

    completion_rate = done ÷ tasks that have fallen due (done + overdue); on_time_rate = done
    on time ÷ done. Cancelled tasks are counted apart and left out of both. A past --as-of
    reads the register as it stood at the end of that day.

    With --from and --to: the period report. carried_over = assigned before the period and
    still to do at its start; assigned = assigned within it; the categories are those of
    these tasks at the end of --to, and done_rate = done ÷ all of them (less cancelled).

    Agencies are named as they were on the as-of day; with --rollup, every agency's tasks
    since the start are counted under today's successor (Sở Tài chính with the Sở Kế hoạch
    và Đầu tư merged into it), named as it is today.
    """
    from clusterctl.config import office_tz_name
    from clusterctl.core.reports import agency_status
    from clusterctl.render import emit_rows, to_json

    fmt = format_of(format_, also=("mail", "xlsx"), output=output)
    if from_ is not None or to is not None:
        from clusterctl.errors import InputError

        if rollup or by_field:
            raise InputError(_("--rollup and --by-field are for the status of a day, not a "
                               "period report: leave out --from and --to"))
        _period(from_, to, as_of, agency, directive, include_support, fmt, output,
                priority, field)
        return
    if by_field:
        if rollup or include_support:
            from clusterctl.errors import InputError

            raise InputError(_("--by-field counts tasks per field: it takes neither --rollup "
                               "nor --include-support"))
        _by_field(as_of, agency, directive, priority, field, fmt, output)
        return
    with database(write=False, as_of=_day(as_of)) as db:
        scope = _scope(db, as_of, agency, directive, priority, field)
        report = agency_status(db, scope, include_support=include_support, rollup=rollup)
    report = {"as_of": report["as_of"], "timezone": office_tz_name(), **report}
    title = _heading(_("Status by lead agency"), scope.as_of)
    if rollup:
        title = _heading(_("Status by lead agency, merged agencies under their successor"),
                         scope.as_of)
        for row in report["agencies"]:
            if row["merged"] and fmt not in ("json", "csv"):
                row["name"] = _("{name} (with {codes})").format(
                    name=row["name"], codes=", ".join(row["merged"]))
    if fmt == "json":
        sys.stdout.write(to_json(report) + "\n")
        return
    if fmt == "mail":
        from clusterctl.cli.mail_render import write_status

        write_status(report, title, {r["agency"]: r["name"] for r in report["agencies"]},
                     sys.stdout)
        return
    # CSV is for scripts: its total row keeps one name in every language.
    total = report["total"] | {"agency": "TOTAL" if fmt == "csv" else _("TOTAL"), "name": ""}
    if include_support:
        total |= {"support_total": None, "support_overdue": None}
    rows = [*report["agencies"], total, *_key_row(report, fmt, include_support)]
    fields = ["agency", "name", *[k for k, _label in STATUS_COUNTS], "done", "fallen_due",
              "completion_rate", "on_time_rate"]
    if include_support:
        fields += ["support_total", "support_overdue"]
    emit_rows(rows, _status_columns(fmt, include_support, rows), fmt, csv_fields=fields,
              title=title, output=output, sheet=_("Status by agency"))
    merged = [f"{row['agency']} ← {', '.join(row['merged'])}" for row in report["agencies"]
              if rollup and row["merged"]]
    if merged and fmt in ("table", "plain", "markdown") and output is None:
        sys.stdout.write("\n" + _("Counted with their successor: {merged}").format(
            merged="; ".join(merged)) + "\n")


PERIOD_COUNTS = [("carried_over", _("Carried over")), ("assigned", _("Assigned")),
                 *STATUS_COUNTS]
PERIOD_FOLD = {**STATUS_FOLD, "carried_over": 12, "assigned": 12, "done_rate": 0}


def _key_row(report: dict, fmt: str, include_support: bool = False) -> list[dict]:
    """The key tasks (trọng tâm) of the total, counted apart, as a row below it: where
    there are any."""
    counts = report["key_tasks"]
    if not counts["total"] + counts["cancelled"]:
        return []
    row = counts | {"agency": "KEY_TASKS" if fmt == "csv" else _("Key tasks"), "name": "",
                    "field": None}
    if include_support:
        row |= {"support_total": None, "support_overdue": None}
    return [row]


def _by_field(as_of, agency, directive, priority, field, fmt, output) -> None:
    from clusterctl.config import office_tz_name
    from clusterctl.core.reports import field_status
    from clusterctl.render import emit_rows, to_json

    with database(write=False, as_of=_day(as_of)) as db:
        scope = _scope(db, as_of, agency, directive, priority, field)
        report = field_status(db, scope)
    report = {"as_of": report["as_of"], "timezone": office_tz_name(), **report}
    if fmt == "json":
        sys.stdout.write(to_json(report) + "\n")
        return
    title = _heading(_("Status by field"), scope.as_of)
    none = "" if fmt == "csv" else _("(none)")
    rows = [{**row, "agency": row["field"] or none, "name": ""} for row in report["fields"]]
    total = report["total"] | {"agency": "TOTAL" if fmt == "csv" else _("TOTAL"), "name": ""}
    key_rows = _key_row(report, fmt)
    if fmt == "mail":
        from clusterctl.cli.mail_render import write_status

        write_status(report | {"agencies": rows}, title, {}, sys.stdout)
        return
    rows += [total, *key_rows]
    columns = _status_columns(fmt, False, rows)
    columns[0] = Column("agency", _("Field"))
    fields = ["field", *[k for k, _label in STATUS_COUNTS], "done", "fallen_due",
              "completion_rate", "on_time_rate"]
    if fmt == "csv":
        for row in rows:
            row["field"] = row["agency"]
    emit_rows(rows, columns, fmt, csv_fields=fields, title=title, output=output,
              sheet=_("Status by field"))


def _period(from_, to, as_of, agency, directive, include_support, fmt, output,
            priority=False, field=None) -> None:
    from clusterctl.config import office_tz_name, today
    from clusterctl.core.reports import period_status
    from clusterctl.dates import parse_date
    from clusterctl.errors import InputError
    from clusterctl.render import emit_rows, to_json

    if from_ is None:
        raise InputError(_("--to needs --from: a period has a first day"))
    if as_of is not None or include_support:
        raise InputError(_("a period report (--from, --to) takes neither --as-of nor "
                           "--include-support"))
    start, end = parse_date(from_), parse_date(to) if to else today()
    if end < start and to is None:
        raise InputError(_("--from {start} is after today; give --to as well").format(
            start=day(start)))
    if end < start:
        raise InputError(_("--to {to} is before --from {start}").format(
            to=day(end), start=day(start)))
    with database(write=False, as_of=end) as db:
        scope = _scope(db, end, agency, directive, priority, field)
        report = period_status(db, scope, start, end)
    report = {"from": report["from"], "to": report["to"], "timezone": office_tz_name(),
              **report}
    title = _("Status by lead agency, {start} – {end} ({tz})").format(
        start=day(start), end=day(end), tz=office_tz_name())
    if fmt == "json":
        sys.stdout.write(to_json(report) + "\n")
        return
    total = report["total"] | {"agency": "TOTAL" if fmt == "csv" else _("TOTAL"), "name": ""}
    rows = [*report["agencies"], total]
    fields = ["agency", "name", *[k for k, _label in PERIOD_COUNTS], "done", "fallen_due",
              "completion_rate", "on_time_rate", "done_rate"]
    if fmt == "mail":
        from clusterctl.cli.mail_render import write_status

        write_status(report, title, {r["agency"]: r["name"] for r in report["agencies"]},
                     sys.stdout)
        return
    columns = [Column("agency", _("Agency"))]
    awaiting = fmt in ("csv", "xlsx") or any(row["awaiting_confirmation"] for row in rows)
    columns += [Column(key, label, right=True, fold=PERIOD_FOLD.get(key))
                for key, label in PERIOD_COUNTS if key != "awaiting_confirmation" or awaiting]
    columns += [
        Column("completion_rate", _("Done ÷ fallen due"), right=True, breakable=True,
               get=lambda r: format_rate(r, "done", "fallen_due", "completion_rate")),
        Column("on_time_rate", _("On time ÷ done"), right=True, breakable=True,
               get=lambda r: format_rate(r, "done_on_time", "done", "on_time_rate")),
        Column("done_rate", _("Done ÷ all"), right=True, breakable=True,
               get=lambda r: format_rate(r, "done", "total", "done_rate")),
    ]
    emit_rows(rows, columns, fmt, csv_fields=fields, title=title, output=output,
              sheet=_("Status by agency"))


def _week_start(text: str):
    """The Monday after ISO week ``YYYY-Www``: the as-of date whose weekly covers it."""
    import re
    from datetime import date, timedelta

    from clusterctl.errors import InputError

    match = re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", text.strip())
    try:
        if match is None:
            raise ValueError
        if not 1900 <= int(match[1]) <= 2999:  # as every date: a typo otherwise
            raise ValueError
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InputError(_("{week!r} is not an ISO week; write it as YYYY-Www, e.g. "
                           "2025-W03").format(week=text)) from None
    return monday + timedelta(days=7)


def weekly(
    as_of: AsOfOpt = None,
    week: Annotated[str | None, typer.Option(
        "--week", metavar="YYYY-Www",
        help=_("Report this ISO week, Monday to Sunday (e.g. 2025-W03)."))] = None,
    agency: AgencyFilter = None,
    directive: DirectiveFilter = None,
    priority: PriorityFilter = False,
    field: FieldFilter = None,
    format_: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """The week's summary for the Monday mail: completed, newly overdue, due next, overdue.

    For the 7 days before the as-of date D (D-7 ... D-1), read as the register stood at the
    end of D-1: tasks completed, tasks that became overdue (due in the week, not done by D),
    tasks due in the next 7 days (D ... D+6), the overdue count per lead agency with its 5
    longest-overdue tasks, and what changed (new tasks, extensions, reassignments). Run every
    Monday, consecutive summaries cover every day exactly once.
    """
    from clusterctl.cli.weekly_render import render_weekly
    from clusterctl.config import office_tz_name
    from clusterctl.core.reports import weekly_summary

    fmt = format_of(format_, also=("mail", "xlsx"), output=output)
    if week is not None and as_of is not None:
        from clusterctl.errors import InputError

        raise InputError(_("give either --week or --as-of, not both"))
    when = _week_start(week) if week is not None else as_of
    with database(write=False, as_of=_day(when)) as db:
        summary = weekly_summary(db, _scope(db, when, agency, directive, priority, field))
        names = _agency_names(db)
    render_weekly(summary, fmt, office_tz_name(), names=names, output=output)


def register(app: typer.Typer) -> None:
    app.command("overdue")(overdue)
    app.command("status")(status)
    app.command("weekly")(weekly)
    app.command("log")(log)


def _log_what(entry: dict) -> str:
    from clusterctl.cli.task import change_text
    from clusterctl.words import action_name

    changes = entry["changes"]
    if entry["action"] == "created":  # the title is the task's; what it was given
        changes = {name: [None, new] for name, (_old, new) in changes.items()
                   if name != "title" and new not in (None, [])}
    text = change_text(changes).replace("- → ", "") if entry["action"] == "created" else (
        change_text(changes))
    return action_name(entry["action"]) + (": " + text if text else "")


def _log_recorded(entry: dict) -> str:
    from clusterctl.render import local_time

    return local_time(entry["at"])


LOG_COLUMNS = [
    Column("effective", _("Date"), get=lambda e: day(e["effective"])),
    Column("actor", _("Who")),
    Column("task", _("Task"), get=lambda e: f"{e['directive']}#{e['key']}"),
    Column("what", _("What changed"), get=_log_what, wrap=True),
    # One line per change: a note's own line breaks become spaces (JSON and CSV keep them).
    Column("note", _("Note"), wrap=True, fold=2,
           get=lambda e: " ".join(e["note"].split("\n")) if e["note"] else None),
    Column("at", _("Recorded"), get=_log_recorded, fold=1),
]
LOG_FIELDS = ["id", "task_id", "directive", "key", "effective", "at", "actor", "action",
              "changes", "note", "source"]


def log(
    since: Annotated[str | None, typer.Option(
        "--since", metavar="DATE", help=_("Changes that took effect on or after this day."))
    ] = None,
    until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE", help=_("Changes that took effect on or before this day."))
    ] = None,
    agency: Annotated[list[str] | None, typer.Option(
        "--agency", "-a", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("Only tasks this agency leads or supports, or did; repeatable."))] = None,
    directive: DirectiveFilter = None,
    actor: Annotated[list[str] | None, typer.Option(
        "--actor", metavar="LOGIN", help=_("Only changes made by this login; repeatable."))
    ] = None,
    limit: LimitOpt = None,
    format_: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """What changed, newest first: one line per change (when it took effect, who, which
    task, what changed from what to what, the note).

    A change is listed by the day it took effect; one recorded on a later day shows that
    day too.
    """

    from clusterctl.core.agencies import AgencyMatcher, load_agencies
    from clusterctl.core.changelog import ChangeFilter, list_changes
    from clusterctl.core.directives import find_directive
    from clusterctl.dates import parse_date
    from clusterctl.render import emit_rows

    fmt = format_of(format_, also=("xlsx",), output=output)
    start = parse_date(since) if since else None
    end = parse_date(until) if until else None
    if start and end and end < start:
        from clusterctl.errors import InputError

        raise InputError(_("--until {until} is before --since {since}").format(
            until=day(end), since=day(start)))
    with database(write=False) as db:
        matcher = AgencyMatcher(load_agencies(db)) if agency else None
        changes = list_changes(db, ChangeFilter(
            since=start, until=end,
            agency_ids=[matcher.find(a).id for a in agency or []],
            directive_ids=[find_directive(db, d).id for d in directive or []],
            actors=list(actor or [])), limit)
    if fmt == "csv":
        from clusterctl.render import to_json

        changes = [{**c, "changes": to_json(c["changes"], indent=None)} for c in changes]
    emit_rows(changes, LOG_COLUMNS, fmt, csv_fields=LOG_FIELDS, empty=_("No changes match."),
              output=output, sheet=_("Changes"), title=_("Changes") if fmt == "xlsx" else None)
