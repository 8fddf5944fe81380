"""The weekly summary as mail-ready plain text, markdown, JSON or CSV."""

import os
import sys
import textwrap
from typing import IO

from clusterctl.i18n import _
from clusterctl.render import md_cell, safe, to_json

WEEKLY_FIELDS = ["section", "id", "directive", "key", "title", "lead", "support", "due",
                 "completed_on", "days_overdue"]


def _width() -> int:
    """Mail clients show ~78 columns; COLUMNS may ask for more (never fewer than 40)."""
    try:
        return max(40, int(os.environ.get("COLUMNS", "78")))
    except ValueError:
        return 78


def _sections(summary: dict) -> list[tuple[str, str, list[dict]]]:
    period = summary["period"]
    completed = summary["completed"]
    done = completed["on_time"] + completed["late"]
    return [
        ("completed", _("Completed {start} – {end}: {n} ({on_time} on time, {late} late)")
         .format(start=period["start"], end=period["end"], n=len(done),
                 on_time=len(completed["on_time"]), late=len(completed["late"])), done),
        ("became_overdue", _("Became overdue this week: {n}").format(
            n=len(summary["became_overdue"])), summary["became_overdue"]),
        ("due_next", _("Due in the next 7 days: {n}").format(n=len(summary["due_next"])),
         summary["due_next"]),
    ]


def _facts(task: dict) -> str:
    parts = [f"#{task['id']}", f"{task['directive']}#{task['key']}", task["lead"]]
    if task["due"]:
        parts.append(_("due {d}").format(d=task["due"]))
    if task["completed_on"]:
        parts.append(_("completed {d}").format(d=task["completed_on"]))
        parts.append(_("on time") if task["category"] == "done_on_time" else _("late"))
    if task["days_overdue"] is not None:
        parts.append(_("{n} days overdue").format(n=task["days_overdue"]))
    return safe(", ".join(parts))


def _plain_task(task: dict, indent: str, out: IO[str]) -> None:
    out.write(f"{indent}{_facts(task)}\n")
    # Long titles are wrapped with an indent, never cut; a very long word stays whole.
    for line in textwrap.wrap(safe(task["title"]), width=_width() - len(indent) - 4,
                              break_long_words=False, break_on_hyphens=False):
        out.write(f"{indent}    {line}\n")


def _plain(summary: dict, tz: str, out: IO[str]) -> None:
    out.write(_("Weekly summary as of {as_of} ({tz})").format(as_of=summary["as_of"], tz=tz)
              + "\n")
    for _key, heading, tasks in _sections(summary):
        out.write(f"\n{heading}\n")
        for task in tasks:
            _plain_task(task, "  ", out)
    overdue = summary["overdue_by_agency"]
    out.write("\n" + _("Overdue by lead agency: {n} tasks").format(
        n=sum(e["overdue"] for e in overdue)) + "\n")
    for entry in overdue:
        out.write(f"  {safe(entry['agency'])}: {entry['overdue']}\n")
        for task in entry["longest"]:
            _plain_task(task, "    ", out)


def _markdown(summary: dict, tz: str, out: IO[str]) -> None:
    out.write("## " + md_cell(_("Weekly summary as of {as_of} ({tz})").format(
        as_of=summary["as_of"], tz=tz)) + "\n")

    def item(task: dict, indent: str = "") -> str:
        return f"{indent}- {md_cell(_facts(task))}: {md_cell(safe(task['title']))}\n"

    for _key, heading, tasks in _sections(summary):
        out.write(f"\n### {md_cell(heading)}\n\n")
        out.writelines(item(task) for task in tasks)
    overdue = summary["overdue_by_agency"]
    out.write("\n### " + md_cell(_("Overdue by lead agency: {n} tasks").format(
        n=sum(e["overdue"] for e in overdue))) + "\n\n")
    for entry in overdue:
        out.write(f"- **{md_cell(safe(entry['agency']))}**: {entry['overdue']}\n")
        out.writelines(item(task, "  ") for task in entry["longest"])


def _csv(summary: dict, out: IO[str]) -> None:
    from clusterctl.render import Column, emit_rows

    rows = [{"section": key, **task} for key, _heading, tasks in _sections(summary)
            for task in tasks]
    rows += [{"section": "overdue_longest", **task} for entry in summary["overdue_by_agency"]
             for task in entry["longest"]]
    emit_rows(rows, [Column(f, f) for f in WEEKLY_FIELDS], "csv", csv_fields=WEEKLY_FIELDS,
              out=out)


def render_weekly(summary: dict, fmt: str, tz: str, out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        out.write(to_json({"as_of": summary["as_of"], "timezone": tz,
                           **{k: v for k, v in summary.items() if k != "as_of"}}) + "\n")
    elif fmt == "csv":
        _csv(summary, out)
    elif fmt == "markdown":
        _markdown(summary, tz, out)
    else:  # table and plain: the same mail-ready text
        _plain(summary, tz, out)
