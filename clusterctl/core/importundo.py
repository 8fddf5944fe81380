"""``clusterctl import --undo``: the last import reverted as a whole.

Only while nothing it touched was changed since: then the tasks it created are removed (they
had no other life), each change it made to an existing task is undone by an "undo" entry in
that task's history, and the agencies, directives and reorganisations it wrote are put back
as they were. The import stays in ``import_run``, marked undone, with who undid it and when.
"""

import json
from dataclasses import dataclass
from datetime import date

from clusterctl.core.agencies import update_agency
from clusterctl.core.records import record_change
from clusterctl.core.taskwriter import TaskWriter
from clusterctl.errors import ConflictError, InputError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, chunks, utc_now

SHOWN = 20


@dataclass
class UndoneImport:
    source: str | None
    at: str
    actor: str
    tasks_removed: int
    tasks_reverted: int


def _ids(runs: list[list[int]]) -> list[int]:
    return [task_id for first, last in runs for task_id in range(first, last + 1)]


def undo_last_import(db: Database, *, actor: str, today: date) -> UndoneImport:
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            return _undo(db, actor=actor, today=today)
    raise AssertionError("unreachable")


def _undo(db: Database, *, actor: str, today: date) -> UndoneImport:
    run = db.row("SELECT id, at, actor, source, undo FROM import_run WHERE undone_at IS NULL "
                 "ORDER BY id DESC LIMIT 1")
    if run is None:
        raise InputError(_("there is no import to undo"))
    run_id, at, importer, source, undo = run[0], str(run[1]), run[2], run[3], json.loads(run[4])
    created = _ids(undo["tasks_added"])
    first, last = undo["first_entry"], undo["last_entry"] or 0
    own = "h.id >= :first AND h.id <= :last AND h.actor = :importer AND h.source = :source"
    params = {"first": first, "last": last, "importer": importer, "source": source}
    entries = db.rows(f"SELECT h.id, h.task_id FROM task_history h WHERE {own} ORDER BY h.id",
                      params)
    created_set = set(created)
    changed = sorted({task_id for _id, task_id in entries if task_id not in created_set})
    touched = sorted(created_set | set(changed))
    since: list[int] = []
    for marks, chunk in chunks(touched):
        since += [task_id for (task_id,) in db.rows(
            f"SELECT DISTINCT h.task_id FROM task_history h WHERE h.task_id IN ({marks}) "
            f"AND h.id >= :first AND NOT ({own})", {**chunk, **params})]
    _refuse_if(db, sorted(set(since)), _(
        "the last import ({source}) cannot be undone: these tasks it touched were changed "
        "since: {refs}{more}; change them back by hand, or leave the import as it is"),
        source=source)
    for directive_id in undo["directives_added"]:  # a task added to it since stays
        others = {task_id for (task_id,) in db.rows(
            "SELECT id FROM task WHERE directive_id = :d", {"d": directive_id})} - created_set
        if others:
            raise ConflictError(_(
                "the last import ({source}) cannot be undone: a directive it added has tasks "
                "added since; delete them first").format(source=source))

    now = utc_now()
    writer = TaskWriter(db, actor=actor, today=today)
    note = _("import of {source} undone").format(source=source or "-")
    from clusterctl.core.tasks import undo_entry

    reverted = 0
    for entry_id, task_id in reversed(entries):  # latest first, as each was made
        if task_id in created_set:
            continue
        row = db.row("SELECT effective, action, changes FROM task_history WHERE id = :id",
                     {"id": entry_id})
        changes = json.loads(row[2])
        if "assigned_on" in changes:
            continue  # put back with its directive's issue date, below
        undo_entry(db, writer, task_id, entry_id, as_date(row[0]), row[1], changes, note)
        reverted += 1
    _revert_directives(db, writer, undo, now)
    writer.remove(created)
    for directive_id in undo["directives_added"]:  # their tasks are gone
        db.execute("DELETE FROM record_history WHERE kind = 'directive' AND record_id = :d",
                   {"d": directive_id})
        db.execute("DELETE FROM directive WHERE id = :d", {"d": directive_id})
    for task_id, said in undo["bases"].items():
        db.execute("DELETE FROM import_base WHERE task_id = :t", {"t": int(task_id)})
        if said is not None:
            db.execute("INSERT INTO import_base (task_id, said, source) VALUES (:t, :said, "
                       "NULL)", {"t": int(task_id), "said": said})
    # What it recorded of the agencies goes with what it did to them: a rename left in their
    # history would still rename them in reports of the past.
    db.execute("DELETE FROM record_history WHERE kind = 'agency' AND source = :source "
               "AND at >= :at", {"source": source, "at": run[1]})
    _revert_agencies(db, undo, now, actor, today, note)
    db.execute("UPDATE import_run SET undone_at = :now, undone_by = :actor WHERE id = :id",
               {"now": now, "actor": actor, "id": run_id})
    db.execute("DELETE FROM clusterctl_meta WHERE name = 'last_import'")
    return UndoneImport(source, at, importer, len(created), len(changed))


def _refuse_if(db: Database, task_ids: list[int], message: str, *, source) -> None:
    if not task_ids:
        return
    refs = []
    for marks, chunk in chunks(task_ids[:SHOWN]):
        refs += [f"{number}#{key} ({task_id})" for task_id, number, key in db.rows(
            f"SELECT t.id, d.number, t.task_key FROM task t JOIN directive d ON "
            f"d.id = t.directive_id WHERE t.id IN ({marks}) ORDER BY t.id", chunk)]
    more = _(" and {n} more").format(n=len(task_ids) - SHOWN) if len(task_ids) > SHOWN else ""
    raise ConflictError(message.format(source=source or "-", refs=", ".join(refs), more=more))


def _revert_directives(db: Database, writer: TaskWriter, undo: dict, now: str) -> None:
    """The directives it corrected get their fields back, and their tasks their assignment
    day."""
    moves = []
    for directive_id, old in undo["directives_updated"].items():
        current = db.row("SELECT issued, issuer, title FROM directive WHERE id = :d",
                         {"d": int(directive_id)})
        issued = as_date(old["issued"]) if "issued" in old else as_date(current[0])
        db.execute("UPDATE directive SET issued = :issued, issuer = :issuer, title = :title, "
                   "updated_at = :now WHERE id = :d",
                   {"issued": issued, "issuer": old.get("issuer", current[1]),
                    "title": old.get("title", current[2]), "now": now, "d": int(directive_id)})
        if "issued" in old:
            moves.append((int(directive_id), as_date(current[0]), issued))
    writer.move_assignments(moves)


def _revert_agencies(db: Database, undo: dict, now: str, actor: str, today: date,
                     note: str) -> None:
    """Reorganisations undone, corrected agencies as they were, added ones removed."""
    for agency_id in undo["agencies_added"]:  # dissolved by the import, if it was
        db.execute("DELETE FROM agency_successor WHERE agency_id = :a", {"a": agency_id})
    for agency_id, (name, code, aliases) in undo["reorganised"].items():
        agency_id = int(agency_id)
        db.execute("DELETE FROM agency_successor WHERE agency_id = :a", {"a": agency_id})
        db.execute("UPDATE agency SET dissolved_on = NULL WHERE id = :a", {"a": agency_id})
        update_agency(db, agency_id, name=name, aliases=aliases, now=now, code=code)
        record_change(db, kind="agency", record_id=agency_id, actor=actor, action="undo",
                      changes={}, effective=today, note=note, now=now)
    for agency_id, (name, aliases) in undo["agencies_updated"].items():
        update_agency(db, int(agency_id), name=name, aliases=aliases, now=now)
    for agency_id in undo["agencies_added"]:
        used = db.scalar(
            "SELECT COUNT(*) FROM task WHERE lead_id = :a", {"a": agency_id}) + db.scalar(
            "SELECT COUNT(*) FROM task_support WHERE agency_id = :a", {"a": agency_id}) + \
            db.scalar("SELECT COUNT(*) FROM task_state WHERE lead_id = :a", {"a": agency_id}) + \
            db.scalar("SELECT COUNT(*) FROM agency_successor WHERE successor_id = :a",
                      {"a": agency_id})
        if used:
            raise ConflictError(_(
                "the last import cannot be undone: an agency it added is used since; "
                "see 'clusterctl agency show {id}'").format(id=agency_id))
        for table, column in (("agency_alias", "agency_id"), ("agency_successor", "agency_id"),
                              ("record_history", "record_id")):
            extra = " AND kind = 'agency'" if table == "record_history" else ""
            db.execute(f"DELETE FROM {table} WHERE {column} = :a{extra}", {"a": agency_id})
        db.execute("DELETE FROM agency WHERE id = :a", {"a": agency_id})
