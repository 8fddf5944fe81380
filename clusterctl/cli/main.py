"""The ``clusterctl`` command: the root, its global options and the error boundary.

Everything heavy (the database layer, Rich, dateutil) is imported inside the commands that use
it, so that ``--help`` and everyday commands start fast.
"""

import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from clusterctl import __version__
from clusterctl.cli.common import Session, say, session, show_help_if_bare
from clusterctl.cli.lazy import LazyGroup, lazy_group, translate_help
from clusterctl.errors import EXIT_INTERNAL, EXIT_OUTPUT, ClusterError
from clusterctl.i18n import LANGUAGE, _

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away


# The commands under the root, each loaded (its module imported, its Typer app made into a
# Click command) only when it runs: Click's documented lazy-group pattern. Name: (module,
# attribute: a group's Typer app or a command's function).
LAZY = {
    "holidays": ("clusterctl.cli.office", "holidays"),
    "import": ("clusterctl.cli.transfer", "import_"),
    "export": ("clusterctl.cli.transfer", "export"),
    "overdue": ("clusterctl.cli.reports", "overdue"),
    "status": ("clusterctl.cli.reports", "status"),
    "weekly": ("clusterctl.cli.reports", "weekly"),
    "log": ("clusterctl.cli.reports", "log"),
    "agency": ("clusterctl.cli.agency", "app"),
    "directive": ("clusterctl.cli.directive", "app"),
    "task": ("clusterctl.cli.task", "app"),
    "db": ("clusterctl.cli.db", "app"),
    "series": ("clusterctl.cli.office", "series_app"),
    "settings": ("clusterctl.cli.office", "settings_app"),
}


def _lazy_target(name: str):
    import importlib

    module, attribute = LAZY[name]
    return getattr(importlib.import_module(module), attribute)


def load_command(name: str):
    """The Click command of one of :data:`LAZY`, made by Typer from its app or function (a
    group's commands wait until they run: see :mod:`clusterctl.cli.lazy`)."""
    import typer.main

    target = _lazy_target(name)
    if isinstance(target, typer.Typer):
        return lazy_group(target)
    single = typer.Typer(add_completion=False, rich_markup_mode=None)  # an app of one command
    single.command(name)(target)
    return typer.main.get_command(single)


class ClusterGroup(LazyGroup):
    """The error boundary (Typer's ``cls`` hook): every error becomes one ``Error: ...`` line
    on stderr and its documented exit code. Its commands are loaded as they are used."""

    def lazy_names(self) -> list[str]:
        """In the order they were always listed: init, then the groups and reports."""
        return list(LAZY)

    def build(self, name: str):
        return load_command(name)

    def help_of(self, name: str) -> str | None:
        """The first paragraph of its help, kept in :mod:`clusterctl.cli.listing`: the root's
        help imports none of the commands' modules."""
        from clusterctl.cli.listing import SUMMARIES

        english, vietnamese = SUMMARIES[name]
        return vietnamese if LANGUAGE == "vi" else english

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        """Report usage errors in one line too, instead of Click's usage block."""
        import click  # Click's documented exceptions; Typer runs on it

        translate_help(self)

        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.Abort:
            say(_("Error: aborted; nothing was changed"))
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            context = getattr(exc, "ctx", None)
            where = context.command_path if context else "clusterctl"
            message = exc.format_message()
            if isinstance(exc, click.NoSuchOption):
                takes_text = context is not None and any(
                    isinstance(p, click.Argument) for p in context.command.params)
                message = _with_hint(message, exc.option_name, takes_text)
            say(_("Error: {message} (see '{where} --help')").format(message=message,
                                                                     where=where))
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx):
        import click

        from clusterctl.pager import Paged, wants_pager

        paged = Paged(sys.stdout) if wants_pager(ctx.params.get("no_pager", False)) else None
        if paged:
            sys.stdout = paged
        try:
            result = super().invoke(ctx)
            if paged:
                sys.stdout = paged.real
                paged.show()
            sys.stdout.flush()  # here, so that a reader gone away is reported as such
            return result
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            _restore(paged)
            raise  # the framework's own: reported in main()
        except ClusterError as exc:
            _restore(paged)
            say(_("Error: {message}").format(message=exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if paged is not None:
                sys.stdout = paged.real
            say(_("Error: interrupted; the change in progress was not saved"))
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            raise _reader_gone() from None
        except OSError as exc:
            if exc.errno not in OUTPUT_ERRORS:
                raise _internal(exc) from None
            _restore(paged)
            say(_("Error: cannot write the output: {reason}").format(reason=exc.strerror))
            _silence_stdout()
            raise typer.Exit(EXIT_OUTPUT) from None
        except Exception as exc:
            from clusterctl.config import debug

            _restore(paged)
            if debug():
                raise
            raise _internal(exc) from None


app = typer.Typer(
    cls=ClusterGroup,
    name="clusterctl",
    invoke_without_command=True,  # a bare `clusterctl` shows its help (see root)
    suggest_commands=False,  # Click suggests a close command name itself
    add_completion=True,  # --install-completion, --show-completion
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich-formatted help doubles the start-up time
    context_settings={"help_option_names": ["-h", "--help"]},
)


def default_location() -> str:
    return str(Path(typer.get_app_dir("clusterctl")) / "clusterctl.db")


GLOBAL_OPTIONS = ("--db", "--no-pager", "--version")


def _with_hint(message: str, option: str, takes_text: bool) -> str:
    """Click's message about an option a command does not know, with what to do about it."""
    if option in GLOBAL_OPTIONS:
        return _("{option} is a global option: put it before the command, as in "
                 "'clusterctl {option} ... task list'").format(option=option)
    if takes_text and not option.startswith("--"):
        return _("{message}; if {option!r} begins a text (a title starting with '-'), put -- "
                 "before the text, as in 'clusterctl task add ... -- \"-text\"'").format(
            message=message.rstrip("."), option=option)
    return message


def _restore(paged) -> None:
    """Before an error line or an exit: show what the command wrote, and give stdout back."""
    if paged is not None and sys.stdout is paged:
        sys.stdout = paged.real
        paged.show()


# Errors of the output itself, not of what the command did: a full disk, a failing device.
OUTPUT_ERRORS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _internal(exc: Exception) -> typer.Exit:
    from clusterctl.config import debug

    if debug():
        raise exc
    say(_("Error: internal error ({kind}: {message}); nothing was changed. Run again with "
          "CLUSTERCTL_DEBUG=1 for a traceback and report it").format(
        kind=type(exc).__name__, message=exc))
    return typer.Exit(EXIT_INTERNAL)


def _silence_stdout() -> None:
    """Keep Python from failing again when it flushes stdout on the way out."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # not a real file
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _reader_gone() -> typer.Exit:
    """The reader went away (`clusterctl overdue | head`): stop quietly with 141."""
    _silence_stdout()
    return typer.Exit(EXIT_BROKEN_PIPE)


def _show_version(value: bool) -> None:
    if value:
        try:
            sys.stdout.write(f"clusterctl {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:
            raise _reader_gone() from None
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db_location: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="CLUSTERCTL_DB", metavar="PATH|URL",
            help=_("The database: a file path or a postgresql:// URL [default: clusterctl.db in "
                   "the user's data folder]."),
            show_default=False,
        ),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help=_("Never page output taller than the terminal "
                                          "(CLUSTERCTL_PAGER, PAGER, else less -FRX).")),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True,
                     help=_("Show the version and exit.")),
    ] = False,
) -> None:
    """Track the tasks that directives assign to agencies, their deadlines, and who is late.

    Exit codes: 0 success, 1 a report found what it was asked to fail on, 2 bad input,
    3 a database problem, 4 the task changed since you read it, 5 the database server
    refused your login this action, 74 the output could not be written.
    """
    ctx.obj = Session(db_location or default_location())
    show_help_if_bare(ctx)


@app.command()
def init(
    shared: Annotated[str | None, typer.Option(
        "--shared", metavar="GROUP",
        help=_("Share the database file with this Unix group: the file, its companions and "
               "backups 0660, its folder 2770; changes are recorded under each user's "
               "login."))] = None,
) -> None:
    """Create the database if needed and print its path."""
    from clusterctl.store.db import sqlite_path
    from clusterctl.store.schema import SCHEMA_VERSION, init_database

    location = session().location
    if shared is not None:
        from clusterctl.store.sharing import share_database

        path = sqlite_path(location)
        existed = path is not None and path.exists() and path.stat().st_size > 0
        share_database(location, shared)
    else:
        existed = init_database(location)
    if existed:
        say(_("The database already exists (schema version {v}).").format(v=SCHEMA_VERSION))
    else:
        say(_("Created a new database (schema version {v}).").format(v=SCHEMA_VERSION))
    if shared is not None:
        say(_("Shared with group {group}: its members read and write it; nobody else can "
              "read it.").format(group=shared))
    sys.stdout.write(session().shown_location + "\n")




def main() -> None:
    # Text the output's encoding cannot hold (PYTHONIOENCODING=ascii, a Latin-1 terminal)
    # is written as \uXXXX escapes rather than failing.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    try:
        app(prog_name="clusterctl")
        code = 0
    except SystemExit as exc:
        code = exc.code
    _leave(code)


def _leave(code) -> None:
    """End the process with ``code`` (as ``sys.exit`` takes it) once the output is flushed,
    without Python's teardown of every module and object the command loaded: that takes a
    command 10 ms, a sixth of the whole. The command has closed its database and files
    already (each in a ``with``), and nothing here registers exit handlers."""
    if isinstance(code, str):  # sys.exit("message"): the message, exit 1
        sys.stderr.write(code + "\n")
        code = 1
    code = 0 if code is None else code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    except (OSError, ValueError):
        code = code or EXIT_OUTPUT
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)
