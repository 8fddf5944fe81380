"""The office's workflow around a task: an agency reports it done and the office confirms or
returns it; an agency asks for more time and the office approves or rejects the request; the
office's own settings (the most extensions a task may have).

A reported task awaits confirmation (status ``reported``, its own category): neither done nor
overdue. Confirming and returning both judge the report, so both take effect on the day it
was reported: a confirmed task is done from that day, judged on time or late against it; a
returned one is as if never reported, and the history keeps both.
"""

from datetime import date

from clusterctl.core.checks import check_completion, check_due, check_note
from clusterctl.core.limits import SETTINGS, check_extension_limit, get_setting
from clusterctl.core.tasks import (
    ACTIVE,
    _carry_on,
    _check_on,
    _current,
    _status_refusal,
    _withdraw_moves,
)
from clusterctl.core.taskwriter import Entry, TaskWriter
from clusterctl.errors import InputError
from clusterctl.i18n import _
from clusterctl.store.db import Database, iso_date, utc_now
from clusterctl.words import day

EVIDENCE_LIMIT = 1000


def report_done(db: Database, task_id: int, *, on: date | None, evidence: str, actor: str,
                today: date, note: str | None = None,
                expect_version: int | None = None) -> dict:
    """The agency's side: the task was done on ``on`` (default today), as ``evidence`` (its
    output document) shows; it awaits the office's confirmation."""
    from clusterctl.core.checks import check_text

    evidence = check_text(evidence, _("evidence"), limit=EVIDENCE_LIMIT)
    note = None if note is None else check_note(note)
    if on is not None:
        _check_on(on, today)
    for attempt in db.transactions():
        with attempt:
            current = _current(db, task_id, expect_version)
            completed = check_completion(on or today, current.issued, today)
            if current.status not in ACTIVE:
                raise InputError(_status_refusal(current, "report-done"))
            changes = {"status": [current.status, "reported"],
                       "completed_on": [None, completed.isoformat()],
                       "evidence": [current.evidence, evidence]}
            columns = {"status": "reported", "completed_on": completed, "evidence": evidence}
            TaskWriter(db, actor=actor, today=today).change(
                [current.change(Entry("report-done", changes, note, completed), columns)])
    return changes


def _reported(db: Database, task_id: int, expect_version: int | None):
    current = _current(db, task_id, expect_version)
    if current.status != "reported":
        raise InputError(_("task {id} awaits no confirmation: it was not reported done (see "
                           "'clusterctl task report-done')").format(id=task_id))
    return current


def confirm(db: Database, task_id: int, *, actor: str, today: date, note: str | None = None,
            expect_version: int | None = None) -> dict:
    """The office confirms a reported completion: done as of the reported day."""
    note = None if note is None else check_note(note)
    for attempt in db.transactions():
        with attempt:
            current = _reported(db, task_id, expect_version)
            changes: dict = {"status": ["reported", "done"]}
            columns: dict = {"status": "done"}
            if current.requested_due is not None:  # an extension asked for lapses with it
                columns["requested_due"] = None
                changes["requested_due"] = [iso_date(current.requested_due), None]
            writer = TaskWriter(db, actor=actor, today=today)
            # Done before a reorganisation: it keeps the agency that did it.
            current = _withdraw_moves(db, writer, current, current.completed_on)
            writer.change([current.change(
                Entry("confirm", changes, note, current.completed_on), columns)])
    return changes | {"completed_on": [iso_date(current.completed_on)] * 2}


def return_task(db: Database, task_id: int, *, reason: str, actor: str, today: date,
                expect_version: int | None = None) -> dict:
    """The office returns a reported completion: the task is still to do, as if it had never
    been reported (the history keeps the report and the return)."""
    reason = check_note(reason, _("reason"))
    for attempt in db.transactions():
        with attempt:
            current = _reported(db, task_id, expect_version)
            before = _status_before_report(db, task_id)
            changes = {"status": ["reported", before],
                       "completed_on": [iso_date(current.completed_on), None],
                       "evidence": [current.evidence, None]}
            columns = {"status": before, "completed_on": None, "evidence": None}
            TaskWriter(db, actor=actor, today=today).change([current.change(
                Entry("return", changes, reason, current.completed_on), columns)])
            _carry_on(db, task_id, actor, today)
    return changes


def _status_before_report(db: Database, task_id: int) -> str:
    """The status the task had when it was reported done (open or in progress)."""
    import json

    for (changes,) in db.rows("SELECT changes FROM task_history WHERE task_id = :id AND "
                              "action = 'report-done' ORDER BY id DESC", {"id": task_id}):
        old = json.loads(changes).get("status", [None])[0]
        if old in ACTIVE:
            return old
    return "in_progress"


# -- extensions --------------------------------------------------------------------------


def _check_extension(current, to: date) -> None:
    if current.due is None:
        raise InputError(
            _("task {id} has no due date (ongoing), so it cannot be extended; give it one "
              "with 'clusterctl task edit {id} --due DATE'").format(id=current.id))
    if to <= current.due:
        raise InputError(_(
            "an extension moves the due date later, and {to} is not after {due}").format(
            to=day(to), due=day(current.due)))
    check_due(to, current.issued)


def request_extension(db: Database, task_id: int, *, to: date, reason: str, actor: str,
                      today: date, expect_version: int | None = None) -> dict:
    """The agency asks for the due date to move to ``to``; the office decides."""
    reason = check_note(reason, _("reason"))
    for attempt in db.transactions():
        with attempt:
            current = _current(db, task_id, expect_version)
            if current.status not in ACTIVE:
                raise InputError(_status_refusal(current, "request-extension"))
            if current.requested_due is not None:
                raise InputError(_(
                    "task {id} already has an extension asked for (to {to}); approve or "
                    "reject it first").format(id=task_id, to=day(current.requested_due)))
            _check_extension(current, to)
            changes = {"requested_due": [None, to.isoformat()]}
            TaskWriter(db, actor=actor, today=today).change([current.change(
                Entry("request-extension", changes, reason, today), {"requested_due": to})])
    return changes


def _requested(db: Database, task_id: int, expect_version: int | None):
    current = _current(db, task_id, expect_version)
    if current.requested_due is None:
        raise InputError(_("task {id} has no extension asked for; see 'clusterctl task list "
                           "--pending-extension'").format(id=task_id))
    return current


def approve_extension(db: Database, task_id: int, *, to: date | None, actor: str, today: date,
                      note: str | None = None, expect_version: int | None = None) -> dict:
    """The office approves the request: the due date moves to the date asked for, or to
    ``to``. It counts as an extension."""
    note = None if note is None else check_note(note)
    for attempt in db.transactions():
        with attempt:
            current = _requested(db, task_id, expect_version)
            if current.status not in ACTIVE:
                raise InputError(_status_refusal(current, "approve-extension"))
            new_due = to or current.requested_due
            _check_extension(current, new_due)
            check_extension_limit(db, task_id)
            changes = {"due": [iso_date(current.due), new_due.isoformat()],
                       "requested_due": [iso_date(current.requested_due), None]}
            TaskWriter(db, actor=actor, today=today).change([current.change(
                Entry("approve-extension", changes, note, today),
                {"due": new_due, "requested_due": None})])
    return changes


def reject_extension(db: Database, task_id: int, *, reason: str, actor: str, today: date,
                     expect_version: int | None = None) -> dict:
    """The office rejects the request; the due date stays."""
    reason = check_note(reason, _("reason"))
    for attempt in db.transactions():
        with attempt:
            current = _requested(db, task_id, expect_version)
            changes = {"requested_due": [iso_date(current.requested_due), None]}
            TaskWriter(db, actor=actor, today=today).change([current.change(
                Entry("reject-extension", changes, reason, today), {"requested_due": None})])
    return changes


# -- settings -------------------------------------------------------------------------------


def all_settings(db: Database) -> list[dict]:
    """Every setting clusterctl knows, with its value (None: unset)."""
    found = {name: (value, str(at), by) for name, value, at, by in db.rows(
        "SELECT name, value, updated_at, updated_by FROM setting")}
    return [{"name": name, "value": found.get(name, (None,))[0], "meaning": meaning,
             "updated_at": found.get(name, (None, None))[1],
             "updated_by": found.get(name, (None, None, None))[2]}
            for name, meaning in SETTINGS.items()]


def set_setting(db: Database, name: str, value: str | None, *, actor: str,
                today: date) -> str | None:
    """Set (or, with None, unset) an office setting; returns the old value. Recorded in the
    register's history of records."""
    from clusterctl.core.records import record_change

    if name not in SETTINGS:
        raise InputError(_("no setting {name!r}; the settings are: {names}").format(
            name=name, names=", ".join(SETTINGS)))
    if value is not None:
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 1000:
            raise InputError(_("{name} is a whole number from 0 to 1000, not {value!r}").format(
                name=name, value=value))
        value = str(int(text))
    for attempt in db.transactions():
        with attempt:
            old = get_setting(db, name)
            if old == value:
                return old
            db.execute("DELETE FROM setting WHERE name = :n", {"n": name})
            now = utc_now()
            if value is not None:
                db.execute("INSERT INTO setting (name, value, updated_at, updated_by) VALUES "
                           "(:n, :v, :at, :by)", {"n": name, "v": value, "at": now, "by": actor})
            record_change(db, kind="setting", record_id=0, actor=actor, action="edit",
                          changes={name: [old, value]}, effective=today, now=now)
    return old
