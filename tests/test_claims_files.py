"""Claim lists as spreadsheets save them (`../shared/cases/ingest/excel-*.csv`): separator sniffed, header case
ignored, encoding detected; read like any claims CSV."""

import csv

import pytest

from pipeline.batch import read_claims, sniff_separator
from pipeline.errors import InputError
from tests.conftest import SHARED, citetrail

CASES = SHARED / "cases" / "ingest"
EXCEL_CLAIMS = [("1", "Trump met Putin in Alaska."),
                ("2", '"Russia wants about 6,000 square kilometres it has not yet conquered."'),
                ("3", "Vance said the war is close to ending."),
                ("4", '=HYPERLINK("http://evil.example","click")')]


@pytest.mark.parametrize(("name", "source_column"), [("excel-semicolon-bom.csv", "source"), ("excel-capital-header.csv", "Source")])
def test_excel_exports_read_like_any_claims_csv(name, source_column):
    claims = read_claims(CASES / name).claims
    assert [(c.id, c.text) for c in claims] == EXCEL_CLAIMS  # the quoted line break is whitespace in a claim
    assert [c.metadata for c in claims] == [{source_column: s} for s in ("Reuters", "NBC", "OAN", "x")]


def test_windows_1252_claims_are_decoded():
    (claim,) = read_claims(CASES / "excel-cp1252.csv").claims
    assert (claim.id, claim.text) == ("1", "Vance spoke on NBC’s Meet the Press.")


@pytest.mark.parametrize(("header", "separator"), [("id,claim", ","), ("id;claim;note", ";"), ("id\tclaim", "\t"),
                                                    ("claim", ","), ("id|claim", "|")])
def test_separator_is_sniffed_from_the_header(header, separator):
    assert sniff_separator(header + "\n1,x\n") == separator


def test_a_header_naming_claim_twice_in_two_cases_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Claim,claim\nx,y\n")
    with pytest.raises(InputError, match="the header names a column twice"):
        read_claims(path)


def test_batch_of_an_excel_export(tmp_path, store_copy):
    proc = citetrail("batch", str(CASES / "excel-semicolon-bom.csv"), "--store", str(store_copy), "-o", str(tmp_path / "r.jsonl"))
    assert proc.returncode == 0 and "4 claims checked" in proc.stdout, proc.stderr
    run_id = proc.stdout.split()[1].rstrip(":")
    proc = citetrail("report", run_id, "--csv", str(tmp_path / "r.csv"), "--store", str(store_copy))
    rows = list(csv.DictReader((tmp_path / "r.csv").open(newline="")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"] and rows[3]["claim"].startswith("'=HYPERLINK")
