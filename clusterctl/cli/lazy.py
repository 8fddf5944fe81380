"""Groups whose commands are built only when they run: Click's documented lazy-group pattern.

Typer turns every function of an app into a Click command, reading its signature, before it
runs any: for the ``task`` group that is a third of an everyday command's time. A lazy group
knows its commands by name and has Typer build the one that runs (an app of that one command);
its help lists the others from their help texts without building them.
"""

import inspect

import typer
from typer.core import TyperGroup

from clusterctl.i18n import LANGUAGE, _


class LazyGroup(TyperGroup):
    """A Typer group (its ``cls`` hook) with commands made as they are needed: subclasses say
    which names they know (:meth:`lazy_names`), how to build one (:meth:`build`) and its help
    text (:meth:`help_of`)."""

    _listing = False  # while the help lists the commands: their help alone, nothing built

    def lazy_names(self) -> list[str]:
        return []

    def build(self, name: str):
        raise NotImplementedError

    def help_of(self, name: str) -> str | None:
        raise NotImplementedError

    def list_commands(self, ctx) -> list[str]:
        own = super().list_commands(ctx)
        return [*own, *(name for name in self.lazy_names() if name not in own)]

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in self.lazy_names():
            if self._listing:
                import click

                return click.Command(name, help=self.help_of(name))
            self.load(name)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        # A name it does not know: Click suggests the closest of the commands it holds, so it
        # must hold them all ("No such command 'overdeu'. Did you mean 'overdue'?").
        if args and args[0] not in self.commands and args[0] not in self.lazy_names():
            self.load_all()
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def load(self, name: str) -> None:
        command = self.build(name)
        command.name = name
        translate_help(command)
        self.add_command(command, name)

    def load_all(self) -> None:
        """Every command built (for the catalogue's extraction and the tests)."""
        for name in self.lazy_names():
            if name not in self.commands:
                self.load(name)


def command_name(info) -> str:
    """The name Typer gives a registered command: its own, else its function's."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


class SubGroup(LazyGroup):
    """A group of commands under the root (``task``, ``agency``...): see :func:`lazy_group`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.registered: dict = {}  # name: Typer's CommandInfo, set by lazy_group()

    def lazy_names(self) -> list[str]:
        return list(self.registered)

    def build(self, name: str):
        import typer.main

        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        single.registered_commands.append(self.registered[name])
        return typer.main.get_command(single)

    def help_of(self, name: str) -> str | None:
        info = self.registered[name]
        text = inspect.cleandoc(info.help) if info.help else inspect.getdoc(info.callback)
        return _(text) if text and LANGUAGE != "en" else text


def lazy_group(app: typer.Typer) -> SubGroup:
    """The Click group of ``app`` (made with ``cls=SubGroup``): Typer makes it from the app's
    callback and settings alone; its commands wait until they run."""
    import typer.main

    commands = app.registered_commands
    app.registered_commands = []
    try:
        group = typer.main.get_command(app)
    finally:
        app.registered_commands = commands
    group.registered = {command_name(info): info for info in commands}
    return group


def walk_commands(command):
    """``command`` and every command under it (Click's documented ``commands`` of a group),
    each built."""
    if hasattr(command, "load_all"):
        command.load_all()
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from walk_commands(sub)


def translate_help(command) -> None:
    """Commands take their help from docstrings, which ``_()`` cannot wrap: look each up in
    the catalogue once, before Click formats anything (``python -m clusterctl.catalog``
    extracts them the same way), with those under it that are built already; a lazy group
    translates the others as it builds them. English needs no lookup."""
    if LANGUAGE == "en" or getattr(command, "_translated", False):
        return
    command._translated = True
    if command.help:
        command.help = _(command.help)
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in command.params:  # Typer's own (--install-completion) are plain text
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)
