"""One register for the office on one server: a SQLite file shared through a Unix group.

The second and third users are real processes running under other uids (``nobody``), one
given the sharing group as a supplementary group and one not; so these tests need root, as
CI has.
"""

import grp
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as other users")

GROUP = "users"  # a group every Debian system has
NOBODY = 65534
ROOT = Path(__file__).resolve().parent.parent


def _usable_by_others(path: Path) -> bool:
    """Whether any user may run ``path``: it and every folder above it are world-x."""
    path = path.resolve()
    return all(p.stat().st_mode & 0o001 for p in (path, *path.parents))


def _python_for_others() -> tuple[str, dict]:
    """An interpreter other users can run, with this checkout and its packages on its path
    (this one may live in root's home, which nobody else may enter)."""
    import site
    import sysconfig

    if _usable_by_others(Path(sys.executable)) and _usable_by_others(ROOT):
        return sys.executable, {}
    version = sysconfig.get_python_version()
    system = Path(f"/usr/bin/python{version}")
    packages = [p for p in site.getsitepackages() if _usable_by_others(Path(p))]
    if system.exists() and _usable_by_others(system) and packages and _usable_by_others(ROOT):
        return str(system), {"PYTHONPATH": os.pathsep.join([str(ROOT), *packages])}
    pytest.skip("no Python interpreter here that another user may run")


@pytest.fixture
def office():
    """A folder any user may pass through, holding the office's folder for the database."""
    base = Path(tempfile.mkdtemp(prefix="clusterctl-office-"))
    base.chmod(0o755)
    yield base / "register" / "ubnd.db"
    subprocess.run(["rm", "-rf", str(base)], check=False)


def run(db: Path, *args: str, uid: int = 0, groups: tuple[int, ...] = (), env: dict = ()):
    python, extra = _python_for_others()
    environment = {"PATH": os.environ["PATH"], "HOME": str(db.parent.parent),
                   "CLUSTERCTL_DB": str(db), "PYTHONDONTWRITEBYTECODE": "1", **extra,
                   **dict(env)}
    return subprocess.run(
        [python, "-m", "clusterctl", *args], capture_output=True, text=True,
        env=environment, user=uid or None, group=(NOBODY if uid else None),
        extra_groups=list(groups) if uid else None, cwd="/")


def test_init_shared_gives_the_register_to_the_group(cli, office):
    result = run(office, "init", "--shared", GROUP)
    assert result.returncode == 0, result.stderr
    assert f"Shared with group {GROUP}" in result.stderr
    gid = grp.getgrnam(GROUP).gr_gid
    folder = office.parent.stat()
    assert stat.S_IMODE(folder.st_mode) == 0o2770 and folder.st_gid == gid
    info = office.stat()
    assert stat.S_IMODE(info.st_mode) == 0o660 and info.st_gid == gid
    run(office, "agency", "add", "SCT", "Sở Công Thương")
    for companion in (Path(f"{office}-wal"), Path(f"{office}-shm")):
        if companion.exists():  # made by SQLite: the database's mode, the folder's group
            assert stat.S_IMODE(companion.stat().st_mode) == 0o660
            assert companion.stat().st_gid == gid
    backup = office.with_name("copy.bak")
    assert run(office, "db", "backup", str(backup)).returncode == 0
    assert stat.S_IMODE(backup.stat().st_mode) == 0o660 and backup.stat().st_gid == gid


def test_a_member_of_the_group_reads_and_writes_as_themself(office):
    gid = grp.getgrnam(GROUP).gr_gid
    assert run(office, "init", "--shared", GROUP).returncode == 0
    run(office, "agency", "add", "SCT", "Sở Công Thương")
    run(office, "directive", "add", "1/UBND", "--issued", "1/1/2024", "--title", "T")
    added = run(office, "task", "add", "-d", "1/UBND", "-l", "SCT", "Việc",
                uid=NOBODY, groups=(gid,), env={"CLUSTERCTL_USER": "giamdoc"})
    assert added.returncode == 0, added.stderr
    noted = run(office, "task", "note", "1", "ghi chú", uid=NOBODY, groups=(gid,))
    assert noted.returncode == 0, noted.stderr
    shown = run(office, "task", "show", "1", "-f", "json", uid=NOBODY, groups=(gid,))
    assert shown.returncode == 0, shown.stderr
    import json

    history = json.loads(shown.stdout)["history"]
    # The system login, whatever CLUSTERCTL_USER says: nobody can write as somebody else.
    assert [entry["actor"] for entry in history] == ["nobody", "nobody"]


def test_a_user_outside_the_group_is_told_which_group_to_join(office):
    assert run(office, "init", "--shared", GROUP).returncode == 0
    for args in (["task", "list"], ["task", "note", "1", "x"]):
        result = run(office, *args, uid=NOBODY)
        assert result.returncode == 3
        assert result.stderr.strip().splitlines() == [
            f"Error: you are not in group {GROUP}, which shares {office}: ask the "
            f"administrator to add you (sudo adduser $USER {GROUP}), then log in again"]


def test_a_private_database_stays_private_and_honours_clusterctl_user(office):
    assert run(office, "init").returncode == 0
    assert stat.S_IMODE(office.stat().st_mode) == 0o600
    assert stat.S_IMODE(office.parent.stat().st_mode) == 0o700
    run(office, "agency", "add", "SCT", "Sở Công Thương")
    run(office, "directive", "add", "1/UBND", "--issued", "1/1/2024", "--title", "T")
    run(office, "task", "add", "-d", "1/UBND", "-l", "SCT", "Việc",
        env={"CLUSTERCTL_USER": "lan"})
    import json

    shown = json.loads(run(office, "task", "show", "1", "-f", "json").stdout)
    assert shown["history"][0]["actor"] == "lan"
    other = run(office, "task", "list", uid=NOBODY, groups=(grp.getgrnam(GROUP).gr_gid,))
    assert other.returncode == 3 and "not yours and not shared" in other.stderr


def test_an_unknown_group_is_refused_before_anything_is_written(office):
    result = run(office, "init", "--shared", "no-such-group-here")
    assert result.returncode == 2
    assert "there is no Unix group 'no-such-group-here'" in result.stderr
    assert not office.exists()
