"""Directives: the documents that assign tasks (công văn, chỉ thị, kết luận...)."""

from datetime import date

from clusterctl.core.checks import check_number, check_text
from clusterctl.core.records import record_change
from clusterctl.errors import InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, chunks, utc_now
from clusterctl.text import fold
from clusterctl.words import day


class Directive:
    """A directive as the register holds it. (A plain class: see
    :class:`clusterctl.core.agencies.Agency`.)"""

    __slots__ = ("id", "issued", "issuer", "number", "title")

    def __init__(self, id: int, number: str, issued: date, issuer: str,
                 title: str) -> None:
        self.id = id
        self.number = number
        self.issued = issued
        self.issuer = issuer
        self.title = title

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Directive) and (
            self.id, self.number, self.issued, self.issuer, self.title) == (
            other.id, other.number, other.issued, other.issuer, other.title)

    __hash__ = None  # mutable, as a dataclass is

    def __repr__(self) -> str:
        return f"Directive({self.id!r}, {self.number!r})"

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "issued": self.issued.isoformat(),
            "issuer": self.issuer,
            "title": self.title,
        }


_COLUMNS = "id, number, issued, issuer, title"


def _directive(row: tuple) -> Directive:
    directive_id, number, issued, issuer, title = row
    return Directive(directive_id, number, as_date(issued), issuer, title)


def find_directive(db: Database, number: str) -> Directive:
    """The directive with this number (case and diacritics ignored: QĐ = qd)."""
    found = db.row(
        f"SELECT {_COLUMNS} FROM directive WHERE number_key = :key", {"key": fold(number)}
    )
    if found is None:
        raise NotFoundError(
            _("no directive numbered {number!r}; see 'clusterctl directive list'").format(
                number=number)
        )
    return _directive(found)


def add_directive(
    db: Database, *, number: str, issued: date, title: str, issuer: str = ""
) -> Directive:
    number = check_number(number)
    title = check_text(title, _("directive title"), limit=4000)
    issuer = check_text(issuer, _("issuer")) if issuer.strip() else ""
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            existing = db.scalar(
                "SELECT number FROM directive WHERE number_key = :key", {"key": fold(number)}
            )
            if existing is not None:
                raise InputError(
                    _("directive {number!r} already exists").format(number=existing)
                )
            directive_id = insert_directives(db, [Directive(0, number, issued, issuer, title)],
                                             utc_now())[fold(number)]
    return Directive(directive_id, number, issued, issuer, title)


def insert_directives(db: Database, directives: list[Directive], now: str) -> dict[str, int]:
    """Write checked new directives; return their ids by number key."""
    db.executemany(
        "INSERT INTO directive (number, number_key, issued, issuer, title, created_at, "
        "updated_at) VALUES (:number, :key, :issued, :issuer, :title, :now, :now)",
        [{"number": d.number, "key": fold(d.number), "issued": d.issued, "issuer": d.issuer,
          "title": d.title, "now": now} for d in directives])
    ids = {}
    for marks, params in chunks([fold(d.number) for d in directives]):
        ids.update(db.rows(f"SELECT number_key, id FROM directive WHERE number_key IN ({marks})",
                           params))
    return ids


def update_directives(db: Database, changed: list[Directive], now: str) -> None:
    """Write new issue dates, issuers and titles of existing directives (by id)."""
    db.executemany(
        "UPDATE directive SET issued = :issued, issuer = :issuer, title = :title, "
        "updated_at = :now WHERE id = :id",
        [{"issued": d.issued, "issuer": d.issuer, "title": d.title, "now": now, "id": d.id}
         for d in changed])


def list_directives(db: Database) -> list[tuple[Directive, dict[str, int]]]:
    """Every directive, newest first, with how many tasks it has and how many are open."""
    counts = {
        directive_id: {"tasks": total, "open": still_open}
        for directive_id, total, still_open in db.rows(
            "SELECT directive_id, COUNT(*), SUM(CASE WHEN status IN ('open', 'in_progress', "
            "'reported') THEN 1 ELSE 0 END) FROM task WHERE deleted_on IS NULL "
            "GROUP BY directive_id"
        )
    }
    return [
        (directive, counts.get(directive.id, {"tasks": 0, "open": 0}))
        for directive in map(
            _directive,
            db.rows(f"SELECT {_COLUMNS} FROM directive ORDER BY issued DESC, number_key"),
        )
    ]


def edit_directive(
    db: Database, number: str, *, actor: str, today: date, new_number: str | None = None,
    title: str | None = None, issued: date | None = None, issuer: str | None = None,
) -> tuple[Directive, dict]:
    """Correct a directive's number, title, issue date or issuer; returns it as corrected
    and what changed (``{field: [old, new]}``), recorded in its history.

    A corrected issue date moves the tasks assigned by it (each records the move in its
    history), and the reports of the past with them; it may not fall after a date of one of
    its tasks (a due or completion date, a change's effect date).
    """
    new_number = check_number(new_number) if new_number is not None else None
    title = check_text(title, _("directive title"), limit=4000) if title is not None else None
    if issuer is not None:
        issuer = check_text(issuer, _("issuer")) if issuer.strip() else ""
    for attempt in db.transactions():  # again if the server asks
        with attempt:
            found = find_directive(db, number)
            changes: dict = {}
            if new_number is not None and new_number != found.number:
                if fold(new_number) != fold(found.number):
                    taken = db.scalar("SELECT number FROM directive WHERE number_key = :key",
                                      {"key": fold(new_number)})
                    if taken is not None:
                        raise InputError(_("directive {number!r} already exists").format(
                            number=taken))
                changes["number"] = [found.number, new_number]
            if issued is not None and issued != found.issued:
                _check_issue_date(db, found, issued)
                changes["issued"] = [found.issued.isoformat(), issued.isoformat()]
            if issuer is not None and issuer != found.issuer:
                changes["issuer"] = [found.issuer, issuer]
            if title is not None and title != found.title:
                changes["title"] = [found.title, title]
            if not changes:
                raise InputError(_("nothing to change: directive {number} is already so").format(
                    number=found.number))
            edited = Directive(found.id, new_number or found.number, issued or found.issued,
                               found.issuer if issuer is None else issuer, title or found.title)
            now = utc_now()
            db.execute(
                "UPDATE directive SET number = :number, number_key = :key, issued = :issued, "
                "issuer = :issuer, title = :title, updated_at = :now WHERE id = :id",
                {"number": edited.number, "key": fold(edited.number), "issued": edited.issued,
                 "issuer": edited.issuer, "title": edited.title, "now": now, "id": found.id})
            if "issued" in changes:
                from clusterctl.core.taskwriter import TaskWriter

                TaskWriter(db, actor=actor, today=today).move_assignments(
                    [(found.id, found.issued, edited.issued)])
            record_change(db, kind="directive", record_id=found.id, actor=actor,
                          action="edit", changes=changes, effective=today, now=now)
    return edited, changes


def _check_issue_date(db: Database, directive: Directive, issued: date) -> None:
    """Refuse an issue date after a date of one of the directive's tasks: its due date (or
    original due date), its completion date, or the effect date of a change to it (its
    creation and a moved assignment aside: they move with the issue date)."""
    import json

    if issued < directive.issued:
        return  # every date of its tasks is on or after the old issue date
    dates = [(key, as_date(value)) for key, *values in db.rows(
        "SELECT task_key, due, original_due, completed_on FROM task WHERE directive_id = :d "
        "AND (due < :issued OR original_due < :issued OR completed_on < :issued)",
        {"d": directive.id, "issued": issued}) for value in values if value is not None]
    for key, effective, changes in db.rows(
        "SELECT t.task_key, h.effective, h.changes FROM task_history h JOIN task t ON "
        "t.id = h.task_id WHERE t.directive_id = :d AND h.effective < :issued AND "
        "h.action <> 'created'", {"d": directive.id, "issued": issued},
    ):
        if "assigned_on" not in json.loads(changes):
            dates.append((key, as_date(effective)))
    early = [(on, key) for key, on in dates if on < issued]
    if early:
        on, key = min(early)
        raise InputError(_(
            "directive {number} cannot be issued on {issued}: that is after {date}, a date "
            "of its task {key!r}; correct that task first, or give an earlier issue "
            "date").format(number=directive.number, issued=day(issued), date=day(on), key=key))


def issue_date(db: Database, number: str | None = None, *, task_id: int | None = None
               ) -> date | None:
    """The issue date of a directive (by its number) or of a task's directive; None if
    there is none such (the command that follows says so)."""
    from clusterctl.errors import ClusterError

    if task_id is not None:
        return as_date(db.scalar("SELECT d.issued FROM task t JOIN directive d ON "
                                 "d.id = t.directive_id WHERE t.id = :id", {"id": task_id}))
    try:
        return find_directive(db, number).issued
    except ClusterError:
        return None
