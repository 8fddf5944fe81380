"""Compare checked import files with the database, and write the differences in bulk.

:func:`make_plan` runs inside the import's write transaction (or on no database at all, for a
dry run before one exists), so nobody can change a task between the comparison and the write.

A re-import is three-way. The database remembers what the files last said of each task,
field by field (``import_base``). A field changes only where the file changed it since; a
field that staff changed and the file did not stays as staff left it; where both changed it,
differently, it is a conflict, which stops the import unless ``--prefer`` says who wins.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from clusterctl.core.agencies import (
    Agency,
    AgencyMatcher,
    insert_agency,
    load_agencies,
    update_agency,
)
from clusterctl.core.directives import Directive, insert_directives, update_directives
from clusterctl.core.fields import division
from clusterctl.core.importer import AgencyIn, DirectiveIn, Parsed, TaskIn
from clusterctl.core.taskwriter import Change, Entry, NewTask, TaskWriter
from clusterctl.core.tomlfile import Problem
from clusterctl.errors import ClusterError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, chunks, iso_date, utc_now
from clusterctl.text import fold
from clusterctl.words import day


@dataclass
class Existing:
    id: int
    title: str
    lead_id: int
    due: date | None
    original_due: date | None
    status: str
    completed_on: date | None
    version: int
    support_ids: list[int] = field(default_factory=list)
    deleted: bool = False
    priority: bool = False
    field: str | None = None


@dataclass(slots=True)
class TaskChange:
    task: TaskIn
    directive: DirectiveIn
    lead: Agency
    support: list[Agency]
    existing: Existing | None = None  # None: a new task
    changes: dict = field(default_factory=dict)  # field -> [old, new], for updates
    note_is_new: bool = False
    said: dict = field(default_factory=dict)  # what the file says, field by field

    @property
    def ref(self) -> str:
        return f"{self.directive.number}#{self.task.key}"


@dataclass
class Plan:
    agencies_added: list[AgencyIn] = field(default_factory=list)
    agencies_updated: list[tuple[AgencyIn, Agency, dict]] = field(default_factory=list)
    agencies_unchanged: int = 0
    directives_added: list[DirectiveIn] = field(default_factory=list)
    directives_updated: list[tuple[DirectiveIn, int, dict]] = field(default_factory=list)
    directives_unchanged: int = 0
    tasks_added: list[TaskChange] = field(default_factory=list)
    tasks_updated: list[TaskChange] = field(default_factory=list)
    tasks_unchanged: int = 0
    notes_added: list[TaskChange] = field(default_factory=list)
    not_in_files: list[str] = field(default_factory=list)
    directive_ids: dict[str, int] = field(default_factory=dict)  # existing, by number key
    problems: list[Problem] = field(default_factory=list)
    # Fields both the file and the register changed since the last import (with --prefer,
    # settled and kept for the dry run's list).
    conflicts: list[Problem] = field(default_factory=list)
    bases: dict[int, str] = field(default_factory=dict)  # existing task -> what files said
    prefer: str | None = None
    # Reorganisations the files give, applied after the tasks, in date order.
    renames: list[AgencyIn] = field(default_factory=list)
    dissolutions: list[AgencyIn] = field(default_factory=list)
    deleted_left: list[str] = field(default_factory=list)  # deleted tasks the files give
    series_added: list[TaskChange] = field(default_factory=list)  # new recurring tasks
    holidays: list = field(default_factory=list)  # the files' [[holiday]] days


def make_plan(db: Database | None, parsed: Parsed, prefer: str | None = None) -> Plan:
    plan = Plan(prefer=prefer, holidays=list(parsed.holidays))
    matcher = _plan_agencies(db, parsed, plan)
    directive_ids = plan.directive_ids = _plan_directives(db, parsed, plan)
    series_keys = _series_keys(db, list(directive_ids.values()))
    # The register's tasks are compared a group of directives at a time: a re-import of
    # 100,000 tasks never holds them all (nor what the files said of them before).
    for start in range(0, len(parsed.directives), PLAN_GROUP):
        _plan_tasks(db, parsed.directives[start:start + PLAN_GROUP], plan, matcher,
                    directive_ids, series_keys)
    return plan


PLAN_GROUP = 500  # directives (some 5,000 tasks)


def _plan_tasks(db: Database | None, directives: list[DirectiveIn], plan: Plan,
                matcher: AgencyMatcher, directive_ids: dict, series_keys: set) -> None:
    existing = _load_tasks(db, [directive_ids[d.key] for d in directives
                                if d.key in directive_ids])
    bases = _bases(db, [task.id for task in existing.values()])
    notes = _recorded_notes(db, directives, existing, directive_ids)
    keys_by_directive: dict[int, list[str]] = {}
    for directive_id, key in existing:
        keys_by_directive.setdefault(directive_id, []).append(key)
    for directive in directives:
        directive_id = directive_ids.get(directive.key)
        in_file = set()
        for task in directive.tasks:
            in_file.add(task.key)
            change = _resolve(matcher, directive, task, plan)
            if change is None:
                continue
            if task.repeat is not None or (directive_id, task.key) in series_keys:
                _plan_series(change, directive_id, existing, series_keys, plan)
                continue
            found = existing.get((directive_id, task.key))
            if found is None:  # its "created" entry will say what the file said
                _check_active(change, plan)
                plan.tasks_added.append(change)
                continue
            if found.deleted:  # deleted in the register: a file does not bring it back
                plan.deleted_left.append(change.ref)
                continue
            change.said = _said(change)
            change.existing = found
            base = bases.get(found.id)
            change.changes = _task_changes(change, found, matcher.by_id, base, plan)
            if {"lead", "support"} & set(change.changes):  # a reassignment, from today
                _check_active(change, plan, named=[found.lead_id, *found.support_ids])
            # A field the file leaves out keeps what it said before.
            change.said = {**(base or {}), **change.said}
            if change.said != base:
                plan.bases[found.id] = json.dumps(change.said, ensure_ascii=False)
            noted = task.note is not None and task.note not in notes.get(found.id, ())
            if change.changes:
                plan.tasks_updated.append(change)
            elif noted:
                change.note_is_new = True
                plan.notes_added.append(change)
            else:
                plan.tasks_unchanged += 1
        plan.not_in_files += sorted(
            (f"{directive.number}#{key}" for key in keys_by_directive.get(directive_id, ())
             if key not in in_file  # nor an occurrence of a recurring task
             and (directive_id, key.rpartition("/")[0]) not in series_keys),
            key=_natural,
        )


def _series_keys(db: Database | None, directive_ids: list[int]) -> set[tuple[int, str]]:
    """The recurring tasks these directives have, as (directive id, key)."""
    found: set[tuple[int, str]] = set()
    for marks, params in chunks(directive_ids) if db is not None else ():
        found.update((d, k) for d, k in db.rows(
            f"SELECT directive_id, series_key FROM task_series WHERE directive_id IN ({marks})",
            params))
    return found


def _plan_series(change: TaskChange, directive_id: int | None, existing: dict,
                 series_keys: set, plan: Plan) -> None:
    """A recurring task the files give: added if new; one the register has is left as it is
    there (changed with 'clusterctl series edit'), so that a re-import undoes nothing."""
    task, where = change.task, change.task.where
    if task.repeat is None:
        plan.problems.append(Problem(where.file, where.line, where.label, _(
            "{ref} is a recurring task in the register: give its repeat rule").format(
            ref=change.ref)))
        return
    if (directive_id, task.key) in series_keys:
        plan.tasks_unchanged += 1
        return
    taken = (directive_id, task.key) in existing
    if taken:
        plan.problems.append(Problem(where.file, where.line, where.label, _(
            "directive {number} already has a task {key!r}").format(
            number=change.directive.number, key=task.key)))
        return
    _check_active(change, plan)
    plan.series_added.append(change)


def _natural(ref: str) -> tuple:
    number, _sep, key = ref.rpartition("#")
    return (number, int(key) if key.isdigit() else 0, key)


def _former_names(db: Database | None) -> dict[int, set[str]]:
    """The names each agency had before a rename."""
    former: dict[int, set[str]] = {}
    if db is None:
        return former
    from clusterctl.core.records import undone_entries

    undone = undone_entries(db, "agency")
    for entry_id, agency_id, changes in db.rows(
            "SELECT id, record_id, changes FROM record_history WHERE kind = 'agency' "
            "AND action = 'rename'"):
        name = json.loads(changes).get("name")
        if name and entry_id not in undone:
            former.setdefault(agency_id, set()).add(name[0])
    return former


def _plan_agencies(db: Database | None, parsed: Parsed, plan: Plan) -> AgencyMatcher:
    known = load_agencies(db) if db else []
    by_code = {fold(a.code): a for a in known}
    combined = list(known)
    former = _former_names(db)
    next_new_id = -1
    for agency in parsed.agencies:
        current = by_code.get(fold(agency.code))
        _plan_reorganisation(agency, current, plan)
        if current is None:
            plan.agencies_added.append(agency)
            # Renamed in these files: added under its former name, then renamed.
            combined.append(Agency(next_new_id, agency.code, agency.name,
                                   [*(agency.aliases or []), *filter(None, [
                                       agency.former_name])]))
            next_new_id -= 1
            continue
        aliases = agency.aliases if agency.aliases is not None else current.aliases
        # The names it had before a rename stay its aliases, whatever an old file says.
        aliases = [*aliases, *(a for a in current.aliases if a in former.get(current.id, ())
                               and a not in aliases)]
        changes = {}
        # A name the agency had before a rename is not a change: an old file says it.
        if agency.name != current.name and agency.name not in former.get(current.id, ()) \
                and not agency.renamed_on:
            changes["name"] = [current.name, agency.name]
        if sorted(aliases) != sorted(current.aliases):
            changes["aliases"] = [current.aliases, aliases]
        if changes:
            plan.agencies_updated.append((agency, current, changes))
            combined[combined.index(current)] = Agency(
                current.id, current.code, changes.get("name", [None, current.name])[1], aliases,
                current.dissolved_on, current.successors)
        else:
            plan.agencies_unchanged += 1
    matcher = AgencyMatcher(combined)
    for agency in parsed.agencies:  # its code, name or aliases must not name another agency
        for text in (agency.code, agency.name, *(agency.aliases or [])):
            owners = {matcher.by_id[i].code for i in matcher.by_key.get(fold(text), ())}
            if len(owners) > 1:
                plan.problems.append(Problem(
                    agency.where.file, agency.where.line, agency.where.label,
                    _("{text!r} names more than one agency: {codes}").format(
                        text=text, codes=", ".join(sorted(owners)))))
    for agency in plan.dissolutions:  # its successors must exist, in the register or files
        for code in agency.successors or []:
            if fold(code) not in matcher.by_code:
                plan.problems.append(Problem(
                    agency.where.file, agency.where.line_of("successor"), agency.where.label,
                    matcher.unknown_message(code)))
    return matcher


def _check_active(change: TaskChange, plan: Plan, named: list[int] | None = None) -> None:
    """A new task names no agency that had ceased to exist when it was assigned; a
    reassignment (from today) no agency that has ceased to exist, but those it ``named``."""
    for agency in (change.lead, *change.support):
        if named is not None and agency.id in named:
            continue
        try:
            agency.check_active(change.directive.issued if named is None
                                else agency.dissolved_on or change.directive.issued)
        except ClusterError as exc:
            where = change.task.where
            plan.problems.append(Problem(where.file, where.line, where.label, str(exc)))


def _plan_reorganisation(agency: AgencyIn, current: Agency | None, plan: Plan) -> None:
    """A rename or a dissolution the file gives: planned, unless the register already has it
    (a re-import); one that contradicts the register is a problem."""
    def problem(message: str) -> None:
        plan.problems.append(Problem(agency.where.file, agency.where.line, agency.where.label,
                                     message))

    if agency.renamed_on is not None:
        if current is None and agency.former_name is None:
            problem(_("renamed_on: renames an agency of the register or of an earlier file; "
                      "{code} is in neither").format(code=agency.code))
        elif current is None or agency.name != current.name:
            plan.renames.append(agency)
    if agency.dissolved_on is None:
        return
    if current is not None and current.dissolved_on is not None:
        successors = [fold(c) for c in current.successors]
        if (current.dissolved_on, successors) != (agency.dissolved_on, [
                fold(c) for c in agency.successors or []]):
            problem(_("dissolved_on: the register has {code} dissolved on {on} (successors: "
                      "{succ}); the file says otherwise; see 'clusterctl agency show "
                      "{code}'").format(code=current.code, on=day(current.dissolved_on),
                                        succ=", ".join(current.successors) or "-"))
        return
    plan.dissolutions.append(agency)


def _plan_directives(db: Database | None, parsed: Parsed, plan: Plan) -> dict[str, int]:
    """Compare directive headers; return the ids of the directives that exist already."""
    keys = [d.key for d in parsed.directives]
    found: dict[str, tuple] = {}
    for marks, params in chunks(keys) if db else ():
        for row in db.rows(
            f"SELECT number_key, id, issued, issuer, title FROM directive "
            f"WHERE number_key IN ({marks})", params,
        ):
            found[row[0]] = row[1:]
    ids = {}
    for directive in parsed.directives:
        row = found.get(directive.key)
        if row is None:
            plan.directives_added.append(directive)
            continue
        directive_id, issued, issuer, title = row
        ids[directive.key] = directive_id
        changes = {}
        for name, old, new in (("issued", as_date(issued), directive.issued),
                               ("issuer", issuer, directive.issuer),
                               ("title", title, directive.title)):
            if old != new:
                changes[name] = [iso_date(old), iso_date(new)]  # text stays as it is
        if changes:
            plan.directives_updated.append((directive, directive_id, changes))
            if directive.issued and as_date(issued) < directive.issued:
                _check_later_issue(db, directive, directive_id, plan)
        else:
            plan.directives_unchanged += 1
    return ids


def _check_later_issue(db: Database, directive: DirectiveIn, directive_id: int,
                       plan: Plan) -> None:
    """An issue date moved later must not fall after a date of the directive's tasks that
    the files leave as it is (the files' own dates were checked against it already)."""
    given = {t.key: t for t in directive.tasks}
    for key, due, original_due, completed_on in db.rows(
        "SELECT task_key, due, original_due, completed_on FROM task WHERE directive_id = :d "
        "AND (due < :issued OR original_due < :issued OR completed_on < :issued)",
        {"d": directive_id, "issued": directive.issued},
    ):
        task = given.get(key)
        kept = [as_date(d) for d, in_file in (
            (due, task is not None and task.has_due),
            (original_due, task is not None and task.original_due is not None),
            (completed_on, task is not None and task.status is not None))
            if d is not None and not in_file]
        early = [d for d in kept if d < directive.issued]
        if early:
            plan.problems.append(Problem(
                directive.where.file, directive.where.line_of("issued"),
                f"{directive.where.label}.issued",
                _("{issued} is after {date}, a date of its task {key!r}; correct that task "
                  "first (task edit --due) or the issue date").format(
                    issued=day(directive.issued), date=day(min(early)),
                    key=key)))
            return


def _load_tasks(db: Database | None, directive_ids: list[int]) -> dict[tuple, Existing]:
    tasks: dict[tuple, Existing] = {}
    by_id: dict[int, Existing] = {}
    for marks, params in chunks(directive_ids):
        for (task_id, directive_id, key, title, lead_id, due, original_due, status,
             completed_on, version, deleted_on, priority, field_) in db.rows(
            "SELECT id, directive_id, task_key, title, lead_id, due, original_due, status, "
            "completed_on, version, deleted_on, priority, field FROM task "
            f"WHERE directive_id IN ({marks})", params,
        ):
            found = Existing(task_id, title, lead_id, as_date(due), as_date(original_due),
                             status, as_date(completed_on), version,
                             deleted=deleted_on is not None, priority=bool(priority),
                             field=field_)
            tasks[(directive_id, key)] = by_id[task_id] = found
        for task_id, agency_id in db.rows(
            "SELECT s.task_id, s.agency_id FROM task_support s JOIN task t ON t.id = s.task_id "
            f"WHERE t.directive_id IN ({marks}) ORDER BY s.task_id, s.position", params,
        ):
            by_id[task_id].support_ids.append(agency_id)
    return tasks


def _recorded_notes(db, directives: list[DirectiveIn], existing: dict,
                    directive_ids: dict) -> dict:
    """The notes already in the history of existing tasks that the files give a note."""
    wanted = [existing[key].id for d in directives for t in d.tasks if t.note
              if (key := (directive_ids.get(d.key), t.key)) in existing]
    notes: dict[int, set[str]] = {}
    for marks, params in chunks(wanted):
        for task_id, note in db.rows(
            f"SELECT task_id, note FROM task_history WHERE task_id IN ({marks}) "
            "AND note IS NOT NULL", params,
        ):
            notes.setdefault(task_id, set()).add(note)
    return notes


def _resolve(matcher: AgencyMatcher, directive: DirectiveIn, task: TaskIn,
             plan: Plan) -> TaskChange | None:
    def problem(key: str, message: str) -> None:
        plan.problems.append(Problem(task.where.file, task.where.line_of(key),
                                     f"{task.where.label}.{key}", message))

    try:
        lead = matcher.find(task.lead)
    except ClusterError as exc:
        problem("lead", str(exc))
        lead = None
    support = []
    for text in task.support or []:
        try:
            agency = matcher.find(text)
        except ClusterError as exc:
            problem("support", str(exc))
            continue
        if lead and agency.id == lead.id:
            problem("support", _("{code} is already the lead agency").format(code=agency.code))
        elif agency not in support:
            support.append(agency)
    if lead is None:
        return None
    return TaskChange(task, directive, lead, support)


def _bases(db: Database | None, task_ids: list[int]) -> dict[int, dict]:
    """What the files last said of these tasks: as recorded when a re-import changed it,
    else what the import that created the task created it with."""
    bases = {}
    for marks, params in chunks(task_ids) if db else ():
        for task_id, said in db.rows(
                f"SELECT task_id, said FROM import_base WHERE task_id IN ({marks})", params):
            bases[task_id] = json.loads(said)
        for task_id, changes in db.rows(
                f"SELECT task_id, changes FROM task_history WHERE task_id IN ({marks}) "
                "AND action = 'created' AND source IS NOT NULL", params):
            if task_id not in bases:
                bases[task_id] = _created_base(json.loads(changes))
    return bases


def _created_base(changes: dict) -> dict:
    """What an import's "created" entry says the file said, as :func:`_said` writes it."""
    said = {name: new for name, (_old, new) in changes.items()}
    said.setdefault("original_due", said.get("due"))
    status = said.pop("status", "open")
    completed_on = said.pop("completed_on", None)
    said["status"] = [status, completed_on if status == "done" else None]
    return said


def _said(change: TaskChange) -> dict:
    """What the file says of a task, field by field, as history writes values; a field the
    file leaves out is not there."""
    task = change.task
    said = {"title": task.title, "lead": change.lead.code}
    if task.support is not None:
        said["support"] = [a.code for a in change.support]
    if task.has_due:
        said["due"] = iso_date(task.due)
    if task.original_due is not None:
        said["original_due"] = iso_date(task.original_due)
    if task.status is not None:
        said["status"] = [task.status,
                          iso_date(task.completed_on) if task.status == "done" else None]
    if task.priority is not None:
        said["priority"] = task.priority
    if task.field is not None:
        said["field"] = task.field
    return said


def _task_changes(change: TaskChange, found: Existing, codes: dict[int, Agency],
                  base: dict | None, plan: Plan) -> dict:
    """What the file changes in a task, as history shows it (agencies by code): the fields
    it changed since it last said them, where the register did not change them too."""
    task = change.task
    now = {"title": found.title, "lead": codes[found.lead_id].code,
           "support": [codes[i].code for i in found.support_ids], "due": iso_date(found.due),
           "original_due": iso_date(found.original_due),
           "status": [found.status, iso_date(found.completed_on)],
           "priority": found.priority, "field": found.field}
    # What a task has unless someone chose otherwise: a file may set it without a conflict.
    unchosen = {"priority": False, "field": division(change.directive.number)}
    taken = {}
    for name, value in change.said.items():
        if value == now[name]:
            continue
        known = base is not None and name in base
        if not known and name in unchosen and now[name] == unchosen[name]:
            taken[name] = value
            continue
        if known and value == base[name]:
            continue  # the file has not changed it since: what staff did stays
        if not known and name == "due" and value == now["original_due"]:
            continue  # the file still gives the original due date: extended since
        if (known and now[name] == base[name]) or plan.prefer == "file":
            taken[name] = value
        if not (known and now[name] == base[name]):
            plan.conflicts.append(_conflict(change, name, base.get(name) if known else None,
                                            known, value, now[name]))
    changes: dict = {}
    if "title" in taken:
        changes["title"] = [found.title, task.title]
    if "lead" in taken:
        changes["lead"] = [now["lead"], change.lead.code]
    lead = change.lead.code if "lead" in taken else now["lead"]
    if "support" in taken:  # never the lead of the task as well
        taken["support"] = [code for code in taken["support"] if code != lead]
        change.support = [a for a in change.support if a.code != lead]
        if taken["support"] != now["support"]:
            changes["support"] = [now["support"], taken["support"]]
    # The supporters stay as they are, less one the file makes the lead.
    kept = [codes[i] for i in found.support_ids
            if i != (change.lead.id if "lead" in taken else found.lead_id)]
    if "support" not in taken:
        change.support = kept
        if [a.id for a in kept] != found.support_ids:
            changes["support"] = [now["support"], [a.code for a in kept]]
            if "support" not in change.said:  # what the import wrote is what it leaves
                change.said["support"] = changes["support"][1]
    if "due" in taken:
        changes["due"] = [now["due"], taken["due"]]
        if (not _is_extension(found, task.due) and "original_due" not in change.said
                and found.original_due == found.due):
            # A correction of a due date never extended corrects the original too, as
            # 'task edit --due' does.
            changes["original_due"] = [now["original_due"], taken["due"]]
    if "original_due" in taken:
        changes["original_due"] = [now["original_due"], taken["original_due"]]
    for name in ("priority", "field"):
        if name in taken:
            changes[name] = [now[name], taken[name]]
    if "status" in taken:
        status, completed_on = taken["status"]
        if status != found.status:
            changes["status"] = [found.status, status]
        if completed_on != now["status"][1]:
            changes["completed_on"] = [now["status"][1], completed_on]
    return changes


def _conflict(change: TaskChange, name: str, base, known: bool, file_value,
              database_value) -> Problem:
    from clusterctl.words import change_value, field_name

    def shown(value) -> str:
        if name == "status":
            status, completed_on = value
            value = change_value("status", status) + (
                f" ({day(completed_on)})" if completed_on else "")
        elif name == "support":
            value = ", ".join(value) or "-"
        else:
            value = change_value(name, value)
        return "-" if value is None else str(value)

    where = change.task.where
    if known:
        message = _("{field}: {base} → file {file} / register {database}: both changed it "
                    "since the last import; choose with --prefer file or --prefer "
                    "database").format(field=field_name(name), base=shown(base),
                                       file=shown(file_value), database=shown(database_value))
    else:
        message = _("{field}: file {file} / register {database}: the file did not say it "
                    "when last imported; choose with --prefer file or --prefer "
                    "database").format(field=field_name(name), file=shown(file_value),
                                       database=shown(database_value))
    return Problem(where.file, where.line_of(name), f"{where.label}.{name}", message)


# -- writing ---------------------------------------------------------------------------


def apply_plan(db: Database, plan: Plan, *, actor: str, source: str, today: date,
               progress: Callable[[int], None] = lambda n: None) -> None:
    """Write the plan; the caller holds the transaction. Tasks go through the one writer.
    What ``import --undo`` needs to revert it is kept in ``import_run``."""
    now = utc_now()
    undo = _before(db, plan)
    agency_ids = _write_agencies(db, plan, now)
    added_directives = insert_directives(
        db, [Directive(0, d.number, d.issued, d.issuer, d.title) for d in plan.directives_added],
        now)
    directive_ids = plan.directive_ids | added_directives
    update_directives(db, [Directive(i, d.number, d.issued, d.issuer, d.title)
                           for d, i, _changes in plan.directives_updated], now)
    writer = TaskWriter(db, actor=actor, source=source, agency_ids=agency_ids, today=today,
                        clamp=True)
    # A new task takes effect on its directive's issue date; one the file gives as done was
    # done from its completion date (see taskwriter.initial_states).
    added = writer.add((
        NewTask(directive_ids[c.directive.key], c.task.key, c.task.title, c.lead, c.support,
                c.task.due, c.task.original_due, c.task.status or "open", c.task.completed_on,
                c.task.note, issued=c.directive.issued, priority=bool(c.task.priority),
                field=c.task.field or division(c.directive.number))
        for c in plan.tasks_added), progress, total=len(plan.tasks_added))
    series = _write_series(db, plan, directive_ids, writer, actor=actor, source=source,
                           today=today)
    holidays = []
    if plan.holidays:
        from clusterctl.core.holidays import save_office_days

        holidays = save_office_days(db, plan.holidays, actor=actor, source=source)
    writer.change([_update(c, writer) for c in plan.tasks_updated]
                  + [Change(c.existing.id, c.existing.version, [Entry("note", {}, c.task.note)])
                     for c in plan.notes_added], progress)
    writer.move_assignments([(directive_id, as_date(changes["issued"][0]), directive.issued)
                             for directive, directive_id, changes in plan.directives_updated
                             if "issued" in changes])
    _write_bases(db, plan, source)
    _reorganise(db, plan, actor=actor, source=source, today=today)
    # A task the files give for a day an agency it names no longer existed: its successor's.
    from clusterctl.core.succession import carry_on

    carry_on(db, actor=actor, today=today, source=source)
    added += [task_id for made in series for task_id in made.task_ids]
    undo.update(series_added=[made.series_id for made in series], holidays=holidays)
    undo.update(tasks_added=_ranges(sorted(added)), agencies_added=sorted(agency_ids.values()),
                directives_added=sorted(added_directives.values()),
                last_entry=db.scalar("SELECT MAX(id) FROM task_history"),
                last_record=db.scalar("SELECT MAX(id) FROM record_history") or 0)
    if any(undo[k] for k in ("tasks_added", "agencies_added", "directives_added",
                             "agencies_updated", "directives_updated", "bases",
                             "reorganised", "series_added", "holidays")) or (
            undo["last_entry"] != undo["first_entry"] - 1):
        db.execute("INSERT INTO import_run (at, actor, source, undo) VALUES (:at, :actor, "
                   ":source, :undo)", {"at": now, "actor": actor, "source": source,
                                       "undo": json.dumps(undo, ensure_ascii=False)})


def _write_series(db: Database, plan: Plan, directive_ids: dict, writer: TaskWriter, *,
                  actor: str, source: str, today: date) -> list:
    """The recurring tasks the files add, with their first occurrences."""
    from clusterctl.core.series import create_series

    made = []
    for c in plan.series_added:
        task = c.task
        issued = c.directive.issued
        made.append(create_series(
            db, directive_id=directive_ids[c.directive.key], number=c.directive.number,
            key=task.key, title=task.title, lead_id=writer.agency_id(c.lead),
            support_ids=[writer.agency_id(a) for a in c.support], rule=task.repeat,
            priority=bool(task.priority), field=task.field or division(c.directive.number),
            starts=task.starts or issued, until=task.until, assigned=issued, note=task.note,
            actor=actor, today=today, source=source))
    return made


def _before(db: Database, plan: Plan) -> dict:
    """What the import is about to replace, for its undo: the agencies' and directives'
    fields, what the files said of each task before, the agencies it reorganises; and where
    its history entries will begin."""
    reorganised = {fold(a.code) for a in (*plan.renames, *plan.dissolutions)}
    bases: dict[str, str | None] = dict.fromkeys(map(str, plan.bases))
    for marks, params in chunks(sorted(plan.bases)):
        bases.update((str(task_id), said) for task_id, said in db.rows(
            f"SELECT task_id, said FROM import_base WHERE task_id IN ({marks})", params))
    return {
        "first_entry": (db.scalar("SELECT MAX(id) FROM task_history") or 0) + 1,
        "agencies_updated": {str(current.id): [current.name, current.aliases]
                             for _agency, current, _changes in plan.agencies_updated},
        "directives_updated": {str(directive_id): {k: str(v[0]) for k, v in changes.items()}
                               for _d, directive_id, changes in plan.directives_updated},
        "bases": bases,
        "reorganised": {str(a.id): [a.name, a.code, a.aliases] for a in load_agencies(db)
                        if fold(a.code) in reorganised},
    }


def _ranges(ids: list[int]) -> list[list[int]]:
    """Ids as runs ``[first, last]``: an import's new tasks are mostly consecutive."""
    runs: list[list[int]] = []
    for task_id in sorted(ids):
        if runs and task_id == runs[-1][1] + 1:
            runs[-1][1] = task_id
        else:
            runs.append([task_id, task_id])
    return runs


def _reorganise(db: Database, plan: Plan, *, actor: str, source: str, today: date) -> None:
    """The renames and dissolutions the files give, in date order, after their tasks are
    written: a dissolution moves tasks of the register and of the files alike."""
    from clusterctl.core.succession import AssignWhere, dissolve_within, rename_within
    from clusterctl.errors import InputError

    steps = sorted([(a.renamed_on, 0, a) for a in plan.renames]
                   + [(a.dissolved_on, 1, a) for a in plan.dissolutions],
                   key=lambda step: (step[0], step[1]))
    for on, kind, agency in steps:
        where = agency.where
        try:
            if kind == 0:
                rename_within(db, agency.code, name=agency.name, new_code=None, on=on,
                              actor=actor, basis=agency.basis, source=source)
            else:
                dissolve_within(db, agency.code, successors=agency.successors or [], on=on,
                                basis=agency.basis or "", actor=actor, today=today,
                                assign=agency.assign, where=AssignWhere("", {}),
                                source=source)
        except InputError as exc:
            line = where.line_of("assign" if agency.assign else "dissolved_on")
            raise type(exc)(f"{where.file}:{line}: {where.label}: {exc}" if line else
                            f"{where.file}: {where.label}: {exc}") from None


def _write_bases(db: Database, plan: Plan, source: str) -> None:
    """Remember what the files said of each task they changed since it was created (of a
    new task, its "created" entry tells), for the next re-import."""
    changed = [{"t": task_id, "said": said, "source": source}
               for task_id, said in plan.bases.items()]
    for marks, params in chunks(sorted(plan.bases)):
        db.execute(f"DELETE FROM import_base WHERE task_id IN ({marks})", params)
    db.executemany("INSERT INTO import_base (task_id, said, source) VALUES (:t, :said, "
                   ":source)", changed)


def _write_agencies(db: Database, plan: Plan, now: str) -> dict[int, int]:
    """Add and update agencies; return the real ids of the new ones by their planned ids."""
    ids = {}
    for planned_id, agency in enumerate(plan.agencies_added, start=1):
        ids[-planned_id] = insert_agency(db, code=agency.code,
                                         name=agency.former_name or agency.name,
                                         aliases=agency.aliases or [], now=now)
    for agency, current, changes in plan.agencies_updated:
        update_agency(db, current.id, name=agency.name, now=now,
                      aliases=changes["aliases"][1] if "aliases" in changes else None)
    return ids


_COLUMN_OF = {"lead": "lead_id"}  # history names agencies by code; the task row by id


def _is_extension(found: Existing, due: date | None) -> bool:
    """A due date moved later on a task still to do is an extension (gia hạn), as with
    'task extend'; any other change of it is a correction."""
    return (found.status in ("open", "in_progress") and found.due is not None
            and due is not None and due > found.due)


def _update(change: TaskChange, writer: TaskWriter) -> Change:
    """The file's changes to one task: a due date moved later is an extension, the rest an
    import entry (a correction); the file's note goes with the last of them."""
    task, changes = change.task, dict(change.changes)
    columns = {_COLUMN_OF.get(name, name): new for name, (_old, new) in changes.items()
               if name != "support"}
    if "title" in columns:
        columns["title_key"] = fold(task.title)
    if "lead_id" in columns:
        columns["lead_id"] = writer.agency_id(change.lead)
    for name in ("due", "original_due", "completed_on"):
        if name in columns:
            columns[name] = as_date(columns[name])
    entries = []
    if "due" in changes and _is_extension(change.existing, as_date(changes["due"][1])):
        entries.append(Entry("extend", {"due": changes.pop("due")}))
    completed_on = changes.get("completed_on", [None, None])[1]
    if completed_on and changes.get("status", [None, "done"])[1] == "done":
        # A completion takes effect on its date (the writer moves it later if the status
        # changed since); the rest of the file's changes on the import day.
        done = {name: changes.pop(name) for name in ("status", "completed_on")
                if name in changes}
        entries.append(Entry("import", done, effective=as_date(completed_on)))
    if changes:
        entries.append(Entry("import", changes))
    if completed_on and entries[0].action == "extend":
        # Extended, then done: the extension came first, at the latest on the completion.
        entries[0].effective = min(as_date(completed_on), entries[0].effective or date.max)
    entries[-1].note = task.note
    return Change(change.existing.id, change.existing.version, entries, columns,
                  change.support if "support" in change.changes else None)
