"""The columns of every table of tasks (task list, directive show, overdue): what identifies
a task and its deadline. Apart from the commands, so that a report loads none of theirs."""

from clusterctl.i18n import _
from clusterctl.render import Column
from clusterctl.words import day, status_name, timeliness


def _due(task: dict) -> str:
    return day(task["due"])


def _status(task: dict) -> str:
    return status_name(task["status"])


def _ref(task: dict) -> str:
    return f"{task['directive']}#{task['key']}"


# At narrow widths the columns with a fold rank move under the title, lowest rank first.
TASK_BASE_COLUMNS = [
    Column("id", _("ID"), right=True),
    Column("ref", _("Task"), get=_ref),
    Column("title", _("Title"), wrap=True),
    Column("lead", _("Lead")),
    Column("support", _("Support"), breakable=True, fold=1),
    Column("due", _("Due"), get=_due, fold=3),
]
TASK_COLUMNS = [*TASK_BASE_COLUMNS, Column("status", _("Status"), get=_status, fold=2),
                Column("category", _("Timeliness"), get=timeliness)]
TASK_FIELDS = ["id", "directive", "key", "title", "lead", "support", "due", "original_due",
               "status", "completed_on", "category", "days_overdue"]
