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


# -- a large file, parsed a piece at a time ------------------------------------------------


def _pieces_file(count: int, *, broken: int | None = None, multiline: int | None = None) -> bytes:
    """A file of ``count`` directives of three tasks; directive ``broken`` has a syntax
    error, the first task of directive ``multiline`` a note with a line that looks like a
    table header."""
    lines = ['[[agencies]]\ncode = "SCT"\nname = "Sở Công Thương"\n']
    for n in range(1, count + 1):
        lines.append(f'[[directives]]\nnumber = "{n}/UBND"\nissued = 2024-01-0{1 + n % 9}\n'
                     f'title = "Văn bản {n}"\n')
        for k in range(1, 4):
            due = "2024-13-45" if n == broken and k == 2 else f"2024-06-{10 + k}"
            lines.append(f'[[directives.tasks]]\nkey = "{k}"\ntitle = "Nhiệm vụ {n}.{k}"\n'
                         f'lead = "SCT"\ndue = {due}\n')
            if n == multiline and k == 1:
                lines.append('note = """Đã họp\n[[directives]]\nxong"""\n')
    return "".join(lines).encode("utf-8")


def _read(raw: bytes, monkeypatch, piece: int | None):
    from datetime import date

    from clusterctl.core import tomlfile
    from clusterctl.core.importer import read_files

    if piece is not None:
        monkeypatch.setattr(tomlfile, "PIECE", piece)
    return read_files([("big.toml", raw)], date(2024, 12, 31))


def _summary(parsed) -> tuple:
    return ([(a.code, a.name) for a in parsed.agencies],
            [(d.number, d.issued, d.title, [(t.key, t.title, t.due, t.note, t.where.label,
                                             t.where.line) for t in d.tasks])
             for d in parsed.directives],
            [str(p) for p in parsed.problems])


def _cuts(raw: bytes, piece: int) -> list[int]:
    from clusterctl.core import tomlfile

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tomlfile, "PIECE", piece)
        return tomlfile.piece_cuts(raw) or []


@pytest.mark.parametrize("shape", ["good", "broken", "multiline", "bad_value"])
def test_a_large_file_read_in_pieces_reads_as_the_whole(monkeypatch, shape):
    raw = _pieces_file(60, broken=31 if shape == "broken" else None,
                       multiline=20 if shape == "multiline" else None)
    if shape == "bad_value":  # a value the reader refuses, in a later piece: its own line
        raw = raw.replace(b'title = "Nhi\xe1\xbb\x87m v\xe1\xbb\xa5 45.2"', b"title = 45")
    piece = 500
    if shape == "multiline":  # a piece size that cuts inside the note
        inside = raw.index(b"\n[[directives]]\nxong") + 1
        piece = next(size for size in range(300, 900) if inside in _cuts(raw, size))
    assert len(_cuts(raw, piece)) > 5  # the file is cut indeed
    whole = _summary(_read(raw, monkeypatch, piece=10**9))
    assert _summary(_read(raw, monkeypatch, piece=piece)) == whole
    if shape == "good":
        assert len(whole[1]) == 60 and whole[2] == []
    elif shape == "broken":  # a syntax error: the file is read whole, which says where
        assert whole[1] == [] and len(whole[2]) == 1 and "is not valid TOML" in whole[2][0]
        line = raw[:raw.index(b"2024-13-45")].count(b"\n") + 1
        assert whole[2][0].startswith(f"big.toml:{line}:")
    elif shape == "multiline":  # a cut inside a multi-line string: read whole, as it is
        assert whole[1][19][3][0][3] == "Đã họp\n[[directives]]\nxong" and whole[2] == []
    else:
        line = raw[:raw.index(b"title = 45")].count(b"\n") + 1
        assert whole[2] == [f"big.toml:{line}: directives[44].tasks[1] (key '2').title: "
                            "must be a string, not an integer"]
