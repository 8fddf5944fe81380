#!/usr/bin/env python3
"""Run every ``$ clusterctl ...`` sample of README.md, in order, and write what it printed.

The samples run in one fresh database, in an 80-column pseudo-terminal (what a person at a
default xterm or PuTTY sees: tables, messages on stderr included), in a fresh folder where
``examples/`` is the repository's (a sample's ``--db FILE`` lands there):

    python examples/refresh_readme.py        # rewrites README.md in place
    CLUSTERCTL_LANG=vi python examples/refresh_readme.py README.vi.md   # the Vietnamese one
"""

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run(command: str, env: dict, cols: int = 80, cwd: Path = ROOT) -> str:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 500, cols, 0, 0))
    process = subprocess.Popen(["bash", "-c", command], stdin=slave, stdout=slave,
                               stderr=slave, env=env, cwd=cwd, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    process.wait()
    return ANSI.sub("", out.decode("utf-8").replace("\r\n", "\n"))


def main() -> None:
    readme = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else README
    text = readme.read_text(encoding="utf-8")
    lines = text.split("\n")
    folder = tempfile.mkdtemp()
    (Path(folder) / "examples").symlink_to(ROOT / "examples")
    env = dict(os.environ, CLUSTERCTL_DB=os.path.join(folder, "tour.db"),
               CLUSTERCTL_USER="lan", TERM="xterm", NO_COLOR="1", CLUSTERCTL_PAGER="cat")
    env.pop("COLUMNS", None)
    # The clusterctl installed beside this Python, as the samples call it.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result, index = [], 0
    while index < len(lines):
        line = lines[index]
        result.append(line)
        index += 1
        if not line.startswith("$ clusterctl "):
            continue
        command = line[2:]
        while command.endswith("\\"):  # a sample written over several lines
            result.append(lines[index])
            command = command[:-1] + " " + lines[index].strip()
            index += 1
        output = run(command, env, cwd=Path(folder)).rstrip("\n")
        if output:
            result.extend(output.split("\n"))
        while index < len(lines) and not lines[index].startswith(("$ ", "```")):
            index += 1  # the old output
    readme.write_text("\n".join(result), encoding="utf-8")


if __name__ == "__main__":
    main()
