"""``clusterctl db``: where the database is and how it is."""

import sys

import typer

from clusterctl.cli.common import state
from clusterctl.i18n import _

app = typer.Typer(help=_("Look after the database file."), no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print where the database is (it may not exist yet)."""
    sys.stdout.write(state.location + "\n")
