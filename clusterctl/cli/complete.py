"""Shell completion: the values an option or argument may take, for Typer's ``autocompletion``.

A completion is a whole process that the shell starts at each Tab, and it runs while the
command line is being parsed: the root callback has not run, so there is no session. Each
function here finds the database the way the root does (``--db`` already typed, else
``CLUSTERCTL_DB``, else the default file), opens it read-only with the standard library's
sqlite3, and never creates, migrates or locks anything. Whatever goes wrong (no database, a
damaged or locked one, a URL that is not a file) gives no candidates and prints nothing:
completion must never put an error into the shell.

Candidates match what was typed by prefix, without case or diacritics (``clusterctl.text.fold``),
as the commands match agency codes and directive numbers. Typer 0.25 keeps only candidates that
start with the typed text exactly, so a candidate matched only once folded keeps the typed
prefix (``skh`` gives ``skhdt``, which the commands take as ``SKHDT``). Task keys, which the
commands match exactly, and the fixed statuses and categories are given as they are.
"""

import os
from pathlib import Path

import typer

from clusterctl.i18n import _
from clusterctl.text import fold, safe

LIMIT = 200  # candidates at most: a shell shows them all, and more help nobody
HELP_WIDTH = 60  # characters of a title shown beside a candidate

# The fixed values, as in clusterctl.core.checks.STATUSES and
# clusterctl.core.timeliness.CATEGORIES (a test keeps them equal); not imported, so that a
# completion loads nothing it does not need.
STATUSES = {
    "open": _("not started"),
    "in_progress": _("started"),
    "done": _("completed"),
    "cancelled": _("cancelled"),
    "reported": _("reported done, awaiting confirmation"),
}
CATEGORIES = {
    "done_on_time": _("done by its due date"),
    "done_late": _("done after its due date"),
    "awaiting_confirmation": _("reported done, awaiting the office's confirmation"),
    "overdue": _("not done, past its due date"),
    "due_soon": _("not done, due within the coming days"),
    "on_track": _("not done, due later"),
    "ongoing": _("not done, no due date"),
    "cancelled": _("cancelled"),
}

Candidates = list[tuple[str, str]]


def agencies(ctx: typer.Context, incomplete: str) -> Candidates:
    """Agency codes starting with ``incomplete``, each with the agency's name."""
    key = fold(incomplete)
    rows = _query(ctx, "agencies", (len(key), key, LIMIT))
    return [(_typed(code, incomplete), _short(name)) for code, name in rows]


def directives(ctx: typer.Context, incomplete: str) -> Candidates:
    """Directive numbers starting with ``incomplete``, each with its title, shortened."""
    key = fold(incomplete)
    rows = _query(ctx, "directives", (len(key), key, LIMIT))
    return [(_typed(number, incomplete), _short(title)) for number, title in rows]


def tasks(ctx: typer.Context, incomplete: str) -> Candidates:
    """Task references, each with the task's title: ids starting with ``incomplete``, and
    ``NUMBER#KEY`` of the directives whose number starts with it; after a ``#``, the keys of
    that directive starting with what follows."""
    number, sep, key_prefix = incomplete.rpartition("#")
    if sep:
        key = fold(key_prefix)
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = _query(ctx, "keys", (fold(number), like))
        # Keys are given as stored (the commands match them exactly), after the number as
        # typed. SQL's LIKE folds ASCII only: keys with other characters are folded here.
        chosen = [row for row in rows if fold(row[0]).startswith(key)][:LIMIT]
        return [(f"{number}#{task_key}", _short(title)) for task_key, title in chosen]
    found: Candidates = []
    if incomplete == "" or (incomplete.isascii() and incomplete.isdigit()):
        found += [(str(task_id), _short(title)) for task_id, title in _query(
            ctx, "ids", (len(incomplete), incomplete, LIMIT))]
    if len(found) < LIMIT:
        key = fold(incomplete)
        rows = _query(ctx, "references", (len(key), key, LIMIT - len(found)))
        found += [(f"{_typed(number, incomplete)}#{task_key}", _short(title))
                  for number, task_key, title in rows]
    return found


def statuses(ctx: typer.Context, incomplete: str) -> Candidates:
    """The task statuses starting with ``incomplete``."""
    return _fixed(STATUSES, incomplete)


def categories(ctx: typer.Context, incomplete: str) -> Candidates:
    """The timeliness categories starting with ``incomplete``."""
    return _fixed(CATEGORIES, incomplete)


def _fixed(values: dict[str, str], incomplete: str) -> Candidates:
    key = fold(incomplete)
    return [(value, help) for value, help in values.items() if value.startswith(key)]


def _typed(value: str, incomplete: str) -> str:
    """``value``, or, if it starts with ``incomplete`` only once both are folded, the typed
    text followed by the rest of ``value`` (in lower case if that is how it was typed):
    Typer drops a candidate that does not start with the typed text, and the commands fold
    codes and numbers anyway."""
    if value.startswith(incomplete):
        return value
    key = fold(incomplete)
    for end in range(len(value) + 1):
        if fold(value[:end]) == key:
            rest = value[end:]
            return incomplete + (rest.lower() if incomplete.islower() else rest)
    return value


def _short(text: str) -> str:
    text = " ".join(safe(text).split())
    return text if len(text) <= HELP_WIDTH else text[:HELP_WIDTH - 1].rstrip() + "…"


# -- the database: where it is (the statements are in clusterctl.store.readonly) -------------


def database_location(ctx: typer.Context | None) -> str:
    """The database the command being typed would use: ``--db`` if it is already on the
    command line, else ``CLUSTERCTL_DB``, else the default file (as the root finds it)."""
    typed = None
    context = ctx
    while context is not None and not typed:  # the root's parameters hold --db
        typed = (context.params or {}).get("db_location")
        context = context.parent
    if typed:
        return str(typed)
    return os.environ.get("CLUSTERCTL_DB") or str(
        Path(typer.get_app_dir("clusterctl")) / "clusterctl.db")


def _query(ctx: typer.Context | None, name: str, params: tuple) -> list[tuple]:
    from clusterctl.store.readonly import rows

    return rows(database_location(ctx), name, params)
