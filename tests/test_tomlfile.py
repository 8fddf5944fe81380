"""Import files read the same with rtoml and, where rtoml is not installed, with tomllib."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from clusterctl.core.tomlfile import TomlFileError, read_toml

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "examples").glob("*.toml")) + sorted(
    (Path(__file__).resolve().parent / "bad_imports").glob("*.toml"))

# Where rtoml has no wheel it is not installed, and tomllib reads the files.
HAS_RTOML = importlib.util.find_spec("rtoml") is not None
needs_rtoml = pytest.mark.skipif(not HAS_RTOML, reason="rtoml is not installed here")
PARSERS = [pytest.param(True, id="rtoml", marks=needs_rtoml), pytest.param(False, id="tomllib")]


def parse(name: str, raw: bytes, *, use_rtoml: bool):
    """read_toml's data, or the problem it reports."""
    with pytest.MonkeyPatch.context() as patch:
        if not use_rtoml:
            patch.setitem(sys.modules, "rtoml", None)  # `import rtoml` raises ImportError
        try:
            return "data", read_toml(name, raw)[0]
        except TomlFileError as exc:
            return "problem", exc.problem


def test_the_files_compared_include_good_and_bad_ones():
    assert len(FILES) > 20
    assert {"province-2024.toml", "deeply_nested.toml", "duplicate_toml_key.toml",
            "unterminated_string.toml", "not_utf8.toml"} <= {f.name for f in FILES}


@needs_rtoml
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_rtoml_and_tomllib_agree(path):
    raw = path.read_bytes()
    kind, fast = parse(str(path), raw, use_rtoml=True)
    other_kind, slow = parse(str(path), raw, use_rtoml=False)
    assert kind == other_kind
    if kind == "data":
        assert fast == slow
    else:
        assert (fast.file, fast.line, fast.path) == (slow.file, slow.line, slow.path)
        assert fast.line is not None
        if "is not valid TOML" in fast.message:
            assert "is not valid TOML" in slow.message




@pytest.mark.parametrize("use_rtoml", PARSERS)
@pytest.mark.parametrize(("text", "line"), [
    ('a = 1\nb = "x\n', 2),
    ('a = 1\nb = [1,\n', 2),  # at the end of the document: its last line with text
    ("a = 1\n\n\nb = {\n\n", 4),
    ("a = 1\na = 2\n", 2),
    ("[t]\n[t]\n", 2),
    ('a = "\x01"\n', 1),
    ("a = 2024-02-30\n", 1),
    ("a = 1\n\nb = " + "[" * 3000, 3),  # nested past what the parser takes
    ("a = 1\n\nb = " + "[\n" * 3000, None),  # each parser gives up at its own depth
])
def test_syntax_errors_have_a_line_with_either_parser(use_rtoml, text, line):
    kind, problem = parse("f.toml", text.encode(), use_rtoml=use_rtoml)
    assert kind == "problem"
    assert problem.message.startswith("is not valid TOML: ")
    assert problem.line is not None
    if line is not None:
        assert problem.line == line


TIMES = ("at", "created_at", "updated_at")  # when each import ran: all else is compared


@needs_rtoml
@pytest.mark.sqlite  # a matter of the parser, not of the engine
def test_import_without_rtoml_gives_the_same_database(cli, tmp_path, monkeypatch):
    from tests.conftest import db_digest

    province = str(ROOT / "examples" / "province-2024.toml")
    first = cli("import", province)
    with_rtoml = db_digest(os.environ["CLUSTERCTL_DB"], ignore=TIMES)
    monkeypatch.setenv("CLUSTERCTL_DB", str(tmp_path / "without-rtoml.db"))
    monkeypatch.setitem(sys.modules, "rtoml", None)
    second = cli("import", province)
    assert second.stderr == first.stderr
    assert db_digest(os.environ["CLUSTERCTL_DB"], ignore=TIMES) == with_rtoml
