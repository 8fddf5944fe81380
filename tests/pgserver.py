"""A throwaway PostgreSQL server for the tests: Unix socket only, no TCP, no durability.

From Python::

    from tests.pgserver import start, stop
    info = start(folder)   # {"host": socket folder, "port": "5432", "user": superuser}
    ...
    stop(folder)

From a shell (``start`` prints ``export`` lines for ``eval``; ``check`` prints the programs
it would use, or fails when PostgreSQL is not installed)::

    eval "$(python3 tests/pgserver.py start DIR)"
    python3 tests/pgserver.py stop DIR

``folder`` is a temporary folder of the caller's; the server keeps its data, log and socket
there. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
(and ``folder`` is handed to it); otherwise it runs as the current user, who is the superuser.
Authentication is ``trust``: any local process may connect as the superuser.
Standard library only.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PORT = "5432"  # No TCP: the port only names the socket file, .s.PGSQL.5432.
SETTINGS = {
    "listen_addresses": "",
    "port": PORT,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}
STATE = "pgserver.json"  # In the caller's folder: where the server is, for stop().
INSTALL_HINT = ("PostgreSQL server programs (initdb, pg_ctl) not found on PATH or under "
                "/usr/lib/postgresql/*/bin: install PostgreSQL's server package "
                "(Debian: apt-get install postgresql)")


class PostgresNotInstalled(RuntimeError):
    """initdb and pg_ctl are nowhere to be found."""


def find_binaries() -> tuple[str, str]:
    """Paths of ``initdb`` and ``pg_ctl``: from PATH, else the newest /usr/lib/postgresql/N."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)])
    for pg_ctl_path in reversed(versions):
        if (pg_ctl_path.parent / "initdb").exists():
            return str(pg_ctl_path.parent / "initdb"), str(pg_ctl_path)
    raise PostgresNotInstalled(INSTALL_HINT)


def _run(command: list[str], as_postgres: bool) -> None:
    """Run a PostgreSQL program, through ``runuser -u postgres`` when we are root."""
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, cwd="/", capture_output=True, text=True, check=False)
    if done.returncode:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{Path(command[4 if as_postgres else 0]).name} failed "
                           f"(exit {done.returncode}): {' | '.join(tail)}")


def _reachable_by_postgres(path: Path) -> bool:
    """Whether the postgres user can write in ``path`` (every parent folder lets it through)."""
    command = ["runuser", "-u", "postgres", "--", "test", "-w", str(path), "-a", "-x", str(path)]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def _private_dir(owner: str | None) -> Path:
    """A new short folder under /tmp (0755), owned by ``owner`` when given."""
    path = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))
    path.chmod(0o755)
    if owner:
        shutil.chown(path, owner, owner)
    return path


def _locale_option() -> str:
    """``--locale=C.UTF-8`` where that locale exists, else ``--no-locale``."""
    try:
        names = subprocess.run(["locale", "-a"], capture_output=True, text=True,
                               check=False).stdout.split()
    except OSError:
        return "--no-locale"
    found = {name.lower().replace("-", "") for name in names}
    return "--locale=C.UTF-8" if "c.utf8" in found else "--no-locale"


def start(folder: str | os.PathLike[str]) -> dict[str, str]:
    """Create (or reuse) a cluster in ``folder`` and start it; return how to connect:
    ``{"host": socket folder, "port": "5432", "user": superuser}``."""
    initdb, pg_ctl = find_binaries()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    as_postgres = os.geteuid() == 0
    owner = "postgres" if as_postgres else None
    user = "postgres" if as_postgres else pwd.getpwuid(os.geteuid()).pw_name
    if as_postgres:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root, but there is no 'postgres' user to run "
                               "the server as") from None
    made: list[str] = []  # Folders of ours outside ``folder``, for stop() to remove.
    home = folder
    if as_postgres:
        folder.chmod(0o755)  # Root's test process reads anyway; this lets other users in too.
        shutil.chown(folder, "postgres", "postgres")
        if not _reachable_by_postgres(folder):  # A parent is closed to postgres (tmp_path).
            home = _private_dir(owner)
            made.append(str(home))
    socket = home / "socket"
    if len(os.fsencode(socket / f".s.PGSQL.{PORT}.lock")) > 100:  # sun_path: 107 bytes.
        socket = _private_dir(owner)
        made.append(str(socket))
    else:
        socket.mkdir(mode=0o755, exist_ok=True)
        if owner:
            shutil.chown(socket, owner, owner)
    data, log = home / "data", home / "postgresql.log"
    (folder / STATE).write_text(json.dumps({"pg_ctl": pg_ctl, "data": str(data), "log": str(log),
                                            "as_postgres": as_postgres, "made": made}))
    if not (data / "PG_VERSION").exists():
        _run([initdb, "-D", str(data), "-A", "trust", "-E", "UTF8", _locale_option(),
              "-U", user], as_postgres)
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/pgserver.py\n")
            conf.writelines(f"{name} = '{value}'\n" for name, value in SETTINGS.items())
    # The socket folder may change from one start to the next: given on each start (-k).
    # pg_ctl hands -o to /bin/sh, hence the quoting.
    try:
        _run([pg_ctl, "-D", str(data), "-l", str(log), "-o", f"-k {shlex.quote(str(socket))}",
              "-w", "start"], as_postgres)
    except RuntimeError as error:
        log_tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
        raise RuntimeError(" | ".join([str(error), *log_tail])) from None
    return {"host": str(socket), "port": PORT, "user": user}


def stop(folder: str | os.PathLike[str]) -> None:
    """Stop the server started in ``folder`` (immediately: no checkpoint); quiet if it is not
    running. Removes the folders start() made outside ``folder``, never ``folder`` itself."""
    state_file = Path(folder).resolve() / STATE
    if not state_file.exists():
        return
    state = json.loads(state_file.read_text())
    command = [state["pg_ctl"], "-D", state["data"]]
    if state["as_postgres"]:
        command = ["runuser", "-u", "postgres", "--", *command]
    status = subprocess.run([*command, "status"], cwd="/", capture_output=True, check=False)
    if status.returncode == 0:  # 3: not running; 4: no data folder.
        _run([state["pg_ctl"], "-D", state["data"], "-m", "immediate", "-w", "stop"],
             state["as_postgres"])
    for path in state["made"]:
        shutil.rmtree(path, ignore_errors=True)
    state_file.unlink()


def main(argv: list[str]) -> int:
    if argv != ["check"] and (len(argv) != 2 or argv[0] not in ("start", "stop")):
        print("usage: pgserver.py start DIR | stop DIR | check", file=sys.stderr)
        return 2
    try:
        if argv[0] == "check":
            print("\n".join(find_binaries()))
        elif argv[0] == "start":
            for name, value in start(argv[1]).items():
                print(f"export CLUSTERCTL_TEST_PG{name.upper()}={shlex.quote(value)}")
        else:
            stop(argv[1])
    except RuntimeError as error:
        print(f"pgserver: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
