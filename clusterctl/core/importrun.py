"""``clusterctl import`` from start to end: files to checked records, a plan, one transaction.

Nothing is written unless every file is right: a problem anywhere raises
:class:`ImportRejected` with every problem found, and a bad file does not even create a missing
database. Re-importing the same files into a database nobody wrote to since reads nothing
(:mod:`clusterctl.core.importcache`).
"""

import contextlib
import gc
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date

from clusterctl.errors import DatabaseError, InputError
from clusterctl.i18n import _, ngettext
from clusterctl.store.db import sqlite_path

SHOWN = 20  # refs listed in a summary line; the rest are counted

# Given how many tasks will be written, a context that yields a callback taking each batch's size.
Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


class ImportRejected(InputError):
    """The files have problems; nothing was imported."""

    def __init__(self, problems: list, files: list[str], plan=None) -> None:
        self.problems = problems
        self.files = files
        self.plan = plan  # for a dry run stopped by conflicts: what it would change
        if len(problems) == 1:
            message = _("{problem}; nothing was imported").format(problem=problems[0])
        else:
            message = ngettext("{n} problem in {files}; nothing was imported",
                               "{n} problems in {files}; nothing was imported",
                               len(problems)).format(n=len(problems), files=", ".join(files))
        super().__init__(message)


@dataclass
class ImportResult:
    totals: dict  # added, updated, unchanged per kind, and the tasks the files leave out
    plan: object | None = None  # the plan, for a dry run's list of changes
    no_database: bool = False  # a dry run with no database yet: everything would be added


def _no_progress(_total: int):
    return contextlib.nullcontext(lambda _n: None)


def run_import(location: str, files: list[str], *, actor: Callable, today: date,
               dry_run: bool = False, progress: Progress = _no_progress,
               prefer: str | None = None) -> ImportResult:
    """Import ``files`` into the database at ``location``, all or nothing; ``actor(db)``
    names who is recorded (on a shared database, the system login). Where a file and the
    register both changed a field since the last import, ``prefer`` ("file" or "database")
    says which wins; without it the import stops."""
    from clusterctl.core.importcache import fingerprint
    from clusterctl.core.tomlfile import read_raw

    # An import builds many small objects and no reference cycles: the cyclic collector
    # would only rescan them, over and over (~10% of a 10,000-task import).
    gc.disable()
    try:
        raw = read_raw(files)
        files_fingerprint = fingerprint(raw, today)
        unchanged = _unchanged_since_last_import(location, files_fingerprint)
        if unchanged is not None:
            return ImportResult(unchanged)
        from clusterctl.core.importer import read_files

        parsed = read_files(raw, today)
        del raw
        if parsed.problems:
            raise ImportRejected(parsed.problems + _agency_problems(location, parsed), files)
        if dry_run:
            return _dry_run(location, parsed, prefer)
        plan = _import(location, parsed, ", ".join(files), files_fingerprint, actor, progress,
                       today, prefer)
        return ImportResult(plan_totals(plan), plan)
    finally:
        gc.enable()


def _no_database_yet(location: str) -> bool:
    """Whether there is no register at ``location`` yet: no SQLite file, or a PostgreSQL
    database without clusterctl's tables."""
    from clusterctl.store.schema import no_tables_yet

    path = sqlite_path(location)
    return not path.exists() if path is not None else no_tables_yet(location)


def _open(location: str, *, write: bool):
    from clusterctl.store.schema import open_database

    # On PostgreSQL imports are for admins: named if the server refuses one.
    return contextlib.closing(open_database(location, write=write, role="admin"))


def _unchanged_since_last_import(location: str, files_fingerprint: str | None) -> dict | None:
    """The totals of the last import, if it was of these very files and nothing changed."""
    from clusterctl.core.importcache import unchanged_import

    if files_fingerprint is None or _no_database_yet(location):
        return None
    with _open(location, write=False) as db:
        record = unchanged_import(db, files_fingerprint)
    if record is None:
        return None
    # Everything in the files is in the database exactly as they say: all unchanged.
    return {name: [0, 0, sum(record[name])] for name in ("agencies", "directives", "tasks")} | {
        "not_in_files": record["not_in_files"], "not_in_files_count": record[
            "not_in_files_count"]}


def plan_totals(plan) -> dict:
    """Added, updated and unchanged counts, and the tasks the files leave out."""
    added = {id(a) for a in plan.agencies_added}
    updated = {id(a) for a, _current, _changes in plan.agencies_updated}
    reorganised = {id(a) for a in (*plan.renames, *plan.dissolutions)} - added - updated
    return {
        # An agency renamed or dissolved by the files is updated, not unchanged.
        "agencies": [len(plan.agencies_added), len(plan.agencies_updated) + len(reorganised),
                     plan.agencies_unchanged - len(reorganised)],
        "directives": [len(plan.directives_added), len(plan.directives_updated),
                       plan.directives_unchanged],
        "tasks": [len(plan.tasks_added), len(plan.tasks_updated) + len(plan.notes_added),
                  plan.tasks_unchanged],
        "not_in_files": plan.not_in_files[:SHOWN],
        "not_in_files_count": len(plan.not_in_files),
        "deleted_left": plan.deleted_left[:SHOWN],
        "deleted_left_count": len(plan.deleted_left),
        "renamed": len(plan.renames),
        "dissolved": len(plan.dissolutions),
        "series_added": len(plan.series_added),
        "holidays": len(plan.holidays),
    }


def _plan_against(location: str, parsed, prefer: str | None = None):
    """The plan against the database as it is, or against none if there is none yet."""
    from clusterctl.core.importplan import make_plan

    if _no_database_yet(location):
        return make_plan(None, parsed)
    with _open(location, write=False) as db, db.snapshot():
        return make_plan(db, parsed, prefer)


def _agency_problems(location: str, parsed) -> list:
    """With a file already bad, also find the agencies it names that do not exist, so
    that one run reports every problem."""
    try:
        return _plan_against(location, parsed).problems
    except DatabaseError:
        return []  # the file's own problems come first; the database's are for later


def _dry_run(location: str, parsed, prefer: str | None) -> ImportResult:
    plan = _plan_against(location, parsed, prefer)
    if plan.problems:
        raise ImportRejected(plan.problems, parsed.files)
    if plan.conflicts and prefer is None:
        raise ImportRejected(plan.conflicts, parsed.files, plan)
    return ImportResult(plan_totals(plan), plan, no_database=_no_database_yet(location))


def _import(location: str, parsed, source: str, files_fingerprint: str | None, actor: Callable,
            progress: Progress, today: date, prefer: str | None):
    from clusterctl.core.importcache import remember_import
    from clusterctl.core.importplan import apply_plan, make_plan
    from clusterctl.core.taskwriter import BULK

    empty_plan = None
    if _no_database_yet(location):
        # Check against an empty database first, so that a bad file creates no database.
        empty_plan = make_plan(None, parsed)
        if empty_plan.problems:
            raise ImportRejected(empty_plan.problems, parsed.files)
    with _open(location, write=True) as db:
        db.prepare_bulk()
        for attempt in db.transactions():  # again if the server asks
            with attempt:
                # Unless someone filled the new database meanwhile, the plan made against no
                # database is the plan: planning 100,000 tasks twice would cost seconds.
                fresh = empty_plan is not None and db.scalar(
                    "SELECT COUNT(*) FROM directive") == 0 and db.scalar(
                    "SELECT COUNT(*) FROM agency") == 0
                plan = empty_plan if fresh else make_plan(db, parsed, prefer)
                if plan.problems:
                    raise ImportRejected(plan.problems, parsed.files)  # rolls back
                if plan.conflicts and prefer is None:
                    raise ImportRejected(plan.conflicts, parsed.files)
                with progress(len(plan.tasks_added) + len(plan.tasks_updated)) as advance:
                    apply_plan(db, plan, actor=actor(db), source=source, today=today,
                               progress=advance)
                if len(plan.tasks_added) >= BULK:
                    db.analyze()
                remember_import(db, files_fingerprint, plan_totals(plan))
    return plan
