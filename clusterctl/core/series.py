"""Recurring tasks ("hằng tháng, trước ngày 25"): a series, kept in ``task_series``, whose
occurrences are tasks of their own, keyed ``KEY/PERIOD`` (``5/2024-03``), done, extended and
counted on their own, written by the one writer of tasks.

A bounded series (``--until``) has all its occurrences from the start. An open-ended one has
them up to one period beyond the as-of date of any command: each command first makes the
occurrences its day needs (:func:`extend_all`). Ending or changing a series changes only the
occurrences still to do; those done stay as they were.
"""

import dataclasses
import json
from dataclasses import dataclass
from datetime import date

from clusterctl.core.agencies import AgencyMatcher, load_agencies
from clusterctl.core.checks import check_key, check_note, check_title
from clusterctl.core.directives import find_directive
from clusterctl.core.taskwriter import Change, Entry, NewTask, TaskWriter
from clusterctl.errors import InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, iso_date, utc_now
from clusterctl.words import day

FOREVER = date(9999, 12, 31)


@dataclass
class Series:
    id: int
    directive_id: int
    number: str
    key: str
    rule: object  # clusterctl.recurrence.Rule
    rule_text: str
    starts: date
    until: date | None
    covered_to: date
    title: str
    lead_id: int
    support: list[int]
    priority: bool
    field: str | None
    version: int
    assigned: date  # the day the series took effect: its first occurrence's earliest day

    @property
    def ref(self) -> str:
        return f"{self.number}#{self.key}"


@dataclass
class Added:
    ref: str
    task_ids: list[int]
    first: str | None  # the first occurrence's key
    last: str | None
    series_id: int = 0


_SELECT = ("SELECT s.id, s.directive_id, d.number, s.series_key, s.rule, s.rule_text, "
           "s.starts, s.until, s.covered_to, s.title, s.lead_id, s.support, s.priority, "
           "s.field, s.version, d.issued FROM task_series s "
           "JOIN directive d ON d.id = s.directive_id")


def _series(row: tuple) -> Series:
    from clusterctl.recurrence import Rule

    (series_id, directive_id, number, key, rule, rule_text, starts, until, covered_to, title,
     lead_id, support, priority, field, version, issued) = row
    return Series(series_id, directive_id, number, key,
                  dataclasses.replace(Rule.from_stored(rule), text=rule_text),
                  rule_text, as_date(starts), as_date(until), as_date(covered_to), title,
                  lead_id, json.loads(support), bool(priority), field, version,
                  as_date(issued))


def find_series(db: Database, ref: str) -> Series:
    """The series ``NUMBER#KEY`` names."""
    number, sep, key = ref.strip().rpartition("#")
    if not sep or not number.strip() or not key.strip():
        raise InputError(_("{ref!r} is not a recurring task: give NUMBER#KEY (e.g. "
                           "2029/UBND-KTTH#5)").format(ref=ref))
    directive = find_directive(db, number)
    row = db.row(f"{_SELECT} WHERE s.directive_id = :d AND s.series_key = :k",
                 {"d": directive.id, "k": key.strip()})
    if row is None:
        raise NotFoundError(_("directive {number} has no recurring task {key!r}; see "
                              "'clusterctl series list'").format(number=directive.number,
                                                                 key=key.strip()))
    return _series(row)


def list_series(db: Database) -> list[dict]:
    """Every series with how many occurrences it has and how many are still to do."""
    counts = {series_id: (total, left) for series_id, total, left in db.rows(
        "SELECT series_id, COUNT(*), SUM(CASE WHEN status IN ('open', 'in_progress', "
        "'reported') THEN 1 ELSE 0 END) FROM task WHERE series_id IS NOT NULL AND deleted_on "
        "IS NULL GROUP BY series_id")}
    out = []
    for row in db.rows(f"{_SELECT} ORDER BY d.number_key, s.series_key"):
        series = _series(row)
        total, left = counts.get(series.id, (0, 0))
        out.append({"ref": series.ref, "directive": series.number, "key": series.key,
                    "title": series.title, "rule": series.rule_text,
                    "rrule": series.rule.rrule_text, "starts": series.starts.isoformat(),
                    "until": iso_date(series.until), "occurrences": total,
                    "still_to_do": left or 0})
    return out


def _occurrence_key(key: str, label: str) -> str:
    return f"{key}/{label}"


def _assigned_on(series_assigned: date, due: date, step) -> date:
    """An occurrence takes effect one period before it falls due, not before the series: a
    report of a day holds only the occurrences of its time (one made ahead for a report far
    ahead is in no report of today)."""
    return max(series_assigned, due - step)


def _missing(db: Database, series: Series, through: date) -> list[tuple[str, date]]:
    """The occurrences due up to ``through`` (and the series' end) that have no task yet."""
    end = min(through, series.until) if series.until else through
    # Any task of the directive under the series' keys: a key is never taken twice.
    have = {key for (key,) in db.rows(
        "SELECT task_key FROM task WHERE directive_id = :d AND task_key LIKE :prefix "
        "ESCAPE '\\'", {"d": series.directive_id, "prefix": _like(series.key) + "/%"})}
    return [(label, due) for label, due in series.rule.occurrences(series.starts, series.until,
                                                                   end)
            if _occurrence_key(series.key, label) not in have]


def _like(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _make(db: Database, series: Series, wanted: list[tuple[str, date]], *, actor: str,
          today: date, note: str | None = None, source: str | None = None) -> list[int]:
    if not wanted:
        return []
    agencies = {a.id: a for a in load_agencies(db)}
    lead = agencies[series.lead_id]
    support = [agencies[a] for a in series.support if a in agencies]
    step = series.rule.step()
    issued = as_date(db.scalar("SELECT issued FROM directive WHERE id = :d",
                               {"d": series.directive_id}))
    tasks = [NewTask(series.directive_id, _occurrence_key(series.key, label), series.title,
                     lead, support, due, note=note, issued=issued,
                     assigned_on=_assigned_on(series.assigned, due, step),
                     priority=series.priority, field=series.field, series_id=series.id)
             for label, due in wanted]
    ids = TaskWriter(db, actor=actor, today=today, source=source).add(tasks)
    # An occurrence names no agency that had ceased to exist: its successor carries it on.
    from clusterctl.core.succession import carry_on

    if ids:
        carry_on(db, actor=actor, today=today, task_ids=ids, source=source)
    return ids


def add_series(db: Database, *, directive: str, lead: str, support: list[str],
               key: str | None, title: str, note: str | None, rule, priority: bool,
               field: str | None, starts: date | None, until: date | None, on: date | None,
               actor: str, today: date) -> Added:
    """Add a recurring task and its occurrences (all of them for a bounded series; up to one
    period beyond today for an open-ended one)."""
    from clusterctl.core.fields import check_field, division
    from clusterctl.core.tasks import next_key, resolve_agencies

    title = check_title(title)
    key = check_key(key) if key is not None else None
    if key is not None and "/" in key:
        raise InputError(_("a recurring task's key must not contain '/': its occurrences are "
                           "keyed KEY/PERIOD"))
    note = check_note(note) if note is not None else None
    field = check_field(field) if field is not None else None
    for attempt in db.transactions():
        with attempt:
            found = find_directive(db, directive)
            assigned = on or found.issued
            if on is not None and (on > today or on < found.issued):
                raise InputError(_("--on {on} must fall between the directive's issue date "
                                   "{issued} and today").format(on=day(on),
                                                                issued=day(found.issued)))
            first = starts or assigned
            if first < found.issued:
                raise InputError(_("directive {number} was issued on {issued}; its recurring "
                                   "task cannot start on {on}, before that").format(
                    number=found.number, issued=day(found.issued), on=day(first)))
            check_until(until, first, found.issued)
            lead_agency, supporters = resolve_agencies(AgencyMatcher(load_agencies(db)),
                                                       lead, support)
            for agency in (lead_agency, *supporters):
                agency.check_active(assigned)
            key = key or next_key(db, found.id)
            _check_free(db, found.id, found.number, key)
            return create_series(
                db, directive_id=found.id, number=found.number, key=key, title=title,
                lead_id=lead_agency.id, support_ids=[a.id for a in supporters], rule=rule,
                priority=priority, field=field or division(found.number), starts=first,
                until=until, assigned=assigned, note=note, actor=actor, today=today)


def create_series(db: Database, *, directive_id: int, number: str, key: str, title: str,
                  lead_id: int, support_ids: list[int], rule, priority: bool,
                  field: str | None, starts: date, until: date | None, assigned: date,
                  note: str | None, actor: str, today: date,
                  source: str | None = None) -> Added:
    """Write a checked series and its first occurrences (the caller holds the
    transaction)."""
    now = utc_now()
    db.execute(
        "INSERT INTO task_series (directive_id, series_key, rule, rule_text, starts, "
        "until, covered_to, title, lead_id, support, priority, field, created_at, "
        "updated_at, version) VALUES (:d, :k, :rule, :text, :starts, :until, :covered, "
        ":title, :lead, :support, :priority, :field, :now, :now, 1)",
        {"d": directive_id, "k": key, "rule": rule.rrule_text, "text": rule.text,
         "starts": starts, "until": until, "covered": FOREVER if until else today,
         "title": title, "lead": lead_id, "support": json.dumps(support_ids),
         "priority": bool(priority), "field": field, "now": now})
    series = find_series(db, f"{number}#{key}")
    series.assigned = assigned
    TaskWriter(db, actor=actor, today=today, source=source).adopt(series.id, directive_id, key)
    through = until if until else rule.horizon(today)
    wanted = _missing(db, series, through)
    ids = _make(db, series, wanted, actor=actor, today=today, note=note, source=source)
    return Added(series.ref, ids, _occurrence_key(key, wanted[0][0]) if wanted else None,
                 _occurrence_key(key, wanted[-1][0]) if wanted else None, series.id)


def check_until(until: date | None, starts: date, issued: date) -> None:
    """A series' last day: not before it starts, and (as any due date) within ten years of
    its directive, so that a typed year does not make a century of tasks."""
    from clusterctl.core.checks import latest_due

    if until is None:
        return
    if until < starts:
        raise InputError(_("--until {until} is before the series starts ({start})").format(
            until=day(until), start=day(starts)))
    if until > latest_due(issued):
        raise InputError(_("--until {until} is more than 10 years after the directive's issue "
                           "date ({issued}); is the year a typo?").format(
            until=day(until), issued=day(issued)))


def _check_free(db: Database, directive_id: int, number: str, key: str) -> None:
    taken = db.scalar(
        "SELECT task_key FROM task WHERE directive_id = :d AND (task_key = :k OR task_key "
        "LIKE :prefix ESCAPE '\\') LIMIT 1",
        {"d": directive_id, "k": key, "prefix": _like(key) + "/%"})
    if taken is not None or db.scalar(
            "SELECT id FROM task_series WHERE directive_id = :d AND series_key = :k",
            {"d": directive_id, "k": key}) is not None:
        raise InputError(_("directive {number} already has a task {key!r}").format(
            number=number, key=key))


# -- occurrences as days pass ----------------------------------------------------------


def extend_all(db: Database, as_of: date, *, actor: str, today: date) -> int:
    """Make the occurrences every open-ended series needs for ``as_of`` (and today); returns
    how many were made. The caller holds the transaction."""
    from clusterctl.core.seriesdue import AHEAD

    as_of = min(max(as_of, today), today + AHEAD)
    made = 0
    for row in db.rows(f"{_SELECT} WHERE s.covered_to < :d", {"d": as_of}):
        series = _series(row)
        series.assigned = _series_assigned(db, series)
        through = series.rule.horizon(as_of)
        made += len(_make(db, series, _missing(db, series, through), actor=actor,
                          today=today))
        done = series.until is not None and series.until <= through  # all of them made
        db.execute("UPDATE task_series SET covered_to = :d WHERE id = :id",
                   {"d": FOREVER if done else as_of, "id": series.id})
    return made


def _series_assigned(db: Database, series: Series) -> date:
    """The day the series took effect: its first occurrence's, or the directive's date."""
    first = db.scalar("SELECT MIN(assigned_on) FROM task WHERE series_id = :s",
                      {"s": series.id})
    return as_date(first) if first is not None else series.assigned


# -- ending and changing a series --------------------------------------------------------


def _still_to_do(db: Database, series_id: int) -> list[tuple[int, str, date | None, int]]:
    return [(task_id, key, as_date(due), version) for task_id, key, due, version in db.rows(
        "SELECT id, task_key, due, version FROM task WHERE series_id = :s AND status IN "
        "('open', 'in_progress') AND deleted_on IS NULL ORDER BY due, id", {"s": series_id})]


def end_series(db: Database, ref: str, *, on: date, reason: str, actor: str,
               today: date) -> list[int]:
    """End a series: no occurrence falls due after ``on``; those still to do that would are
    cancelled (with ``reason``), those done stay. Returns the cancelled tasks."""
    reason = check_note(reason, _("reason"))
    for attempt in db.transactions():
        with attempt:
            series = find_series(db, ref)
            if on < series.starts:
                raise InputError(_("the series {ref} starts on {start}; end it on that day or "
                                   "later").format(ref=series.ref, start=day(series.starts)))
            if series.until is not None and series.until <= on:
                raise InputError(_("the series {ref} already ends on {until}").format(
                    ref=series.ref, until=day(series.until)))
            db.execute("UPDATE task_series SET until = :u, covered_to = :f, updated_at = :now, "
                       "version = version + 1 WHERE id = :id",
                       {"u": on, "f": FOREVER, "now": utc_now(), "id": series.id})
            dropped = [(task_id, version) for task_id, _key, due, version
                       in _still_to_do(db, series.id) if due is not None and due > on]
            _cancel(db, dropped, reason, actor=actor, today=today)
            # Bounded now: it has all its occurrences, up to its last day.
            series.until = on
            series.assigned = _series_assigned(db, series)
            _make(db, series, _missing(db, series, on), actor=actor, today=today)
            return [task_id for task_id, _v in dropped]


def _cancel(db: Database, tasks: list[tuple[int, int]], reason: str, *, actor: str,
            today: date) -> None:
    if not tasks:
        return
    statuses = dict(db.rows("SELECT id, status FROM task WHERE series_id IS NOT NULL AND "
                            f"id IN ({', '.join(str(t) for t, _v in tasks)})"))
    TaskWriter(db, actor=actor, today=today).change([
        Change(task_id, version, [Entry("series", {"status": [statuses[task_id], "cancelled"]},
                                        reason, today)], {"status": "cancelled"})
        for task_id, version in tasks])


def edit_series(db: Database, ref: str, *, actor: str, today: date, title: str | None = None,
                lead: str | None = None, support: list[str] | None = None, rule=None,
                until: date | None = None, priority: bool | None = None,
                note: str | None = None) -> dict:
    """Change a series: its title, agencies, rule, end or whether it is a key task. Each
    occurrence still to do changes with it where it still holds what the series gave it (one
    changed on its own keeps its change); those done stay as they were. A new rule applies
    from today: it moves the due date (never extended) of each occurrence due from today
    whose period it keeps, cancels those whose period it drops, and makes those it adds.
    Returns counts of what changed."""
    from clusterctl.core.tasks import resolve_agencies

    title = check_title(title) if title is not None else None
    note = check_note(note) if note is not None else None
    for attempt in db.transactions():
        with attempt:
            old = find_series(db, ref)
            old.assigned = _series_assigned(db, old)
            agencies = {a.id: a for a in load_agencies(db)}
            matcher = AgencyMatcher(list(agencies.values()))
            new_lead = matcher.find(lead) if lead is not None else agencies[old.lead_id]
            codes = support if support is not None else [
                agencies[a].code for a in old.support if a != new_lead.id]
            new_lead, new_support = resolve_agencies(matcher, new_lead.code, codes)
            for agency in (new_lead, *new_support):
                if agency.id != old.lead_id and agency.id not in old.support:
                    agency.check_active(today)
            new_until = until if until is not None else old.until
            starts = old.starts  # a new rule's occurrences are made from today on
            if rule is not None:
                starts = max(old.starts, min(today, new_until or today))
            issued = as_date(db.scalar("SELECT issued FROM directive WHERE id = :d",
                                       {"d": old.directive_id}))
            check_until(new_until, starts, issued)
            new_rule = rule or old.rule
            db.execute(
                "UPDATE task_series SET title = :title, lead_id = :lead_id, support = :support, "
                "rule = :rule, rule_text = :rule_text, starts = :starts, until = :until, "
                "priority = :priority, covered_to = :covered, updated_at = :now, "
                "version = version + 1 WHERE id = :id",
                {"title": title or old.title, "lead_id": new_lead.id,
                 "support": json.dumps([a.id for a in new_support]),
                 "rule": new_rule.rrule_text, "rule_text": new_rule.text, "starts": starts,
                 "until": new_until,
                 "priority": old.priority if priority is None else bool(priority),
                 "covered": FOREVER if new_until else today, "now": utc_now(), "id": old.id})
            new = find_series(db, old.ref)
            new.assigned = old.assigned
            return _apply(db, old, new, new_support, actor=actor, today=today, note=note,
                          rule_changed=rule is not None)


def _apply(db: Database, old: Series, new: Series, support, *, actor: str, today: date,
           note: str | None, rule_changed: bool) -> dict:
    """Bring the occurrences still to do in line with the series changed from ``old`` to
    ``new``."""
    from clusterctl.text import fold

    agencies = {a.id: a for a in load_agencies(db)}
    furthest = as_date(db.scalar("SELECT MAX(due) FROM task WHERE series_id = :s",
                                 {"s": new.id})) or today
    through = new.until or new.rule.horizon(today)
    # Every period of the new rule, from the series' first day: the occurrences not yet due
    # keep theirs if the new rule has it.
    first = as_date(db.scalar("SELECT MIN(due) FROM task WHERE series_id = :s",
                              {"s": new.id})) or new.starts
    wanted = dict(new.rule.occurrences(min(first, new.starts), new.until,
                                       max(through, furthest)))
    prefix = new.key + "/"
    supports: dict[int, list[int]] = {}
    for task_id, agency_id in db.rows(
            "SELECT s.task_id, s.agency_id FROM task_support s JOIN task t ON t.id = s.task_id "
            "WHERE t.series_id = :s ORDER BY s.task_id, s.position", {"s": new.id}):
        supports.setdefault(task_id, []).append(agency_id)
    changes, dropped = [], []
    for task_id, key, due, version in _still_to_do(db, new.id):
        label = key[len(prefix):] if key.startswith(prefix) else None
        ruled = rule_changed and due is not None and due >= today  # the new rule's to plan
        if (ruled and label not in wanted) or (new.until and due and due > new.until):
            dropped.append((task_id, version))
            continue
        row = db.row("SELECT title, lead_id, priority, original_due FROM task WHERE id = :id",
                     {"id": task_id})
        columns, fields = {}, {}
        if new.title != old.title and row[0] == old.title:
            columns.update(title=new.title, title_key=fold(new.title))
            fields["title"] = [row[0], new.title]
        if new.lead_id != old.lead_id and row[1] == old.lead_id:
            columns["lead_id"] = new.lead_id
            fields["lead"] = [agencies[row[1]].code, agencies[new.lead_id].code]
        if new.support != old.support and supports.get(task_id, []) == old.support:
            fields["support"] = [[agencies[a].code for a in old.support],
                                 [a.code for a in support]]
        if new.priority != old.priority and bool(row[2]) == old.priority:
            columns["priority"] = new.priority
            fields["priority"] = [bool(row[2]), new.priority]
        # A due date moves to the new rule's where that is not past and it was never
        # extended; one the new rule puts before today stays as it was.
        if (ruled and wanted[label] != due and wanted[label] >= today
                and as_date(row[3]) == due):
            columns["due"] = columns["original_due"] = wanted[label]
            fields["due"] = [iso_date(due), wanted[label].isoformat()]
            fields["original_due"] = [iso_date(due), wanted[label].isoformat()]
        if fields:
            changes.append(Change(task_id, version, [Entry("series", fields, note, today)],
                                  columns, support if "support" in fields else None))
    TaskWriter(db, actor=actor, today=today).change(changes)
    _cancel(db, dropped, note or _("no longer in its recurring series"), actor=actor,
            today=today)
    made = _make(db, new, _missing(db, new, through), actor=actor, today=today)
    return {"changed": len(changes), "cancelled": len(dropped), "added": len(made)}
