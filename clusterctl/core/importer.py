"""``clusterctl import``: check whole files first, then apply them in one transaction.

Three steps, each in bulk: :func:`read_files` turns files into checked records (every problem
collected, none raised); :func:`make_plan` compares them with the database and resolves
agencies; :func:`apply_plan` writes the differences with a handful of statements.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from clusterctl.core.checks import (
    BAD_KEY,
    KEY_LIMIT,
    NAME_LIMIT,
    NOTE_LIMIT,
    TITLE_LIMIT,
    check_code,
    check_key,
    check_note,
    check_number,
    check_text,
    check_title,
    completion_problem,
    due_problem,
    is_plain_text,
    latest_due,
)
from clusterctl.core.tomlfile import (
    LineFinder,
    PieceFailed,
    Problem,
    TomlFileError,
    decode,
    parse_pieces,
    parse_text,
    piece_cuts,
)
from clusterctl.errors import ClusterError
from clusterctl.i18n import _
from clusterctl.text import fold

AGENCY_KEYS = {"code", "name", "aliases", "successor", "dissolved_on", "basis", "renamed_on",
               "assign"}
DIRECTIVE_KEYS = {"number", "issued", "issuer", "title", "tasks"}
TASK_KEYS = {"key", "title", "lead", "support", "due", "original_due", "status",
             "completed_on", "note", "priority", "field", "repeat", "from", "until"}
# The statuses a file may give: a report awaiting confirmation is recorded with its evidence
# by 'task report-done'.
STATUSES = ("open", "in_progress", "done", "cancelled")
# The keys the quick path leaves to the full one.
_WORKFLOW_KEYS = frozenset({"priority", "field", "repeat", "from", "until"})


@dataclass(slots=True)
class Where:
    """Where a table was written. Lines are looked up only when a problem is reported."""

    file: str
    parts: tuple  # e.g. ("directives", 0, "tasks", 3)
    finder: LineFinder | None = field(default=None, repr=False, compare=False)
    named: str | None = None  # the directive's number or the task's key, as written

    @property
    def label(self) -> str:
        """How a problem names the table: ``directives[0].tasks[3] (key '4')``. Made when
        asked for: a 100,000-task file would hold 20 MiB of labels."""
        text = ""
        for part in self.parts:
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
        if self.named is not None:
            kind = "key" if "tasks" in self.parts else "number"
            text += f" ({kind} {self.named!r})"
        return text

    @property
    def line(self) -> int | None:
        return self.finder.line(self.parts) if self.finder else None

    def line_of(self, key: str) -> int | None:
        """The line of one of the table's keys, else of the table."""
        found = self.finder.line((*self.parts, key)) if self.finder else None
        return found or self.line


@dataclass(slots=True)
class AgencyIn:
    code: str
    name: str
    aliases: list[str] | None  # None: the file does not say, keep what the database has
    where: Where
    # A reorganisation: dissolved on that day, its tasks still to do passing to the
    # successor (a merger), or to the one ``assign`` names for each (a split); or renamed
    # from its name in the register on ``renamed_on``. ``basis``: the legal basis.
    successors: list[str] | None = None
    dissolved_on: date | None = None
    renamed_on: date | None = None
    basis: str | None = None
    assign: dict[str, str] | None = None
    former_name: str | None = None  # renamed in these files: its name before

    def reorganised(self) -> bool:
        return self.dissolved_on is not None or self.renamed_on is not None


@dataclass(slots=True)
class TaskIn:
    key: str
    title: str
    lead: str
    support: list[str] | None
    due: date | None
    has_due: bool
    original_due: date | None
    status: str | None
    completed_on: date | None
    note: str | None
    where: Where
    priority: bool | None = None  # None: the file does not say
    field: str | None = None
    repeat: Any = None  # a clusterctl.recurrence.Rule: a recurring task
    starts: date | None = None
    until: date | None = None


@dataclass
class DirectiveIn:
    number: str
    issued: date
    issuer: str
    title: str
    where: Where
    tasks: list[TaskIn] = field(default_factory=list)

    @cached_property
    def key(self) -> str:
        """The number as matched: case and diacritics ignored."""
        return fold(self.number)


@dataclass
class Parsed:
    agencies: list[AgencyIn] = field(default_factory=list)
    directives: list[DirectiveIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    holidays: list[tuple[date, str, str]] = field(default_factory=list)  # [[holiday]]


class FileReader:
    """Checks one file's tables, collecting every problem with its line."""

    def __init__(self, name: str, text: str | bytes, parsed: Parsed, today: date,
                 calendar: Callable | None = None) -> None:
        self.name = name
        self.lines = LineFinder(text)
        self.parsed = parsed
        self.today = today
        self.calendar = calendar  # for due dates in working days

    def problem(self, where: Where, key: str | None, message: str) -> None:
        label = ".".join(part for part in (where.label, key) if part)
        line = where.line_of(key) if key else where.line
        self.parsed.problems.append(Problem(self.name, line, label, message))

    def where(self, parts: tuple) -> Where:
        return Where(self.name, parts, self.lines)

    def check_keys(self, table: Any, allowed: set[str], required: set[str], where: Where) -> bool:
        if isinstance(table, dict) and table.keys() <= allowed and required <= table.keys():
            return True
        if not isinstance(table, dict):
            self.problem(where, None, _("must be a table, not {kind}").format(
                kind=_kind(table)))
            return False
        for key in table.keys() - allowed:
            hint = _close_key(key, allowed)
            self.problem(where, key, _("unknown key{hint}; allowed: {allowed}").format(
                hint=hint, allowed=", ".join(sorted(allowed))))
        for key in sorted(required - table.keys()):
            self.problem(where, None, _("missing required key {key!r}").format(key=key))
        return True

    def read_text(self, table: dict, key: str, where: Where, check: Callable, *,
             optional: bool = False) -> Any:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and key in ("key", "code"):
            value = str(value)
        if not isinstance(value, str):
            self.problem(where, key, _("must be a string, not {kind}").format(kind=_kind(value)))
            return None
        if optional and not value.strip():
            return ""
        try:
            return check(value)
        except ClusterError as exc:
            self.problem(where, key, str(exc))
            return None

    def read_date(self, table: dict, key: str, where: Where,
                  base: date | None = None) -> date | None:
        from clusterctl.dates import coerce_date

        try:
            return coerce_date(table[key], self.today, calendar=self.calendar, base=base)
        except ClusterError as exc:
            self.problem(where, key, str(exc))
            return None

    def read_strings(
        self, table: dict, key: str, where: Where, check: Callable
    ) -> list[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.problem(where, key, _("must be a list of strings, such as [\"SKHDT\", \"SXD\"]"))
            return None
        if len(value) > 100:
            self.problem(where, key, _("has {n} items; the limit is 100").format(n=len(value)))
            return None
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(where, key, _("item {i} must be a string, not {kind}").format(
                    i=index + 1, kind=_kind(item)))
                continue
            try:
                result.append(check(item))
            except ClusterError as exc:
                self.problem(where, key, str(exc))
        return result

    # -- tables -------------------------------------------------------------------------
    def read(self, data: dict) -> None:
        self.read_parts([data])

    def read_parts(self, parts: Iterable[dict]) -> None:
        """Read the file's tables, given whole or (a large file) a piece at a time: each
        piece's [[agencies]] and [[directives]] numbered on from the last piece's."""
        top = Where(self.name, (), self.lines)
        counted = {"agencies": 0, "directives": 0}
        empty = True
        for data in parts:
            empty = empty and not data
            for key in data.keys() - {"agencies", "directives", "holiday"}:
                self.problem(top, key, _("unknown key{hint}; a file holds [[agencies]], "
                                         "[[directives]] and [[holiday]]").format(
                    hint=_close_key(key, {"agencies", "directives", "holiday"})))
            for name, reader in (("agencies", self.agency), ("directives", self.directive)):
                tables = data.get(name, [])
                if not isinstance(tables, list):
                    self.problem(top, name, _("must be written as [[{name}]] tables").format(
                        name=name))
                    continue
                for index, table in enumerate(tables, counted[name]):
                    reader(table, self.where((name, index)))
                counted[name] += len(tables)
        if empty:
            self.problem(top, None, _("holds no [[agencies]] or [[directives]]; is it the "
                                      "right file?"))

    def agency(self, table: Any, where: Where) -> None:
        if not self.check_keys(table, AGENCY_KEYS, {"code", "name"}, where):
            return
        code = self.read_text(table, "code", where, check_code)
        name = self.read_text(table, "name", where, lambda v: check_text(v, _("agency name")))
        aliases = self.read_strings(table, "aliases", where, lambda v: check_text(v, _("alias")))
        if code and name:
            self.parsed.agencies.append(AgencyIn(code, name, aliases, where,
                                                 **self.reorganisation(table, where)))

    def reorganisation(self, table: dict, where: Where) -> dict:
        """An agency's ``successor``, ``dissolved_on``, ``renamed_on``, ``basis`` and
        ``assign``, checked together."""
        found: dict = {}
        successor = table.get("successor")
        if isinstance(successor, str):
            successor = [successor]
        if successor is not None:
            table = {**table, "successor": successor}
            found["successors"] = self.read_strings(table, "successor", where, check_code)
        for key in ("dissolved_on", "renamed_on"):
            if key in table:
                found[key] = self.read_date(table, key, where)
                if found[key] is not None and found[key] > self.today:
                    from clusterctl.words import day

                    self.problem(where, key, _(
                        "{on} is in the future; a reorganisation is recorded on or after the "
                        "day it takes effect").format(on=day(found[key])))
        found["basis"] = self.read_text(table, "basis", where,
                                        lambda v: check_note(v, _("legal basis")))
        if "successor" in table and "dissolved_on" not in table:
            self.problem(where, "successor", _("needs dissolved_on, the day the successor "
                                               "took over"))
        if "dissolved_on" in table and not found["basis"]:
            self.problem(where, "dissolved_on", _("needs basis, the legal basis of the "
                                                  "dissolution"))
        if "dissolved_on" in table and "renamed_on" in table:
            self.problem(where, "renamed_on", _("an agency dissolved is not also renamed; "
                                                "give its last name"))
        assign = table.get("assign")
        if assign is not None:
            if not (isinstance(assign, dict) and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in assign.items())):
                self.problem(where, "assign", _("must be a table of task (id or NUMBER#KEY) "
                                                "= successor code"))
            elif len(found.get("successors") or []) < 2:
                self.problem(where, "assign", _("places tasks among the successors of a "
                                                "split: give two successors or more"))
            else:
                found["assign"] = assign
        return found

    def directive(self, table: Any, where: Where) -> None:
        if isinstance(table, dict) and isinstance(table.get("number"), str):
            where.named = table["number"].strip()
        if not self.check_keys(table, DIRECTIVE_KEYS, {"number", "issued", "title"}, where):
            return
        number = self.read_text(table, "number", where, check_number)
        issued = self.read_date(table, "issued", where) if "issued" in table else None
        title = self.read_text(table, "title", where,
                               lambda v: check_text(v, _("directive title"), limit=TITLE_LIMIT))
        issuer = self.read_text(table, "issuer", where, lambda v: check_text(v, _("issuer")),
                                optional=True) or ""
        directive = DirectiveIn(number or "", issued, issuer, title or "", where)
        tasks = table.get("tasks", [])
        if not isinstance(tasks, list):
            self.problem(where, "tasks", _("must be written as [[directives.tasks]] tables"))
            tasks = []
        for index, task in enumerate(tasks):
            self.task(task, self.where((*where.parts, "tasks", index)), directive)
        if number:  # with the problems of its header, so that its tasks are checked too
            self.parsed.directives.append(directive)

    def task(self, table: Any, where: Where, directive: DirectiveIn) -> None:
        quick = self.quick_task(table, where, directive.issued)
        if quick is not None:
            directive.tasks.append(quick)
            return
        if isinstance(table, dict) and isinstance(table.get("key"), str | int):
            where.named = str(table["key"]).strip()
        if not self.check_keys(table, TASK_KEYS, {"key", "title", "lead"}, where):
            return
        key = self.read_text(table, "key", where, check_key)
        title = self.read_text(table, "title", where, check_title)
        lead = self.read_text(table, "lead", where, lambda v: check_text(v, _("lead agency")))
        support = self.read_strings(table, "support", where,
                                    lambda v: check_text(v, _("supporting agency")))
        due = self.due(table, "due", where, directive.issued)
        original_due = self.due(table, "original_due", where, directive.issued)
        status = table.get("status")
        if status is not None and status not in STATUSES:
            self.problem(where, "status", _("must be one of {allowed}, not {value!r}").format(
                allowed=", ".join(STATUSES), value=status))
            status = None
        completed_on = (self.read_date(table, "completed_on", where)
                        if "completed_on" in table else None)
        if status == "done" and "completed_on" not in table:
            self.problem(where, None, _("status is done, so completed_on is required"))
        if "completed_on" in table and status != "done":
            self.problem(where, "completed_on",
                         _("is only allowed with status = \"done\""))
        for name, value in (("due", due), ("original_due", original_due)):
            if problem := due_problem(value, directive.issued):
                self.problem(where, name, problem)
        if problem := completion_problem(completed_on, directive.issued, self.today):
            self.problem(where, "completed_on", problem)
        note = self.read_text(table, "note", where, check_note)
        extra = self.workflow(table, where, directive)
        if key and title and lead:
            directive.tasks.append(TaskIn(
                key, title, lead, support, due, "due" in table, original_due, status,
                completed_on, note, where, **extra))

    def workflow(self, table: dict, where: Where, directive: DirectiveIn) -> dict:
        """A task's ``priority``, ``field`` and recurrence (``repeat``, ``from``, ``until``)."""
        from clusterctl.core.fields import check_field

        found: dict = {}
        if "priority" in table:
            if isinstance(table["priority"], bool):
                found["priority"] = table["priority"]
            else:
                self.problem(where, "priority", _("must be true or false, not {kind}").format(
                    kind=_kind(table["priority"])))
        if "field" in table:
            found["field"] = self.read_text(table, "field", where, check_field)
        if "repeat" in table:
            from clusterctl.recurrence import parse_rule

            found["repeat"] = self.read_text(table, "repeat", where, parse_rule)
            for name in ("due", "original_due", "status", "completed_on"):
                if name in table:
                    self.problem(where, name, _("a recurring task's occurrences fall due by "
                                                "its rule: leave out {key}").format(key=name))
            if "/" in str(table.get("key", "")):
                self.problem(where, "key", _("a recurring task's key must not contain '/': "
                                             "its occurrences are keyed KEY/PERIOD"))
        for name, attribute in (("from", "starts"), ("until", "until")):
            if name in table:
                if "repeat" not in table:
                    self.problem(where, name, _("is for a recurring task: give repeat too"))
                found[attribute] = self.read_date(table, name, where)
        if (found.get("starts") and directive.issued and found["starts"] < directive.issued):
            self.problem(where, "from", _("is before the directive's issue date"))
        if found.get("starts") and found.get("until") and found["until"] < found["starts"]:
            self.problem(where, "until", _("is before from"))
        if found.get("until") and directive.issued and (
                problem := due_problem(found["until"], directive.issued)):
            self.problem(where, "until", problem)
        return found

    def quick_task(self, table: Any, where: Where, issued: date | None) -> TaskIn | None:
        """A task table as it usually is, accepted in a few C calls; anything else (None)
        takes the full path above, which reports each problem. It accepts only tables that
        the full path accepts, with the same result (a test compares the two)."""
        if (type(table) is not dict or not table.keys() <= TASK_KEYS
                or not _WORKFLOW_KEYS.isdisjoint(table)):
            return None
        key, title, lead = table.get("key"), table.get("title"), table.get("lead")
        if not (is_plain_text(key, KEY_LIMIT) and is_plain_text(title, TITLE_LIMIT)
                and is_plain_text(lead, NAME_LIMIT)) or not key.isascii() or BAD_KEY.search(key):
            return None
        support = table.get("support")
        if support is not None and not (type(support) is list and len(support) <= 100 and all(
                is_plain_text(s, NAME_LIMIT) for s in support)):
            return None
        due, original_due = table.get("due"), table.get("original_due")
        if not ((due is None or type(due) is date)
                and (original_due is None or type(original_due) is date)):
            return None
        if issued is None or (due and not issued <= due <= latest_due(issued)) or (
                original_due and not issued <= original_due <= latest_due(issued)):
            return None
        status, completed_on = table.get("status"), table.get("completed_on")
        if status == "done":
            if type(completed_on) is not date or completion_problem(completed_on, issued,
                                                                    self.today):
                return None
        elif "completed_on" in table or (status is not None and status not in STATUSES):
            return None
        note = table.get("note")
        if note is not None and not is_plain_text(note, NOTE_LIMIT):
            return None
        where.named = key
        return TaskIn(key, title, lead, None if support is None else list(support), due,
                      "due" in table, original_due, status, completed_on, note, where)

    def due(self, table: dict, key: str, where: Where, base: date | None) -> date | None:
        """A due date; "trong 03 ngày làm việc" counts from the directive's date."""
        from clusterctl.dates import ONGOING_WORDS

        value = table.get(key)
        if isinstance(value, str) and fold(value).strip() in ONGOING_WORDS:
            return None
        return self.read_date(table, key, where, base) if key in table else None


def _kind(value: Any) -> str:
    names = {str: _("a string"), int: _("an integer"), float: _("a number"),
             bool: _("true/false"), list: _("a list"), dict: _("a table"), date: _("a date")}
    return names.get(type(value), type(value).__name__)


def _close_key(key: str, allowed: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(allowed), n=1)
    return _(" (did you mean {key!r}?)").format(key=close[0]) if close else ""


def read_files(raw: list[tuple[str, bytes | OSError]], today: date,
               office_days: Callable[[], list] | None = None) -> Parsed:
    """Check every file (given as read by :func:`read_raw`); the result holds every problem.
    Working days count with the register's own holidays (``office_days()``, read only if a
    due date is written in working days) and the files' [[holiday]] tables."""
    parsed = Parsed()
    read = []
    for name, content in raw:
        parsed.files.append(name)
        cuts = piece_cuts(content)  # a large file: parsed a piece at a time, below
        if cuts is not None:
            read.append((name, None, content, cuts))
            continue
        try:
            text = decode(name, content)
            data = parse_text(name, text)
        except TomlFileError as exc:
            parsed.problems.append(exc.problem)
            continue
        if data is not None and "holiday" in data:
            from clusterctl.dates import coerce_date
            from clusterctl.workdays import office_entries

            try:
                parsed.holidays += office_entries(data, coerce_date)
            except ClusterError as exc:
                where = Where(name, ("holiday",), LineFinder(text))
                parsed.problems.append(Problem(name, where.line_of("holiday"), "holiday",
                                               str(exc)))
        read.append((name, data, text, cuts))
    calendars: list = []

    def calendar():
        if not calendars:
            from clusterctl.workdays import Calendar

            calendars.append(Calendar([*(office_days() if office_days else []),
                                       *parsed.holidays]))
        return calendars[0]

    for name, data, source, cuts in read:  # source: its text, or a large file's bytes
        reader = FileReader(name, source, parsed, today, calendar)
        if data is None:
            held = (len(parsed.agencies), len(parsed.directives), len(parsed.problems))
            try:
                reader.read_parts(parse_pieces(source, cuts))
                continue
            except PieceFailed:  # read it whole: what it added so far goes
                del parsed.agencies[held[0]:], parsed.directives[held[1]:]
                del parsed.problems[held[2]:]
                try:
                    text = decode(name, source)
                    data = parse_text(name, text)
                except TomlFileError as exc:
                    parsed.problems.append(exc.problem)
                    continue
                reader = FileReader(name, text, parsed, today, calendar)
        reader.read(data)
    _check_duplicates(parsed)
    return parsed


def _reorganised(first: AgencyIn, later: AgencyIn) -> AgencyIn:
    """An agency as one file defines it, with the reorganisation another file gives it."""
    return AgencyIn(
        first.code, later.name, later.aliases if later.aliases is not None else first.aliases,
        later.where, successors=later.successors, dissolved_on=later.dissolved_on,
        renamed_on=later.renamed_on, basis=later.basis, assign=later.assign,
        former_name=first.name if later.renamed_on and later.name != first.name else None)


def _check_duplicates(parsed: Parsed) -> None:
    """Within and across files: one definition per agency, per directive, per task key."""
    def at(where: Where) -> str:
        return f"{where.file}:{where.line}" if where.line else where.file

    agencies: dict[str, AgencyIn] = {}
    for agency in parsed.agencies:
        first = agencies.setdefault(fold(agency.code), agency)
        if first is agency:
            continue
        if agency.reorganised() and not first.reorganised():
            # A later file reorganises an agency an earlier one defines: one agency, defined
            # there, reorganised here.
            agencies[fold(agency.code)] = _reorganised(first, agency)
            continue
        if (first.name, first.aliases) != (agency.name, agency.aliases) and not (
                first.name == agency.name and None in (first.aliases, agency.aliases)
                and not agency.reorganised()):
            parsed.problems.append(Problem(
                agency.where.file, agency.where.line, agency.where.label,
                _("agency {code} is also defined, differently, at {first}").format(
                    code=agency.code, first=at(first.where))))
    directives: dict[str, DirectiveIn] = {}
    merged = []
    for directive in parsed.directives:
        first = directives.get(directive.key)
        if first is None:
            directives[directive.key] = directive
            merged.append(directive)
            continue
        header = (directive.issued, directive.issuer, directive.title)
        if header != (first.issued, first.issuer, first.title):
            parsed.problems.append(Problem(
                directive.where.file, directive.where.line, directive.where.label,
                _("its issued, issuer and title must agree with {first}").format(
                    first=at(first.where))))
        first.tasks.extend(directive.tasks)
    for directive in merged:
        keys: dict[str, TaskIn] = {}
        for task in directive.tasks:
            other = keys.setdefault(task.key, task)
            if other is not task:
                parsed.problems.append(Problem(
                    task.where.file, task.where.line, task.where.label,
                    _("task key {key!r} is used twice in directive {number} (first at "
                      "{first})").format(key=task.key, number=directive.number,
                                          first=at(other.where))))
    parsed.directives = merged
    parsed.agencies = list(agencies.values())
