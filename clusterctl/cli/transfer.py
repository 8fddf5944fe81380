"""``clusterctl import`` and ``clusterctl export``: task lists as TOML files."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import click
import typer

from clusterctl.cli import complete
from clusterctl.cli.common import ExportFormat, actor, database, say, session
from clusterctl.i18n import _, ngettext


def import_(
    files: Annotated[list[str] | None, typer.Argument(
        metavar="FILE...", help=_("TOML files."), show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", "-n", help=_("Show what would change, with old → new values; write "
                                  "nothing."))] = False,
    prefer: Annotated[str | None, typer.Option(
        "--prefer", metavar="SIDE", click_type=click.Choice(["file", "database"]),
        help=_("Where the file and the register both changed a field since the last import: "
               "file or database wins [default: stop and list them]."))] = None,
    undo: Annotated[bool, typer.Option(
        "--undo", help=_("Revert the last import as a whole, if none of the tasks it touched "
                         "was changed since."))] = False,
) -> None:
    """Import agencies, directives and tasks from TOML files, all or nothing.

    Every file is checked before anything is written; any problem is reported with its file,
    line and key, and nothing is imported. Importing the same files again changes nothing.

    A re-import changes only what the file changed since it was last imported: a field that
    staff changed in the register, and the file did not, stays as staff left it.

    --undo reverts the last import as a whole (the tasks it added removed, its changes undone
    in each task's history), unless a task it touched was changed since: then it lists them
    and changes nothing (exit 4).
    """
    from clusterctl.config import today
    from clusterctl.core.importrun import ImportRejected, run_import
    from clusterctl.errors import InputError

    if undo:
        if files or dry_run or prefer:
            raise InputError(_("--undo takes no files and no other option"))
        _undo()
        return
    if not files:
        raise InputError(_("give the TOML files to import, or --undo"))
    try:
        result = run_import(session().location, files, actor=actor, today=today(),
                            dry_run=dry_run, progress=_progress, prefer=prefer)
    except ImportRejected as exc:
        if exc.plan is not None:  # a dry run: what it would change, then the conflicts
            from clusterctl.core.importrun import plan_totals

            _summary(plan_totals(exc.plan), files, dry_run, exc.plan)
        _report_problems(exc)
        raise
    if result.no_database:
        say(_("There is no database at {path} yet: everything would be added.").format(
            path=session().shown_location))
    _summary(result.totals, files, dry_run, result.plan)


def _undo() -> None:
    from clusterctl.config import today
    from clusterctl.core.importundo import undo_last_import
    from clusterctl.render import local_time

    with database(write=True, role="admin") as db:
        done = undo_last_import(db, actor=actor(db), today=today())
    say(_("Undid the import of {source} by {actor} at {at}: {removed} tasks it added removed, "
          "{reverted} tasks it changed put back.").format(
        source=done.source or "-", actor=done.actor, at=local_time(done.at),
        removed=done.tasks_removed, reverted=done.tasks_reverted))


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal for large imports; nothing when piped."""
    if total < 2000 or not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import Progress

    from clusterctl.render import console

    with Progress(console=console(sys.stderr), transient=True) as bar:
        task = bar.add_task(_("Writing tasks"), total=total)
        yield lambda n: bar.advance(task, n)


def _report_problems(rejected) -> None:
    """Every problem but the last line, which the error boundary writes: one a line."""
    from clusterctl.text import safe, shorten_runs

    problems = rejected.problems
    if len(problems) == 1:
        return
    for problem in problems[:200]:
        sys.stderr.write(safe(shorten_runs(str(problem))) + "\n")
    if len(problems) > 200:
        more = len(problems) - 200
        sys.stderr.write(ngettext("... and {n} more problem", "... and {n} more problems",
                                  more).format(n=more) + "\n")


def _summary(totals: dict, files: list[str], dry_run: bool, plan=None) -> None:
    """The summary on stderr; a dry run also lists each change of ``plan``."""
    head = _("Dry run of {files}: nothing was written.") if dry_run else _("Imported {files}.")
    say(head.format(files=", ".join(files)))
    for key, name in (("agencies", _("agencies")), ("directives", _("directives")),
                      ("tasks", _("tasks"))):
        added, updated, unchanged = totals[key]
        say("  " + _("{name}: {a} added, {u} updated, {s} unchanged").format(
            name=name, a=added, u=updated, s=unchanged))
    if totals.get("renamed") or totals.get("dissolved"):
        say("  " + _("reorganisation: {r} agencies renamed, {d} dissolved into their "
                     "successors").format(r=totals["renamed"], d=totals["dissolved"]))
    if totals.get("series_added"):
        say("  " + _("recurring tasks: {n} added, with their occurrences so far").format(
            n=totals["series_added"]))
    if totals.get("holidays"):
        say("  " + _("the office's own holidays: {n} in the files").format(
            n=totals["holidays"]))
    if totals.get("deleted_left_count"):
        shown = ", ".join(totals["deleted_left"])
        more = totals["deleted_left_count"] - len(totals["deleted_left"])
        say("  " + _("deleted in the register (left deleted): {refs}").format(
            refs=shown + (_(" and {n} more").format(n=more) if more > 0 else "")))
    if totals["not_in_files_count"]:
        shown = ", ".join(totals["not_in_files"])
        more = totals["not_in_files_count"] - len(totals["not_in_files"])
        say("  " + _("in the database but not in the files (left alone): {refs}").format(
            refs=shown + (_(" and {n} more").format(n=more) if more > 0 else "")))
    if dry_run and plan is not None:
        for line in _plan_lines(plan):
            say("  " + line)


def _plan_lines(plan):
    from clusterctl.render import display
    from clusterctl.words import change_value, day, field_name

    def diff(changes: dict) -> str:
        return "; ".join(f"{field_name(k)}: {display(change_value(k, old))} → "
                         f"{display(change_value(k, new))}" for k, (old, new) in changes.items())

    for agency in plan.agencies_added:
        yield _("add agency {code} ({name})").format(code=agency.code, name=agency.name)
    for agency, _current, changes in plan.agencies_updated:
        yield _("update agency {code}: {diff}").format(code=agency.code, diff=diff(changes))
    for agency in plan.renames:
        yield _("rename agency {code} to {name!r} from {on}").format(
            code=agency.code, name=agency.name, on=day(agency.renamed_on))
    for agency in plan.dissolutions:
        yield _("dissolve agency {code} on {on}, successors: {succ}").format(
            code=agency.code, on=day(agency.dissolved_on),
            succ=", ".join(agency.successors or []) or "-")
    for directive in plan.directives_added:
        yield _("add directive {number}").format(number=directive.number)
    for directive, _id, changes in plan.directives_updated:
        yield _("update directive {number}: {diff}").format(number=directive.number,
                                                           diff=diff(changes))
    for change in plan.tasks_added:
        yield _("add task {ref}: {title}").format(ref=change.ref, title=change.task.title)
    for change in plan.tasks_updated:
        yield _("update task {ref}: {diff}").format(ref=change.ref, diff=diff(change.changes))
    for change in plan.notes_added:
        yield _("note on task {ref}: {note}").format(ref=change.ref, note=change.task.note)
    if plan.prefer is not None:
        side = {"file": _("the file's value wins"),
                "database": _("the register's value stays")}[plan.prefer]
        for conflict in plan.conflicts:
            yield _("conflict ({side}): {conflict}").format(side=side, conflict=conflict)


def export(
    directive: Annotated[list[str] | None, typer.Option(
        "--directive", "-d", metavar="NUMBER", autocompletion=complete.directives,
        help=_("Only this directive; repeatable."))
    ] = None,
    format_: Annotated[ExportFormat, typer.Option(
        "--format", "-f", case_sensitive=False, help=_("File format."))] = ExportFormat.toml,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help=_("Write to FILE (readable by you only) instead of stdout."))] = None,
) -> None:
    """Export agencies, directives and tasks in the import format.

    Importing the export into an empty database gives the same agencies, directives and
    tasks back.
    """
    from clusterctl.core.exporter import export_data

    with database(write=False) as db:
        data = export_data(db, directive or [])
    if format_ == ExportFormat.toml:
        import tomli_w

        from clusterctl.render import escape_unsafe

        # tomli-w escapes what TOML requires (C0 controls, DEL); the rest that could act on
        # a terminal (C1 controls, bidi overrides) becomes \uXXXX escapes too.
        text = escape_unsafe(tomli_w.dumps(data))
    else:
        from clusterctl.render import to_json

        text = to_json(data) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    from clusterctl.files import write_private

    write_private(output, text)
    count = len(data["directives"])
    say(ngettext("Exported {n} directive to {file}.", "Exported {n} directives to {file}.",
                 count).format(n=count, file=output))


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
