"""The ledger's empty typed frames: ``empty_frame``'s copies of a cached frame equal a frame built afresh
(``build_empty_frame``) for every schema table, follow pandas' text storage, and are each caller's own."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from toolkit.core.ledger import LEDGER_COLUMNS, Ledger, build_empty_frame, empty_frame
from toolkit.schema import DEPARTMENT, STANDARDS

STORAGES = ["python"] + (["pyarrow"] if importlib.util.find_spec("pyarrow") else [])


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(map(str, a.dtypes)) == list(map(str, b.dtypes))
    assert [type(a[c].array) for c in a.columns] == [type(b[c].array) for c in b.columns]
    assert type(a.index) is type(b.index) and a.columns.dtype == b.columns.dtype


@pytest.mark.parametrize("extra", [(), LEDGER_COLUMNS])
def test_cached_empty_frames_equal_built_ones(extra):
    for storage in STORAGES * 2:  # each storage twice: built, then copied from the cache
        with pd.option_context("mode.string_storage", storage):
            for table in (*DEPARTMENT.tables, *STANDARDS.tables):
                _same(empty_frame(table, extra), build_empty_frame(table, extra))


def test_each_caller_gets_its_own_empty_frame():
    table = DEPARTMENT.table("Leave")
    first = empty_frame(table, LEDGER_COLUMNS)
    first["added"] = pd.Series(dtype="float64")
    first.loc[0, "employee_id"] = "E1"
    first.attrs["x"] = 1
    _same(empty_frame(table, LEDGER_COLUMNS), build_empty_frame(table, LEDGER_COLUMNS))
    assert empty_frame(table, LEDGER_COLUMNS).attrs == {}


def test_a_ledger_without_tables_has_the_built_frames():
    ledger = Ledger({}, None)
    for table in DEPARTMENT.tables:
        _same(ledger.tables[table.key], build_empty_frame(table, LEDGER_COLUMNS))
