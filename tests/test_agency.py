"""clusterctl agency add | list | show, and finding agencies by code, alias or name."""

import pytest

from tests.conftest import add_task, db_digest


def test_agency_list_plain_is_aligned(seeded):
    assert seeded("agency", "list", "--format", "plain").stdout == (
        "Code   Name                   Aliases\n"
        "SCT    Sở Công Thương         DOIT\n"
        "SKHDT  Sở Kế hoạch và Đầu tư  DPI\n"
        "STC    Sở Tài chính           -\n"
        "SXD    Sở Xây dựng            -\n"
    )


def test_agency_list_json_and_csv(seeded):
    agencies = seeded.json("agency", "list")
    assert agencies[0] == {"code": "SCT", "name": "Sở Công Thương", "aliases": ["DOIT"],
                           "dissolved_on": None, "successors": []}
    csv = seeded("agency", "list", "--format", "csv").stdout.splitlines()
    assert csv[0] == "code,name,aliases"
    assert csv[1] == "SCT,Sở Công Thương,DOIT"


def test_agency_list_empty(cli):
    cli("init")
    result = cli("agency", "list", "--format", "plain")
    assert result.stdout == ""
    assert "No agencies yet" in result.stderr
    assert cli.json("agency", "list") == []


@pytest.mark.parametrize("query", ["SKHDT", "skhdt", "DPI", "dpi", "so ke hoach va dau tu",
                                   "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "  Sở  Kế hoạch và Đầu tư "])
def test_agency_found_by_code_alias_or_name(seeded, query):
    assert seeded.json("agency", "show", query)["code"] == "SKHDT"


def test_agency_show_counts_tasks(seeded):
    add_task(seeded, "A", "-l", "SCT", "-s", "STC")
    done = add_task(seeded, "B", "-l", "SCT")
    seeded("task", "done", str(done), "--on", "1/5/2024")
    add_task(seeded, "C", "-l", "STC", "-s", "SCT")
    shown = seeded.json("agency", "show", "SCT")
    assert (shown["lead"], shown["lead_open"], shown["support"]) == (2, 1, 1)
    plain = seeded("agency", "show", "SCT", "--format", "plain").stdout
    assert "Leads, still open:  1" in plain


def test_unknown_agency_lists_the_closest(seeded):
    error = seeded.fails("agency", "show", "so cong thong")
    assert "unknown agency 'so cong thong'" in error
    assert "SCT (Sở Công Thương)" in error


def test_ambiguous_agency_is_exit_2(seeded, db_path):
    seeded("agency", "add", "UBND-BG", "UBND thành phố Bắc Giang", "--alias", "BG")
    seeded("agency", "add", "CA-BG", "Công an Bắc Giang", "--alias", "CABG")
    before = db_digest(db_path)
    # An alias shared by two agencies cannot be added...
    assert "already names agency" in seeded.fails("agency", "add", "X", "Tên X", "-a", "bg")
    assert db_digest(db_path) == before


def test_duplicate_code_name_or_alias_refused(seeded, db_path):
    before = db_digest(db_path)
    assert "already names agency SCT" in seeded.fails("agency", "add", "sct", "Khác")
    assert "already names agency SCT" in seeded.fails("agency", "add", "NEW", "so cong thuong")
    assert "already names agency SCT" in seeded.fails("agency", "add", "NEW", "Mới", "-a", "doit")
    assert db_digest(db_path) == before
    seeded("agency", "add", "NEW", "Mới", "-a", "moi")
    assert db_digest(db_path) != before


@pytest.mark.parametrize("code", ["S C T", "", "_SCT", "A" * 33, "SCT\x1b", "SCT#1"])
def test_bad_agency_code_refused(cli, code):
    assert "agency code" in cli.fails("agency", "add", code, "Tên")


def test_empty_or_control_name_refused(cli):
    assert "must not be empty" in cli.fails("agency", "add", "SCT", "   ")
    assert "control characters" in cli.fails("agency", "add", "SCT", "Sở\x1b[31m")


def test_name_stored_in_nfc(cli):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Sở Công Thương")
    cli("agency", "add", "SCT", decomposed)
    assert cli.json("agency", "list")[0]["name"] == unicodedata.normalize("NFC", decomposed)
