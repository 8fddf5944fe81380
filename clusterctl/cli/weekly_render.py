"""The weekly summary: mail-ready text, one record per line, markdown, JSON, CSV or xlsx."""

import sys
from typing import IO

from clusterctl.cli.mail_render import WIDTH, agency, lines, task_block, task_facts
from clusterctl.i18n import _, ngettext
from clusterctl.render import Column, emit_rows, md_cell, safe, to_json
from clusterctl.words import day

WEEKLY_FIELDS = ["section", "id", "directive", "key", "title", "lead", "support", "due",
                 "completed_on", "days_overdue"]
SECTION_NAMES = {"completed": _("Completed"), "became_overdue": _("Became overdue"),
                 "due_next": _("Due next"), "overdue_longest": _("Longest overdue"),
                 "awaiting_confirmation": _("Awaiting confirmation"),
                 "pending_extensions": _("Extensions asked for"),
                 "assigned": _("Assigned"), "extended": _("Extended"),
                 "reassigned": _("Reassigned")}
SHOWN_CHANGES = 20  # of each kind in the mail; the rest are counted
WEEKLY_COLUMNS = [Column("section", _("Section"),
                         get=lambda t: SECTION_NAMES.get(t["section"], t["section"])),
                  Column("id", _("ID"), right=True),
                  Column("ref", _("Task"), get=lambda t: f"{t['directive']}#{t['key']}"),
                  Column("title", _("Title"), wrap=True), Column("lead", _("Lead")),
                  Column("support", _("Support")), Column("due", _("Due"),
                                                          get=lambda t: day(t["due"])),
                  Column("completed_on", _("Completed"), get=lambda t: day(t["completed_on"])),
                  Column("days_overdue", _("Days overdue"), right=True)]


def _sections(summary: dict) -> list[tuple[str, str, list[dict]]]:
    period = summary["period"]
    completed = summary["completed"]
    done = completed["on_time"] + completed["late"]
    return [
        ("completed", _("Completed {start} – {end}: {n} ({on_time} on time, {late} late)")
         .format(start=day(period["start"]), end=day(period["end"]), n=len(done),
                 on_time=len(completed["on_time"]), late=len(completed["late"])), done),
        ("became_overdue", _("Became overdue this week: {n}").format(
            n=len(summary["became_overdue"])), summary["became_overdue"]),
        ("due_next", _("Due in the next 7 days: {n}").format(n=len(summary["due_next"])),
         summary["due_next"]),
        ("awaiting_confirmation", _("Reported done, awaiting confirmation: {n}").format(
            n=len(summary["awaiting_confirmation"])), summary["awaiting_confirmation"]),
        ("pending_extensions", _("Extensions asked for, not yet decided: {n}").format(
            n=len(summary["pending_extensions"])), summary["pending_extensions"]),
    ]


def _change_rows(summary: dict) -> list[dict]:
    """The week's changes as rows of their task: its lead and due date after the change."""
    rows = []
    for kind, changes in summary["changed"].items():
        for change in changes:
            new = {name: values[1] for name, values in change["changes"].items()}
            rows.append({"section": kind, "id": change["task_id"],
                         "directive": change["directive"], "key": change["key"],
                         "title": None, "lead": new.get("lead"), "support": new.get("support"),
                         "due": new.get("due"), "completed_on": None, "days_overdue": None})
    return rows


def _rows(summary: dict) -> list[dict]:
    """Every task of the summary with the section it is in: the record-per-line formats."""
    rows = [{"section": key, **task} for key, _heading, tasks in _sections(summary)
            for task in tasks]
    return rows + [{"section": "overdue_longest", **task}
                   for entry in summary["overdue_by_agency"] for task in entry["longest"]
                   ] + _change_rows(summary)


def _change_lines(summary: dict) -> list[tuple[str, list[str]]]:
    """The "changed this week" section: a heading per kind, a line per change."""
    from clusterctl.render import display

    def ref(change: dict) -> str:
        return f"{change['directive']}#{change['key']}"

    def created(change: dict) -> str:
        new = {name: values[1] for name, values in change["changes"].items()}
        if new.get("due") is None:
            return _("{ref}: {lead}, ongoing").format(ref=ref(change), lead=new.get("lead"))
        return _("{ref}: {lead}, due {due}").format(ref=ref(change), lead=new.get("lead"),
                                                    due=day(new["due"]))

    def moved(name: str):
        def line(change: dict) -> str:
            old, new = change["changes"][name]
            old, new = (day(old), day(new)) if name == "due" else (old, new)
            text = f"{ref(change)}: {old or _('ongoing')} → {new}"
            return text + (f" ({display(change['note'])})" if change["note"] else "")
        return line

    changed = summary["changed"]
    kinds = [("assigned", _("New tasks: {n}"), created),
             ("extended", _("Extended: {n}"), moved("due")),
             ("reassigned", _("Reassigned: {n}"), moved("lead"))]
    sections = []
    for key, heading, line in kinds:
        entries = changed[key]
        shown = [line(change) for change in entries[:SHOWN_CHANGES]]
        if len(entries) > SHOWN_CHANGES:
            shown.append(_("... and {n} more").format(n=len(entries) - SHOWN_CHANGES))
        sections.append((heading.format(n=len(entries)), shown))
    return sections


def _text(summary: dict, tz: str, names: dict[str, str], out: IO[str], width: int) -> None:
    """The mail layout: sections of task blocks, the overdue count per agency."""
    out.write("\n".join(lines(_("Weekly summary as of {as_of} ({tz})").format(
        as_of=day(summary["as_of"]), tz=tz), width=width)) + "\n")
    for _key, heading, tasks in _sections(summary):
        out.write("\n" + "\n".join(lines(heading, width=width)) + "\n")
        for task in tasks:
            out.write("\n".join(task_block(task, names, width=width)) + "\n")
    overdue = summary["overdue_by_agency"]
    total = sum(e["overdue"] for e in overdue)
    out.write("\n" + "\n".join(lines(ngettext(
        "Overdue by lead agency: {n} task", "Overdue by lead agency: {n} tasks", total).format(
        n=total), width=width)) + "\n")
    for entry in overdue:
        out.write("\n".join(lines(f"{agency(entry['agency'], names)}: {entry['overdue']}",
                                  "  ", "      ", width)) + "\n")
        for task in entry["longest"]:
            out.write("\n".join(task_block(task, names, "    ", lead=False, width=width))
                      + "\n")
    out.write("\n" + "\n".join(lines(_("Changed this week"), width=width)) + "\n")
    for heading, entries in _change_lines(summary):
        out.write("\n".join(lines(heading, "  ", "    ", width)) + "\n")
        for entry in entries:
            out.write("\n".join(lines(entry, "    ", "      ", width)) + "\n")


def _markdown(summary: dict, tz: str, out: IO[str]) -> None:
    out.write("## " + md_cell(_("Weekly summary as of {as_of} ({tz})").format(
        as_of=day(summary["as_of"]), tz=tz)) + "\n")

    def item(task: dict, indent: str = "") -> str:
        return f"{indent}- {md_cell(safe(task_facts(task)))}: {md_cell(safe(task['title']))}\n"

    for _key, heading, tasks in _sections(summary):
        out.write(f"\n### {md_cell(heading)}\n\n")
        out.writelines(item(task) for task in tasks)
    overdue = summary["overdue_by_agency"]
    total = sum(e["overdue"] for e in overdue)
    out.write("\n### " + md_cell(ngettext(
        "Overdue by lead agency: {n} task", "Overdue by lead agency: {n} tasks", total).format(
        n=total)) + "\n\n")
    for entry in overdue:
        out.write(f"- **{md_cell(safe(entry['agency']))}**: {entry['overdue']}\n")
        out.writelines(item(task, "  ") for task in entry["longest"])
    out.write("\n### " + md_cell(_("Changed this week")) + "\n\n")
    for heading, entries in _change_lines(summary):
        out.write(f"- {md_cell(safe(heading))}\n")
        out.writelines(f"  - {md_cell(safe(entry))}\n" for entry in entries)


def render_weekly(summary: dict, fmt: str, tz: str, *, names: dict[str, str],
                  output: str | None = None, out: IO[str] | None = None) -> None:
    from clusterctl.render import terminal_width, write_xlsx

    out = out or sys.stdout
    if fmt == "json":
        out.write(to_json({"as_of": summary["as_of"], "timezone": tz,
                           **{k: v for k, v in summary.items() if k != "as_of"}}) + "\n")
    elif fmt in ("csv", "plain"):
        emit_rows(_rows(summary), WEEKLY_COLUMNS, fmt, csv_fields=WEEKLY_FIELDS, out=out)
    elif fmt == "xlsx":
        fields = WEEKLY_FIELDS[1:]
        tables = [(SECTION_NAMES[key], heading, tasks, WEEKLY_COLUMNS, fields)
                  for key, heading, tasks in _sections(summary)]
        tables.append((SECTION_NAMES["overdue_longest"],
                       _("Overdue by lead agency, longest first"),
                       [t for e in summary["overdue_by_agency"] for t in e["longest"]],
                       WEEKLY_COLUMNS, fields))
        tables.append((_("Changed"), _("Changed this week"), _change_rows(summary),
                       WEEKLY_COLUMNS, WEEKLY_FIELDS))
        write_xlsx(output, tables)
    elif fmt == "markdown":
        _markdown(summary, tz, out)
    else:  # mail, and a table on a terminal: the same text, as wide as the terminal allows
        width = WIDTH if fmt == "mail" else min(terminal_width(out), 100)
        _text(summary, tz, names, out, width)
