"""Shared fixtures: paths to the repository's workbooks and the third-party corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No property test depends on the machine's speed: no per-example deadline and no "too slow" health check
# (a loaded machine must not fail a test). CI runs a fixed set of examples, so a submission's result does not
# depend on luck; locally every run explores new ones (failures found so far are kept in the example database).
_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("untimed", **_UNTIMED)
settings.register_profile("ci", derandomize=True, print_blob=True, **_UNTIMED)
settings.load_profile("ci" if os.environ.get("CI") else "untimed")

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "workbooks"
SAMPLE = WORKBOOKS / "sample"
#: The full third-party corpus of the development workspace (absent from a fresh clone: its tests skip, saying so).
CORPUS = Path(os.environ.get("TOOLKIT_CORPUS") or ROOT.parent / "shared" / "corpus")
#: The few third-party files tests need on any clone, committed with their licence (tests/data/calamine/README.md).
CALAMINE = ROOT / "tests" / "data" / "calamine"


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


@pytest.fixture
def isolated_settings(monkeypatch, tmp_path) -> Path:
    """No toolkit settings from the machine: no ``TOOLKIT_*`` variables, an empty home (no user conf file)."""
    for key in ("TOOLKIT_STANDARDS", "TOOLKIT_APPROVER", "TOOLKIT_LANG", "TOOLKIT_DB", "TOOLKIT_LITE"):
        monkeypatch.delenv(key, raising=False)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home
