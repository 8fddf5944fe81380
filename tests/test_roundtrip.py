"""Property: export, then import into an empty database, gives the same data back."""

import json
import unicodedata
from datetime import date, timedelta

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clusterctl.cli.main import app
from tests.conftest import db_digest

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợ" \
          "ùủũúụừửữứựỳỷỹýỵĐĂÂÊÔƠƯ"
TEXT = st.text(alphabet=LETTERS + " []#\"'\\/-.,", min_size=1, max_size=40).filter(
    lambda s: s.strip())
LAST_DAY = date(2026, 1, 1)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=LAST_DAY)
STATUSES = st.sampled_from(["open", "in_progress", "done", "cancelled", None])


@st.composite
def task_lists(draw):
    codes = draw(st.lists(st.from_regex(r"[A-Z][A-Z0-9]{0,6}", fullmatch=True), min_size=1,
                          max_size=5, unique_by=str.lower))
    agencies = []
    for i, code in enumerate(codes):
        agency = {"code": code, "name": f"Sở {draw(TEXT).strip()} {i}"}
        aliases = draw(st.lists(TEXT, max_size=2))
        if aliases:
            agency["aliases"] = [f"{a.strip()} bí danh {i}-{j}" for j, a in enumerate(aliases)]
        agencies.append(agency)
    directives = []
    for n in range(draw(st.integers(1, 3))):
        directive = {"number": f"{n + 1}/UBND-{draw(st.sampled_from(['KT', 'TH', 'QĐ']))}",
                     "issued": draw(DATES), "title": draw(TEXT)}
        if draw(st.booleans()):
            directive["issuer"] = draw(st.sampled_from(["", "Chủ tịch UBND tỉnh"]))
        tasks = []
        for key in draw(st.lists(st.from_regex(r"[0-9a-z]{1,4}", fullmatch=True), max_size=5,
                                 unique=True)):
            lead = draw(st.sampled_from(codes))
            task = {"key": key, "title": draw(TEXT), "lead": lead}
            support = draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))
            if [c for c in support if c != lead]:
                task["support"] = [c for c in support if c != lead]
            issued = directive["issued"]  # due and completion dates cannot precede it
            if draw(st.booleans()):
                task["due"] = issued + timedelta(days=draw(st.integers(0, 3600)))
                if draw(st.booleans()):
                    task["original_due"] = issued + timedelta(days=draw(st.integers(0, 3600)))
            status = draw(STATUSES)
            if status:
                task["status"] = status
            if status == "done":
                task["completed_on"] = min(LAST_DAY, issued + timedelta(
                    days=draw(st.integers(0, 400))))
            tasks.append(task)
        directive["tasks"] = tasks
        directives.append(directive)
    return {"agencies": agencies, "directives": directives}


def _run(runner, db, *args):
    result = runner.invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _round_trip(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    runner = CliRunner()
    source = folder / "source.toml"
    source.write_text(tomli_w.dumps(data), encoding="utf-8")
    _run(runner, folder / "a.db", "import", str(source))
    imported = db_digest(folder / "a.db")
    first = json.loads(_run(runner, folder / "a.db", "export", "--format", "json"))
    exported = folder / "export.toml"
    _run(runner, folder / "a.db", "export", "--output", str(exported))
    assert db_digest(folder / "a.db") == imported  # exporting wrote nothing
    _run(runner, folder / "b.db", "import", str(exported))
    second = json.loads(_run(runner, folder / "b.db", "export", "--format", "json"))
    assert second == first
    # And the export says what the generated file said.
    assert sorted(a["code"] for a in first["agencies"]) == sorted(a["code"] for a in
                                                                  data["agencies"])
    tasks = {(d["number"], t["key"]): t for d in first["directives"] for t in d["tasks"]}
    for directive in data["directives"]:
        for task in directive["tasks"]:
            got = tasks[(directive["number"], task["key"])]
            assert got["title"] == _normal(task["title"])
            assert got["lead"] == task["lead"]
            assert got.get("support", []) == task.get("support", [])
            assert got.get("due") == (task["due"].isoformat() if "due" in task else None)
            assert got.get("status", "open") == task.get("status", "open")


SETTINGS = {"deadline": None,
            "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


@settings(max_examples=8, **SETTINGS)
@given(data=task_lists())
def test_export_import_round_trip(tmp_path_factory, data):
    _round_trip(tmp_path_factory, data)


@pytest.mark.slow
@settings(max_examples=150, **SETTINGS)
@given(data=task_lists())
def test_export_import_round_trip_many(tmp_path_factory, data):
    _round_trip(tmp_path_factory, data)
