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


def by_date(rows: pd.DataFrame, dates: pd.Series, frame: pd.DataFrame, key: str, rows_key: str,
            value: str) -> pd.Series:
    """For each of ``rows`` (its key in ``rows[rows_key]``, dated ``dates``): ``frame[value]`` of the version
    of ``frame[key]`` in force in the date's month (no dated version yet, or no date: the blank version, else
    missing). Index as ``rows``."""
    if not len(rows):
        return pd.Series(index=rows.index, dtype="float64")
    table = pd.DataFrame({"_k": frame[key].to_numpy(), "_v": valid_ordinals(frame).to_numpy(),
                          "_x": frame[value].to_numpy()}).dropna(subset=["_k"])
    table = table.drop_duplicates(["_k", "_v"]).sort_values("_v", kind="stable")
    when = pd.to_datetime(dates, errors="coerce")
    at = (when.dt.year * 12 + when.dt.month - 1).fillna(BLANK).astype("int64")
    left = pd.DataFrame({"_k": rows[rows_key].to_numpy(), "_at": at.to_numpy(), "_i": np.arange(len(rows))})
    left = left.sort_values("_at", kind="stable")
    known = left["_k"].notna()
    got = pd.merge_asof(left[known], table, left_on="_at", right_on="_v", by="_k", direction="backward")
    out = pd.Series(np.nan, index=np.arange(len(rows)), dtype=object)
    out[got["_i"].to_numpy()] = got["_x"].to_numpy()
    out.index = rows.index
    return out
