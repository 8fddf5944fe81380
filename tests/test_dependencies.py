"""The pinned dependencies run clusterctl without a DeprecationWarning (see pyproject.toml)."""

import os
import subprocess
import sys


def test_help_runs_with_deprecation_warnings_as_errors(tmp_path):
    # Click 8.5 deprecates a name that Typer 0.25 imports at start-up: warned at every run.
    env = {**os.environ, "CLUSTERCTL_DB": str(tmp_path / "clusterctl.db")}
    env.pop("PYTHONWARNINGS", None)
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-m", "clusterctl", "--help"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: clusterctl" in result.stdout
    assert "Warning" not in result.stderr
