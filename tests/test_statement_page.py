"""The statement page's tables: figures right-aligned, IDs and dates never broken at their hyphens (issue 24)."""

from __future__ import annotations

import re
from pathlib import Path

import datetime as dt
import decimal
import importlib.util
import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit.report.statements import TEMPLATE, html_table, record_columns

HAS_ARROW = importlib.util.find_spec("pyarrow") is not None


def _every_dtype() -> pd.DataFrame:
    """A column of each dtype a page's frames hold, with their awkward values (numpy scalars in an object column,
    missing values of each spelling, dates with a time of day)."""
    frame = pd.DataFrame({
        "float": [1.5, np.nan, -0.0, 1e21], "float32": pd.Series([1.5, np.nan, 3.0, 0.1], dtype="float32"),
        "int": [1, -2, 3, 2**62], "bool": [True, False, True, False],
        "Int64": pd.array([1, None, -3, 4], dtype="Int64"), "Float64": pd.array([1.5, None, 2.0, 0.1], dtype="Float64"),
        "str": pd.Series(["a", None, "中文", "=1"], dtype="str"), "string": pd.Series(["a", None, "b", ""], dtype="string"),
        "object": pd.Series([np.float64(2.5), np.int64(7), np.bool_(True), None], dtype=object),
        "object more": pd.Series([decimal.Decimal("1.25"), dt.date(2026, 1, 31), np.datetime64("2026-02-01"), pd.NA],
                                 dtype=object),
        "dates": pd.to_datetime(["2026-01-31", None, "2026-02-28 13:45", "2026-03-01"], format="mixed"),
        "category": pd.Categorical(["x", "y", None, "x"]),
    })
    if HAS_ARROW:
        frame["arrow"] = pd.Series(["a", None, "中文", "b"], dtype="string[pyarrow]")
    return frame


def test_a_frames_columns_are_its_records_values() -> None:
    """``record_columns`` (the page's tables' columns taken whole) gives each value, of the same type, that
    ``to_dict("records")`` gives: every dtype, and no rows."""
    for frame in (_every_dtype(), _every_dtype().iloc[:0]):
        records = frame.to_dict("records")
        expected = [[rec[c] for rec in records] for c in frame.columns]
        got = record_columns(frame)
        assert [[(type(v), str(v)) for v in col] for col in got] == \
            [[(type(v), str(v)) for v in col] for col in expected]


@pytest.mark.parametrize("repeated", [False, True])
def test_a_page_table_from_its_columns_is_the_one_from_its_records(monkeypatch, repeated: bool) -> None:
    """The table built from the columns is the one built row by row from ``to_dict("records")`` (the path a frame
    with a repeated header takes: its last column's values, as to_dict keeps them)."""
    frame = _every_dtype()
    if repeated:
        frame = frame.set_axis([*frame.columns[:-1], "str"], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # to_dict on a repeated header warns it drops one
        fast = html_table(frame, pct=["float32"], money=["float"])
        monkeypatch.setattr(pd.Index, "is_unique", property(lambda self: False))
        slow = html_table(frame, pct=["float32"], money=["float"])
    assert fast == slow
    assert len(fast["rows"]) == 4 and fast["rows"][0][:3] == ["1.50", "150.0%", "1"]


def test_columns_get_their_class_from_their_values() -> None:
    frame = pd.DataFrame({"Date": [pd.Timestamp("2026-02-06"), pd.Timestamp("2026-02-24")],
                          "Receipt": ["EC-SK2026-0025", "EC-SK2026-0032"],
                          "Customer": ["Harbin Grid Company Ltd", "Shenyang Meter Works"],
                          "Amount": [48800.0, 51500.0], "Share": [1.0, 0.5], "Factor": [0.5, 1.0],
                          "This month": [True, False]})
    table = html_table(frame, pct=["Share"], money=["Amount"])
    assert table["classes"] == ["code", "code", "", "num", "num", "num", ""]
    assert table["rows"][0][:4] == ["2026-02-06", "EC-SK2026-0025", "Harbin Grid Company Ltd", "48,800.00"]
    # a long ID-like text (over 16 characters) may wrap: it is not a code
    assert html_table(pd.DataFrame({"x": ["A" * 17]}))["classes"] == [""]


def test_missing_values_leave_a_columns_class_to_the_others() -> None:
    """A blank cell (None, NaN, NaT, NA) neither makes nor spoils a column's class; a column of blanks only has none."""
    frame = pd.DataFrame({"Date": pd.to_datetime(["2026-02-06", None]), "Receipt": ["EC-1", None],
                          "Hours": [2.5, float("nan")], "Count": pd.array([3, None], dtype="Int64"),
                          "Note": [None, None], "Mixed": ["EC-2", 4.0]})
    table = html_table(frame)
    assert table["classes"] == ["code", "code", "num", "num", "", ""]
    assert table["rows"][1] == ["", "", "", "", "", "4"]


def test_the_contributions_table_uses_the_classes_and_the_draft_mark_is_on_the_first_page_only() -> None:
    page = Path(TEMPLATE).read_text(encoding="utf-8")
    block = page[page.index("{% if contributions.rows %}"):]
    assert 'class="{{ contributions.classes[loop.index0] }}"' in block
    assert re.search(r"td\.code\s*\{\s*white-space:\s*nowrap", page)
    # position: fixed would repeat the small DRAFT mark on every printed page, over the table's header
    assert re.search(r"\.draft-head\s*\{\s*position:\s*absolute", page)
