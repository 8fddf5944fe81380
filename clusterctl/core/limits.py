"""The office's settings and the limits they set, as every change to a task may ask: the
most extensions a task may have."""

from clusterctl.core.taskwriter import EXTENSIONS
from clusterctl.errors import InputError
from clusterctl.i18n import _
from clusterctl.store.db import Database

SETTINGS = {"max-extensions": _("the most extensions a task may have (unset: no limit)")}


def get_setting(db: Database, name: str) -> str | None:
    return db.scalar("SELECT value FROM setting WHERE name = :n", {"n": name})


def extensions_of(db: Database, task_id: int) -> int:
    """How many times the task was extended (directly, or by an approved request), less
    those undone."""
    rows = db.rows("SELECT id, action, undoes FROM task_history WHERE task_id = :id",
                   {"id": task_id})
    undone = {undoes for _id, _action, undoes in rows if undoes is not None}
    return sum(1 for entry_id, action, _u in rows
               if action in EXTENSIONS and entry_id not in undone)


def check_extension_limit(db: Database, task_id: int) -> None:
    """Refuse one more extension beyond the office's limit (``max-extensions``)."""
    limit = get_setting(db, "max-extensions")
    if limit is None:
        return
    count = extensions_of(db, task_id)
    if count >= int(limit):
        raise InputError(_(
            "task {id} has been extended {n} time(s) and the office allows at most {limit} "
            "(setting max-extensions); see 'clusterctl settings show'").format(
            id=task_id, n=count, limit=limit))
