"""Sales trend and forecast."""

from __future__ import annotations

import pandas as pd

from ...core import forecast as FC
from ...outputs.labels import LABELS
from .words import REPORT_WORDS, label, num


def forecast_tables(fres: FC.ForecastResult, trend: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    fc = fres.forecast
    months = sorted(fc["month"].astype(str).unique())
    rows = []
    for rec in fres.series.to_dict("records"):
        sel = fc[(fc["level"] == rec["level"]) & (fc["key"] == rec["key"])]
        sel = sel.set_index(sel["month"].astype(str))
        rows.append({"key": label("company", lang) if rec["level"] == "company" else rec["key"],
                     "method": label(rec["method"], lang) if REPORT_WORDS.get(rec["method"], rec["method"]) in LABELS else rec["method"],
                     "history_months": rec["history_months"], "mase": num(rec["mase"]),
                     **{f"m{i + 1}": (num(sel["value"].get(m)) if m in sel.index else None)
                        for i, m in enumerate(months)}})
    table = pd.DataFrame(rows, columns=["key", "method", "history_months", "mase", "m1", "m2", "m3"])
    comp = fc[fc["level"] == "company"]
    future = pd.DataFrame({"month": comp["month"].astype(str).to_numpy(), "signing": None, "collection": None,
                           "signing_forecast": comp["value"].astype("float64").to_numpy()})
    trend = trend.assign(signing_forecast=None)
    if len(trend):  # the forecast line starts at the last actual so the chart joins up
        trend.loc[trend.index[-1], "signing_forecast"] = trend["signing"].iloc[-1]
    both = pd.concat([trend, future], ignore_index=True)
    for col in ("signing", "collection", "signing_forecast"):
        both[col] = pd.to_numeric(both[col], errors="coerce").astype("float64")
    return table, both
