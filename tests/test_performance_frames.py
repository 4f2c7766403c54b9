"""A performance file's frames built from the columns as lists (issue 24) are the ones pandas' grouping, filtering
and records built before: compared on edge cases against those reference builds (kept here, as they were)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from toolkit.core.performance import HISTORY_COLUMNS as CORE_HISTORY, MONTH_COLUMNS as CORE_MONTHS
from toolkit.outputs import performance as O
from toolkit.outputs.labels import label
from toolkit.schema import enums as E


def _reference_chart(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    """The chart data as grouped by pandas (the code before issue 24's session 19)."""
    m = mine["months"]
    periods = list(dict.fromkeys(m["period"]))
    by = {ind: rows.drop_duplicates("period").set_index("period") for ind, rows in m.groupby("indicator", sort=False)}

    def column(ind: str, col: str) -> list[Any]:
        return by[ind][col].reindex(periods).tolist() if ind in by else [None] * len(periods)

    out = pd.DataFrame({label("pf.period", lang): periods})
    for ind in O.CHART_INDICATORS:
        name = E.INDICATOR.label(ind, lang)
        out[label("pf.target", lang, indicator=name)] = column(ind, "month_target")
        out[label("pf.actual", lang, indicator=name)] = column(ind, "month_actual")
    for ind in E.INDICATOR.values:
        out[label("pf.ytd_completion", lang, indicator=E.INDICATOR.label(ind, lang))] = column(ind, "ytd_completion")
    out[label("time_progress", lang)] = m.drop_duplicates("period").set_index("period")["time_progress"].reindex(
        periods).tolist()
    return out


def _reference_history(mine: dict[str, pd.DataFrame], lang: str, quarters: bool) -> pd.DataFrame:
    """The years or quarters through pandas' filtering and records (the code before issue 24's session 19)."""
    h = mine.get("history", pd.DataFrame(columns=["quarter"]))
    h = h[h["quarter"].notna() if quarters else h["quarter"].isna()]
    rows = h.to_dict("records")
    out = pd.DataFrame({"window": [f"{r['year']}-Q{int(r['quarter'])}" if quarters else str(r["year"]) for r in rows],
                        **{c: [r.get(c) for r in rows] for c in O.HISTORY_COLUMNS[1:]}})
    out["grade"] = [O._grade(r, lang) for r in rows]
    for c in ("department_rank", "company_rank", "ranked"):
        out[c] = pd.array(out[c], dtype="Int64") if len(out) else out[c]
    window = label("pf.quarter" if quarters else "pf.year", lang)
    return out.rename(columns=lambda c: window if c == "window" else O.header(c, lang))


def _months(rows: list[tuple[Any, str, float]]) -> pd.DataFrame:
    """Month rows (indicator, period, a figure) with every month column, the indicator and period as strings."""
    frame = pd.DataFrame({"indicator": pd.Series([r[0] for r in rows], dtype="str"),
                          "period": pd.Series([r[1] for r in rows], dtype="str"),
                          **{c: [r[2] + k for r in rows] for k, c in enumerate(
                              ("month_target", "month_actual", "ytd_completion", "time_progress"))}})
    return frame.reindex(columns=CORE_MONTHS).assign(rank=pd.array([None] * len(rows), dtype="Int64"))


MONTHS = {
    "none": [],
    "one month": [("Signing", "2026-01", 1.0), ("Collection", "2026-01", 2.0)],
    # a month without Collection, a row repeated (the first wins), a month led by a row of no indicator, an
    # indicator the chart does not show, none of Expense or Profit
    "gaps": [("Signing", "2026-01", 1.0), ("Collection", "2026-01", 2.0), ("Signing", "2026-02", 3.0),
             ("Signing", "2026-02", 4.0), (None, "2026-03", 5.0), ("Collection", "2026-03", 6.0),
             ("Signing", "2026-03", np.nan), ("Other", "2026-04", 7.0)],
    "no signing": [("Collection", "2026-02", 2.0), ("Expense", "2026-01", 3.0), ("Profit", "2026-02", -1.0)],
}


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert [str(d) for d in got.dtypes] == [str(d) for d in expected.dtypes]
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", list(MONTHS))
def test_chart_data_is_pandas_grouped_chart_data(case: str, lang: str) -> None:
    _same(O.chart_frame({"months": _months(MONTHS[case])}, lang), _reference_chart({"months": _months(MONTHS[case])},
                                                                                    lang))


def _history(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).reindex(columns=CORE_HISTORY)
    frame["quarter"] = frame["quarter"].astype(object).where(frame["quarter"].notna(), None)
    for c in ("department_rank", "company_rank"):
        frame[c] = pd.array(frame[c], dtype="Int64")
    frame["ranked"] = frame["ranked"].astype("int64")
    for c in ("grade", "basis", "employee_id"):
        frame[c] = frame[c].astype("str")
    return frame


HISTORY = {
    "none": None,
    "quarters and years": [
        {"employee_id": "E1", "year": 2025, "quarter": 4, "score": 0.9, "grade": "B", "basis": "department",
         "department_rank": 2, "company_rank": 5, "ranked": 20, "review": 76.0, "training_hours": 4.0,
         "royalty_paid": 100.0, "floating_paid": 50.0, "total_paid": 150.0},
        {"employee_id": "E1", "year": 2025, "quarter": None, "score": np.nan, "grade": None, "basis": "default",
         "department_rank": None, "company_rank": None, "ranked": 21, "review": np.nan, "training_hours": 0.0,
         "royalty_paid": np.nan, "floating_paid": np.nan, "total_paid": np.nan},
        {"employee_id": "E1", "year": 2026, "quarter": 1, "score": 1.1, "grade": None, "basis": None,
         "department_rank": None, "company_rank": 1, "ranked": 19, "review": 80.0, "training_hours": 2.5,
         "royalty_paid": 0.0, "floating_paid": 9000.0, "total_paid": 9000.0}],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("quarters", [True, False])
@pytest.mark.parametrize("case", list(HISTORY))
def test_years_and_quarters_are_pandas_filtered_records(case: str, quarters: bool, lang: str) -> None:
    mine = {} if HISTORY[case] is None else {"history": _history(HISTORY[case])}
    _same(O.history_frame(mine, lang, quarters), _reference_history(mine, lang, quarters))


@pytest.mark.parametrize("dtype", ["Float64", "float64"])
def test_summary_quotes_a_nullable_last_month_as_a_float_one(dtype: str) -> None:
    """The summary's last-month rows from a nullable (pandas extension) months frame are those of the same frame in
    numpy floats: a missing YTD actual a blank, the Amount column floats (not pd.NA in an object column)."""
    months = pd.DataFrame({"period": ["2026-02", "2026-03", "2026-03"], "indicator": ["signing", "signing", "collection"],
                           "ytd_actual": pd.array([1.0, 2.0, None], dtype=dtype),
                           "ytd_target": pd.array([4.0, 4.0, 5.0], dtype=dtype),
                           "ytd_completion": pd.array([0.25, 0.5, None], dtype=dtype)})
    mine = {"months": months, "pay": pd.DataFrame()}
    plain = {"months": months.astype({c: "float64" for c in ("ytd_actual", "ytd_target", "ytd_completion")}),
             "pay": pd.DataFrame()}
    for lang in ("en", "zh"):
        got = O.summary_frame(2026, {"name": "A"}, "E1", mine, lang)
        pd.testing.assert_frame_equal(got, O.summary_frame(2026, {"name": "A"}, "E1", plain, lang))
        assert got[label("st.amount", lang)].dtype == "float64"
