"""Sales forecast: method choice by history length, MASE on known series, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ledger_factory import department_book, ledger, standards_book

from toolkit.core.forecast import (
    HOLT_WINTERS, MOVING_AVERAGE, SEASONAL_NAIVE, backtest, choose_method, compute_forecast, mase, predict,
)

STD = standards_book(Roster=[dict(employee_id="E1", name="Ann", department="East", role="Salesperson", grade="G1"),
                             dict(employee_id="W1", name="Wu", department="West", role="Salesperson", grade="G1")])


def _monthly_contracts(end: str, months: int, amount=lambda i: 1000.0 + 100 * (i % 12), emp="E1", prefix="C"):
    last = pd.Period(end, freq="M")
    return [
        dict(contract_no=f"{prefix}{i}", sign_date=(last - (months - 1 - i)).to_timestamp() + pd.Timedelta(days=4),
             customer="Cust", employee_id=emp, product_line="PA", amount=amount(i), status="Signed")
        for i in range(months)
    ]


def _series(result, key="company"):
    return result.series.set_index("key").loc[key]


@pytest.mark.parametrize("months, method", [(23, SEASONAL_NAIVE), (24, HOLT_WINTERS), (11, MOVING_AVERAGE),
                                            (12, SEASONAL_NAIVE)])
def test_method_choice_by_history_length(months, method):
    assert choose_method(months) == method
    book = department_book("East", Contracts=_monthly_contracts("2025-06", months))
    res = compute_forecast(ledger([book], STD), "2025-06")
    row = _series(res)
    assert row["history_months"] == months and row["method"] == method
    assert res.forecast[res.forecast["key"] == "company"]["month"].tolist() == ["2025-07", "2025-08", "2025-09"]


def test_history_counts_gaps_and_ignores_later_contracts():
    contracts = [
        dict(contract_no="A", sign_date="2024-01-10", customer="c", employee_id="E1", product_line="P", amount=100,
             status="Signed"),
        dict(contract_no="B", sign_date="2024-03-10", customer="c", employee_id="E1", product_line="P", amount=300,
             status="Terminated"),
        dict(contract_no="C", sign_date="2024-05-10", customer="c", employee_id="E1", product_line="P", amount=900,
             status="Signed"),
    ]
    res = compute_forecast(ledger([department_book("East", Contracts=contracts)], STD), "2024-04")
    hist = res.history[res.history["key"] == "company"]
    assert hist["month"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert hist["value"].tolist() == [100, 0, 300, 0]
    # moving average of the last 3 months: (0 + 300 + 0) / 3
    assert res.forecast[res.forecast["key"] == "company"]["value"].tolist() == [100.0] * 3


def test_mase_moving_average_by_hand():
    # y = 10..80; hold out 60, 70, 80; MA(3) of 30, 40, 50 = 40 -> errors 20, 30, 40 (mean 30);
    # training part 10..50 has 5 months (<= 12) so the scale is the lag-1 naive error, 10 -> MASE 3.0
    y = np.array([10, 20, 30, 40, 50, 60, 70, 80], dtype=float)
    assert backtest(y) == (MOVING_AVERAGE, pytest.approx(3.0))


def test_mase_seasonal_naive_by_hand():
    # y = 1..16; training 1..13 (13 months -> seasonal naive, lag-12 scale |13 - 1| = 12);
    # forecasts are the values 12 months before 14, 15, 16: 2, 3, 4 -> errors 12 each -> MASE 1.0
    y = np.arange(1, 17, dtype=float)
    assert backtest(y) == (SEASONAL_NAIVE, pytest.approx(1.0))
    assert mase(np.array([5.0]), np.array([3.0]), np.array([1.0, 2.0, 4.0])) == pytest.approx(2 / 1.5)


def test_mase_undefined_cases():
    assert backtest(np.array([1.0, 2.0, 3.0, 4.0])) == (None, None)  # fewer than holdout + 2 months
    assert backtest(np.full(10, 5.0))[1] is None  # flat training part: scale 0
    assert mase(np.array([1.0]), np.array([1.0]), np.array([1.0])) is None


def test_holt_winters_follows_a_seasonal_pattern_and_backtests():
    months = 36
    pattern = [800, 900, 1500, 1000, 1100, 1800, 900, 950, 1600, 1200, 1300, 2400]
    book = department_book("East", Contracts=_monthly_contracts("2025-12", months, lambda i: pattern[i % 12] + 10 * i))
    res = compute_forecast(ledger([book], STD), "2025-12")
    row = _series(res)
    assert row["method"] == HOLT_WINTERS and row["backtest_method"] == HOLT_WINTERS
    fc = res.forecast[res.forecast["key"] == "company"]["value"].to_numpy()
    expected = np.array([pattern[i] + 10 * (36 + i) for i in range(3)], dtype=float)
    assert np.allclose(fc, expected, rtol=0.05)  # a clean seasonal series is forecast within 5%
    assert row["mase"] is not None and row["mase"] < 0.5


def test_24_months_backtests_with_the_shorter_rule():
    book = department_book("East", Contracts=_monthly_contracts("2025-12", 24))
    row = _series(compute_forecast(ledger([book], STD), "2025-12"))
    assert row["method"] == HOLT_WINTERS and row["backtest_method"] == SEASONAL_NAIVE


def test_departments_and_company_and_determinism():
    east = department_book("East", Contracts=_monthly_contracts("2025-06", 30))
    west = department_book("West", Contracts=_monthly_contracts("2025-06", 6, lambda i: 500.0, emp="W1",
                                                                prefix="W"))
    a = compute_forecast(ledger([east, west], STD), "2025-06")
    b = compute_forecast(ledger([east, west], STD), "2025-06")
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)
    assert a.series["key"].tolist() == ["company", "East", "West"]
    assert _series(a, "West")["method"] == MOVING_AVERAGE
    assert a.forecast[a.forecast["key"] == "West"]["value"].tolist() == [500.0] * 3
    hist = a.history
    company = hist[hist["key"] == "company"].set_index("month")["value"]
    parts = hist[hist["key"] != "company"].groupby("month")["value"].sum()
    assert company.equals(parts.reindex(company.index).fillna(0.0))


def test_forecast_never_negative():
    y = np.array([1000, 800, 600, 400, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10000,
                  0, 0], dtype=float)
    fc, _ = predict(y, HOLT_WINTERS)
    assert (fc >= 0).all()
