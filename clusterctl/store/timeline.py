"""The task as it was on each day, rebuilt from the history alone.

The one writer of tasks keeps ``task_state`` and ``task_support_state`` as it writes; this
rebuilds them from ``task_history`` and the tasks as they are now, for the upgrade that
introduces them and for ``db check``, which compares the two. The states are walked back from
the task as it is now, undoing each day's changes, latest first: the state now is always the
last one, whatever an old history holds.
"""

import json
from collections.abc import Iterator
from datetime import date

from clusterctl.store.db import Database, as_date

FOREVER = "9999-12-31"
_FIELDS = {"title": "title", "lead": "lead_id", "due": "due", "original_due": "original_due",
           "status": "status", "completed_on": "completed_on"}


def _redates(entries: list[tuple]) -> list[tuple]:
    """A corrected completion date (an import's ``completed_on: C1 → C0`` on a task that
    stays done) moves the completion it corrects to C0: the task was done from C0."""
    entries = list(entries)
    for i, (_effective, order, action, changes) in enumerate(entries):
        old, new = changes.get("completed_on", [None, None])
        if old is None or new is None or "status" in changes:
            continue
        for j in range(i - 1, -1, -1):
            _when, earlier, what, done = entries[j]
            if done.get("completed_on", [None, None])[1] == old:
                entries[j] = (as_date(new), earlier, what,
                              {**done, "completed_on": [done["completed_on"][0], new]})
                entries[i] = (as_date(new), order, action, {})
                break
    return entries


def entries_of(rows: list[tuple]) -> list[tuple]:
    """One task's history rows ``(id, effective, action, changes)``, in the order they were
    recorded, as ``(effective, order, action, changes)``: the creation on the day the task
    was assigned (None: whatever that day is now), a task created done (by an import) done
    on its completion date, and corrected completion dates applied."""
    entries = []
    for entry_id, effective, action, changes in rows:
        changes = json.loads(changes) if isinstance(changes, str) else changes
        effective = as_date(effective)
        if action != "created":
            entries.append((effective, entry_id, action, changes))
            continue
        completed = as_date(changes.get("completed_on", [None, None])[1])
        if completed is None:
            entries.append((None, entry_id, action, changes))
            continue
        # A task created done was open until its completion date.
        status = changes.get("status", [None, "done"])[1]
        entries.append((None, entry_id, action, {**changes, "status": [None, "open"],
                                                 "completed_on": [None, None]}))
        entries.append((completed, entry_id + 0.5, "done",
                        {"status": ["open", status],
                         "completed_on": [None, completed.isoformat()]}))
    return _redates(entries)


def _history(db: Database, task_ids: list[int] | None = None, *, undoes: bool = True
             ) -> Iterator[tuple[int, list[tuple]]]:
    """Each task's history entries (see :func:`entries_of`), oldest first."""
    where, params = "", {}
    if task_ids is not None:
        where = f"WHERE task_id IN ({', '.join(f':t{i}' for i in range(len(task_ids)))}) "
        params = {f"t{i}": task_id for i, task_id in enumerate(task_ids)}
    task_id, rows = None, []
    # An upgrade to schema 3 writes the states before task_history has its undoes.
    undone = "undoes" if undoes else "NULL"
    for row in db.stream(f"SELECT task_id, id, effective, action, changes, {undone} FROM "
                         f"task_history {where}ORDER BY task_id, id", params):
        if row[0] != task_id:
            if rows:
                yield task_id, entries_of(without_undone(rows))
            task_id, rows = row[0], []
        rows.append(row[1:])
    if rows:
        yield task_id, entries_of(without_undone(rows))


def without_undone(rows: list[tuple]) -> list[tuple]:
    """One task's rows ``(id, effective, action, changes, undoes)`` less each undone change
    and its undo, which cancel out, as ``(id, effective, action, changes)``."""
    undone = {row[4] for row in rows if row[4] is not None}
    return [row[:4] for row in rows if row[4] is None and row[0] not in undone]


def rebuild(db: Database, task_ids: list[int] | None = None, *, undoes: bool = True
            ) -> tuple[list[dict], list[dict]]:
    """The rows ``task_state`` and ``task_support_state`` should hold (for these tasks)."""
    where, params = "", {}
    if task_ids is not None:
        where = f" IN ({', '.join(f':t{i}' for i in range(len(task_ids)))})"
        params = {f"t{i}": task_id for i, task_id in enumerate(task_ids)}
    codes = {code: agency_id for agency_id, code in db.rows("SELECT id, code FROM agency")}
    now = {row[0]: dict(zip(("title", "title_key", "lead_id", "due", "original_due", "status",
                             "completed_on", "assigned_on"), row[1:], strict=True))
           for row in db.stream("SELECT id, title, title_key, lead_id, due, original_due, "
                                "status, completed_on, assigned_on FROM task"
                                + (f" WHERE id{where}" if where else ""), params)}
    support_now: dict[int, list[int]] = {}
    for task_id, agency_id in db.stream(
            "SELECT task_id, agency_id FROM task_support"
            + (f" WHERE task_id{where}" if where else "") + " ORDER BY task_id, position",
            params):
        support_now.setdefault(task_id, []).append(agency_id)
    states, supports = [], []
    for task_id, entries in _history(db, task_ids, undoes=undoes):
        task = now.pop(task_id, None)
        if task is None:
            continue
        task_states, task_supports = _walk_back(task_id, task, support_now.get(task_id, []),
                                                entries, codes)
        states += task_states
        supports += task_supports
    for task_id, task in now.items():  # a task without history (none should be)
        states.append(_state(task_id, task, as_date(task["assigned_on"]), FOREVER))
        supports += _supports(task_id, support_now.get(task_id, []), task["assigned_on"],
                              FOREVER)
    return states, supports


def _walk_back(task_id: int, task: dict, support: list[int], entries: list[tuple],
               codes: dict[str, int]) -> tuple[list[dict], list[dict]]:
    assigned_on = as_date(task["assigned_on"])
    state = dict(task)
    days: dict[date, list[tuple]] = {}
    for effective, order, action, changes in entries:
        days.setdefault(max(effective or assigned_on, assigned_on), []).append(
            (order, action, changes))
    states, supports = [], []
    end: date | str = FOREVER
    for effective in sorted(days, reverse=True):
        start = effective if effective > assigned_on else assigned_on
        states.append(_state(task_id, state, start, end))
        supports += _supports(task_id, support, start, end)
        if start == assigned_on:
            return states, supports
        for _order, _action, changes in sorted(days[effective], reverse=True):
            for name, values in changes.items():
                old = values[0] if isinstance(values, list) and values else None
                if name == "support":
                    support = [codes[c] for c in old or [] if c in codes]
                elif name == "lead":
                    state["lead_id"] = codes.get(old, state["lead_id"])
                elif name in _FIELDS:
                    if name == "title" and old is not None:
                        from clusterctl.text import fold

                        state["title_key"] = fold(old)
                    if name != "title" or old is not None:
                        state[_FIELDS[name]] = old
        end = start
    states.append(_state(task_id, state, assigned_on, end))
    supports += _supports(task_id, support, assigned_on, end)
    return states, supports


def _state(task_id: int, task: dict, start, end) -> dict:
    return {"id": task_id, "valid_from": _iso(start), "valid_to": _iso(end),
            "title": task["title"], "title_key": task["title_key"],
            "lead_id": task["lead_id"], "due": _iso(task["due"]),
            "original_due": _iso(task["original_due"]), "status": task["status"],
            "completed_on": _iso(task["completed_on"])}


def _supports(task_id: int, support: list[int], start, end) -> list[dict]:
    return [{"t": task_id, "a": agency_id, "p": i, "e": _iso(start), "to": _iso(end)}
            for i, agency_id in enumerate(support)]


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


INSERT_STATE = (
    "INSERT INTO task_state (task_id, valid_from, valid_to, title, title_key, lead_id, due, "
    "original_due, status, completed_on) VALUES (:id, :valid_from, :valid_to, :title, "
    ":title_key, :lead_id, :due, :original_due, :status, :completed_on)"
)
INSERT_SUPPORT_STATE = (
    "INSERT INTO task_support_state (task_id, agency_id, valid_from, valid_to, position) "
    "VALUES (:t, :a, :e, :to, :p)"
)


def write_states(db: Database, *, undoes: bool = True) -> None:
    """Fill the state tables, empty, from the history (``undoes``: whether it has them)."""
    states, supports = rebuild(db, undoes=undoes)
    db.executemany(INSERT_STATE, states)
    db.executemany(INSERT_SUPPORT_STATE, supports)


def restate(db: Database, task_ids: list[int]) -> None:
    """Write these tasks' states anew from their history (the caller holds the
    transaction): for the rare changes that rewrite a task's past as a whole, such as a
    corrected completion date or a directive's corrected issue date."""
    for start in range(0, len(task_ids), 500):
        some = task_ids[start:start + 500]
        marks = ", ".join(f":t{i}" for i in range(len(some)))
        params = {f"t{i}": task_id for i, task_id in enumerate(some)}
        db.execute(f"DELETE FROM task_state WHERE task_id IN ({marks})", params)
        db.execute(f"DELETE FROM task_support_state WHERE task_id IN ({marks})", params)
        states, supports = rebuild(db, some)
        db.executemany(INSERT_STATE, states)
        db.executemany(INSERT_SUPPORT_STATE, supports)


def _merged(rows: list[tuple]) -> set[tuple]:
    """Spans ``(key, valid_from, valid_to, *values)`` with each run of adjacent spans of
    the same key and values made one: a day with a note but no change splits nothing."""
    merged: list[list] = []
    for key, start, end, *values in sorted(rows, key=lambda r: (r[0], r[1])):
        last = merged[-1] if merged else None
        if last and last[0] == key and last[2] == start and last[3:] == values:
            last[2] = end
        else:
            merged.append([key, start, end, *values])
    return {tuple(row) for row in merged}


def differences(db: Database) -> int:
    """How many state spans differ from those the history gives (for ``db check``)."""
    states, supports = rebuild(db)
    want = _merged([(s["id"], s["valid_from"], s["valid_to"], s["title"], s["title_key"],
                     s["lead_id"], s["due"], s["original_due"], s["status"], s["completed_on"])
                    for s in states])
    have = _merged([tuple(_iso(v) for v in row) for row in db.stream(
        "SELECT task_id, valid_from, valid_to, title, title_key, lead_id, due, original_due, "
        "status, completed_on FROM task_state")])
    want_s = _merged([((s["t"], s["a"]), s["e"], s["to"], s["p"]) for s in supports])
    have_s = _merged([((row[0], row[1]), _iso(row[2]), _iso(row[3]), row[4])
                      for row in db.stream("SELECT task_id, agency_id, valid_from, valid_to, "
                                           "position FROM task_support_state")])
    return len(want ^ have) + len(want_s ^ have_s)
