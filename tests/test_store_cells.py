"""The store's cell values (what the consolidated workbook renders from) equal the typed frames' cell values."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate_helpers import department_files, sample_source
from toolkit.core.tables import WorkbookData
from toolkit.io.reader import read_workbook
from toolkit.io.writer import cell_values
from toolkit.schema import DEPARTMENT, DTYPES
from toolkit.store import SourceRecord, codec, open_store
from toolkit.store.payouts import sql_values


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_source(tmp_path_factory)


def _typed_cells(store, sid: int, table, lang: str) -> list[list]:
    """The slow way: decode frames, then ``cell_values`` per column."""
    out: list[list] = []
    for frame in store.iter_table([sid], table.key):
        cols = [cell_values(frame[k], kind, lang) for k, kind in
                zip(["department", "source", *table.keys], ["text", "text", *[c.type.value for c in table.columns]])]
        out = cols if not out else [a + b for a, b in zip(out, cols)]
    return out


def _same(a: list[list], b: list[list]) -> bool:
    """Equal values of equal types (1 and 1.0, True and 1 differ in a cell)."""
    return [[(type(v), v) for v in col] for col in a] == [[(type(v), v) for v in col] for col in b]


def recorded_sample(store, sample) -> Iterator[tuple[Path, int]]:
    """Each sample department workbook recorded in ``store``: (its path, its snapshot id)."""
    run = store.new_run("2026-10", "test")
    for i, path in enumerate(department_files(sample)):
        wb = read_workbook(path)
        yield path, store.record(run, SourceRecord(str(path), 1, "x", f"{i:064d}", "department", f"D{i}"),
                                 wb, wb.findings).snapshot_id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_sample_table_gives_the_same_cells_both_ways(sample, store_url, lang):
    with open_store(store_url) as store:
        for path, sid in recorded_sample(store, sample):
            for table in DEPARTMENT.tables:
                chunks = list(store.iter_cells([sid], table.key, lang, chunk_rows=7))
                fast = [sum((ch[i] for ch in chunks), []) for i in range(len(chunks[0]))] if chunks else []
                assert _same(fast, _typed_cells(store, sid, table, lang)), (path.name, table.key)


# st.text()'s own alphabet (every character UTF-8 encodes, i.e. all but the surrogates), named by category: the
# default's codec="utf-8" makes hypothesis test all 1.1 M code points once per process (≈ 1.4 s CPU) when its
# .hypothesis cache is absent (a fresh clone, each xdist worker)
_text = st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=6))


@st.composite
def _workbooks(draw: st.DrawFn) -> WorkbookData:
    """A department workbook of random typed columns, some with unusual dtypes (the slow path's cases)."""
    tables = {}
    for table in DEPARTMENT.tables[:4]:
        n = draw(st.integers(0, 6))
        data = {}
        for c in table.columns:
            dtype = DTYPES[c.type]
            odd = draw(st.integers(0, 9)) == 0
            if dtype == "str" or odd:
                data[c.key] = pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str" if not odd else object)
            elif dtype == "float64":
                data[c.key] = pd.Series(draw(st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), min_size=n,
                                                      max_size=n)), dtype="float64")
            elif dtype == "Int64":
                data[c.key] = pd.array(draw(st.lists(st.one_of(st.none(), st.integers(-2**62, 2**62)), min_size=n,
                                                     max_size=n)), dtype="Int64")
            elif dtype == "boolean":
                data[c.key] = pd.array(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
                                       dtype="boolean")
            else:
                days = draw(st.lists(st.one_of(st.none(), st.integers(0, 109_000)), min_size=n, max_size=n))
                secs = draw(st.sampled_from([0, 0, 43_200]))
                data[c.key] = pd.Series([None if d is None else pd.Timestamp("1900-01-01") + pd.Timedelta(days=d, seconds=secs)
                                         for d in days], dtype="datetime64[ns]")
        frame = pd.DataFrame(data, index=range(n))
        frame["_row"] = pd.Series(range(2, n + 2), dtype="int64")
        tables[table.key] = frame
    return WorkbookData("r.xlsx", "department", "en", {"department": "R"}, tables)


@pytest.fixture(scope="module")
def random_store(tmp_path_factory):
    """One store for every random example (each records its own snapshot, under a source hash of its own)."""
    with open_store(tmp_path_factory.mktemp("s") / "s.db") as store:
        yield store, itertools.count()


# 20 examples (60 before): with CI=1 the same lines and branches of toolkit/store and io/cells.py as the 60
# (coverage.py --branch; docs/bench-history.md, session 21 — the suite's own cost)
@settings(max_examples=20, deadline=None)
@given(_workbooks(), st.sampled_from(["en", "zh"]))
def test_random_tables_give_the_same_cells_both_ways(random_store, wb, lang):
    store, counter = random_store
    source = SourceRecord("r.xlsx", 1, "x", f"{next(counter):064x}", "department", "R")
    sid = store.record(store.new_run("2026-10", "t"), source, wb, []).snapshot_id
    for table in DEPARTMENT.tables[:4]:  # the example's snapshot, read back both ways
        chunks = list(store.iter_cells([sid], table.key, lang))
        whole = chunks[0] if chunks else []
        assert _same(whole, _typed_cells(store, sid, table, lang)), table.key


def test_values_outside_the_fast_paths_are_converted_the_slow_way():
    assert _same([codec.cell_values([1, 2.5, None], "float64", "money")], [[1.0, 2.5, None]])  # int in REAL
    assert codec.cell_values([2, 0, None], "boolean", "bool") == ["Yes", "No", None]  # not 0/1: decoded
    assert codec.cell_values([2, 0, None], "boolean", "bool", "zh") == ["是", "否", None]
    assert codec.cell_values(["2026-10-05T12:00:00", None], "datetime64[ns]", "month") == [46296.0, None]
    assert codec.cell_values([5, "x"], "object", "text") == ["5", "x"]  # an object column: slow path


@pytest.mark.parametrize("column", [
    pd.Series([1.5, float("nan"), -0.0, float("inf")]), pd.Series([3, -2], dtype="int64"),
    pd.Series([True, False]), pd.Series(["a", None, "b"], dtype=object), pd.Series(["a", None], dtype="str"),
    pd.Series([1, None], dtype="Int64"), pd.Series([True, None], dtype="boolean"),
    pd.Series(["x", 2, float("nan"), pd.Timestamp("2026-10-01")], dtype=object),
    pd.to_datetime(pd.Series(["2026-10-01", None])), pd.Series([], dtype="float64")])
def test_recorded_result_values_as_converted_one_by_one(column: pd.Series) -> None:
    """The close's result frames go into the store as the same Python values, fast path or not: the column as
    Python objects takes sql_values' value-by-value conversion."""
    got, one_by_one = sql_values(column), sql_values(column.astype(object))
    assert got == one_by_one
    assert [type(v) for v in got] == [type(v) for v in one_by_one]
