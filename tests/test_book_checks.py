"""The chapters' check machinery (book/_checks): records, failures and the verification block."""

import sys
from pathlib import Path

import numpy as np
import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK))

from _checks import CheckFailed, Checks, Verification  # noqa: E402

from snncore.checks import verify  # noqa: E402


def test_records_hold_value_reference_tolerance_and_outcome():
    c = Checks("fig-a")
    assert c.close("spike time", 6.9e-3, 6.9e-3 + 1e-13, atol=1e-12, unit="ms", source="s")
    assert c.equal("indices", [0, 1, 1, 0, 1], [0, 1, 1, 0, 1], source="s")
    assert c.within("count", 18, 10, 30, source="binomial")
    records = c.done()
    assert [r.outcome for r in records] == ["pass"] * 3
    assert (records[0].value, records[0].reference, records[0].tolerance) == \
        ("6.9 ms", "6.9 ms", "1e-09 ms")
    assert records[1].value == "5 values, identical"
    assert records[2].reference == "10 to 30"


def test_a_failed_check_raises_naming_every_failure():
    c = Checks("fig-b")
    c.close("trace", np.zeros(5), np.full(5, 1e-3), atol=1e-9, source="Brian 2")
    c.equal("count", 3, 4, source="analytic")
    c.within("rate", 12.0, high=10, unit="Hz", source="paper")
    with pytest.raises(CheckFailed, match=r"(?s)fig-b: trace: 5 values, largest difference "
                                          r"0\.001.*fig-b: count: 3, reference 4.*"
                                          r"fig-b: rate: 12 Hz, reference at most 10 Hz"):
        c.done()


def test_shape_mismatch_fails():
    c = Checks("fig-c")
    assert not c.close("trace", np.zeros(4), np.zeros(5), atol=1, source="s")
    assert "shape (4,), reference (5,)" in c.records[0].value


def test_verification_block_has_one_row_per_check():
    c = Checks("fig-d")
    c.close("v | peak", 1.0, 1.0, source="s")
    c.true("ordered", True, source="s")
    block = Verification(c.done())
    md = block._repr_markdown_()
    assert md.startswith(":::{dropdown} What this page verifies")
    assert "2 of 2 checks passed" in md
    assert "| {numref}`fig-d` | v \\| peak | 1 | 1 | s | exact | pass |" in md
    assert md.count("| {numref}`fig-d` |") == 2
    assert "<details><summary>What this page verifies</summary>" in block._repr_html_()
    other = Checks("seeds 1-6")
    other.true("bursts", True, source="s")
    assert "| seeds 1-6 | bursts |" in Verification(other.done())._repr_markdown_()


def test_verify_finds_the_checks_from_a_folder_below_the_book(monkeypatch):
    monkeypatch.chdir(BOOK / "brian1-demos")
    with pytest.raises(ModuleNotFoundError, match="_checks.no_such_chapter"):
        verify("no_such_chapter", {})  # _checks itself was found and imported
