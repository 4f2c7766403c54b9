"""The statement page's tables: figures right-aligned, IDs and dates never broken at their hyphens (issue 24)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from toolkit.report.statements import TEMPLATE, html_table


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
