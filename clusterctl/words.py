"""What people read, in the interface's language: dates, times, statuses and timeliness.

Only human formats (table, plain, markdown, mail, xlsx) go through here; JSON and CSV keep ISO
dates and the English codes in every language, so that scripts keep working. In English a date
is ISO (``2024-06-30``) and a status its code (``in_progress``), as people type them; in
Vietnamese a date is day first (``30/06/2024``) and a time hour first (``20:34 27/11/2026``),
and names are the Government Office's (``locale/GLOSSARY.md``).
"""

from datetime import date
from functools import cache
from typing import Any

from clusterctl.i18n import LANGUAGE, _

VIETNAMESE = LANGUAGE == "vi"

STATUS_NAMES = {
    "open": _("open"),
    "in_progress": _("in_progress"),
    "done": _("done"),
    "cancelled": _("cancelled"),
    "reported": _("reported"),
}
CATEGORY_NAMES_EN = {code: code.replace("_", " ") for code in (
    "done_on_time", "done_late", "awaiting_confirmation", "overdue", "due_soon", "on_track",
    "ongoing", "cancelled")}
CATEGORY_NAMES = {
    "awaiting_confirmation": _("awaiting confirmation"),
    "done_on_time": _("done on time"),
    "done_late": _("done late"),
    "overdue": _("overdue"),
    "due_soon": _("due soon"),
    "on_track": _("on track"),
    "ongoing": _("ongoing"),
    "cancelled": _("cancelled"),
}


def vietnamese(message: str) -> str:
    """``message`` in Vietnamese, whatever the interface's language (for names people may
    type in either language)."""
    return _vietnamese_catalogue().gettext(message)


@cache
def _vietnamese_catalogue():
    import gettext

    from clusterctl.i18n import DOMAIN, LOCALEDIR

    return gettext.translation(DOMAIN, localedir=LOCALEDIR, languages=["vi"], fallback=True)


def _key(text: str) -> str:
    from clusterctl.text import fold

    return " ".join(fold(text.replace("-", " ").replace("_", " ")).split())


def code_of(text: str, names: dict[str, str]) -> str | None:
    """The code that ``text`` names: the code itself or its English or Vietnamese name,
    with or without diacritics, with spaces, dashes or underscores (``in_progress``,
    ``"đang thực hiện"``, ``dang-thuc-hien``); None if it names none."""
    wanted = _key(text)
    for code in names:
        english = CATEGORY_NAMES_EN.get(code, code)
        if wanted in (_key(code), _key(english), _key(vietnamese(english))):
            return code
    return None


def day(value: Any) -> Any:
    """A date (a ``date`` or ISO text) as people read it; anything else as it is."""
    text = value.isoformat() if isinstance(value, date) else value
    if not VIETNAMESE or not isinstance(text, str) or len(text) != 10 or text[4] != "-":
        return text
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}"


def clock(moment) -> str:
    """A ``datetime`` in the office zone, to the minute."""
    return moment.strftime("%H:%M %d/%m/%Y" if VIETNAMESE else "%Y-%m-%d %H:%M")


def status_name(code: str) -> str:
    return STATUS_NAMES.get(code, code)


def category_name(code: str) -> str:
    return CATEGORY_NAMES.get(code, code)


FIELD_NAMES = {
    "title": _("title"), "lead": _("lead"), "support": _("support"), "due": _("due"),
    "original_due": _("original due"), "status": _("status"),
    "completed_on": _("completed on"), "name": _("name"), "aliases": _("aliases"),
    "issued": _("issued"), "issuer": _("issuer"), "assigned_on": _("assigned on"),
    "key": _("key"), "deleted": _("deleted"), "number": _("number"), "code": _("code"),
    "dissolved_on": _("dissolved on"), "successors": _("successors"), "merged": _("merged"),
    "priority": _("key task"), "field": _("field"), "evidence": _("evidence"),
    "requested_due": _("extension asked for"), "series": _("recurring task"),
}
ACTION_NAMES = {
    "created": _("created"), "note": _("note"), "start": _("start"), "done": _("done"),
    "reopen": _("reopen"), "cancel": _("cancel"), "extend": _("extend"), "edit": _("edit"),
    "import": _("import"), "delete": _("delete"), "restore": _("restore"), "undo": _("undo"),
    "merge": _("merge"), "split": _("split"), "rename": _("rename"), "reassign": _("reassign"),
    "dissolve": _("dissolve"), "report-done": _("report done"), "confirm": _("confirm"),
    "return": _("return"), "request-extension": _("request extension"),
    "approve-extension": _("approve extension"), "reject-extension": _("reject extension"),
    "series": _("series"),
}
DATE_FIELDS = ("due", "original_due", "completed_on", "issued", "assigned_on", "dissolved_on",
               "requested_due")


def field_name(field: str) -> str:
    """A task field as a history line names it."""
    return FIELD_NAMES.get(field, field) if VIETNAMESE else field


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action) if VIETNAMESE else action


def change_value(field: str, value: Any) -> Any:
    """An old or new value in a history line: dates and statuses as people read them."""
    if field in DATE_FIELDS:
        return day(value)
    if field == "status" and isinstance(value, str):
        return status_name(value)
    if isinstance(value, bool):  # a key task or not
        return _("yes") if value else _("no")
    return value


def human_codes(row: dict) -> dict:
    """``row`` with its status and category by name (for a spreadsheet)."""
    row = dict(row)
    if "status" in row:
        row["status"] = status_name(row["status"])
    if "category" in row:
        row["category"] = category_name(row["category"])
    return row


def timeliness(task: dict) -> str:
    """``overdue 92d`` or the category's name."""
    if task.get("days_overdue") is not None:
        return _("overdue {n}d").format(n=task["days_overdue"])
    return category_name(task["category"])
