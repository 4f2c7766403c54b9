"""Same input, same output whatever pandas' string backend (DESIGN.md "Same input, same output", issue 21).

pandas 3 stores text as Arrow strings when pyarrow is installed (many users have it) and as Python strings
otherwise. Where pyarrow is installed, every command below runs on the sample twice in this process — once with
``mode.string_storage`` set to "python" (what a machine without pyarrow gets) and once with "pyarrow" — and the
outputs must be identical. ``.ci/run`` runs the whole suite a second time with pyarrow installed, so these run
there, and every other test runs on Arrow strings too; without pyarrow they skip, saying so.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_appraisal import east_under_north

from toolkit.cli.main import cli

ARROW = importlib.util.find_spec("pyarrow") is not None
NO_ARROW = "pyarrow is not installed (.ci/run's second pass installs it)"
PERIOD = "2026-10"


def run(storage: str, *args: str) -> str:
    """A command's stdout with pandas' strings stored as ``storage``; it must not fail unexpectedly."""
    with pd.option_context("mode.string_storage", storage):
        assert pd.Series(["x"]).dtype.storage == storage
        res = CliRunner().invoke(cli, ["--lang", "en", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code in (0, 1), res.output
    return res.output


def test_the_string_backend_ci_asked_for_is_the_one_in_use() -> None:
    """``TOOLKIT_TEST_STRINGS`` (set by .ci/run's second pass) names the backend the suite must be running on."""
    want = os.environ.get("TOOLKIT_TEST_STRINGS")
    if not want:
        pytest.skip("TOOLKIT_TEST_STRINGS is not set (.ci/run sets it for its pyarrow pass)")
    assert pd.Series(["x"]).dtype.storage == want


@pytest.fixture(scope="module")
def moved_roster(sample_dir: Path, tmp_path_factory) -> Path:
    """The sample's standards with East China's people on the Roster under North China: consolidating East
    alone, nobody can be scored (the case that crashed salary and close-month on Arrow strings)."""
    path = tmp_path_factory.mktemp("moved") / "standards.xlsx"
    assert east_under_north(sample_dir, path)
    return path


def close(storage: str, out: Path, *args: str) -> dict[str, bytes]:
    """The month close's JSON and Markdown outputs (its run summary holds timings: left out) on ``storage``."""
    out.mkdir(parents=True)
    run(storage, "close-month", *args, "--period", PERIOD, "-o", str(out), "--db", str(out / "toolkit.db"),
        "--jobs", "1")
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.suffix in (".json", ".md") and not p.name.startswith("close-month-")}


@pytest.mark.skipif(not ARROW, reason=NO_ARROW)
@pytest.mark.parametrize("case", ["sample", "nobody-scored"])
def test_month_close_is_identical_on_python_and_arrow_strings(case: str, sample_dir: Path, moved_roster: Path,
                                                              tmp_path: Path) -> None:
    """Royalties, salary, completion, funds, forecast and the report's summary, byte for byte."""
    if case == "sample":
        args = [*sorted(str(p) for p in sample_dir.glob("dept-*.xlsx")), "--standards",
                str(sample_dir / "standards.xlsx")]
    else:  # East China is no Roster department there: an error since issue 22, so salary computes it with --force
        args = [str(sample_dir / "dept-east.xlsx"), "--standards", str(moved_roster), "--period", PERIOD, "--force",
                "--format", "json"]
        python, arrow = run("python", "salary", *args), run("pyarrow", "salary", *args)
        assert '"not-computed"' in python and python == arrow
        return
    python, arrow = close("python", tmp_path / "python", *args), close("pyarrow", tmp_path / "arrow", *args)
    assert f"salary-{PERIOD}.json" in python and f"monthly-report-{PERIOD}.md" in python
    assert python == arrow


@pytest.mark.skipif(not ARROW, reason=NO_ARROW)
def test_validation_is_identical_on_python_and_arrow_strings(sample_dir: Path) -> None:
    files = sorted(str(p) for p in sample_dir.glob("*.xlsx"))
    validate = ["validate", *files, "--standards", str(sample_dir / "standards.xlsx"), "--period", PERIOD,
                "--format", "json"]
    python = run("python", *validate)
    assert python.startswith("{") and python == run("pyarrow", *validate)
