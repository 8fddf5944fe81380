"""Agencies that change: renamed, merged into another, split among several, and tasks moved
from one agency to another in bulk.

By law (Nghị quyết 190/2025/QH15, Điều 3–4) the agency that receives a reorganised one
carries on its tasks with no new assignment. So from the day a merger or split takes effect,
every task the old agency leads or supports and that is still to do is its successor's: each
moved task gets a history entry of that day citing the legal basis, and reports as of an
earlier day still show the old agency. Done and cancelled tasks keep the agency that did
them. Each step is one transaction, in the history of the agencies and of every task moved.
"""

from datetime import date

from clusterctl.core.agencies import (
    Agency,
    AgencyMatcher,
    any_dissolved,
    check_names_free,
    load_agencies,
    update_agency,
)
from clusterctl.core.checks import check_code, check_note, check_text
from clusterctl.core.records import record_change
from clusterctl.core.taskwriter import Change, Entry, TaskWriter
from clusterctl.errors import InputError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, chunks, utc_now
from clusterctl.words import day

ACTIVE = ("open", "in_progress", "reported")  # still to do


class Moved:
    """What a reorganisation did: the tasks it moved, by the agency they moved to; those it
    moved from a later day than asked (their agencies changed with effect from then). (A
    plain class: ``task done`` loads this module, and a dataclass costs it half a
    millisecond.)"""

    __slots__ = ("by_successor", "later", "task_ids", "tasks")

    def __init__(self, tasks: int, by_successor: dict[str, int],
                 task_ids: list[int] | None = None, later: dict[int, date] | None = None) -> None:
        self.tasks = tasks
        self.by_successor = by_successor
        self.task_ids = task_ids if task_ids is not None else []
        self.later = later if later is not None else {}


def _check_day(on: date, today: date) -> None:
    if on > today:
        raise InputError(_("{on} is in the future; record a reorganisation on or after the "
                           "day it takes effect").format(on=day(on)))


def _check_exists(agency: Agency, on: date) -> None:
    if agency.dissolved_on is not None:
        succ = ", ".join(agency.successors) or "-"
        raise InputError(_("{code} ({name}) was already dissolved on {dissolved} (successors: "
                           "{succ})").format(code=agency.code, name=agency.name,
                                             dissolved=day(agency.dissolved_on), succ=succ))


def _check_dissolvable(db: Database, agency: Agency, on: date) -> None:
    """An agency ceases to exist on ``on`` only if it still existed then and nothing it
    became later (another agency's successor, a new name) is recorded after that day."""
    _check_exists(agency, on)
    later = db.row(
        "SELECT MAX(a.dissolved_on), MIN(a.code) FROM agency_successor s JOIN agency a ON "
        "a.id = s.agency_id WHERE s.successor_id = :id AND a.dissolved_on > :on",
        {"id": agency.id, "on": on})
    if later and later[0] is not None:
        raise InputError(_("{code} took over {other}'s tasks on {later}; it cannot cease to "
                           "exist before that, on {on}").format(
            code=agency.code, other=later[1], later=day(as_date(later[0])), on=day(on)))
    from clusterctl.core.records import latest_rename

    renamed = latest_rename(db, agency.id)
    if renamed is not None and renamed > on:
        raise InputError(_("{code} was renamed with effect from {later}; it cannot cease to "
                           "exist before that, on {on}").format(
            code=agency.code, later=day(renamed), on=day(on)))


def open_tasks_of(db: Database, agency_ids: list[int], on: date,
                  directive_ids: list[int] | None = None,
                  task_ids: list[int] | None = None) -> dict[int, date]:
    """The tasks that ``agency_ids`` lead or support now and that are still to do on ``on``
    or later, each with the first day from which it is theirs to do: ``on``, or the day it
    was assigned or became to do again if later. A task done or cancelled since ``on`` (and
    not reopened) is not among them."""
    marks = ", ".join(f":a{i}" for i in range(len(agency_ids)))
    params: dict = {f"a{i}": agency_id for i, agency_id in enumerate(agency_ids)}
    where = ""
    if directive_ids:
        where = " AND t.directive_id IN ({})".format(
            ", ".join(f":d{i}" for i in range(len(directive_ids))))
        params.update({f"d{i}": d for i, d in enumerate(directive_ids)})
    if task_ids is not None:
        if not task_ids:
            return {}
        where += " AND t.id IN ({})".format(", ".join(f":k{i}" for i in range(len(task_ids))))
        params.update({f"k{i}": t for i, t in enumerate(task_ids)})
    ids = [task_id for (task_id,) in db.rows(
        f"SELECT t.id FROM task t WHERE t.deleted_on IS NULL AND (t.lead_id IN ({marks}) OR "
        f"t.id IN (SELECT task_id FROM task_support WHERE agency_id IN ({marks}))){where} "
        "ORDER BY t.id", params)]
    first: dict[int, date] = {}
    for marks_, chunk in chunks(ids):
        for task_id, valid_from, status in db.rows(
                f"SELECT task_id, valid_from, status FROM task_state WHERE task_id IN "
                f"({marks_}) AND valid_to > :on ORDER BY task_id, valid_from",
                {**chunk, "on": on}):
            if task_id not in first and status in ACTIVE:
                first[task_id] = max(as_date(valid_from), on)
    return first


def _move(db: Database, writer: TaskWriter, placed: dict[int, dict[int, Agency]],
          starts: dict[int, date], *, action: str, note: str, by_id: dict[int, Agency]
          ) -> Moved:
    """Move each task's agencies by its mapping (old agency id -> successor), from its
    start day; history names agencies by code."""
    changes: list[Change] = []
    by_successor: dict[str, int] = {}
    task_ids = sorted(placed)
    rows: dict[int, tuple] = {}
    support: dict[int, list[int]] = {}
    for marks, chunk in chunks(task_ids):
        for task_id, lead_id, version in db.rows(
                f"SELECT id, lead_id, version FROM task WHERE id IN ({marks})", chunk):
            rows[task_id] = (lead_id, version)
        for task_id, agency_id in db.rows(
                f"SELECT task_id, agency_id FROM task_support WHERE task_id IN ({marks}) "
                "ORDER BY task_id, position", chunk):
            support.setdefault(task_id, []).append(agency_id)
    for task_id in task_ids:
        mapping = placed[task_id]
        lead_id, version = rows[task_id]
        old_support = support.get(task_id, [])
        new_lead = mapping.get(lead_id, by_id[lead_id])
        new_support: list[Agency] = []
        for agency_id in old_support:
            agency = mapping.get(agency_id, by_id[agency_id])
            if agency.id != new_lead.id and agency not in new_support:
                new_support.append(agency)
        entry_changes: dict = {}
        columns: dict = {}
        if new_lead.id != lead_id:
            entry_changes["lead"] = [by_id[lead_id].code, new_lead.code]
            columns["lead_id"] = new_lead.id
        old_codes = [by_id[a].code for a in old_support]
        new_codes = [a.code for a in new_support]
        if new_codes != old_codes:
            entry_changes["support"] = [old_codes, new_codes]
        if not entry_changes:
            continue
        for code in {agency.code for agency in mapping.values()}:
            by_successor[code] = by_successor.get(code, 0) + 1
        changes.append(Change(task_id, version, [Entry(action, entry_changes, note,
                                                       starts[task_id])],
                              columns, new_support if "support" in entry_changes else None))
    asked = {change.task_id: change.entries[0].effective for change in changes}
    writer.change(changes)  # clamped: an entry may move to a later day
    later = {change.task_id: change.entries[0].effective for change in changes
             if change.entries[0].effective != asked[change.task_id]}
    return Moved(len(changes), dict(sorted(by_successor.items())),
                 [change.task_id for change in changes], later)


def _dissolve(db: Database, agency: Agency, successors: list[Agency], on: date, *,
              actor: str, action: str, basis: str, now: str, source: str | None = None
              ) -> None:
    db.execute("UPDATE agency SET dissolved_on = :on, updated_at = :now WHERE id = :id",
               {"on": on, "now": now, "id": agency.id})
    db.executemany("INSERT INTO agency_successor (agency_id, successor_id, position) "
                   "VALUES (:a, :s, :p)", [{"a": agency.id, "s": s.id, "p": i}
                                           for i, s in enumerate(successors)])
    record_change(db, kind="agency", record_id=agency.id, actor=actor, action=action,
                  changes={"dissolved_on": [None, on.isoformat()],
                           "successors": [[], [s.code for s in successors]]},
                  effective=on, note=basis, now=now, source=source)


def merge_agencies(db: Database, codes: list[str], *, into: str, on: date, basis: str,
                   actor: str, today: date) -> Moved:
    """Merge ``codes`` into ``into`` from ``on`` (``into`` may be one of them): their tasks
    still to do from that day are ``into``'s, and they are dissolved, ``into`` their
    successor."""
    basis = check_note(basis, _("legal basis"))
    _check_day(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            return merge_within(db, codes, into=into, on=on, basis=basis, actor=actor,
                                today=today)
    raise AssertionError("unreachable")


def merge_within(db: Database, codes: list[str], *, into: str, on: date, basis: str,
                 actor: str, today: date, source: str | None = None) -> Moved:
    """:func:`merge_agencies` in the caller's transaction."""
    agencies = load_agencies(db)
    matcher = AgencyMatcher(agencies)
    target = matcher.find(into)
    _check_exists(target, on)
    merged: list[Agency] = []
    for code in codes:
        agency = matcher.find(code)
        if agency.id != target.id and agency not in merged:
            _check_dissolvable(db, agency, on)
            merged.append(agency)
    if not merged:
        raise InputError(_("nothing to merge: name at least one agency other than "
                           "{code}").format(code=target.code))
    moved = reorganise(db, {a.id: target for a in merged}, on=on, actor=actor, today=today,
                       action="merge", note=basis, agencies=agencies, source=source)
    now = utc_now()
    for agency in merged:
        _dissolve(db, agency, [target], on, actor=actor, action="merge", basis=basis,
                  now=now, source=source)
    record_change(db, kind="agency", record_id=target.id, actor=actor, action="merge",
                  changes={"merged": [[], [a.code for a in merged]]}, effective=on,
                  note=basis, now=now, source=source)
    return moved


def reorganise(db: Database, mapping: dict[int, Agency], *, on: date, actor: str, today: date,
               action: str, note: str, agencies: list[Agency],
               directive_ids: list[int] | None = None,
               placed: dict[int, Agency] | None = None, source: str | None = None,
               task_ids: list[int] | None = None, clamp: bool = True) -> Moved:
    """Move the tasks still to do of the agencies ``mapping`` names to their successors
    from ``on``; ``placed`` (task id -> successor) for a split, where each task has its own.
    The caller holds the transaction."""
    by_id = {a.id: a for a in agencies}
    starts = open_tasks_of(db, list(mapping), on, directive_ids, task_ids)
    if placed is not None:
        plan = {task_id: dict.fromkeys(mapping, placed[task_id]) for task_id in starts}
    else:
        plan = {task_id: mapping for task_id in starts}
    # An import moves a change dated before a later change of the task's agencies to the
    # day of that change; so does a reorganisation, which happened whatever was recorded.
    writer = TaskWriter(db, actor=actor, today=today, clamp=clamp, source=source)
    return _move(db, writer, plan, starts, action=action, note=note, by_id=by_id)


def split_agency(db: Database, code: str, *, into: list[str], on: date, basis: str,
                 assign: dict[str, str], actor: str, today: date,
                 where: "AssignWhere | None" = None) -> Moved:
    """Split ``code`` among ``into`` from ``on``: ``assign`` (task reference -> successor
    code) places each of its tasks still to do; the split is refused until every one is
    placed."""
    basis = check_note(basis, _("legal basis"))
    _check_day(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            return split_within(db, code, into=into, on=on, basis=basis, assign=assign,
                                actor=actor, today=today, where=where)
    raise AssertionError("unreachable")


def split_within(db: Database, code: str, *, into: list[str], on: date, basis: str,
                 assign: dict[str, str], actor: str, today: date,
                 where: "AssignWhere | None" = None, source: str | None = None) -> Moved:
    """:func:`split_agency` in the caller's transaction."""
    from clusterctl.core.queries import resolve_task

    where = where or AssignWhere("", {})
    agencies = load_agencies(db)
    matcher = AgencyMatcher(agencies)
    agency = matcher.find(code)
    _check_dissolvable(db, agency, on)
    successors: list[Agency] = []
    for text in into:
        successor = matcher.find(text)
        _check_exists(successor, on)
        if successor.id == agency.id:
            raise InputError(_("{code} cannot be its own successor").format(
                code=agency.code))
        if successor not in successors:
            successors.append(successor)
    if len(successors) < 2:
        raise InputError(_("a split needs two successors or more (--into A --into B); "
                           "for one, use 'clusterctl agency merge'"))
    starts = open_tasks_of(db, [agency.id], on)
    placed: dict[int, Agency] = {}
    for ref, target in assign.items():
        task_id = where.wrap(ref, lambda r=ref: resolve_task(db, r))
        successor = where.wrap(ref, lambda t=target, m=matcher: m.find(t))
        if successor not in successors:
            raise InputError(where.say(ref, _(
                "{code} is not one of the successors ({all})").format(
                code=successor.code, all=", ".join(s.code for s in successors))))
        if task_id not in starts and _names(db, task_id, agency.id):
            continue  # done or cancelled by then: it keeps the agency that did it
        if task_id not in starts:
            raise InputError(where.say(ref, _(
                "task {id} is not a task of {code} still to do on or after "
                "{on}").format(id=task_id, code=agency.code, on=day(on))))
        if task_id in placed and placed[task_id] is not successor:
            raise InputError(where.say(ref, _(
                "task {id} is placed twice, with {one} and {other}").format(
                id=task_id, one=placed[task_id].code, other=successor.code)))
        placed[task_id] = successor
    missing = sorted(set(starts) - set(placed))
    if missing:
        raise InputError(_unplaced(db, agency, missing))
    moved = reorganise(db, {agency.id: successors[0]}, on=on, actor=actor,
                       today=today, action="split", note=basis, agencies=agencies,
                       placed=placed, source=source)
    now = utc_now()
    _dissolve(db, agency, successors, on, actor=actor, action="split", basis=basis,
              now=now, source=source)
    return moved


def _names(db: Database, task_id: int, agency_id: int) -> bool:
    """Whether the task names the agency, as lead or supporter."""
    return bool(db.scalar(
        "SELECT 1 FROM task WHERE id = :t AND (lead_id = :a OR id IN (SELECT task_id FROM "
        "task_support WHERE agency_id = :a))", {"t": task_id, "a": agency_id}))


def _unplaced(db: Database, agency: Agency, missing: list[int]) -> str:
    refs = []
    for marks, chunk in chunks(missing[:10]):
        refs += [f"{number}#{key} ({task_id})" for task_id, number, key in db.rows(
            f"SELECT t.id, d.number, t.task_key FROM task t JOIN directive d ON "
            f"d.id = t.directive_id WHERE t.id IN ({marks}) ORDER BY t.id", chunk)]
    more = _(" and {n} more").format(n=len(missing) - 10) if len(missing) > 10 else ""
    return _("{n} tasks of {code} still to do are not placed: {refs}{more}; say in the "
             "assignment (--assign file, or the import file's assign table) which successor "
             "carries on each; nothing was changed").format(
        n=len(missing), code=agency.code, refs=", ".join(refs), more=more)


def rename_agency(db: Database, code: str, *, name: str, new_code: str | None, on: date,
                  actor: str, today: date, basis: str | None = None) -> dict:
    """The same agency under a new name (and code) from ``on``; the old ones stay aliases,
    so that old records and files still find it, and reports before ``on`` show them."""
    name = check_text(name, _("agency name"))
    new_code = check_code(new_code) if new_code is not None else None
    basis = check_note(basis, _("legal basis")) if basis else None
    _check_day(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            return rename_within(db, code, name=name, new_code=new_code, on=on, actor=actor,
                                 basis=basis)
    raise AssertionError("unreachable")


def rename_within(db: Database, code: str, *, name: str, new_code: str | None, on: date,
                  actor: str, basis: str | None = None, source: str | None = None) -> dict:
    """:func:`rename_agency` in the caller's transaction."""
    matcher = AgencyMatcher(load_agencies(db))
    agency = matcher.find(code)
    _check_exists(agency, on)
    from clusterctl.core.records import latest_rename

    later = latest_rename(db, agency.id)
    if later is not None and later > on:
        raise InputError(_("{code} was renamed with effect from {later}, after {on}; "
                           "a rename dated earlier would be undone by it").format(
            code=agency.code, later=day(later), on=day(on)))
    changes: dict = {}
    aliases = list(agency.aliases)
    if name != agency.name:
        changes["name"] = [agency.name, name]
        aliases.append(agency.name)
    if new_code is not None and new_code != agency.code:
        changes["code"] = [agency.code, new_code]
        aliases.append(agency.code)
    if not changes:
        raise InputError(_("nothing to change: agency {code} is already so").format(
            code=agency.code))
    aliases = [a for a in dict.fromkeys(aliases)
               if a not in (name, new_code or agency.code)]
    check_names_free(matcher, agency.id, [new_code or agency.code, name, *aliases])
    now = utc_now()
    update_agency(db, agency.id, name=name, aliases=aliases, now=now, code=new_code)
    record_change(db, kind="agency", record_id=agency.id, actor=actor, action="rename",
                  changes=changes, effective=on, note=basis, now=now, source=source)
    return changes


def reassign_tasks(db: Database, *, from_: str, to: str, directives: list[str], reason: str,
                   actor: str, today: date, on: date | None = None) -> Moved:
    """Move the tasks still to do that ``from_`` leads or supports to ``to`` (of these
    directives only, if given), without a formal reorganisation: ``from_`` goes on
    existing."""
    from clusterctl.core.directives import find_directive

    reason = check_note(reason, _("reason"))
    on = on or today
    _check_day(on, today)
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            agencies = load_agencies(db)
            matcher = AgencyMatcher(agencies)
            source, target = matcher.find(from_), matcher.find(to)
            if source.id == target.id:
                raise InputError(_("--from and --to name the same agency, {code}").format(
                    code=source.code))
            target.check_active(on)
            directive_ids = [find_directive(db, number).id for number in directives]
            moved = reorganise(db, {source.id: target}, on=on, actor=actor, today=today,
                               action="reassign", note=reason, agencies=agencies,
                               directive_ids=directive_ids or None, clamp=False)
            carry_on(db, actor=actor, today=today, task_ids=sorted(moved.task_ids))
            if not moved.tasks:
                raise InputError(_("{code} has no task still to do{which}; nothing to move")
                                 .format(code=source.code, which=_(" in those directives")
                                         if directive_ids else ""))
    return moved


def dissolve_within(db: Database, code: str, *, successors: list[str], on: date, basis: str,
                    actor: str, today: date, assign: dict[str, str] | None = None,
                    where: "AssignWhere | None" = None, source: str | None = None) -> Moved:
    """What an import file's ``dissolved_on`` says, in the caller's transaction: a merger
    into one successor, a split among several (placed by ``assign``), or an abolition with
    none (for an agency with no task still to do)."""
    _check_day(on, today)
    if len(successors) == 1:
        return merge_within(db, [code], into=successors[0], on=on, basis=basis,
                            actor=actor, today=today, source=source)
    if len(successors) > 1:
        return split_within(db, code, into=successors, on=on, basis=basis,
                            assign=assign or {}, actor=actor, today=today, where=where,
                            source=source)
    agency = AgencyMatcher(load_agencies(db)).find(code)
    _check_dissolvable(db, agency, on)
    missing = sorted(open_tasks_of(db, [agency.id], on))
    if missing:
        raise InputError(_unplaced(db, agency, missing))
    _dissolve(db, agency, [], on, actor=actor, action="dissolve", basis=basis, now=utc_now(),
              source=source)
    return Moved(0, {})


def carry_on(db: Database, *, actor: str, today: date, task_ids: list[int] | None = None,
             source: str | None = None) -> Moved:
    """The law's rule kept whatever change made a task still to do again (a reopen, an undo,
    a restore, an assignment dated before a dissolution): a task still to do on a day an
    agency it names no longer existed passes to its successor from that day. ``task_ids``:
    only these (None: every task). The caller holds the transaction.

    A merged agency's tasks pass to its successor on their own; a split agency's cannot
    (each was placed by hand): refused, naming its successors."""
    # Every change to a task asks: one look at the (few) agencies first, loaded only if needed.
    if not any_dissolved(db):
        return Moved(0, {})
    agencies = load_agencies(db)
    dissolved = sorted((a for a in agencies if a.dissolved_on is not None),
                       key=lambda a: (a.dissolved_on, a.code))
    by_code = {a.code: a for a in agencies}
    total, by_successor = 0, {}
    for agency in dissolved:  # in date order: a chain of mergers is followed to its end
        found = open_tasks_of(db, [agency.id], agency.dissolved_on, task_ids=task_ids)
        if not found:
            continue
        if len(agency.successors) != 1:
            task_id = min(found)
            raise InputError(_(
                "task {id} would be {code}'s still to do on {on}, after it ceased to exist on "
                "{dissolved} ({succ} carry on its tasks): give it to one of them first with "
                "'clusterctl task edit {id} --lead AGENCY' (or --support)").format(
                id=task_id, code=agency.code, on=day(found[task_id]),
                dissolved=day(agency.dissolved_on),
                succ=", ".join(agency.successors) or "-"))
        basis = db.scalar(
            "SELECT note FROM record_history WHERE kind = 'agency' AND record_id = :id "
            "AND action IN ('merge', 'split', 'dissolve') ORDER BY id DESC LIMIT 1",
            {"id": agency.id}) or ""
        moved = reorganise(db, {agency.id: by_code[agency.successors[0]]},
                           on=agency.dissolved_on, actor=actor, today=today, action="merge",
                           note=basis, agencies=agencies, source=source,
                           task_ids=sorted(found))
        total += moved.tasks
        for code, n in moved.by_successor.items():
            by_successor[code] = by_successor.get(code, 0) + n
    return Moved(total, by_successor)


class AssignWhere:
    """Where each reference of an --assign file was written, for its error lines."""

    def __init__(self, file: str, lines: dict[str, int]) -> None:
        self.file = file
        self.lines = lines

    def say(self, ref: str, message: str) -> str:
        line = self.lines.get(ref)
        where = f"{self.file}:{line}" if line else self.file
        return f"{where}: {ref!r}: {message}" if where else f"{ref!r}: {message}"

    def wrap(self, ref: str, find):
        try:
            return find()
        except InputError as exc:  # NotFoundError is one too
            raise type(exc)(self.say(ref, str(exc))) from None


def read_assign_file(name: str) -> tuple[dict[str, str], AssignWhere]:
    """An --assign file: a TOML table ``[assign]`` of task references (an id, or
    NUMBER#KEY) to successor codes."""
    import re

    from clusterctl.core.tomlfile import TomlFileError, read_raw, read_toml

    (_name, raw), = read_raw([name])
    try:
        data, text = read_toml(name, raw)
    except TomlFileError as exc:
        raise InputError(str(exc.problem)) from None
    table = data.get("assign")
    unknown = sorted(set(data) - {"assign"})
    if not isinstance(table, dict) or unknown:
        raise InputError(_("{file}: give the tasks as a table [assign] of task (id or "
                           "NUMBER#KEY) = successor code, e.g. \"2029/UBND-KTTH#3\" = \"SNV\""
                           ).format(file=name))
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_-]+))\s*=', line)
        if match:
            lines.setdefault(match.group(1) or match.group(2), number)
    where = AssignWhere(name, lines)
    for ref, target in table.items():
        if not isinstance(target, str):
            raise InputError(where.say(ref, _("give the successor's code as text")))
    return dict(table), where
