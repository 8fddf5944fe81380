"""``clusterctl import`` and ``clusterctl export``: task lists as TOML files."""

import sys
from typing import Annotated

import typer

from clusterctl.cli.common import actor, database, say, state
from clusterctl.errors import EXIT_INPUT
from clusterctl.i18n import _

MAX_SHOWN = 20  # refs listed in a summary line; the rest are counted


def import_(
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help=_("TOML files."))],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", "-n", help=_("Show what would change, with old → new values; write "
                                  "nothing."))] = False,
) -> None:
    """Import agencies, directives and tasks from TOML files, all or nothing.

    Every file is checked before anything is written; any problem is reported with its file,
    line and key, and nothing is imported. Importing the same files again changes nothing.
    """
    import gc

    from clusterctl.config import today
    from clusterctl.core.importcache import fingerprint
    from clusterctl.core.tomlfile import read_raw

    # An import builds many small objects and no reference cycles: the cyclic collector
    # would only rescan them, over and over (~10% of a 10,000-task import).
    gc.disable()
    raw = read_raw(files)
    files_fingerprint = fingerprint(raw, today())
    unchanged = _unchanged_since_last_import(files_fingerprint)
    if unchanged is not None:
        _summary(unchanged, files, dry_run)
        return
    from clusterctl.core.importer import read_files

    parsed = read_files(raw, today())
    del raw
    if parsed.problems:
        _fail(parsed.problems + _agency_problems(parsed), files)
    source = ", ".join(files)
    plan = _dry_plan(parsed) if dry_run else _import(parsed, source, files_fingerprint)
    _summary(plan_totals(plan), files, dry_run, plan)


def _no_database_yet() -> bool:
    """Whether the database is an SQLite file that does not exist yet."""
    from clusterctl.store.db import sqlite_path

    path = sqlite_path(state.location)
    return path is not None and not path.exists()


def _unchanged_since_last_import(files_fingerprint: str | None) -> dict | None:
    """The totals of the last import, if it was of these very files and nothing changed."""
    from clusterctl.core.importcache import unchanged_import

    if files_fingerprint is None or _no_database_yet():
        return None
    with database(write=False) as db:
        record = unchanged_import(db, files_fingerprint)
    if record is None:
        return None
    # Everything in the files is in the database exactly as they say: all unchanged.
    return {name: [0, 0, sum(record[name])] for name in ("agencies", "directives", "tasks")} | {
        "not_in_files": record["not_in_files"], "not_in_files_count": record[
            "not_in_files_count"]}


def plan_totals(plan) -> dict:
    """Added, updated and unchanged counts, and the tasks the files leave out."""
    return {
        "agencies": [len(plan.agencies_added), len(plan.agencies_updated),
                     plan.agencies_unchanged],
        "directives": [len(plan.directives_added), len(plan.directives_updated),
                       plan.directives_unchanged],
        "tasks": [len(plan.tasks_added), len(plan.tasks_updated) + len(plan.notes_added),
                  plan.tasks_unchanged],
        "not_in_files": plan.not_in_files[:MAX_SHOWN],
        "not_in_files_count": len(plan.not_in_files),
    }


def _agency_problems(parsed) -> list:
    """With a file already bad, also find the agencies it names that do not exist, so
    that one run reports every problem."""
    from clusterctl.core.importplan import make_plan
    from clusterctl.errors import DatabaseError

    try:
        if _no_database_yet():
            return make_plan(None, parsed).problems
        with database(write=False) as db:
            return make_plan(db, parsed).problems
    except DatabaseError:
        return []  # the file's own problems come first; the database's are for later


def _dry_plan(parsed):
    from clusterctl.core.importplan import make_plan

    if _no_database_yet():
        say(_("There is no database at {path} yet: everything would be added.").format(
            path=state.location))
        plan = make_plan(None, parsed)
    else:
        with database(write=False) as db:
            plan = make_plan(db, parsed)
    if plan.problems:
        _fail(plan.problems, parsed.files)
    return plan


def _import(parsed, source: str, files_fingerprint: str | None):
    from clusterctl.core.importplan import make_plan

    empty_plan = None
    if _no_database_yet():
        # Check against an empty database first, so that a bad file creates no database.
        empty_plan = make_plan(None, parsed)
        if empty_plan.problems:
            _fail(empty_plan.problems, parsed.files)
    with database(write=True) as db:
        db.prepare_bulk()
        return _import_into(db, parsed, source, files_fingerprint, empty_plan)


def _import_into(db, parsed, source: str, files_fingerprint: str | None, empty_plan):
    from clusterctl.core.importcache import remember_import
    from clusterctl.core.importplan import apply_plan, make_plan

    with db.transaction():
        # Unless someone filled the new database meanwhile, the plan made against no
        # database is the plan: planning 100,000 tasks twice would cost seconds.
        fresh = empty_plan is not None and db.scalar(
            "SELECT COUNT(*) FROM directive") == 0 and db.scalar("SELECT COUNT(*) FROM agency") == 0
        plan = empty_plan if fresh else make_plan(db, parsed)
        if plan.problems:
            _fail(plan.problems, parsed.files)  # leaving the transaction rolls back
        with _progress(len(plan.tasks_added) + len(plan.tasks_updated)) as advance:
            apply_plan(db, plan, actor=actor(), source=source, progress=advance)
        remember_import(db, files_fingerprint, plan_totals(plan))
    return plan


class _progress:
    """A progress bar on a terminal for large imports; nothing when piped."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if self.total < 2000 or not sys.stderr.isatty():
            return lambda n: None
        from rich.progress import Progress

        from clusterctl.render import console

        self.bar = Progress(console=console(sys.stderr), transient=True)
        self.bar.start()
        task = self.bar.add_task(_("Writing tasks"), total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()


def _fail(problems, files) -> None:
    """Report every problem, one a line; a single problem is the one error line."""
    from clusterctl.i18n import ngettext
    from clusterctl.text import safe, shorten_runs

    if len(problems) == 1:
        say(_("Error: {problem}; nothing was imported").format(problem=problems[0]))
        raise typer.Exit(EXIT_INPUT)
    for problem in problems[:200]:
        sys.stderr.write(safe(shorten_runs(str(problem))) + "\n")
    if len(problems) > 200:
        sys.stderr.write(_("... and {n} more problems").format(n=len(problems) - 200) + "\n")
    say(ngettext("Error: {n} problem in {files}; nothing was imported",
                 "Error: {n} problems in {files}; nothing was imported",
                 len(problems)).format(n=len(problems), files=", ".join(files)))
    raise typer.Exit(EXIT_INPUT)


def _summary(totals: dict, files: list[str], dry_run: bool, plan=None) -> None:
    """The summary on stderr; a dry run also lists each change of ``plan``."""
    head = _("Dry run of {files}: nothing was written.") if dry_run else _("Imported {files}.")
    say(head.format(files=", ".join(files)))
    for key, name in (("agencies", _("agencies")), ("directives", _("directives")),
                      ("tasks", _("tasks"))):
        added, updated, unchanged = totals[key]
        say("  " + _("{name}: {a} added, {u} updated, {s} unchanged").format(
            name=name, a=added, u=updated, s=unchanged))
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

    def diff(changes: dict) -> str:
        return "; ".join(f"{k}: {display(old)} → {display(new)}"
                         for k, (old, new) in changes.items())

    for agency in plan.agencies_added:
        yield _("add agency {code} ({name})").format(code=agency.code, name=agency.name)
    for agency, _current, changes in plan.agencies_updated:
        yield _("update agency {code}: {diff}").format(code=agency.code, diff=diff(changes))
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


def export(
    directive: Annotated[list[str] | None, typer.Option(
        "--directive", "-d", metavar="NUMBER", help=_("Only this directive; repeatable."))
    ] = None,
    format_: Annotated[str, typer.Option(
        "--format", "-f", metavar="toml|json", help=_("File format."))] = "toml",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE", help=_("Write to FILE instead of stdout."))] = None,
) -> None:
    """Export agencies, directives and tasks in the import format.

    Importing the export into an empty database gives the same agencies, directives and
    tasks back.
    """
    from clusterctl.core.exporter import export_data
    from clusterctl.errors import InputError

    if format_ not in ("toml", "json"):
        raise InputError(_("--format must be toml or json, not {f!r}").format(f=format_))
    with database(write=False) as db:
        data = export_data(db, directive or [])
    if format_ == "toml":
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
    try:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise InputError(_("cannot write {file}: {reason}").format(
            file=output, reason=exc.strerror)) from None
    say(_("Exported {n} directives to {file}.").format(n=len(data["directives"]), file=output))


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
