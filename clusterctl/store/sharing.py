"""One SQLite register shared by an office on one Linux server, through a Unix group.

``clusterctl init --shared GROUP`` makes the database's folder 2770 (the group's, and new
files in it are the group's too) and the database, its ``-wal`` and ``-shm`` companions and
its backups 0660: the group reads and writes, nobody else can. SQLite gives the companions
it creates the database file's own mode. Without ``--shared`` a database stays its creator's
alone (0600 in a 0700 folder).
"""

import os
import stat
from pathlib import Path

from clusterctl.errors import DatabaseError, InputError
from clusterctl.i18n import _

FOLDER_MODE = 0o2770
FILE_MODE = 0o660


def group_id(group: str) -> int:
    """The id of the Unix group named ``group`` (or given by number)."""
    import grp

    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        if group.isascii() and group.isdigit():
            return int(group)
        raise InputError(_("there is no Unix group {group!r}; create it first (sudo groupadd "
                           "{group}) and add the office's staff to it").format(
            group=group)) from None


def group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def share(path: Path, group: str) -> None:
    """Give the database at ``path``, its companions, its backups and its folder to
    ``group``: read and write for the group, nothing for anyone else."""
    gid = group_id(group)
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")),
             *path.parent.glob(f"{path.name}.*.bak")]
    try:
        os.chown(path.parent, -1, gid)
        os.chmod(path.parent, FOLDER_MODE)
        for file in files:
            if file.exists():
                os.chown(file, -1, gid)
                os.chmod(file, FILE_MODE)
    except PermissionError:
        raise DatabaseError(_("cannot give {path} to group {group}: only the owner of the file "
                              "and its folder (or root) can, and the owner must be in the "
                              "group").format(path=path, group=group)) from None


def access_problem(path: Path, *, write: bool) -> str | None:
    """Why this user cannot use the database at ``path``, naming the group to join, if the
    file or its folder keeps them out; None if they can."""
    need = os.R_OK | (os.W_OK if write else 0)
    for place, mode in ((path.parent, os.X_OK | (os.W_OK if write else 0)), (path, need)):
        if not os.access(place, os.F_OK) or os.access(place, mode):
            continue  # missing (made when a command writes), or usable
        try:
            info = place.stat()
        except OSError:
            continue
        if info.st_uid == os.geteuid() or os.geteuid() == 0:
            continue  # the owner's own file, read-only: the database layer says so
        shared = bool(info.st_mode & stat.S_IRWXG)
        if shared and info.st_gid not in os.getgroups() and info.st_gid != os.getegid():
            return _("you are not in group {group}, which shares {path}: ask the "
                     "administrator to add you (sudo adduser $USER {group}), then log in "
                     "again").format(group=group_name(info.st_gid), path=path)
        return _("{path} is not yours and not shared with you (owner uid {uid}); ask its "
                 "owner to share it with 'clusterctl init --shared GROUP'").format(
            path=place, uid=info.st_uid)
    return None


def share_database(location: str, group: str) -> None:
    """Share the SQLite database at ``location`` with ``group`` and record it, so that every
    change on it is recorded under the system login of whoever makes it."""
    from clusterctl.store.db import sqlite_path
    from clusterctl.store.schema import open_database

    path = sqlite_path(location)
    if path is None:
        raise InputError(_("--shared is for a database file; a database server has logins of "
                           "its own"))
    group_id(group)  # a group that does not exist is refused before anything is written
    db = open_database(location, write=True)
    try:
        with db.transaction():
            db.execute("DELETE FROM clusterctl_meta WHERE name = 'shared_group'")
            db.execute("INSERT INTO clusterctl_meta (name, value) VALUES ('shared_group', "
                       ":group)", {"group": group})
    finally:
        db.close()
    share(path, group)
