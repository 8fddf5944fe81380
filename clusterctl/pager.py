"""Output taller than the terminal goes through a pager, as git does; never when piped.

The pager is ``CLUSTERCTL_PAGER``, else ``PAGER``, else ``less -FRX`` (quit if one screen,
keep bold, leave the text on the screen); an empty value or ``cat`` means none.
"""

import contextlib
import os
import shutil
import subprocess
import sys
from typing import IO

DEFAULT = "less -FRX"


class Paged:
    """Stands in for stdout while a command runs on a terminal, and shows what it wrote."""

    def __init__(self, real: IO[str]) -> None:
        self.real = real
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def writelines(self, lines) -> None:
        self.parts.extend(lines)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True  # what is written is for the terminal: tables, not plain text

    def fileno(self) -> int:
        return self.real.fileno()

    @property
    def encoding(self) -> str:
        return self.real.encoding

    def show(self) -> None:
        """Write everything, through the pager if it is taller than the terminal."""
        text = "".join(self.parts)
        self.parts = []
        command = pager_command()
        height = shutil.get_terminal_size((80, 24)).lines
        if not command or text.count("\n") < height:
            self.real.write(text)
            self.real.flush()
            return
        env = dict(os.environ)
        env.setdefault("LESSCHARSET", "utf-8")  # Vietnamese, even under a C locale
        try:
            process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
        except OSError:
            self.real.write(text)
            return
        # The reader may quit the pager before the end: fine.
        with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
            process.communicate(text.encode(self.real.encoding or "utf-8", "replace"))
        if process.returncode == 127:  # the shell found no such pager: show it plainly
            self.real.write(text)


def pager_command() -> str:
    for name in ("CLUSTERCTL_PAGER", "PAGER"):
        if name in os.environ:
            value = os.environ[name].strip()
            return "" if value in ("", "cat") else value
    return DEFAULT


def wants_pager(no_pager: bool) -> bool:
    return not no_pager and sys.stdout.isatty() and bool(pager_command())
