"""The office's calendar: the shipped public holidays (:mod:`clusterctl.workdays`) and the
days the office added to them, kept in the register so that everyone counts working days
alike."""

from datetime import date

from clusterctl.store.db import Database, as_date, utc_now


def office_days(db: Database) -> list[tuple[date, str, str]]:
    """The office's own days, ``(date, 'off' | 'work', name)``, in date order."""
    return [(as_date(day), "work" if working else "off", name)
            for day, working, name in db.rows(
                "SELECT day, working, name FROM office_holiday ORDER BY day")]


def office_calendar(db: Database):
    """The calendar of working days that this register counts with."""
    from clusterctl.workdays import Calendar

    return Calendar(office_days(db))


def save_office_days(db: Database, days: list[tuple[date, str, str]], *, actor: str,
                     source: str | None) -> list[list]:
    """Add or replace the office's own days (the caller holds the transaction); returns
    those new or changed as ``[day, kind, name]`` of before (kind and name None: new), for
    an undo."""
    have = {day: (kind, name) for day, kind, name in office_days(db)}
    changed = [(day, kind, name) for day, kind, name in days if have.get(day) != (kind, name)]
    now = utc_now()
    for day, kind, name in changed:
        db.execute("DELETE FROM office_holiday WHERE day = :d", {"d": day})
        db.execute("INSERT INTO office_holiday (day, working, name, source, created_at, actor) "
                   "VALUES (:d, :w, :n, :s, :at, :actor)",
                   {"d": day, "w": kind == "work", "n": name, "s": source, "at": now,
                    "actor": actor})
    return [[day.isoformat(), *have.get(day, (None, None))] for day, _kind, _name in changed]


def restore_office_days(db: Database, before: list[list], *, actor: str) -> None:
    """Put the office's days back as :func:`save_office_days` found them."""
    now = utc_now()
    for day, kind, name in before:
        db.execute("DELETE FROM office_holiday WHERE day = :d", {"d": as_date(day)})
        if kind is not None:
            db.execute("INSERT INTO office_holiday (day, working, name, source, created_at, "
                       "actor) VALUES (:d, :w, :n, NULL, :at, :actor)",
                       {"d": as_date(day), "w": kind == "work", "n": name, "at": now,
                        "actor": actor})


def export_office_days(db: Database) -> list[dict]:
    """The office's own days as an import file's [[holiday]] tables."""
    rows = []
    for day, kind, name in office_days(db):
        row = {"date": day, "name": name}
        if kind == "work":
            row["working"] = True
        rows.append(row)
    return rows
