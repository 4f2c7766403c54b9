"""Sales forecast: the monthly Signing series of the company and each department, 3 months ahead.

Method by history length n (months from the series' first signing to the period, gaps as 0):
n ≥ 24 → Holt-Winters exponential smoothing (statsmodels; additive damped trend, additive 12-month
seasonality, estimated initial state); 12 ≤ n < 24 → seasonal naive (same month last year);
n < 12 → moving average of the last 3 months. Forecasts are floored at 0.

Backtest: the last HOLDOUT months are held out, the rule above is applied to the months before
(``backtest_method``; a 24–26 month series backtests with seasonal naive because 21–23 months are
too few for Holt-Winters) and MASE = mean |actual − forecast| over the hold-out ÷ mean |y_t − y_{t−m}|
over the training months, m = 12 when the training part is longer than 12 months, else 1. MASE is
None when there are fewer than HOLDOUT + 2 months or the scale is 0. Deterministic.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..money import round_series
from .completion import COMPANY_KEY, credit_departments, parse_period
from .credits import contract_credits

if TYPE_CHECKING:
    from .ledger import Ledger

HORIZON = 3
HOLDOUT = 3
SEASON = 12
MIN_SEASONAL = 24
HOLT_WINTERS, SEASONAL_NAIVE, MOVING_AVERAGE = "holt-winters", "seasonal-naive", "moving-average"
MA_WINDOW = 3


def choose_method(n: int) -> str:
    """The method for a series of ``n`` months (see the module doc)."""
    if n >= MIN_SEASONAL:
        return HOLT_WINTERS
    if n >= SEASON:
        return SEASONAL_NAIVE
    return MOVING_AVERAGE


def predict(y: np.ndarray, method: str, h: int = HORIZON) -> tuple[np.ndarray, str]:
    """Forecast ``h`` steps of ``y`` with ``method``; returns (values ≥ 0, method actually used).

    Holt-Winters falls back to seasonal naive when statsmodels cannot fit the series.
    """
    y = np.asarray(y, dtype="float64")
    if len(y) == 0:
        return np.zeros(h), method
    if method == HOLT_WINTERS:
        try:
            from statsmodels.tsa.holtwinters import ExponentialSmoothing  # deferred: statsmodels is slow to import; only this forecast method uses it

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(
                    y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=SEASON,
                    initialization_method="estimated",
                ).fit()
                out = np.asarray(fit.forecast(h), dtype="float64")
            if np.all(np.isfinite(out)):
                return np.clip(out, 0, None), method
        except (ValueError, np.linalg.LinAlgError):
            pass
        method = SEASONAL_NAIVE
    if method == SEASONAL_NAIVE:
        idx = len(y) - SEASON + (np.arange(h) % SEASON)
        return np.clip(y[idx], 0, None), method
    return np.full(h, max(float(np.mean(y[-MA_WINDOW:])), 0.0)), MOVING_AVERAGE


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> float | None:
    """Mean absolute scaled error; the scale is the training part's (seasonal when > 12 months) naive error."""
    train = np.asarray(train, dtype="float64")
    m = SEASON if len(train) > SEASON else 1
    if len(train) <= m:
        return None
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    if scale == 0:
        return None
    return float(np.mean(np.abs(np.asarray(actual, dtype="float64") - np.asarray(forecast, dtype="float64"))) / scale)


def backtest(y: np.ndarray) -> tuple[str | None, float | None]:
    """(method used, MASE) of the method rule on the last HOLDOUT months held out; (None, None) if too short."""
    y = np.asarray(y, dtype="float64")
    if len(y) < HOLDOUT + 2:
        return None, None
    train, test = y[:-HOLDOUT], y[-HOLDOUT:]
    fc, used = predict(train, choose_method(len(train)), HOLDOUT)
    return used, mase(test, fc, train)


@dataclass
class ForecastResult:
    """One summary row per series, its monthly history and its forecast."""

    period: str
    series: pd.DataFrame  # level, key, method, backtest_method, history_months, mase
    history: pd.DataFrame  # level, key, month, value
    forecast: pd.DataFrame  # level, key, month, value


def signing_series(ledger: Ledger, period: pd.Period) -> pd.DataFrame:
    """Monthly credited Signing up to ``period`` per department: long frame department, month, value."""
    cc = contract_credits(ledger.tables["Contracts"])
    cc = cc[cc["sign_date"].notna() & (cc["sign_date"] <= period.end_time)]
    # the contract's workbook department; a split share: the split person's department in the sign month (as the
    # completion counts it, docs/people.md)
    cc = credit_departments(ledger, cc, "sign_date")
    return pd.DataFrame(
        {
            "department": cc["department"].astype("str").to_numpy(),
            "month": cc["sign_date"].dt.to_period("M").to_numpy(),
            "value": (cc["amount"].astype("float64").fillna(0.0) * cc["share"]).to_numpy(),
        }
    )


def _full(values: pd.Series, end: pd.Period) -> pd.Series:
    """A monthly series from its first month to ``end``, missing months 0."""
    if values.empty:
        return values
    idx = pd.period_range(values.index.min(), end, freq="M")
    return values.reindex(idx, fill_value=0.0)


def compute_forecast(ledger: Ledger, period: str) -> ForecastResult:
    """Forecast Signing for the HORIZON months after ``period`` for the company and each department."""
    p = parse_period(period)
    long = signing_series(ledger, p)
    series = {("company", COMPANY_KEY): long.groupby("month")["value"].sum()}
    for dept, part in long.groupby("department", sort=True):
        series[("department", str(dept))] = part.groupby("month")["value"].sum()
    future = pd.period_range(p + 1, periods=HORIZON, freq="M")
    summary, hist, fcst = [], [], []
    for (level, key), values in series.items():
        y = _full(values.sort_index(), p)
        method = choose_method(len(y))
        fc, used = predict(y.to_numpy(), method)
        b_method, error = backtest(y.to_numpy())
        summary.append({"level": level, "key": key, "method": used, "backtest_method": b_method,
                        "history_months": len(y), "mase": error})
        hist.append(pd.DataFrame({"level": level, "key": key, "month": y.index.astype("str"), "value": y.to_numpy()}))
        fcst.append(pd.DataFrame({"level": level, "key": key, "month": future.astype("str"), "value": fc}))
    cols = ["level", "key", "month", "value"]
    history = pd.concat(hist, ignore_index=True) if hist else pd.DataFrame(columns=cols)
    forecast = pd.concat(fcst, ignore_index=True) if fcst else pd.DataFrame(columns=cols)
    for frame in (history, forecast):
        frame["value"] = round_series(frame["value"].astype("float64"))
    summary_cols = ["level", "key", "method", "backtest_method", "history_months", "mase"]
    return ForecastResult(str(p), pd.DataFrame(summary, columns=summary_cols), history, forecast)
