"""Shared fixtures: paths to the repository's workbooks and the third-party corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "workbooks"
SAMPLE = WORKBOOKS / "sample"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample workbooks (standards.xlsx and the department files)."""
    if not (SAMPLE / "standards.xlsx").exists():
        pytest.skip("workbooks/sample/ has not been generated")
    return SAMPLE


def need(program: str) -> str:
    """Skip the calling test, saying why, when an external program is not installed."""
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (.ci/run installs it)")
    return path
