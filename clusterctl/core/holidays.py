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
                     source: str | None) -> int:
    """Add or replace the office's own days (the caller holds the transaction); returns how
    many were new or changed."""
    have = {day: (kind, name) for day, kind, name in office_days(db)}
    changed = [(day, kind, name) for day, kind, name in days if have.get(day) != (kind, name)]
    now = utc_now()
    for day, kind, name in changed:
        db.execute("DELETE FROM office_holiday WHERE day = :d", {"d": day})
        db.execute("INSERT INTO office_holiday (day, working, name, source, created_at, actor) "
                   "VALUES (:d, :w, :n, :s, :at, :actor)",
                   {"d": day, "w": kind == "work", "n": name, "s": source, "at": now,
                    "actor": actor})
    return len(changed)
