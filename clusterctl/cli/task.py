"""``clusterctl task``: add tasks, list them, and record what becomes of them."""

from typing import Annotated

import typer

from clusterctl.cli import complete
from clusterctl.cli.columns import TASK_COLUMNS, TASK_FIELDS
from clusterctl.cli.common import (
    AsOfOpt,
    ExpectVersionOpt,
    FormatOpt,
    LimitOpt,
    Named,
    NoteOpt,
    OutputOpt,
    actor,
    as_of_date,
    command_group,
    database,
    format_of,
    parse_day,
    say,
)
from clusterctl.i18n import _
from clusterctl.words import CATEGORY_NAMES, STATUS_NAMES, day, status_name, timeliness

app = command_group(_("Add, list and update tasks."))

TaskArg = Annotated[
    str, typer.Argument(metavar="TASK", autocompletion=complete.tasks,
                        help=_("The task id, or NUMBER#KEY (2029/UBND-KTTH#3)."))
]


def task_filter(as_of, **criteria):
    """Tasks as of ``as_of``: as they stood at the end of that day, if it is past."""
    from clusterctl.config import due_soon_days, today
    from clusterctl.core.queries import TaskFilter

    return TaskFilter(as_of=as_of, soon_days=due_soon_days(), today=today(), **criteria)


@app.command("add")
def add(
    title: Annotated[str, typer.Argument(help=_("What must be done."))],
    directive: Annotated[str, typer.Option(
        "--directive", "-d", metavar="NUMBER", autocompletion=complete.directives,
        help=_("The directive that assigns it."))],
    lead: Annotated[str, typer.Option(
        "--lead", "-l", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("The one lead agency (chủ trì)."))],
    support: Annotated[list[str] | None, typer.Option(
        "--support", "-s", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("A supporting agency; repeatable."))] = None,
    due: Annotated[str | None, typer.Option(
        "--due", metavar="DATE",
        help=_("Due date; omit (or \"thường xuyên\") for an ongoing duty."))] = None,
    key: Annotated[str | None, typer.Option(
        "--key", "-k", help=_("Key within the directive [default: next free number]."))] = None,
    note: NoteOpt = None,
    on: Annotated[str | None, typer.Option(
        "--on", metavar="DATE",
        help=_("The day it was assigned, for a task added to a directive later [default: "
               "the directive's issue date]."))] = None,
    priority: Annotated[bool, typer.Option(
        "--priority", help=_("A key task (nhiệm vụ trọng tâm), counted apart."))] = False,
    field: Annotated[str | None, typer.Option(
        "--field", metavar="FIELD",
        help=_("Its field (lĩnh vực) [default: the division in the directive's number, "
               "2029/UBND-KTTH → KTTH]."))] = None,
    repeat: Annotated[str | None, typer.Option(
        "--repeat", metavar="RULE",
        help=_("A recurring task: \"hằng tháng, trước ngày 25\", \"hằng quý, trước ngày 20 "
               "tháng cuối quý\", \"hằng năm, trước ngày 15/12\" or an RFC 5545 RRULE; each "
               "occurrence is a task of its own."))] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", metavar="DATE",
        help=_("With --repeat: the first day an occurrence may fall due [default: the "
               "directive's issue date]."))] = None,
    until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE",
        help=_("With --repeat: the last day an occurrence may fall due [default: none, "
               "open-ended]."))] = None,
) -> None:
    """Add a task and print its id.

    A task typed in from a directive exists from the directive's issue date; --on records a
    later, extra assignment.

    Example: clusterctl task add -d 2029/UBND-KTTH -l SCT -s SXD --due 30/6/2024 "Rà soát..."
    """
    from clusterctl.config import today
    from clusterctl.core.tasks import add_task
    from clusterctl.errors import InputError

    if repeat is None and (from_ is not None or until is not None):
        raise InputError(_("--from and --until are for a recurring task: give --repeat RULE"))
    if repeat is not None:
        if due is not None:
            raise InputError(_("a recurring task's occurrences fall due by its rule: give "
                               "--repeat or --due, not both"))
        _add_series(title, directive, lead, support or [], key, note, on, priority, field,
                    repeat, from_, until)
        return
    with database(write=True) as db:
        from clusterctl.core.directives import issue_date

        due_date = parse_day(due, db, due=True, base=issue_date(db, directive)
                             ) if due is not None else None
        on_date = parse_day(on, db) if on is not None else None
        task_id = add_task(db, directive=directive, lead=lead, support=support or [],
                           due=due_date, key=key, title=title, actor=actor(db), note=note,
                           today=today(), on=on_date, priority=priority, field=field)
    print(task_id)
    say(_("Added task {id}.").format(id=task_id))


def _add_series(title, directive, lead, support, key, note, on, priority, field, repeat,
                from_, until) -> None:
    from clusterctl.config import today
    from clusterctl.core.series import add_series
    from clusterctl.recurrence import parse_rule

    rule = parse_rule(repeat)
    with database(write=True) as db:
        added = add_series(db, directive=directive, lead=lead, support=support, key=key,
                           title=title, note=note, rule=rule, priority=priority, field=field,
                           starts=parse_day(from_, db) if from_ else None,
                           until=parse_day(until, db) if until else None,
                           on=parse_day(on, db) if on else None, actor=actor(db),
                           today=today())
    for task_id in added.task_ids:
        print(task_id)
    say(_("Added the recurring task {ref} ({rule}): {n} occurrences so far, {first} … "
          "{last}.").format(ref=added.ref, rule=rule.text, n=len(added.task_ids),
                             first=added.first or "-", last=added.last or "-"))


@app.command("list")
def list_(
    agency: Annotated[list[str] | None, typer.Option(
        "--agency", "-a", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("Tasks this agency leads or supports; repeatable."))] = None,
    lead: Annotated[list[str] | None, typer.Option(
        "--lead", "-l", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("Tasks this agency leads; repeatable."))] = None,
    directive: Annotated[list[str] | None, typer.Option(
        "--directive", "-d", metavar="NUMBER", autocompletion=complete.directives,
        help=_("Tasks of this directive; repeatable."))
    ] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", click_type=Named("status", STATUS_NAMES),
        autocompletion=complete.statuses,
        help=_("Only this status (open, in_progress, done, cancelled, or their names in "
               "Vietnamese); repeatable."))] = None,
    category: Annotated[list[str] | None, typer.Option(
        "--category", "-c", click_type=Named("category", CATEGORY_NAMES),
        autocompletion=complete.categories,
        help=_("Only this timeliness category (overdue, due_soon, done_late..., or their "
               "names in Vietnamese); repeatable."))] = None,
    search: Annotated[str | None, typer.Option(
        "--search", help=_("Words in the title, ignoring case and diacritics."))] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help=_("Done and cancelled tasks too [default: open work only]."))] = False,
    deleted: Annotated[bool, typer.Option(
        "--deleted", help=_("Only the tasks deleted as entered by mistake, whatever their "
                            "status (they are in no other list)."))] = False,
    priority: Annotated[bool, typer.Option(
        "--priority", help=_("Only key tasks (nhiệm vụ trọng tâm)."))] = False,
    field: Annotated[list[str] | None, typer.Option(
        "--field", metavar="FIELD",
        help=_("Only tasks of this field (lĩnh vực, e.g. KTTH); repeatable."))] = None,
    pending_extension: Annotated[bool, typer.Option(
        "--pending-extension",
        help=_("Only tasks with an extension asked for and not yet decided."))] = False,
    as_of: AsOfOpt = None,
    limit: LimitOpt = None,
    format_: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """List tasks, due soonest first, with their timeliness.

    Without --status, --category, --all or --deleted: the work still to do on the as-of date
    (not done by then, not cancelled), in every format.
    """
    import itertools

    from clusterctl.core.agencies import AgencyMatcher, load_agencies
    from clusterctl.core.queries import list_tasks
    from clusterctl.render import emit_rows

    def directive_id(db, number: str) -> int:
        from clusterctl.core.directives import find_directive  # loaded only if asked for

        return find_directive(db, number).id

    as_of_day = as_of_date(as_of)
    fmt = format_of(format_, also=("xlsx",), output=output)
    categories = list(category or [])
    if not (status or category or all_ or deleted):  # the work still to do on the as-of date
        categories = ["awaiting_confirmation", "overdue", "due_soon", "on_track", "ongoing"]
    with database(write=False, as_of=as_of_day) as db:
        matcher = AgencyMatcher(load_agencies(db)) if agency or lead else None
        criteria = task_filter(
            as_of_day,
            agency_ids=[matcher.find(a).id for a in agency or []],
            lead_ids=[matcher.find(a).id for a in lead or []],
            directive_ids=[directive_id(db, d) for d in directive or []],
            statuses=list(status or []),
            categories=categories,
            search=search,
            deleted=deleted,
            priority=True if priority else None,
            fields=[f.strip().upper() for f in field or []],
            pending_extension=pending_extension,
        )
        rows = list_tasks(db, criteria)
        emit_rows(itertools.islice(rows, limit) if limit is not None else rows, TASK_COLUMNS,
                  fmt, csv_fields=TASK_FIELDS, empty=_("No tasks match."), output=output,
                  sheet=_("Tasks"),
                  title=_("Tasks as of {as_of}").format(as_of=day(as_of_day)) if fmt == "xlsx"
                  else None)


def change_text(changes: dict) -> str:
    """A history entry's changes as people read them: ``field: old → new; ...``."""
    from clusterctl.render import display
    from clusterctl.words import change_value, field_name

    def value(field: str, text):
        if field == "deleted":  # the day it was deleted on; "-" while it is not
            return day(text)
        return change_value(field, text)

    return "; ".join(
        f"{field_name(field)}: {display(value(field, old))} → {display(value(field, new))}"
        for field, (old, new) in changes.items()
    )


def _history_lines(entry: dict, undone: dict | None = None) -> list[str]:
    """One history entry as lines; a note of several lines continues, indented, below. An
    undo names the entry it undoes (``undone``), by its action and when it was recorded."""
    from clusterctl.render import display, local_day, local_time
    from clusterctl.words import action_name

    changes = change_text(entry["changes"])
    parts = [local_time(entry["at"]), display(entry["actor"]), action_name(entry["action"])]
    if undone is not None:
        parts[-1] += " " + _("(of the {action} of {at})").format(
            action=action_name(undone["action"]), at=local_time(undone["at"]))
    if entry.get("effective") and entry["effective"] != local_day(entry["at"]):
        parts.append(_("with effect from {on}").format(on=day(entry["effective"])))
    if changes:
        parts.append(changes)
    note_lines = entry["note"].split("\n") if entry["note"] else []
    if note_lines:
        parts.append(_("note: {note}").format(note=display(note_lines[0].expandtabs(4))))
    if entry["source"]:
        parts.append(_("from {source}").format(source=display(entry["source"])))
    return ["  ".join(parts), *("    " + display(line.expandtabs(4)) for line in note_lines[1:])]


@app.command("show")
def show(task: TaskArg, as_of: AsOfOpt = None, format_: FormatOpt = None) -> None:
    """Show a task with its whole history."""
    from clusterctl.config import today
    from clusterctl.core.queries import get_task, resolve_task
    from clusterctl.render import emit_record

    as_of_day = as_of_date(as_of)
    with database(write=False, as_of=as_of_day) as db:
        record = get_task(db, resolve_task(db, task), as_of_day,
                          task_filter(as_of_day).soon_days, today())
    record["timeliness"] = timeliness(record) + " " + _("(as of {d})").format(d=day(as_of_day))
    fields = [("id", _("ID")), ("directive", _("Directive")), ("key", _("Key")),
              ("title", _("Title")), ("lead", _("Lead")), ("support", _("Support")),
              ("due", _("Due")), ("original_due", _("Original due")), ("status", _("Status")),
              ("completed_on", _("Completed on")), ("timeliness", _("Timeliness")),
              ("priority", _("Key task")), ("field", _("Field")),
              ("latest_note", _("Latest note")), ("created_at", _("Created")),
              ("updated_at", _("Updated")), ("version", _("Version"))]
    if record["evidence"]:  # the output document of a reported completion
        fields.insert(fields.index(("timeliness", _("Timeliness"))), ("evidence", _("Evidence")))
    if record["requested_due"]:
        fields.insert(fields.index(("priority", _("Key task"))), (
            "requested_due", _("Extension asked for")))
    if record["deleted_on"]:  # why: the latest deletion's reason (absent in a past view)
        reasons = [entry["note"] for entry in record["history"] if entry["action"] == "delete"]
        record["deleted"] = day(record["deleted_on"]) + (f": {reasons[-1]}" if reasons else "")
        fields.insert(fields.index(("status", _("Status"))), ("deleted", _("Deleted on")))
    fmt = format_of(format_)
    if fmt == "csv":  # for scripts: the category's code and the days, not a sentence
        fields[fields.index(("timeliness", _("Timeliness")))] = ("category", "category")
        fields.insert(fields.index(("category", "category")) + 1, ("days_overdue", ""))
        if record["deleted_on"]:
            fields[fields.index(("deleted", _("Deleted on")))] = ("deleted_on", "deleted_on")
    if fmt == "json":
        del record["timeliness"]
        record.pop("deleted", None)
    elif fmt != "csv":
        from clusterctl.render import local_time

        record["created_at"] = local_time(record["created_at"])
        record["updated_at"] = local_time(record["updated_at"])
        for name in ("due", "original_due", "completed_on", "requested_due"):
            record[name] = day(record[name])
        record["status"] = status_name(record["status"])
        record["priority"] = _("yes") if record["priority"] else _("no")
    by_id = {entry["id"]: entry for entry in record["history"]}
    history = [line for entry in record["history"]
               for line in _history_lines(entry, by_id.get(entry["undoes"]))]
    emit_record(record, fields, fmt, sections=[(_("History"), history)])


OnOpt = Annotated[str | None, typer.Option(
    "--on", metavar="DATE", help=_("The day it took effect [default: today]."))]
DoneOnOpt = Annotated[str | None, typer.Option(
    "--on", metavar="DATE", help=_("When it was completed [default: today]."))]


def _status_command(action: str, task: str, note: str | None, on: str | None = None,
                    expect_version: int | None = None) -> None:
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import change_status
    from clusterctl.dates import parse_date

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        changes = change_status(db, task_id, action=action, actor=actor(db), note=note,
                                on=parse_date(on) if on else None, today=today(),
                                expect_version=expect_version)
    messages = {
        "start": _("Task {id} is in progress."),
        "done": _("Task {id} is done (completed on {on})."),
        "reopen": _("Task {id} is open again."),
        "cancel": _("Task {id} is cancelled."),
    }
    say(messages[action].format(id=task_id,
                                on=day(changes.get("completed_on", [None, None])[1])))


@app.command("start")
def start(task: TaskArg, on: OnOpt = None, note: NoteOpt = None,
          expect_version: ExpectVersionOpt = None) -> None:
    """Mark a task as in progress."""
    _status_command("start", task, note, on=on, expect_version=expect_version)


@app.command("done")
def done(task: TaskArg, on: DoneOnOpt = None, note: NoteOpt = None,
         expect_version: ExpectVersionOpt = None) -> None:
    """Mark a task as done (hoàn thành), on the date it was completed."""
    _status_command("done", task, note, on=on, expect_version=expect_version)


@app.command("reopen")
def reopen(task: TaskArg, on: OnOpt = None, note: NoteOpt = None,
           expect_version: ExpectVersionOpt = None) -> None:
    """Open a done or cancelled task again."""
    _status_command("reopen", task, note, on=on, expect_version=expect_version)


@app.command("cancel")
def cancel(
    task: TaskArg,
    reason: Annotated[str, typer.Option("--reason", "-r", help=_("Why it is withdrawn."))],
    on: OnOpt = None,
    expect_version: ExpectVersionOpt = None,
) -> None:
    """Cancel (withdraw) a task; cancelled tasks are left out of rates."""
    _status_command("cancel", task, reason, on=on, expect_version=expect_version)


@app.command("note")
def note(
    task: TaskArg,
    text: Annotated[str, typer.Argument(help=_(
        "The progress note (tình hình thực hiện); it may span several lines."))],
    on: OnOpt = None,
) -> None:
    """Record a progress note in a task's history."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import add_note
    from clusterctl.dates import parse_date

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        add_note(db, task_id, text=text, actor=actor(db), today=today(),
                 on=parse_date(on) if on else None)
    say(_("Noted on task {id}.").format(id=task_id))


@app.command("extend")
def extend(
    task: TaskArg,
    to: Annotated[str, typer.Option("--to", metavar="DATE", help=_("The new due date."))],
    reason: Annotated[str, typer.Option("--reason", "-r", help=_("Why it is extended."))],
    on: OnOpt = None,
    expect_version: ExpectVersionOpt = None,
) -> None:
    """Move a task's due date later (gia hạn); the original due date is kept.

    To correct a wrongly entered due date instead, use 'clusterctl task edit TASK --due DATE'.
    """
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import extend_task
    from clusterctl.dates import parse_date

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        new_due = parse_day(to, db)
        changes = extend_task(db, task_id, to=new_due, reason=reason, actor=actor(db),
                              today=today(), on=parse_date(on) if on else None,
                              expect_version=expect_version)
    old, new = changes["due"]
    say(_("Task {id} is now due on {new} (was {old}).").format(
        id=task_id, new=day(new), old=day(old) or _("ongoing")))


ReasonGiven = Annotated[str, typer.Option("--reason", "-r", help=_("Why."))]


@app.command("report-done")
def report_done(
    task: TaskArg,
    evidence: Annotated[str, typer.Option(
        "--evidence", "-e", metavar="TEXT",
        help=_("The output document that shows it done, e.g. \"Báo cáo số 123/BC-SCT ngày "
               "5/7/2024\"."))],
    on: DoneOnOpt = None,
    note: NoteOpt = None,
    expect_version: ExpectVersionOpt = None,
) -> None:
    """Record an agency's report that a task is done: it awaits the office's confirmation.

    Until 'task confirm' or 'task return', the task is in its own category, awaiting
    confirmation: neither done nor overdue.
    """
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.workflow import report_done as report

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        changes = report(db, task_id, on=parse_day(on, db) if on else None, evidence=evidence,
                         note=note, actor=actor(db), today=today(),
                         expect_version=expect_version)
    say(_("Task {id} was reported done on {on}; it awaits confirmation.").format(
        id=task_id, on=day(changes["completed_on"][1])))


@app.command("confirm")
def confirm(task: TaskArg, note: NoteOpt = None,
            expect_version: ExpectVersionOpt = None) -> None:
    """Confirm a task reported done: it is done as of the day reported, on time or late
    against its due date."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.workflow import confirm as confirm_task

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        changes = confirm_task(db, task_id, note=note, actor=actor(db), today=today(),
                               expect_version=expect_version)
    say(_("Task {id} is done (completed on {on}).").format(
        id=task_id, on=day(changes["completed_on"][1])))


@app.command("return")
def return_(task: TaskArg, reason: ReasonGiven,
            expect_version: ExpectVersionOpt = None) -> None:
    """Return a task reported done: it is still to do, as if never reported (its history
    keeps the report and the return)."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.workflow import return_task

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        return_task(db, task_id, reason=reason, actor=actor(db), today=today(),
                    expect_version=expect_version)
    say(_("Task {id} was returned; it is still to do.").format(id=task_id))


@app.command("request-extension")
def request_extension(
    task: TaskArg,
    to: Annotated[str, typer.Option("--to", metavar="DATE", help=_("The due date asked for."))],
    reason: ReasonGiven,
    expect_version: ExpectVersionOpt = None,
) -> None:
    """Record an agency's request for more time; the office approves or rejects it."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.workflow import request_extension as request

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        asked = parse_day(to, db)
        request(db, task_id, to=asked, reason=reason, actor=actor(db), today=today(),
                expect_version=expect_version)
    say(_("Task {id}: an extension to {to} is asked for; approve or reject it.").format(
        id=task_id, to=day(asked)))


@app.command("approve-extension")
def approve_extension(
    task: TaskArg,
    to: Annotated[str | None, typer.Option(
        "--to", metavar="DATE",
        help=_("Another due date than the one asked for."))] = None,
    note: NoteOpt = None,
    expect_version: ExpectVersionOpt = None,
) -> None:
    """Approve an extension asked for: the due date moves (it counts as an extension)."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.workflow import approve_extension as approve

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        changes = approve(db, task_id, to=parse_day(to, db) if to else None, note=note,
                          actor=actor(db), today=today(), expect_version=expect_version)
    old, new = changes["due"]
    say(_("Task {id} is now due on {new} (was {old}).").format(id=task_id, new=day(new),
                                                               old=day(old)))


@app.command("reject-extension")
def reject_extension(task: TaskArg, reason: ReasonGiven,
                     expect_version: ExpectVersionOpt = None) -> None:
    """Reject an extension asked for: the due date stays."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.workflow import reject_extension as reject

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        reject(db, task_id, reason=reason, actor=actor(db), today=today(),
               expect_version=expect_version)
    say(_("Task {id}: the extension asked for is rejected; the due date stays.").format(
        id=task_id))


@app.command("edit")
def edit(
    task: TaskArg,
    title: Annotated[str | None, typer.Option("--title", help=_("A new title."))] = None,
    lead: Annotated[str | None, typer.Option(
        "--lead", "-l", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("A new lead agency."))] = None,
    support: Annotated[list[str] | None, typer.Option(
        "--support", "-s", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("The supporting agencies, replacing the current ones; repeatable."))] = None,
    no_support: Annotated[bool, typer.Option(
        "--no-support", help=_("Remove every supporting agency."))] = False,
    due: Annotated[str | None, typer.Option(
        "--due", metavar="DATE",
        help=_("The correct due date, when it was entered wrong (not an extension)."))] = None,
    no_due: Annotated[bool, typer.Option(
        "--no-due", help=_("No due date: an ongoing duty (thường xuyên)."))] = False,
    key: Annotated[str | None, typer.Option(
        "--key", "-k", help=_("The correct key of the task within its directive."))] = None,
    priority: Annotated[bool | None, typer.Option(
        "--priority/--no-priority",
        help=_("Mark it a key task (nhiệm vụ trọng tâm), or no longer one."),
        show_default=False)] = None,
    field: Annotated[str | None, typer.Option(
        "--field", metavar="FIELD", help=_("Its field (lĩnh vực)."))] = None,
    note: NoteOpt = None,
    on: Annotated[str | None, typer.Option(
        "--on", metavar="DATE",
        help=_("The day it took effect [default: today; for --due or --no-due, the day the "
               "wrong due date was set, so that past reports are corrected too]."))] = None,
    expect_version: ExpectVersionOpt = None,
) -> None:
    """Correct a task's title, agencies, due date or key; recorded as a correction. Also marks
    it a key task, or gives it another field."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import edit_task
    from clusterctl.dates import ONGOING_WORDS, parse_date
    from clusterctl.errors import InputError
    from clusterctl.text import fold

    if due is not None and fold(due).strip() in ONGOING_WORDS - {""}:  # "thường xuyên"
        due, no_due = None, True
    if no_support and support:
        raise InputError(_("give either --support or --no-support, not both"))
    if no_due and due is not None:
        raise InputError(_("give either --due or --no-due, not both"))
    new_support = [] if no_support else support
    if (title is None and lead is None and new_support is None and due is None and not no_due
            and key is None and priority is None and field is None):
        raise InputError(_("nothing to change: give --title, --lead, --support, --no-support, "
                           "--due, --no-due, --key, --priority, --no-priority or --field"))
    with database(write=True) as db:
        task_id = resolve_task(db, task)
        from clusterctl.core.directives import issue_date

        new_due = parse_day(due, db, base=issue_date(db, task_id=task_id)
                            ) if due is not None else None
        changes = edit_task(db, task_id, actor=actor(db), title=title, lead=lead,
                            support=new_support, due=new_due,
                            no_due=no_due, key=key, note=note, today=today(),
                            on=parse_date(on) if on else None, expect_version=expect_version,
                            priority=priority, field=field)
    from clusterctl.words import field_name

    say(_("Task {id} changed: {fields}.").format(
        id=task_id, fields=", ".join(field_name(f) for f in changes)))


@app.command("reassign")
def reassign(
    from_: Annotated[str, typer.Option(
        "--from", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("The agency whose tasks move."))],
    to: Annotated[str, typer.Option(
        "--to", metavar="AGENCY", autocompletion=complete.agencies,
        help=_("The agency that takes them on."))],
    reason: Annotated[str, typer.Option(
        "--reason", "-r", help=_("Why, e.g. the decision that moves them."))],
    directive: Annotated[list[str] | None, typer.Option(
        "--directive", "-d", metavar="NUMBER", autocompletion=complete.directives,
        help=_("Only this directive's tasks; repeatable."))] = None,
    on: Annotated[str | None, typer.Option(
        "--on", metavar="DATE", help=_("The day it took effect [default: today]."))] = None,
) -> None:
    """Move every task still to do from one agency to another, as lead or supporter.

    For bulk moves without a formal reorganisation (for one, see 'clusterctl agency merge');
    done and cancelled tasks keep the agency that did them. Each task moved gets a history
    entry with the reason.
    """
    from clusterctl.config import today
    from clusterctl.core.succession import reassign_tasks
    from clusterctl.dates import parse_date
    from clusterctl.i18n import ngettext

    with database(write=True) as db:
        moved = reassign_tasks(db, from_=from_, to=to, directives=directive or [],
                               reason=reason, actor=actor(db), today=today(),
                               on=parse_date(on) if on else None)
    say(ngettext("Moved {n} task still to do to {to}.", "Moved {n} tasks still to do to {to}.",
                 moved.tasks).format(n=moved.tasks, to=", ".join(moved.by_successor)))


ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help=_(
    "Why it is deleted: how it came to be entered by mistake."))]


@app.command("delete")
def delete(task: TaskArg, reason: ReasonOpt) -> None:
    """Delete a task entered by mistake (a duplicate, one no directive gave); an admin's.

    From today it is in no list, report or export, and nothing changes it; 'task show' still
    shows it with its history, and 'task restore' brings it back as it was.
    """
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import delete_task

    with database(write=True, role="admin") as db:
        task_id = resolve_task(db, task)
        delete_task(db, task_id, reason=reason, actor=actor(db), today=today())
    say(_("Deleted task {id}; 'clusterctl task restore {id}' brings it back.").format(
        id=task_id))


@app.command("restore")
def restore(task: TaskArg, note: NoteOpt = None) -> None:
    """Bring back a deleted task, as it was; an admin's."""
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import restore_task

    with database(write=True, role="admin") as db:
        task_id = resolve_task(db, task)
        deleted_on = restore_task(db, task_id, actor=actor(db), today=today(), note=note)
    say(_("Restored task {id} (deleted on {on}).").format(id=task_id, on=day(deleted_on)))


@app.command("undo")
def undo(task: TaskArg, note: NoteOpt = None,
         expect_version: ExpectVersionOpt = None) -> None:
    """Undo the latest change of a task; again, the change before it, and so on.

    The undo is recorded in the history as a change of its own, with effect from the day the
    change it undoes took effect: reports of the past are corrected with it. The task's
    creation is not undone: delete a task entered by mistake with 'clusterctl task delete'.
    """
    from clusterctl.config import today
    from clusterctl.core.queries import resolve_task
    from clusterctl.core.tasks import undo_task
    from clusterctl.words import action_name

    with database(write=True) as db:
        task_id = resolve_task(db, task)
        undone = undo_task(db, task_id, actor=actor(db), today=today(), note=note,
                           expect_version=expect_version)
    message = _("Undid the {action} of task {id}, with effect from {on}").format(
        action=action_name(undone.action), id=task_id, on=day(undone.effective))
    changes = change_text(undone.changes)
    say(f"{message}: {changes}." if changes else f"{message}.")
