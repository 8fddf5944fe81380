"""``--format mail``: what cron mails and offices forward, read in any mail client.

Plain text, every line at most 78 characters; no column alignment, which a proportional font
would break; each task a short block (its facts on one line, its title wrapped with an
indent, its agencies by code and full name); nothing cut.
"""

from collections.abc import Iterable
from typing import IO

from clusterctl.i18n import _, ngettext
from clusterctl.render import format_rate
from clusterctl.text import safe
from clusterctl.words import day

WIDTH = 78


def lines(text: str, indent: str = "", later: str | None = None, width: int = WIDTH
          ) -> list[str]:
    """``text`` wrapped to ``width`` display columns (wide characters count two); a word
    longer than a line is split, never cut."""
    from clusterctl.termtable import wrap

    later = indent if later is None else later
    first, *rest = wrap(safe(text), width - len(indent))
    if rest:  # wrap the rest again at the width of the continuation lines
        rest = wrap(" ".join(rest), width - len(later))
    return [indent + first, *(later + line for line in rest)]


def agency(code: str, names: dict[str, str]) -> str:
    name = names.get(code)
    return f"{code} ({name})" if name else code


def task_facts(task: dict) -> str:
    parts = [f"#{task['id']}", f"{task['directive']}#{task['key']}"]
    if task.get("due"):
        parts.append(_("due {d}").format(d=day(task["due"])))
    if task.get("completed_on") and task.get("category") == "awaiting_confirmation":
        parts.append(_("reported done {d}, awaiting confirmation").format(
            d=day(task["completed_on"])))
    elif task.get("completed_on"):
        parts.append(_("completed {d}").format(d=day(task["completed_on"])))
        parts.append(_("on time") if task["category"] == "done_on_time" else _("late"))
    if task.get("requested_due"):
        parts.append(_("extension asked to {d}").format(d=day(task["requested_due"])))
    if task.get("days_overdue") is not None:
        parts.append(ngettext("{n} day overdue", "{n} days overdue", task["days_overdue"])
                     .format(n=task["days_overdue"]))
    return ", ".join(parts)


def task_block(task: dict, names: dict[str, str], indent: str = "  ",
               lead: bool = True, width: int = WIDTH) -> list[str]:
    """A task: its facts, its title, its lead and supporting agencies, each line wrapped."""
    inner = indent + "    "
    out = lines(task_facts(task), indent, inner, width)
    out += lines(task["title"], inner, width=width)
    if lead:
        out += lines(_("Lead: {agency}").format(agency=agency(task["lead"], names)), inner,
                     width=width)
    if task.get("support"):
        out += lines(_("Support: {agencies}").format(
            agencies=", ".join(agency(code, names) for code in task["support"])), inner,
            width=width)
    if task.get("category") == "awaiting_confirmation" and task.get("evidence"):
        out += lines(_("Evidence: {text}").format(text=task["evidence"]), inner, width=width)
    if task.get("requested_reason"):
        out += lines(_("Reason given: {text}").format(text=task["requested_reason"]), inner,
                     width=width)
    return out


def write_overdue(tasks: Iterable[dict], title: str, names: dict[str, str], out: IO[str], *,
                  by_lead: bool) -> int:
    tasks = list(tasks)
    out.write("\n".join(lines(_("{title}: {n}").format(title=title, n=len(tasks)))) + "\n")
    if by_lead:
        for code, group in _groups(tasks):
            out.write("\n" + "\n".join(lines(_("{agency}: {n} overdue").format(
                agency=agency(code, names), n=len(group)))) + "\n")
            for task in group:
                out.write("\n".join(task_block(task, names, lead=False)) + "\n")
    else:
        for task in tasks:
            out.write("\n" + "\n".join(task_block(task, names, indent="")) + "\n")
    return len(tasks)


def _groups(tasks: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for task in tasks:
        groups.setdefault(task["lead"], []).append(task)
    return list(groups.items())


def write_status(report: dict, title: str, names: dict[str, str], out: IO[str]) -> None:
    out.write("\n".join(lines(title)) + "\n")
    rows = [*report["agencies"], report["total"] | {"agency": None}]
    key = report.get("key_tasks")
    if key and key["total"] + key["cancelled"]:  # counted apart
        rows.append(report["key_tasks"] | {"agency": None, "key": True})
    for row in rows:
        head = (_("Key tasks (trọng tâm)") if row.get("key") else _("All agencies")
                if row["agency"] is None else agency(row["agency"], names))
        out.write("\n" + "\n".join(lines(ngettext(
            "{agency}: {n} task", "{agency}: {n} tasks", row["total"]).format(
            agency=head, n=row["total"]))) + "\n")
        facts = [_("carried over: {carried}, assigned in the period: {assigned}").format(
            carried=row["carried_over"], assigned=row["assigned"])] if "carried_over" in row else []
        facts += [
            _("done: {on_time} on time, {late} late").format(
                on_time=row["done_on_time"], late=row["done_late"]),
            _("not done: {overdue} overdue, {soon} due soon, {track} on track, {ongoing} "
              "ongoing").format(overdue=row["overdue"], soon=row["due_soon"],
                                track=row["on_track"], ongoing=row["ongoing"]),
            _("cancelled: {n}").format(n=row["cancelled"]),
            _("completion (done ÷ fallen due): {rate}").format(
                rate=format_rate(row, "done", "fallen_due", "completion_rate")),
            _("on time (of done): {rate}").format(
                rate=format_rate(row, "done_on_time", "done", "on_time_rate")),
        ]
        if row.get("awaiting_confirmation"):
            facts.insert(1, _("reported done, awaiting confirmation: {n}").format(
                n=row["awaiting_confirmation"]))
        if "done_rate" in row:
            facts.append(_("done of all the period's tasks: {rate}").format(
                rate=format_rate(row, "done", "total", "done_rate")))
        for fact in facts:
            out.write("\n".join(lines(fact, "  ", "    ")) + "\n")
