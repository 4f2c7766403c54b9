"""The sample workbooks: each deliberate problem documented in workbooks/sample/README.md is reported
with its code and cell (in English and Chinese), nothing else is, and the clean departments pass."""

from __future__ import annotations

import re

import pytest

from toolkit.operations.validate import validate_paths
from toolkit.operations.source import Source


def _documented(sample_dir) -> list[tuple[str, str, str]]:
    text = (sample_dir / "README.md").read_text(encoding="utf-8")
    section = text.split("## Deliberate problems", 1)[1]
    return [(code, sheet, cell) for code, sheet, cell in
            re.findall(r"^\|\s*`([a-z-]+)`\s*\|\s*(\w+)\s*\|\s*([A-Z]+\d+)\s*\|", section, re.M)]


@pytest.fixture(scope="module")
def reports(sample_dir):
    return {r.path.rsplit("/", 1)[-1]: r for r in validate_paths(Source([sample_dir]))}


def test_every_documented_problem_is_reported(sample_dir, reports):
    documented = _documented(sample_dir)
    assert len(documented) >= 10
    north = reports["dept-north.xlsx"]
    assert north.status == "invalid"
    found = {(f.code, f.sheet, f.cell): f for f in north.findings}
    for key in documented:
        assert key in found, f"not reported: {key}"
        f = found[key]
        en, zh = f.message("en"), f.message("zh")
        assert f.cell in en and f.cell in zh and en != zh
        assert re.search(r"[\u4e00-\u9fff]", zh), zh
    # Nothing else, apart from the advance-overdue warnings every department has by design.
    extra = {k for k in found if k not in set(documented) and k[0] != "advance-overdue"}
    assert extra == set()


def test_policy_severity_is_taken_from_the_policy_row(reports):
    north = {f.code: f for f in reports["dept-north.xlsx"].findings}
    assert north["receipt-missing"].severity == "error"  # the Accommodation row is Blocking
    assert north["duplicate-claim"].severity == "warning"


def test_clean_departments_have_only_overdue_warnings(reports):
    for name in ("dept-east.xlsx", "dept-south.xlsx", "dept-west.xlsx", "standards.xlsx"):
        r = reports[name]
        assert r.status == "valid", name
        assert {f.code for f in r.findings} <= {"advance-overdue"}, name
