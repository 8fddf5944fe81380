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
    since: set[int] = set()
    for marks, chunk in chunks(touched):
        later: dict[int, list[tuple]] = {}
        for task_id, entry_id, undoes in db.rows(
                f"SELECT h.task_id, h.id, h.undoes FROM task_history h WHERE h.task_id IN "
                f"({marks}) AND h.id >= :first AND NOT ({own})", {**chunk, **params}):
            later.setdefault(task_id, []).append((entry_id, undoes))
        for task_id, entries in later.items():  # a change and its undo cancel out
            undone = {undoes for _id, undoes in entries if undoes is not None}
            if any(undoes is None and entry_id not in undone for entry_id, undoes in entries):
                since.add(task_id)
    _refuse_if(db, sorted(since), _(
        "the last import ({source}) cannot be undone: these tasks it touched were changed "
        "since: {refs}{more}; undo those changes first ('clusterctl task undo'), or leave "
        "the import as it is"), source=source)
    touched = {int(a) for a in (*undo["reorganised"], *undo["agencies_updated"])}
    touched |= {agency_id for (agency_id,) in db.rows(
        "SELECT DISTINCT record_id FROM record_history WHERE kind = 'agency' AND source = "
        ":source AND at >= :at", {"source": source, "at": run[1]})}
    last = undo.get("last_record", 0)
    later = _changed_records(db, "agency", touched, last)
    later += _changed_records(db, "directive", {int(d) for d in undo["directives_updated"]},
                              last)
    if later:
        raise ConflictError(_(
            "the last import ({source}) cannot be undone: what it changed was changed since: "
            "{what}; leave the import as it is").format(source=source, what=", ".join(later)))
    for directive_id in undo["directives_added"]:  # a task added to it since stays
        others = {task_id for (task_id,) in db.rows(
            "SELECT id FROM task WHERE directive_id = :d", {"d": directive_id})} - created_set
        _refuse_if(db, sorted(others), _(
            "the last import ({source}) cannot be undone: a directive it added has tasks "
            "added since (deleted ones too, which keep their history): {refs}{more}; leave "
            "the import as it is"), source=source)

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
        undo_entry(db, writer, task_id, entry_id, as_date(row[0]), row[1], changes, note,
                   moves_ok=True)
        reverted += 1
    _revert_directives(db, writer, undo, now)
    writer.remove(created, run_id)
    for series_id in undo.get("series_added", []):  # their occurrences are gone
        db.execute("DELETE FROM task_series WHERE id = :s", {"s": series_id})
    if undo.get("holidays"):
        from clusterctl.core.holidays import restore_office_days

        restore_office_days(db, undo["holidays"], actor=actor)
    for directive_id in undo["directives_added"]:  # their tasks are gone
        db.execute("DELETE FROM record_history WHERE kind = 'directive' AND record_id = :d",
                   {"d": directive_id})
        db.execute("DELETE FROM directive WHERE id = :d", {"d": directive_id})
    for task_id, said in undo["bases"].items():
        db.execute("DELETE FROM import_base WHERE task_id = :t", {"t": int(task_id)})
        if said is not None:
            db.execute("INSERT INTO import_base (task_id, said, source) VALUES (:t, :said, "
                       "NULL)", {"t": int(task_id), "said": said})
    # What it recorded of the agencies stays in their history, undone there (a rename undone
    # no longer renames them in reports of the past).
    own = {}
    for entry_id, agency_id in db.rows(
            "SELECT id, record_id FROM record_history WHERE kind = 'agency' AND source = "
            ":source AND at >= :at ORDER BY id", {"source": source, "at": run[1]}):
        own.setdefault(agency_id, []).append(entry_id)
    _revert_agencies(db, undo, now, actor, today, note, own)
    db.execute("UPDATE import_run SET undone_at = :now, undone_by = :actor WHERE id = :id",
               {"now": now, "actor": actor, "id": run_id})
    db.execute("DELETE FROM clusterctl_meta WHERE name = 'last_import'")
    return UndoneImport(source, at, importer, len(created), len(changed))


def _changed_records(db: Database, kind: str, ids: set[int], last: int) -> list[str]:
    """The agencies or directives among ``ids`` changed since the import (whose last entry
    in their history is ``last``)."""
    if not ids:
        return []
    table, column = ("agency", "code") if kind == "agency" else ("directive", "number")
    found = []
    for marks, chunk in chunks(sorted(ids)):
        found += [name for (name,) in db.rows(
            f"SELECT DISTINCT r.{column} FROM record_history h JOIN {table} r ON "
            f"r.id = h.record_id WHERE h.kind = :kind AND h.record_id IN ({marks}) AND "
            "h.id > :last", {**chunk, "kind": kind, "last": last})]
    return sorted(found)


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
        record_change(db, kind="directive", record_id=int(directive_id), actor=writer.actor,
                      action="undo", changes={
                          name: [str(value), str(old[name])] for name, value in zip(
                              ("issued", "issuer", "title"), current, strict=True)
                          if name in old}, effective=writer.today, now=now)
    writer.move_assignments(moves)


def _revert_agencies(db: Database, undo: dict, now: str, actor: str, today: date,
                     note: str, own: dict[int, list[int]]) -> None:
    """Reorganisations undone, corrected agencies as they were, added ones removed."""
    for agency_id in undo["agencies_added"]:  # dissolved by the import, if it was
        db.execute("DELETE FROM agency_successor WHERE agency_id = :a", {"a": agency_id})
    for agency_id, (name, code, aliases) in undo["reorganised"].items():
        agency_id = int(agency_id)
        db.execute("DELETE FROM agency_successor WHERE agency_id = :a", {"a": agency_id})
        db.execute("UPDATE agency SET dissolved_on = NULL WHERE id = :a", {"a": agency_id})
        update_agency(db, agency_id, name=name, aliases=aliases, now=now, code=code)
    for agency_id, entries in own.items():
        if agency_id not in undo["agencies_added"]:
            record_change(db, kind="agency", record_id=agency_id, actor=actor, action="undo",
                          changes={"undoes": entries}, effective=today, note=note, now=now)
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
            code = db.scalar("SELECT code FROM agency WHERE id = :a", {"a": agency_id})
            raise ConflictError(_(
                "the last import cannot be undone: agency {code}, which it added, is named "
                "by tasks since (deleted ones too); leave the import as it is").format(
                code=code))
        for table, column in (("agency_alias", "agency_id"), ("agency_successor", "agency_id"),
                              ("record_history", "record_id")):
            extra = " AND kind = 'agency'" if table == "record_history" else ""
            db.execute(f"DELETE FROM {table} WHERE {column} = :a{extra}", {"a": agency_id})
        db.execute("DELETE FROM agency WHERE id = :a", {"a": agency_id})
