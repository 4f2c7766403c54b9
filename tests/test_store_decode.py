"""Decoding stored rows: the fast arrays (``codec._fast_array``) equal the general path (``codec._cast``) on the
sample's real stored values, in SQLite and PostgreSQL, and unusual values take the general path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from consolidate_helpers import sample_source
from test_store_cells import recorded_sample
from toolkit.schema import DEPARTMENT, DTYPES
from toolkit.store import codec, open_store

#: The reader's dtypes: every column of the sample with one of them takes the fast path.
USUAL = {"str", "float64", "int64", "Int64", "boolean", "datetime64[ns]"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_source(tmp_path_factory)


def _same_series(fast: object, general: pd.Series) -> None:
    pd.testing.assert_series_equal(pd.Series(fast), general, check_exact=True)
    assert str(pd.Series(fast).dtype) == str(general.dtype)


def test_fast_arrays_equal_the_general_path_on_stored_sample_rows(sample, store_url):
    """Every column of every sample table, as the store gives its values back: the same Series both ways, and
    the fast path taken for every column of a usual dtype (so a broken fast path cannot hide behind the other)."""
    fast_columns = 0
    with open_store(store_url) as store:
        for path, sid in recorded_sample(store, sample):
            for table in DEPARTMENT.tables:
                names = [codec.ROW, *table.keys]
                for _, _, recorded, rows in store.snapshots._snapshot_rows([sid], table.key, names, "department",
                                                                           1_000_000):
                    dtypes = {n: recorded.get(n, "Int64" if n == codec.ROW else DTYPES[table.column(n).type])
                              for n in names}
                    for name, values in zip(names, zip(*rows)):
                        fast = codec._fast_array(values, dtypes[name])
                        if dtypes[name] in USUAL:
                            assert fast is not None, (path.name, table.key, name, dtypes[name])
                        if fast is not None:
                            fast_columns += 1
                            _same_series(fast, codec._cast(values, dtypes[name]))
                    # and the frames: decode's (fast arrays) against one of the general path's Series
                    general = pd.DataFrame({n: codec._cast(v, dtypes[n]) for n, v in zip(names, zip(*rows))},
                                           columns=names)
                    pd.testing.assert_frame_equal(codec.decode(rows, names, names, dtypes), general, check_exact=True)
    assert fast_columns > 100


@pytest.mark.parametrize(("values", "dtype"), [
    ((1, None, 3), "Int64"),
    ((1.0, None, 3.0), "Int64"),  # floats in an integer column: general path
    ((2**63 + 1,), "float64"),
    ((1, 2, 2**62), "int64"),
    ((True, False), "int64"),
    ((0, 1, None), "boolean"),
    ((True, None, False), "boolean"),  # Python booleans: general path
    ((2, 0), "boolean"),  # not 0/1: general path
    ((0, 1), "bool"),
    (("2026-10-01", None, "1999-12-31"), "datetime64[ns]"),
    (("2026-10-01T12:30:00", None), "datetime64[ns]"),  # a time of day: general path
    (("2026-10-01", "2026-10"), "datetime64[ns]"),
    (("2026-10-01",), "datetime64[s]"),
    (("a", None, "b"), "str"),
    (("a", 1, None), "str"),  # a number in a text column: general path
    ((1, None, 2.5), "float64"),
    ((), "str"), ((), "Int64"), ((), "float64"), ((), "datetime64[ns]"), ((), "boolean"), ((), "int64"),
    (("x", None), "object"),
])
def test_cast_array_equals_cast_on_unusual_values(values, dtype):
    _same_series(codec._cast_array(values, dtype), codec._cast(values, dtype))


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2262-04-12", "1677-09-21"])
def test_a_date_beyond_what_nanoseconds_hold_is_refused_as_before(date):
    """The review's case: NumPy wraps such a date round to another one silently; the general path refuses it."""
    assert codec._fast_array((date,), "datetime64[ns]") is None
    with pytest.raises(pd.errors.OutOfBoundsDatetime):
        codec._cast_array(("2026-10-01", date), "datetime64[ns]")
    assert codec._fast_array(("1677-09-22", "2262-04-10"), "datetime64[ns]") is not None


def test_fast_array_declines_what_it_does_not_know():
    assert codec._fast_array((1.0, None), "Int64") is None
    assert codec._fast_array((True, None), "boolean") is None
    assert codec._fast_array(("a", 1), "str") is None
    assert codec._fast_array((1.0, "2.5"), "float64") is None
    assert codec._fast_array((0, 1, None), "int64") is None
    assert codec._fast_array(("2026-10-01T12:30:00",), "datetime64[ns]") is None
    assert codec._fast_array((2**64,), "int64") is None
    assert isinstance(codec._fast_array((1, None), "Int64"), pd.arrays.IntegerArray)
    assert isinstance(codec._fast_array(("2026-10-01",), "datetime64[ns]"), np.ndarray)
