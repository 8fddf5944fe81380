"""What changed: the history of every task, newest first, by the day each change took effect.

``clusterctl log`` lists it and the weekly summary takes its "changed this week" section from
the same query. Nothing here writes.
"""

from datetime import date

from clusterctl.store.db import Database, iso_date


class ChangeFilter:
    """Which history entries to list; empty lists mean no restriction. (A plain class, as
    :class:`clusterctl.core.queries.TaskFilter` is.)"""

    __slots__ = ("actors", "agency_ids", "directive_ids", "live_only", "since", "task_ids",
                 "until")

    def __init__(self, since: date | None = None, until: date | None = None, *,
                 agency_ids: list[int] | None = None, directive_ids: list[int] | None = None,
                 actors: list[str] | None = None, task_ids: list[int] | None = None,
                 live_only: bool = False) -> None:
        self.since = since  # effect dates, both included
        self.until = until
        self.agency_ids = agency_ids or []  # that led or supported the task
        self.directive_ids = directive_ids or []
        self.actors = actors or []
        self.task_ids = task_ids or []
        self.live_only = live_only  # leave out the tasks deleted since (a report's view)

    def where(self) -> tuple[str, dict]:
        clauses, params = [], {}

        def any_of(column: str, prefix: str, values: list) -> str:
            names = [f"{prefix}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            return f"{column} IN ({', '.join(':' + n for n in names)})"

        if self.since is not None:
            clauses.append("h.effective >= :since")
            params["since"] = self.since
        if self.until is not None:
            clauses.append("h.effective <= :until")
            params["until"] = self.until
        if self.agency_ids:
            # An agency's changes are those of every task it led or supported at any time.
            lead = any_of("lead_id", "ag", self.agency_ids)
            support = any_of("agency_id", "sg", self.agency_ids)
            clauses.append(f"(h.task_id IN (SELECT task_id FROM task_state WHERE {lead}) OR "
                           f"h.task_id IN (SELECT task_id FROM task_support_state WHERE "
                           f"{support}))")
        if self.directive_ids:
            clauses.append(any_of("t.directive_id", "dr", self.directive_ids))
        if self.actors:
            clauses.append(any_of("h.actor", "ac", self.actors))
        if self.task_ids:
            clauses.append(any_of("h.task_id", "tk", self.task_ids))
        if self.live_only:  # deleted tasks are few: their ids read once, off an index
            clauses.append("h.task_id NOT IN (SELECT id FROM task WHERE deleted_on IS NOT NULL)")
        return " AND ".join(clauses) or "1 = 1", params


def list_changes(db: Database, change_filter: ChangeFilter,
                 limit: int | None = None) -> list[dict]:
    """The history entries the filter selects, latest effect date first (and, on one day,
    the latest recorded first), as JSON-ready dicts; the first ``limit`` of them."""
    where, params = change_filter.where()
    if limit is not None:
        params["limit"] = limit
    rows = db.rows(
        "SELECT h.id, h.task_id, d.number, t.task_key, h.effective, h.at, h.actor, "
        "h.action, h.changes, h.note, h.source FROM task_history h "
        "JOIN task t ON t.id = h.task_id JOIN directive d ON d.id = t.directive_id "
        f"WHERE {where} ORDER BY h.effective DESC, h.id DESC"
        + (" LIMIT :limit" if limit is not None else ""), params)
    if not rows:
        return []
    import json  # the changes of each entry

    return [
        {"id": entry_id, "task_id": task_id, "directive": number, "key": key,
         "effective": iso_date(effective), "at": str(at), "actor": actor, "action": action,
         "changes": json.loads(changes), "note": note, "source": source}
        for (entry_id, task_id, number, key, effective, at, actor, action, changes, note,
             source) in rows]
