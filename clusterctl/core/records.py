"""The history of agencies and directives (``record_history``): append-only, one entry per
change, as ``task_history`` keeps the tasks'."""

import json
from datetime import date

from clusterctl.store.db import Database, as_date, utc_now


def record_change(db: Database, *, kind: str, record_id: int, actor: str, action: str,
                  changes: dict, effective: date, note: str | None = None,
                  source: str | None = None, now: str | None = None) -> None:
    """Append an entry to the history of an agency or a directive."""
    db.execute(
        "INSERT INTO record_history (kind, record_id, at, effective, actor, action, changes, "
        "note, source) VALUES (:kind, :id, :at, :effective, :actor, :action, :changes, :note, "
        ":source)",
        {"kind": kind, "id": record_id, "at": now or utc_now(), "effective": effective,
         "actor": actor, "action": action,
         "changes": json.dumps(changes, ensure_ascii=False, default=str), "note": note,
         "source": source})


def record_history(db: Database, kind: str, record_id: int) -> list[dict]:
    """The history of one agency or directive, oldest first."""
    return [{"at": str(at), "effective": str(as_date(effective)), "actor": actor,
             "action": action, "changes": json.loads(changes), "note": note}
            for at, effective, actor, action, changes, note in db.rows(
                "SELECT at, effective, actor, action, changes, note FROM record_history "
                "WHERE kind = :kind AND record_id = :id ORDER BY id",
                {"kind": kind, "id": record_id})]


def undone_entries(db: Database, kind: str) -> set[int]:
    """The entries of agencies' or directives' history that an undo (of an import) undid."""
    undone: set[int] = set()
    for (changes,) in db.rows("SELECT changes FROM record_history WHERE kind = :kind AND "
                              "action = 'undo'", {"kind": kind}):
        undone.update(json.loads(changes).get("undoes", []))
    return undone


def latest_rename(db: Database, agency_id: int) -> date | None:
    """The effect day of the agency's latest rename that was not undone."""
    undone = undone_entries(db, "agency")
    days = [as_date(effective) for entry_id, effective in db.rows(
        "SELECT id, effective FROM record_history WHERE kind = 'agency' AND record_id = :id "
        "AND action = 'rename'", {"id": agency_id}) if entry_id not in undone]
    return max(days, default=None)
