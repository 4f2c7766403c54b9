"""Every third-party file in ../shared/corpus/ (read in place) reads, or fails with one clear message.

Through the normal API, in this pytest process: the safety layer (pre-checks, isolated child) must
keep aborts in the Rust reader, hangs and memory blow-ups away from us. The corpus is the development
workspace's (``TOOLKIT_CORPUS`` names another folder); on a fresh clone these tests skip, saying so, except the
spot checks on the few files committed under tests/data/calamine/. No test here times the reader: its limits
are counted in work and memory, so a file gives the same outcome on a busy machine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import CALAMINE, CORPUS
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_raw_sheets, read_workbook
from toolkit.io.safety import SUPPORTED

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() != ".md") if CORPUS.exists() else []
ABSENT = f"the third-party corpus {CORPUS} is not present (a fresh clone; set TOOLKIT_CORPUS to run these)"


def outcome(fn, path: Path) -> tuple[str, object]:
    """('ok', result) or ('refused', ToolkitError); anything else propagates and fails the test."""
    try:
        return "ok", fn(path)
    except ToolkitError as exc:
        return "refused", exc


#: ``read_raw_sheets``'s outcome ('ok' or 'refused') for each file read by a test of this process, so the decoder's
#: share below reads again only the files this process has not read.
RAW_OUTCOMES: dict[Path, str] = {}


def raw_outcome(path: Path) -> tuple[str, object]:
    """``outcome(read_raw_sheets, path)``, its kind remembered in ``RAW_OUTCOMES``."""
    kind, raw = outcome(read_raw_sheets, path)
    RAW_OUTCOMES[path] = kind
    return kind, raw


def check_refusal(exc: ToolkitError, path: Path) -> None:
    for lang in ("en", "zh"):
        text = exc.message(lang)
        assert str(path) in text, text
        assert "\n" not in text and "Traceback" not in text


@pytest.mark.skipif(not FILES, reason=ABSENT)
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_reads_or_fails_clearly(path: Path) -> None:
    kind, raw = raw_outcome(path)
    if kind == "ok":
        assert isinstance(raw, dict)
        assert all(isinstance(rows, list) for rows in raw.values())
        assert path.suffix.lower() in SUPPORTED  # only .xlsx/.xlsm are decoded
    else:
        check_refusal(raw, path)
    kind, data = outcome(read_workbook, path)
    if kind == "ok":
        assert data.kind in ("department", "standards")
    else:
        check_refusal(data, path)


def test_corpus_exercises_the_decoder() -> None:
    """Most .xlsx files in the corpus must really be decoded, not refused by the pre-checks."""
    if not FILES:
        pytest.skip(ABSENT)
    xlsx = [p for p in FILES if p.suffix.lower() in SUPPORTED]
    decoded = [p for p in xlsx if (RAW_OUTCOMES.get(p) or raw_outcome(p)[0]) == "ok"]
    assert len(decoded) >= 0.8 * len(xlsx), sorted(set(xlsx) - set(decoded))


def test_corpus_values_and_error_cells() -> None:
    """Spot checks that the decoded values are the right ones (dates in both systems, error cells)."""
    cal = CALAMINE  # committed copies: this runs on every clone
    errors = read_raw_sheets(cal / "errors.xlsx")
    assert [row[0] for row in errors["Feuil1"][:7]] == ["#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"]
    d1900 = read_raw_sheets(cal / "date.xlsx")
    d1904 = read_raw_sheets(cal / "date_1904.xlsx")
    first = lambda raw: next(v for rows in next(iter(raw.values())) for v in rows if hasattr(v, "year"))  # noqa: E731
    assert first(d1900) == first(d1904) == dt.date(2021, 1, 1)
