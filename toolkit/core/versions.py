"""Standards with ``Valid From 生效月份`` (DOMAIN.md, "People and standards over time"; docs/people.md).

Royalty Plans, Royalty Tiers, Product Lines, Expense Policy and Appraisal may carry an optional Valid From
month. The rows of one thing (a plan, a plan's tiers, a product line …) form versions; the version in force
for a month is the one with the latest Valid From on or before that month, and a blank Valid From is in
force from the start. A table without the column is one version, in force always (old standards stay valid).

Months are compared as ordinals (year × 12 + month − 1); a blank Valid From is ``BLANK`` (before any month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The optional column's key.
VALID_FROM = "valid_from"
#: The ordinal of a blank Valid From: in force from the start.
BLANK = -1


def ordinal(year: int, month: int) -> int:
    """A month as an ordinal comparable with ``valid_ordinals``."""
    return year * 12 + month - 1


def valid_ordinals(frame: pd.DataFrame) -> pd.Series:
    """Each row's Valid From as a month ordinal (``BLANK`` when blank or when the table has no such column)."""
    if VALID_FROM not in frame.columns:
        return pd.Series(BLANK, index=frame.index, dtype="int64")
    when = pd.to_datetime(frame[VALID_FROM], errors="coerce")
    out = (when.dt.year * 12 + when.dt.month - 1).fillna(BLANK)
    return out.astype("int64")


def versioned(frame: pd.DataFrame | None) -> bool:
    """True when some row of ``frame`` has a Valid From (without one, the table is one version in force always)."""
    return frame is not None and VALID_FROM in frame.columns and bool(frame[VALID_FROM].notna().any())


def value_by_date(frame: pd.DataFrame, key: str, value: str, keys: pd.Series, dates: pd.Series) -> pd.Series:
    """``frame[value]`` for each of ``keys`` at its date: the version of the key in force in the date's month
    (``by_date``); a table without versions maps each key to its first row, as before Valid From existed.
    Index as ``keys``; a key not in ``frame`` (or with no version in force yet) is missing."""
    if not versioned(frame):
        table = frame.dropna(subset=[key]).drop_duplicates(key)
        return keys.map(pd.Series(table[value].to_numpy(), index=table[key].to_numpy()))
    return by_date(pd.DataFrame({"_key": keys}), dates, frame, key, "_key", value)


def in_force_versions(frame: pd.DataFrame, keys: pd.Series, months: list[int]) -> pd.DataFrame:
    """For each key and each month ordinal in ``months``: the Valid From ordinal of the version in force
    (columns ``key``, ``month_ord``, ``version``). A key with no version yet in force that month is absent."""
    pairs = pd.DataFrame({"key": keys.to_numpy(), "version": valid_ordinals(frame).to_numpy()}).dropna(subset=["key"])
    pairs = pairs.drop_duplicates()
    if not len(pairs) or not months:
        return pd.DataFrame({"key": pd.Series(dtype=object), "month_ord": pd.Series(dtype="int64"),
                             "version": pd.Series(dtype="int64")})
    cross = pairs.merge(pd.DataFrame({"month_ord": np.asarray(months, dtype="int64")}), how="cross")
    cross = cross[cross["version"] <= cross["month_ord"]]
    return cross.groupby(["key", "month_ord"], as_index=False)["version"].max()


def rows_in_force(frame: pd.DataFrame, keys: pd.Series, year: int, month: int) -> pd.DataFrame:
    """The rows of ``frame`` in force for ``month`` of ``year``: for each key, those of its latest Valid From
    on or before the month (a table without Valid From: all rows)."""
    if VALID_FROM not in frame.columns or not len(frame):
        return frame
    v = valid_ordinals(frame)
    at = ordinal(year, month)
    ok = v <= at
    best = v.where(ok).groupby(keys.to_numpy()).transform("max")
    return frame[(ok & (v == best)).to_numpy()]


def table_in_force(frame: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """The rows of a table versioned as a whole (the Appraisal weights, the score bands: every row of one Valid
    From is one version) in force for ``period`` (``YYYY-MM``; None: the latest version)."""
    if not versioned(frame):
        return frame
    year, month = (int(str(period)[:4]), int(str(period)[5:7])) if period else (9999, 12)
    return rows_in_force(frame, pd.Series(0, index=frame.index), year, month)


def by_date(rows: pd.DataFrame, dates: pd.Series, frame: pd.DataFrame, key: str, rows_key: str,
            value: str) -> pd.Series:
    """For each of ``rows`` (its key in ``rows[rows_key]``, dated ``dates``): ``frame[value]`` of the version
    of ``frame[key]`` in force in the date's month (no dated version yet, or no date: the blank version, else
    missing). Index as ``rows``."""
    return pick_by_date(rows[rows_key], dates, frame, frame[key], [value])[value]


def pick_by_date(keys: pd.Series, dates: pd.Series, frame: pd.DataFrame, frame_keys: pd.Series,
                 columns: list[str]) -> pd.DataFrame:
    """For each of ``keys`` (dated ``dates``): ``frame[columns]`` of the row of the same key (``frame_keys``)
    whose Valid From is the latest on or before the date's month (two rows of one key and Valid From: the first).
    A key with no version in force by then, a missing key, or no date and no blank version: missing. Index as
    ``keys``."""
    out = pd.DataFrame({c: pd.Series(np.nan, index=np.arange(len(keys)), dtype=object) for c in columns})
    if len(keys) and len(frame):
        table = pd.DataFrame({"_k": np.asarray(frame_keys, dtype=object), "_v": valid_ordinals(frame).to_numpy(),
                              **{f"_x{i}": frame[c].to_numpy() for i, c in enumerate(columns)}})
        table = table[pd.notna(table["_k"])].drop_duplicates(["_k", "_v"]).sort_values("_v", kind="stable")
        when = pd.to_datetime(dates, errors="coerce")
        at = (when.dt.year * 12 + when.dt.month - 1).fillna(BLANK).astype("int64")
        left = pd.DataFrame({"_k": np.asarray(keys, dtype=object), "_at": at.to_numpy(), "_i": np.arange(len(keys))})
        left = left[pd.notna(left["_k"])].sort_values("_at", kind="stable")
        got = pd.merge_asof(left, table, left_on="_at", right_on="_v", by="_k", direction="backward")
        for i, c in enumerate(columns):
            out.loc[got["_i"].to_numpy(), c] = got[f"_x{i}"].to_numpy()
    out.index = keys.index
    return out
