"""The claims registry (datasets/claims.csv): every figure stated in prose is registered for its file."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from platform_intl import data

ROOT = Path(__file__).resolve().parents[1]


def _scanner():
    spec = importlib.util.spec_from_file_location("claims_scan", ROOT / "tools" / "claims_scan.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scan():
    return _scanner()


@pytest.fixture(scope="module")
def found(scan):
    return scan.scan()


def test_every_stated_figure_is_in_the_registry(scan, found):
    missing = scan.unregistered(found)
    listing = "\n".join(f"{s.file} {s.where}: {s.stated!r} in '...{s.context}...'" for s in missing[:20])
    assert not missing, f"{len(missing)} stated figures are not in datasets/claims.csv:\n{listing}"


def test_the_scan_reaches_lectures_problem_sets_and_the_package(found):
    files = {s.file for s in found}
    assert {f"course/0{i}" for i in (0, 1, 2, 3, 4, 6, 7)} <= {f[:9] for f in files}
    assert any(f.startswith("assignments/source/ps2") for f in files)
    assert any(f.startswith("src/platform_intl/localization") for f in files)
    assert len(found) > 200


def test_matching_is_per_file_and_exact(scan):
    rows = [{"stated": "446 million", "used_in": "course/01_weibo_goes_global.ipynb#cell24"}]
    here = scan.Stated("course/01_weibo_goes_global.ipynb", "cell1", "446 million", "")
    elsewhere = scan.Stated("course/06_market_sizing.ipynb", "cell1", "446 million", "")
    other_value = scan.Stated("course/01_weibo_goes_global.ipynb", "cell1", "445 million", "")
    assert scan.unregistered([here, elsewhere, other_value], rows) == [elsewhere, other_value]


def test_the_figure_pattern_finds_units_percentages_and_money(scan):
    text = "Weibo had 446 million users, 44 % of them daily (44% in English); USD 3.17 a year; 1,000 people; in 2018."
    tokens = [s.stated for s in scan._scan_text(text, "x", "cell0")]
    assert tokens == ["446 million users", "44%", "44%", "USD 3.17", "1,000 people"]  # a spaced % is the same figure


def test_allow_list_is_small_and_lets_no_claim_through(scan):
    assert len(scan.ALLOWED) <= 8 and len(scan.ALLOWED_FILES) <= 3
    for claim in ("446 million", "30 %", "USD 40,000", "1,000 people", "600 words", "50 %"):
        assert scan.allowed(claim) is None, claim
    for logistics in ("7 points", "about 60 minutes", "100 %", "4.75 years"):
        assert scan.allowed(logistics), logistics


def test_registry_rows_are_sourced_graded_and_not_stale(scan, found):
    claims = data.load("claims")
    assert claims["claim_id"].is_unique and len(claims) >= 133
    assert claims["source"].str.strip().str.len().gt(0).all()
    assert set(claims["confidence"].astype(str)) <= {"A", "B", "C", "D"}
    present = {(s.file, s.stated) for s in found}
    stale = []
    for row in claims.dropna(subset=["stated"]).itertuples():
        files = {u.split("#")[0] for u in str(row.used_in).split(";") if u}
        for stated in row.stated.split(" | "):
            if not any((f, scan.normalise(stated)) in present for f in files):
                stale.append((row.claim_id, stated))
    assert not stale, f"registry rows whose stated figure no longer appears where they say: {stale[:10]}"


def test_unverified_claims_say_so_and_fixed_ones_say_what_changed():
    claims = data.load("claims")
    fixed = claims[claims["status"].str.startswith("fixed")]
    assert len(fixed) >= 40 and fixed["note"].str.contains("NOW:|now|New", regex=True).all()
    assert (claims.loc[claims["status"] == "unverified", "note"].str.len() > 20).all()


def test_the_audit_lists_every_figure_the_lectures_state():
    audit = (ROOT / "docs" / "content-audit.md").read_text(encoding="utf-8")
    claims = data.load("claims")
    in_lectures = claims[claims["used_in"].str.contains("course/", na=False)]
    missing = [cid for cid in in_lectures["claim_id"] if not re.search(rf"\b{cid}\b", audit)]
    assert not missing, f"docs/content-audit.md does not list {missing[:10]}"
    assert not (ROOT / "docs" / "content-audit-draft").exists()
