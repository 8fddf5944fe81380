"""``clusterctl export``: the database, or some directives, in the import format."""

import json

from clusterctl.core.agencies import load_agencies
from clusterctl.core.directives import find_directive
from clusterctl.core.fields import division
from clusterctl.store.db import Database, as_date


def export_data(db: Database, numbers: list[str]) -> dict:
    """Agencies and directives with their tasks, as the import format's tables.

    With ``numbers``, only those directives and the agencies their tasks name.
    """
    if numbers:
        chosen = {find_directive(db, number).id for number in numbers}
    directives, by_id = [], {}
    for directive_id, number, issued, issuer, title in db.rows(
        "SELECT id, number, issued, issuer, title FROM directive ORDER BY issued, number_key"
    ):
        if numbers and directive_id not in chosen:
            continue
        by_id[directive_id] = {"number": number, "issued": as_date(issued), "issuer": issuer,
                               "title": title, "tasks": []}
        directives.append(by_id[directive_id])
    codes = {a.id: a.code for a in load_agencies(db)}
    support: dict[int, list[str]] = {}
    for task_id, agency_id in db.rows(
        "SELECT task_id, agency_id FROM task_support ORDER BY task_id, position"
    ):
        support.setdefault(task_id, []).append(codes[agency_id])
    used = set()
    divisions = {d: division(v["number"]) for d, v in by_id.items()}
    for (task_id, directive_id, key, title, lead_id, due, original_due, status,
         completed_on, priority, field) in db.stream(
        "SELECT id, directive_id, task_key, title, lead_id, due, original_due, status, "
        "completed_on, priority, field FROM task WHERE deleted_on IS NULL "
        "ORDER BY directive_id, id"
    ):
        if directive_id not in by_id:
            continue
        task = {"key": key, "title": title, "lead": codes[lead_id]}
        if support.get(task_id):
            task["support"] = support[task_id]
        if due is not None:
            task["due"] = as_date(due)
        if original_due is not None and original_due != due:
            task["original_due"] = as_date(original_due)
        if status == "reported":  # a report awaiting confirmation is the register's own:
            status, completed_on = "open", None  # the file says nothing of the status
        if status != "open":
            task["status"] = status
        if completed_on is not None:
            task["completed_on"] = as_date(completed_on)
        if priority:
            task["priority"] = True
        if field is not None and field != divisions[directive_id]:
            task["field"] = field
        by_id[directive_id]["tasks"].append(task)
        used.update([task["lead"], *task.get("support", [])])
    # A recurring task, after its occurrences (which a re-import finds as they are).
    for (directive_id, key, rule_text, starts, until, title, lead_id, support_ids, priority,
         field) in db.rows(
            "SELECT directive_id, series_key, rule_text, starts, until, title, lead_id, "
            "support, priority, field FROM task_series ORDER BY directive_id, id"):
        if directive_id not in by_id:
            continue
        task = {"key": key, "title": title, "lead": codes[lead_id]}
        if json.loads(support_ids):
            task["support"] = [codes[a] for a in json.loads(support_ids)]
        task["repeat"] = rule_text
        task["from"] = as_date(starts)
        if until is not None:
            task["until"] = as_date(until)
        if priority:
            task["priority"] = True
        if field is not None and field != divisions[directive_id]:
            task["field"] = field
        by_id[directive_id]["tasks"].append(task)
        used.update([task["lead"], *task.get("support", [])])
    known = load_agencies(db)
    for agency in known:  # a dissolved agency comes with its successors
        if agency.code in used:
            used.update(agency.successors)
    data = {"agencies": [_agency(db, a) for a in known if not numbers or a.code in used],
            "directives": directives}
    from clusterctl.core.holidays import export_office_days

    if not numbers and (holidays := export_office_days(db)):
        data["holiday"] = holidays  # the office's own days off and make-up working days
    return data


def _agency(db: Database, agency) -> dict:
    """An agency as the import format writes it; a dissolved one with its successors, the
    day and the legal basis."""
    table = {"code": agency.code, "name": agency.name,
             **({"aliases": agency.aliases} if agency.aliases else {})}
    if agency.dissolved_on is not None:
        successors = agency.successors
        table["successor"] = successors[0] if len(successors) == 1 else successors
        table["dissolved_on"] = agency.dissolved_on
        table["basis"] = db.scalar(
            "SELECT note FROM record_history WHERE kind = 'agency' AND record_id = :id "
            "AND action IN ('merge', 'split', 'dissolve') ORDER BY id DESC LIMIT 1",
            {"id": agency.id}) or "-"
    return table
