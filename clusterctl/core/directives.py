"""Directives: the documents that assign tasks (công văn, chỉ thị, kết luận...)."""

from dataclasses import dataclass
from datetime import date

from clusterctl.core.checks import check_number, check_text
from clusterctl.errors import InputError, NotFoundError
from clusterctl.i18n import _
from clusterctl.store.db import Database, as_date, chunks, utc_now
from clusterctl.text import fold


@dataclass
class Directive:
    id: int
    number: str
    issued: date
    issuer: str
    title: str

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
            "SELECT directive_id, COUNT(*), SUM(CASE WHEN status IN ('open', 'in_progress') "
            "THEN 1 ELSE 0 END) FROM task WHERE deleted_on IS NULL GROUP BY directive_id"
        )
    }
    return [
        (directive, counts.get(directive.id, {"tasks": 0, "open": 0}))
        for directive in map(
            _directive,
            db.rows(f"SELECT {_COLUMNS} FROM directive ORDER BY issued DESC, number_key"),
        )
    ]
