"""Every test runs on a database in its own temporary folder, never a user's."""

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clusterctl.cli.main import app


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERCTL_DB", str(tmp_path / "data" / "clusterctl.db"))
    monkeypatch.setenv("CLUSTERCTL_USER", "tester")
    monkeypatch.setenv("CLUSTERCTL_TZ", "Asia/Ho_Chi_Minh")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    for name in ("CLUSTERCTL_DUE_SOON_DAYS", "CLUSTERCTL_DEBUG", "CLUSTERCTL_BUSY_TIMEOUT",
                 "NO_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    from clusterctl.config import office_tz

    office_tz.cache_clear()
    yield
    office_tz.cache_clear()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "clusterctl.db"


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):
        """Run clusterctl in-process; check its exit code unless ``code`` is None."""
        result = self.runner.invoke(app, list(args), input=input)
        assert code is None or result.exit_code == code, (
            f"exit {result.exit_code} != {code}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\nexception: {result.exception!r}"
        )
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--format", "json").stdout)

    def fails(self, *args: str, code: int = 2) -> str:
        """Run a command that must fail; return its one-line error."""
        result = self(*args, code=code)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: "), lines[0]
        assert "Traceback" not in result.output
        return lines[0]


@pytest.fixture
def cli() -> Cli:
    return Cli()


AGENCIES: Sequence[tuple[str, str, tuple[str, ...]]] = (
    ("SCT", "Sở Công Thương", ("DOIT",)),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", ("DPI",)),
    ("STC", "Sở Tài chính", ()),
    ("SXD", "Sở Xây dựng", ()),
)


@pytest.fixture
def seeded(cli):
    """Four agencies and directive 2029/UBND-KTTH, no tasks."""
    for code, name, aliases in AGENCIES:
        args = ["agency", "add", code, name]
        for alias in aliases:
            args += ["--alias", alias]
        cli(*args)
    cli("directive", "add", "2029/UBND-KTTH", "--issued", "22/4/2024",
        "--title", "Tăng cường công tác quản lý, phát triển cụm công nghiệp",
        "--issuer", "Chủ tịch UBND tỉnh Bắc Giang")
    return cli


def add_task(cli, title: str, *args: str) -> int:
    result = cli("task", "add", "-d", "2029/UBND-KTTH", *args, title)
    return int(result.stdout.strip())
